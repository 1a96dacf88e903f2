import { describe, expect, it } from "vitest";
import { makeAgent, sendConversation, settled } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

describe("GET /queue with more agents than it lists (issue 15: 20,000 agents would pass Lambda's 6 MB)", () => {
  it("lists the busiest 1,000 agents on duty and counts every one of them in agentTotals", { timeout: 300_000 }, async () => {
    const s = stack();
    const sup = await s.supervisor();
    const { batchWrite } = await import("../../functions/shared/table/index.js");
    const { newAgent } = await import("../../functions/agents/domain.js");
    const { agentWriteOps } = await import("../../functions/agents/store.js");
    const { queueAgentLimit } = await import("../../functions/supervision/use-cases.js");
    const now = new Date();
    const shift = { shiftId: "t", from: new Date(now.getTime() - 3_600_000).toISOString(), to: new Date(now.getTime() + 3_600_000).toISOString() };
    // Seeded directly (offline, on duty): 1,050 profiles, 50 past the listing bound.
    const seededCount = queueAgentLimit + 50;
    const items = Array.from({ length: seededCount }, (_, i) => agentWriteOps(undefined, { ...newAgent({ agentId: `qs-${i}`, name: `Q ${i}`, skills: ["logistics"], maxConcurrent: 4 }, "test", now), onDuty: true, shift })[0]?.Put?.Item);
    for (let i = 0; i < items.length; i += 25) {
      const chunk = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item: Item as Record<string, unknown> } }));
      // Seeding on a loaded machine: a store timeout is retried (the puts are idempotent).
      for (let attempt = 1; ; attempt++) {
        try {
          await batchWrite(chunk);
          break;
        } catch (error) {
          if (attempt >= 5 || !(error instanceof Error) || error.name !== "StoreUnavailableError") throw error;
        }
      }
    }
    // One real agent, online and holding a conversation: the busiest, so it must be listed.
    const busy = await makeAgent(s, { skills: ["complaint"], maxConcurrent: 2 });
    const { id } = await sendConversation(s, { skill: "complaint" });
    expect((await settled(s, id)).agentId).toBe(busy);

    // A client retries a 503 (the store timed out on a loaded machine), as the API asks.
    let queue = await s.api("GET", "/queue", { as: sup });
    for (let attempt = 1; queue.status === 503 && attempt < 5; attempt++) queue = await s.api("GET", "/queue", { as: sup });
    expect(queue.status).toBe(200);
    const body = queue.body as { agents: { agentId: string; load: number }[]; agentTotals: { onDuty: number; online: number; freeSlots: number; holdingWork: number; listed: number; truncated: boolean } };
    expect(body.agents).toHaveLength(queueAgentLimit);
    expect(body.agents[0]).toMatchObject({ agentId: busy, load: 1 });
    expect(body.agentTotals.onDuty).toBeGreaterThanOrEqual(seededCount + 1);
    expect(body.agentTotals).toMatchObject({ listed: queueAgentLimit, truncated: true });
    expect(body.agentTotals.holdingWork).toBeGreaterThanOrEqual(1);
    // The seeded agents are offline: only the real one is online, with one of its two slots free.
    expect(body.agentTotals.online).toBeGreaterThanOrEqual(1);
    expect(body.agentTotals.freeSlots).toBeGreaterThanOrEqual(1);
    await s.api("POST", `/conversations/${id}/close`, { as: sup });
  });
});
