import { beforeEach, describe, expect, it, vi } from "vitest";

// The WebSocket push is replaced (not DynamoDB): the unit is how a fan-out survives one agent's failed push.
const pushToAgent = vi.fn<(agentId: string, message: unknown) => Promise<{ delivered: number; gone: number; failed: number }>>();
vi.mock("../../functions/shared/push.js", () => ({ pushToAgent: (agentId: string, message: unknown) => pushToAgent(agentId, message) }));

const { pushToAgents } = await import("../../functions/notices/use-cases/push.js");
const { fanoutRecordsAtOnce, inboxWriteLanes, pushConcurrency, sdkSockets } = await import("../../functions/notices/fanout-limits.js");

describe("pushToAgents", () => {
  beforeEach(() => pushToAgent.mockReset());

  it("pushes every agent once and sums what was reached", async () => {
    pushToAgent.mockImplementation(async (agentId) => ({ delivered: agentId === "a2" ? 2 : 1, gone: agentId === "a3" ? 1 : 0, failed: 0 }));
    const agents = Array.from({ length: 120 }, (_, i) => `a${i}`);
    const outcome = await pushToAgents(agents, { type: "notice" });
    expect(pushToAgent.mock.calls.map(([id]) => id).sort()).toEqual([...agents].sort());
    expect(outcome).toEqual({ pushed: 121, gone: 1, failed: 0 });
  });

  it("does not fail the part when one agent's connections cannot be read: the others are still pushed", async () => {
    pushToAgent.mockImplementation(async (agentId) => {
      if (agentId === "a1" || agentId === "a7") throw Object.assign(new Error("DynamoDB is unreachable"), { name: "StoreUnavailableError" });
      return { delivered: 1, gone: 0, failed: 0 };
    });
    const agents = Array.from({ length: 10 }, (_, i) => `a${i}`);
    const outcome = await pushToAgents(agents, { type: "notice" });
    expect(outcome).toEqual({ pushed: 8, gone: 0, failed: 2 });
    expect(pushToAgent).toHaveBeenCalledTimes(10);
  });

  it("keeps at most pushConcurrency pushes in flight, so an invocation's requests fit the SDK's 50 sockets", async () => {
    let inFlight = 0;
    let peak = 0;
    pushToAgent.mockImplementation(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return { delivered: 1, gone: 0, failed: 0 };
    });
    const agents = Array.from({ length: 200 }, (_, i) => `a${i}`);
    // Two records of an invocation at once, as the NoticeFanout consumer runs them.
    const outcomes = await Promise.all([pushToAgents(agents, { type: "notice" }), pushToAgents(agents, { type: "notice" })]);
    expect(outcomes.map((o) => o.pushed)).toEqual([200, 200]);
    expect(peak).toBe(fanoutRecordsAtOnce * pushConcurrency);
    expect(fanoutRecordsAtOnce * (pushConcurrency + inboxWriteLanes)).toBeLessThanOrEqual(sdkSockets);
  });
});
