/** The rota's entities: keys from the registry's templates, stored items parsed, malformed ones typed errors. */
import { describe, expect, it } from "vitest";
import { MalformedItemError } from "../../functions/shared/table/entity.js";
import { OnDuty, RotaAssignment, RotaException, RotaPattern, Shift, onDutyShard, onDutyShards, rotaAssignmentIndexAttributes, rotaAssignmentShard, rotaAssignmentShards } from "../../functions/shared/table/entities/rota.js";

const stamp = { updatedAt: "2030-01-01T00:00:00.000Z", updatedBy: "supervisor:s" };

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("rota entities", () => {
  it("build the keys and index attributes the store writes", () => {
    const item = RotaAssignment.item({ agentId: "a1", date: "2030-11-10", shiftId: "early", ...stamp }, rotaAssignmentIndexAttributes("a1", "2030-11-10"));
    expect(item).toMatchObject({ pk: "ROTA#a1", sk: "ASSIGN#2030-11-10", type: "RotaAssignment", gsi2pk: `ROTAASSIGN#2030-11#${rotaAssignmentShard("a1")}`, gsi2sk: "2030-11-10#a1" });
    // Agents spread over every shard of the month index.
    expect(new Set(Array.from({ length: 200 }, (_, i) => rotaAssignmentShard(`agent-${i}`))).size).toBe(rotaAssignmentShards);
    expect(RotaAssignment.parse(item)).toEqual({ agentId: "a1", date: "2030-11-10", shiftId: "early", ...stamp });
    expect(RotaPattern.key({ agentId: "a1", startDate: "2030-11-01" })).toEqual({ pk: "ROTA#a1", sk: "PATTERN#2030-11-01" });
    expect(Shift.index.all.partition({})).toBe("SHIFTS");
    expect(OnDuty.key({ agentId: "a1", shard: onDutyShard("a1") })).toEqual({ pk: `ONDUTY#${onDutyShard("a1")}`, sk: "a1" });
    expect(new Set(Array.from({ length: 400 }, (_, i) => onDutyShard(`agent-${i}`))).size).toBe(onDutyShards);
    expect(RotaException.index.timeline.partition({})).toBe("ROTAEXC");
  });

  it("reject a malformed stored item with a typed error naming the attribute, never a coerced value", () => {
    const missing = thrown(() => RotaAssignment.parse({ pk: "ROTA#a1", sk: "ASSIGN#2030-11-10", agentId: "a1", date: "2030-11-10", ...stamp }));
    expect(missing).toBeInstanceOf(MalformedItemError);
    expect(missing).toMatchObject({ entity: "RotaAssignment", key: { pk: "ROTA#a1", sk: "ASSIGN#2030-11-10" } });
    expect(String(missing)).toMatch(/shiftId/);
    const badShift = thrown(() => Shift.parse({ pk: "SHIFT#x", sk: "SHIFT", shiftId: "x", name: "X", start: "25:00", end: "06:00", timeZone: "Mars/Olympus", ...stamp }));
    expect(badShift).toBeInstanceOf(MalformedItemError);
    expect(String(badShift)).toMatch(/start/);
    expect(String(badShift)).toMatch(/timeZone/);
    expect(thrown(() => RotaPattern.parse({ agentId: "a1", pattern: "early", startDate: "2030-11-01", ...stamp }))).toBeInstanceOf(MalformedItemError);
    expect(thrown(() => OnDuty.parse({ agentId: "a1", shiftId: "s", from: "x", to: "y", skills: ["Juggling!"] }))).toBeInstanceOf(MalformedItemError);
    expect(thrown(() => RotaException.parse({ kind: "leave", agentId: "a1", from: "2030-01-01T00:00:00Z", to: "2030-01-02T00:00:00Z", exceptionId: "e", createdAt: "t" }))).toBeInstanceOf(MalformedItemError);
  });
});
