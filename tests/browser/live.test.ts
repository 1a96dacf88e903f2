/**
 * The console under load and outage: the wall renders 1,000 on-duty agents as a virtualised
 * table (a few dozen rows in the DOM, the last agent reachable by scrolling), and an agent whose
 * WebSocket drops reconnects on its own and catches up with one read of the inbox, however
 * many notices it missed.
 */
import type { WebSocketRoute } from "playwright-core";
import { describe, expect, it } from "vitest";
import { consoleDist } from "../../local/console-build.js";
import { setDuty } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";
import { en, openConsole, signIn, useBrowser, waitMs } from "./support.js";

const s = useLocalStack({ consoleDir: consoleDist });
const browser = useBrowser();

function fakeAgent(i: number) {
  const id = `agent-${String(i).padStart(4, "0")}`;
  return {
    agentId: id,
    name: `Agent ${String(i).padStart(4, "0")}`,
    skills: ["presale"],
    maxConcurrent: 5,
    presence: i % 7 === 0 ? "paused" : "online",
    load: i % 6,
    overCapacityBy: Math.max(0, (i % 6) - 5),
    onDuty: true,
    shift: { shiftId: "day", from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() },
    nextShift: null,
    available: true,
    lastAssignedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    updatedBy: "test",
    shiftEnd: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

describe("the live wall at scale", () => {
  it("renders 1,000 on-duty agents as a virtualised table", async () => {
    const { page, errors } = await openConsole(browser(), s().consoleUrl ?? "", "?lang=en");
    const agents = Array.from({ length: 1000 }, (_, i) => fakeAgent(i + 1));
    // The queue as a 1,000-agent floor would answer it (the rest of the API is the real stack's).
    await page.route("**/queue", (route) =>
      route.fulfill({ contentType: "application/json", body: JSON.stringify({ at: new Date().toISOString(), totalWaiting: 0, lines: { presale: { waiting: 0, escalated: 0, longestWaitSeconds: null, head: null } }, waiting: {}, agents }) }),
    );
    await signIn(page, "supervisor", "sup-scale", en);
    await page.getByRole("heading", { name: "On-duty agents (1000)" }).waitFor();
    await page.getByRole("row", { name: /Agent 0001/ }).waitFor();
    const rendered = await page.locator("tr.virtual-row").count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect(await page.getByRole("row", { name: /Agent 1000/ }).count()).toBe(0);

    await page.getByRole("region", { name: "Agent list (scrollable)" }).evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.getByRole("row", { name: /Agent 1000/ }).waitFor();
    expect(await page.locator("tr.virtual-row").count()).toBeLessThan(60);
    // The tiles count every agent, not the rendered ones.
    await page.locator('[data-tile="duty"] .tile-value', { hasText: "1000 / 858" }).waitFor();
    expect(errors).toEqual([]);
  });
});

describe("an agent's connection", () => {
  it("reconnects after an outage and catches up with one inbox read", async () => {
    const sup = await s().supervisor();
    const agentId = s().uid("ag");
    expect((await s().api("PUT", `/agents/${agentId}`, { as: sup, body: { name: agentId, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    await setDuty(agentId, true);

    const { page, errors } = await openConsole(browser(), s().consoleUrl ?? "", "?lang=en");
    let blocked = false;
    let current: WebSocketRoute | undefined;
    await page.routeWebSocket(/\/ws(\?|$)/, async (ws) => {
      if (blocked) return ws.close({ code: 4001, reason: "outage" });
      current = ws;
      ws.connectToServer();
    });
    await signIn(page, "agent", agentId, en);
    await page.getByText("Live", { exact: true }).waitFor();

    // The outage: the connection drops and every reconnect is refused meanwhile.
    blocked = true;
    await current?.close({ code: 4001, reason: "outage" });
    await page.getByText(/Connection lost, retrying in/).waitFor();

    const reads: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/notices/inbox")) reads.push(r.url());
    });
    const titles = [1, 2, 3, 4, 5].map((n) => `Missed ${n} ${s().uid("m")}`);
    for (const title of titles) {
      const res = await s().api("POST", "/notices", { as: sup, body: { title, body: "Published while the agent was offline.", urgency: "important", expiresAt: new Date(Date.now() + 3_600_000).toISOString() } });
      expect(res.status).toBe(201);
    }
    // Fan-out is asynchronous: wait until the inbox holds all five before the network returns.
    await s().eventually(async () => {
      const inbox = await s().api("GET", "/notices/inbox", { as: await s().agentToken(agentId) });
      return titles.every((t) => inbox.body.notices.some((n: { title: string }) => n.title === t));
    }, waitMs);
    const readsDuringOutage = reads.length;

    blocked = false;
    await page.getByText("Live", { exact: true }).waitFor();
    for (const title of titles) await page.getByRole("listitem", { name: new RegExp(title) }).waitFor();
    // One read on reconnect (a coalesced push may add one more), never one per missed notice.
    expect(reads.length - readsDuringOutage).toBeGreaterThanOrEqual(1);
    expect(reads.length - readsDuringOutage).toBeLessThanOrEqual(2);
    expect(errors).toEqual([]);
  });
});
