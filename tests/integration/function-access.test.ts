/**
 * The local runtime gives each function only what its function-list entry declares, as AWS does:
 * an undeclared queue, push or secret fails here with an error naming the missing declaration,
 * instead of passing every local test and failing only after a deploy.
 */
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

// Function code reads the stack's environment when first loaded, so it is imported inside the tests.
const functionCode = async () => ({
  ...(await import("../../functions/shared/secrets.js")),
  ...(await import("../../functions/shared/push.js")),
  ...(await import("../../functions/shared/sqs.js")),
});

describe("function access enforced locally", () => {
  it("a function sending to a queue it does not declare fails, naming the declaration", async () => {
    const { sendMessage } = await functionCode();
    const probe = () => sendMessage("storefront", { body: { probe: true }, groupId: "probe", deduplicationId: stack().uid("probe") });
    // LoadReconciler declares no queue; StockReconciler declares "storefront" (a queue no local function consumes).
    await expect(stack().runAs("LoadReconciler", probe)).rejects.toThrow('QUEUE_URL_STOREFRONT is not set, so LoadReconciler cannot send to the "storefront" queue. Declare "storefront" in access.sends');
    await expect(stack().runAs("StockReconciler", probe)).resolves.toBeUndefined();
  });

  it("pushing to agents without pushesToAgents fails, even with nobody connected", async () => {
    const { pushToAgent } = await functionCode();
    const probe = () => pushToAgent(stack().uid("agent"), { type: "probe" });
    await expect(stack().runAs("AuditApi", probe)).rejects.toThrow("WS_ENDPOINT is not set, so AuditApi cannot push to agents. Declare access.pushesToAgents");
    await expect(stack().runAs("NoticeFanout", probe)).resolves.toEqual({ delivered: 0, gone: 0, failed: 0 });
  });

  it("the webhook secret reaches only functions that verify signatures", async () => {
    const { webhookSecret } = await functionCode();
    await expect(stack().runAs("ConversationsApi", () => webhookSecret())).resolves.toBe(stack().webhookSecret);
    await expect(stack().runAs("AuditApi", () => webhookSecret())).rejects.toThrow("so AuditApi cannot verify webhook signatures");
  });

  it("undeclared values stay out of the shared process environment", () => {
    expect(Object.keys(process.env).filter((name) => name.startsWith("QUEUE_URL_") || name === "WS_ENDPOINT" || name === "WEBHOOK_SECRET")).toEqual([]);
  });
});
