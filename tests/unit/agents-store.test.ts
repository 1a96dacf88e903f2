/**
 * The agents adapter over the registry: what it writes (seats in the pool only while the agent
 * may take work) and what it reads (pool entries and profiles parsed, malformed ones refused).
 */
import { describe, expect, it } from "vitest";
import { newAgent, agentView, type Agent } from "../../functions/agents/domain.js";
import { MalformedItemError } from "../../functions/shared/table/entity.js";

// The adapter loads the table client, which reads its environment at import.
process.env.TABLE_NAME ??= "unit-test-table";
const store = await import("../../functions/agents/store.js");

const agent = (over: Partial<Agent> = {}): Agent => ({
  ...newAgent({ agentId: "li.na", name: "Li Na", skills: ["presale", "vip"], maxConcurrent: 3 }, "supervisor:s", new Date("2026-12-01T08:00:00Z")),
  onDuty: true,
  presence: "online",
  ...over,
});

function seatItems(ops: ReturnType<typeof store.agentWriteOps>) {
  return ops.flatMap((op) => (op.Put?.Item && op.Put.Item.type === "Seat" ? [op.Put.Item] : []));
}

describe("agents store", () => {
  it("puts an eligible agent's seats in the pool and parses them back as seat views", () => {
    const seats = seatItems(store.agentWriteOps(undefined, agent()));
    expect(seats.map((s) => [s.pk, s.sk, s.gsi1pk])).toEqual([
      ["AGENT#li.na", "SEAT#presale", "POOL#presale"],
      ["AGENT#li.na", "SEAT#vip", "POOL#vip"],
    ]);
    const [first] = seats;
    if (!first) throw new Error("no seat written");
    expect(store.seatViewFromItem(first)).toEqual({ agentId: "li.na", skills: ["presale", "vip"], load: 0, maxConcurrent: 3, lastAssignedAt: "1970-01-01T00:00:00.000Z", version: 1 });
  });

  it("takes an agent whose capacity is lowered below its load out of the pool and shows how far over it is", () => {
    const before = agent({ load: 3, version: 4 });
    const after = { ...before, maxConcurrent: 1 };
    const seats = seatItems(store.agentWriteOps(before, after));
    expect(seats).toHaveLength(2);
    expect(seats.every((s) => s.gsi1pk === undefined)).toBe(true);
    expect(agentView(after)).toMatchObject({ load: 3, maxConcurrent: 1, overCapacityBy: 2, available: false });
    expect(agentView(before).overCapacityBy).toBe(0);
  });

  it("refuses a malformed pool entry or profile with a typed error instead of coercing it", () => {
    const [seat] = seatItems(store.agentWriteOps(undefined, agent()));
    if (!seat) throw new Error("no seat written");
    expect(() => store.seatViewFromItem({ ...seat, load: "0" })).toThrow(MalformedItemError);
    const { skills: _skills, ...withoutSkills } = seat;
    expect(() => store.seatViewFromItem(withoutSkills)).toThrow(/skills/);
    const profile = store.agentWriteOps(undefined, agent())[0]?.Put?.Item;
    if (!profile) throw new Error("no profile written");
    expect(store.fromItem(profile)).toMatchObject({ agentId: "li.na", version: 1 });
    expect(() => store.fromItem({ ...profile, presence: "busy" })).toThrow(MalformedItemError);
  });
});
