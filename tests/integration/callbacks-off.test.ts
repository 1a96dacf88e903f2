/**
 * Assignment callbacks turned off (no ASSIGNMENT_CALLBACK_URL) while callbacks written before are
 * still pending: they are marked `skipped`, not held — the relay sends nothing for them again
 * (no message loops between the relay and a deliverer with nowhere to post), supervisors can list
 * them, and a redrive puts one back in the queue (skipped again while callbacks stay off). Moves
 * made while callbacks are off write no callback at all.
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { sqsClient } from "../../local/sqs.js";
import { makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

// No ASSIGNMENT_CALLBACK_URL: callbacks are off in this stack.
const stack = useLocalStack();

/** An outbox record as a move's transaction wrote it while callbacks were still on. */
async function pendingCallback(s: TestStack, minutesAgo: number) {
  const { CallbackDelivery, dynamo, tableName } = await import("../../functions/shared/table/index.js");
  const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
  const conversationId = s.uid("was-on");
  const eventId = `${conversationId}:1`;
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const payload = { eventId, type: "conversation.assigned" as const, conversationId, agentId: "someone", previousAgentId: null, reason: "assigned" as const, sequence: 1, occurredAt: at };
  await dynamo.send(new PutCommand({ TableName: tableName, Item: CallbackDelivery.item({ eventId, conversationId, sequence: 1, payload, status: "pending", attempts: 0, createdAt: at, updatedAt: at }, CallbackDelivery.index.byStatus.attributes({ status: "pending", updatedAt: at, eventId })) }));
  return eventId;
}

async function listed(s: TestStack, status: string): Promise<{ eventId: string; status: string; lastError?: string; attempts: number }[]> {
  const res = await s.api("GET", `/integrations/deliveries?status=${status}&limit=100`, { as: await s.supervisor() });
  expect(res.status).toBe(200);
  return res.body.deliveries;
}

describe("assignment callbacks turned off", () => {
  it("marks pending callbacks skipped instead of re-sending them, lists them, and redrives one on request", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const lost = await pendingCallback(s, 10);
    const inFlight = await pendingCallback(s, 0);

    // The relay finds the one whose message was lost: skipped, nothing sent.
    const run = (await s.runSchedule("CallbackRelay", new Date())) as { resent: number; skipped: number };
    expect(run).toEqual({ resent: 0, skipped: 1 });
    expect((await listed(s, "pending")).map((d) => d.eventId)).not.toContain(lost);
    expect((await listed(s, "skipped")).find((d) => d.eventId === lost)).toMatchObject({ status: "skipped", attempts: 0, lastError: "callbacks turned off before delivery" });
    // Once the other one is as old, a later run skips it too; after that nothing is left to send
    // (no message every minute for callbacks that cannot go out).
    expect(await s.runSchedule("CallbackRelay", new Date(Date.now() + 10 * 60_000))).toEqual({ resent: 0, skipped: 1 });
    expect((await listed(s, "pending")).map((d) => d.eventId)).not.toContain(inFlight);
    expect(await s.runSchedule("CallbackRelay", new Date(Date.now() + 20 * 60_000))).toEqual({ resent: 0, skipped: 0 });

    // The deliverer, given a message for a pending callback, skips it too (no POST, no retry).
    const other = await pendingCallback(s, 0);
    await sqsClient(s.sqsEndpoint).send(new SendMessageCommand({ QueueUrl: s.queueUrls.callbacks, MessageBody: JSON.stringify({ eventId: other }) }));
    await s.eventually(async () => (await listed(s, "skipped")).some((d) => d.eventId === other));

    // A supervisor may redrive a skipped one (callbacks back on); while they are off it is skipped again.
    const redriven = await s.api("POST", `/integrations/deliveries/${encodeURIComponent(lost)}/redrive`, { as: sup });
    expect(redriven.status).toBe(202);
    expect(redriven.body).toMatchObject({ eventId: lost, status: "pending" });
    await s.eventually(async () => (await listed(s, "skipped")).some((d) => d.eventId === lost));
    // Not failed nor skipped: nothing to redrive.
    expect((await s.api("POST", "/integrations/deliveries/nothing:1/redrive", { as: sup })).status).toBe(404);
    expect((await s.api("GET", "/integrations/deliveries?status=lost", { as: sup })).status).toBe(400);
  });

  it("writes no callback for a move while callbacks are off", async () => {
    const s = stack();
    const skill = s.uid("off");
    await s.api("PUT", `/skills/${skill}`, { as: await s.supervisor(), body: { name: "Off" } });
    const a = await makeAgent(s, { skills: [skill], maxConcurrent: 2 });
    const { id } = await sendConversation(s, { skill });
    expect((await settled(s, id)).agentId).toBe(a);
    for (const status of ["pending", "skipped", "failed"]) expect((await listed(s, status)).some((d) => d.eventId.startsWith(`${id}:`))).toBe(false);
    await s.api("POST", `/conversations/${id}/close`, { as: await s.supervisor() });
    await setDuty(a, false);
  });
});
