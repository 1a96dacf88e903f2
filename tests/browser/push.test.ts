/**
 * The supervisor's wall and receipts are pushed, not polled: the console's safety re-read is set
 * to an hour (config.json `safetyRefreshSeconds`, as a deployment could), so within the test only
 * a push can move the screen. A webhook-created conversation appears on the wall (the Router's
 * push makes the wall re-read `GET /queue` once); an agent's acknowledgement turns its receipt
 * row acknowledged with the receipts endpoint cut off, so the row can only come from the push
 * itself. The number of wall reads stays small (no storm).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { consoleDist } from "../../local/console-build.js";
import { sendConversation, setDuty } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";
import { en, openConsole, signIn, useBrowser } from "./support.js";

const s = useLocalStack({ consoleDir: consoleDist });
const browser = useBrowser();

/** Serves the stack's own config.json with the safety re-read an hour apart. */
async function withoutPolling(page: Page): Promise<void> {
  await page.route("**/config.json", async (route) => {
    const response = await route.fetch();
    const config = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: { ...config, safetyRefreshSeconds: 3600 } });
  });
}

/** Counts the page's requests whose path passes `test`. */
function countRequests(page: Page, test: (path: string) => boolean): () => number {
  let count = 0;
  page.on("request", (request) => {
    if (test(new URL(request.url()).pathname)) count++;
  });
  return () => count;
}

describe("pushed to supervisors", () => {
  it("puts a webhook-created conversation on the wall, and turns a receipt acknowledged, with no polling", async () => {
    const sup = await s().supervisor();
    const skill = "presale";
    // An agent on duty but offline: the conversation waits in its line (the wall's waiting count).
    const agentId = s().uid("wang.fang");
    expect((await s().api("PUT", `/agents/${agentId}`, { as: sup, body: { name: `Wang Fang ${agentId.slice(-4)}`, skills: [skill], maxConcurrent: 2 } })).status).toBe(201);
    await setDuty(agentId, true);

    const { page, errors } = await openConsole(browser(), "about:blank");
    await withoutPolling(page);
    const queueReads = countRequests(page, (path) => path === "/queue");
    await page.goto(`${s().consoleUrl ?? ""}?lang=en`);
    await signIn(page, "supervisor", "sup-pushed", en);
    await page.getByText("Live", { exact: true }).waitFor();
    const waitingIn = (count: number) => page.locator(`tr[data-skill="${skill}"] td[data-testid="skill-waiting"]`, { hasText: new RegExp(`^${count}$`) });
    const agentRow = page.getByRole("row", { name: new RegExp(agentId.slice(-4)) });
    await agentRow.waitFor();
    const readsBefore = queueReads();

    const waiting = await sendConversation(s(), { skill });
    expect(waiting.res.status).toBe(202);
    // Only the Router's push can bring it: the safety re-read is an hour away.
    await waitingIn(1).waitFor();
    const readsAfter = queueReads();
    expect(readsAfter).toBeGreaterThan(readsBefore);
    // One conversation: a read or two (coalesced), never a storm.
    expect(readsAfter - readsBefore).toBeLessThanOrEqual(3);

    // The agent comes online: the drain assigns it, and the wall follows (load 1/2, nobody waiting).
    expect((await s().api("PUT", `/agents/${agentId}/presence`, { as: sup, body: { status: "online" } })).status).toBe(200);
    await waitingIn(0).waitFor();
    await agentRow.getByText("1/2", { exact: true }).waitFor();

    // A notice to every on-duty agent, published from the page; its fan-out's push shows the agent pending.
    const receiptReads = countRequests(page, (path) => path.endsWith("/receipts"));
    await page.getByRole("link", { name: "Notices" }).click();
    const title = `Pushed receipt ${s().uid("n")}`;
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Text").fill("Prices change at 20:00.");
    await page.getByLabel("Urgency").selectOption("important");
    await page.getByRole("button", { name: "Publish" }).click();
    const receipts = page.getByRole("region", { name: new RegExp(title) });
    const receiptRow = receipts.getByRole("row", { name: new RegExp(agentId) });
    await receiptRow.getByText("Unread").waitFor();
    expect(receiptReads()).toBeGreaterThanOrEqual(1);

    // From now on the receipts endpoint is cut off: the acknowledged row can only be the push's.
    await page.route("**/receipts", (route) => route.abort());
    const noticeId = await receipts.getAttribute("data-notice-id");
    const ack = await s().api("POST", `/notices/${noticeId}/ack`, { as: await s().agentToken(agentId) });
    expect(ack.status).toBe(200);
    await receiptRow.getByText("Read").waitFor();
    await receipts.getByText(/read 1 · unread 0/).waitFor();
    expect(errors).toEqual([]);
  });
});
