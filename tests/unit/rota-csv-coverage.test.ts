import { describe, expect, it } from "vitest";
import { checkImportRows, parseRotaCsv } from "../../functions/rota/csv.js";
import * as z from "zod/mini";
import { computeCoverage, coverageInputSchema, dayIntervals } from "../../functions/rota/coverage.js";

const parseInput = (v: unknown) => z.parse(coverageInputSchema, v);
import type { Shift } from "../../functions/rota/domain.js";
import { resolveRota } from "../../functions/rota/resolve.js";

describe("rota CSV", () => {
  it("reads quoted fields, a BOM, CRLF line ends, extra columns and any column order", () => {
    const text = '\uFEFFdate,Shift,agent,note\r\n2025-11-11,early,li-na,"says ""hi"", ok"\r\n"2025-11-12","night","wang.wei","line\r\nbreak"\r\n\r\n';
    const { rows, errors } = parseRotaCsv(text);
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { line: 2, agent: "li-na", date: "2025-11-11", shift: "early" },
      { line: 3, agent: "wang.wei", date: "2025-11-12", shift: "night" },
    ]);
  });

  it("reports broken CSV and missing columns", () => {
    expect(parseRotaCsv('agent,date,shift\na,"2025-11-11,early\n').errors[0]?.message).toMatch(/not valid CSV/);
    expect(parseRotaCsv("agent,day,shift\na,2025-11-11,early\n").errors).toEqual([{ field: "row 1, date", message: expect.stringContaining('no "date" column') }]);
    expect(parseRotaCsv("").errors[0]?.field).toBe("(body)");
    expect(parseRotaCsv("agent,date,shift\r\n").errors[0]?.message).toMatch(/no rows/);
  });

  it("lists every bad row and column at once: unknown agent/shift, bad date, duplicate, missing", () => {
    const text = ["agent,date,shift", "a,2025-11-11,early", "ghost,2025-11-31,late", "a,2025-11-11,off", "a,2025-11-12,brunch", "b,,early", "bad id!,2025-11-12,early"].join("\n");
    const { rows } = parseRotaCsv(text);
    const result = checkImportRows(rows, (id) => ["a", "b"].includes(id), (id) => ["early", "late"].includes(id));
    expect(result.plan).toBeUndefined();
    expect(result.errors.map((e) => e.field)).toEqual(["row 3, agent", "row 3, date", "row 4, date", "row 5, shift", "row 6, date", "row 7, agent"]);
    expect(result.errors[2]?.message).toMatch(/duplicate.*row 2/);
  });

  it("plans a good file by agent and date range", () => {
    const { rows } = parseRotaCsv("agent,date,shift\na,2025-11-12,early\nb,2025-11-10,off\na,2025-11-11,late\n");
    const { plan, errors } = checkImportRows(rows, () => true, () => true);
    expect(errors).toEqual([]);
    expect(plan?.fromDate).toBe("2025-11-10");
    expect(plan?.toDate).toBe("2025-11-12");
    expect([...(plan?.byAgent.get("a") ?? [])]).toEqual([["2025-11-12", "early"], ["2025-11-11", "late"]]);
  });
});

describe("coverage", () => {
  const who = { updatedAt: "2025-01-01T00:00:00.000Z", updatedBy: "t" };
  const shifts: Shift[] = [{ shiftId: "day", name: "day", start: "09:00", end: "17:00", timeZone: "Asia/Shanghai", ...who }];

  it("has 48 half-hours on a normal day and 46 / 50 on London's DST days", () => {
    expect(dayIntervals("2025-11-11", "Asia/Shanghai", 30)).toHaveLength(48);
    expect(dayIntervals("2025-03-30", "Europe/London", 30)).toHaveLength(46);
    expect(dayIntervals("2025-10-26", "Europe/London", 30)).toHaveLength(50);
  });

  it("counts scheduled slots from each agent's maxConcurrent per skill and flags intervals short of the Erlang C requirement", () => {
    const agents = Array.from({ length: 6 }, (_, i) => `a${i}`);
    const occurrences = resolveRota(
      { shifts, assignments: agents.map((agentId) => ({ agentId, date: "2025-11-11", shiftId: "day", ...who })), patterns: [], exceptions: [] },
      { from: new Date("2025-11-10T00:00:00Z"), to: new Date("2025-11-12T00:00:00Z") },
    );
    // Presale: two agents of 4 slots and two of 2 (12 slots); aftersale: two of 5.
    const profiles = new Map(agents.map((a, i) => [a, i < 4 ? { skills: ["presale"], maxConcurrent: i < 2 ? 4 : 2 } : { skills: ["aftersale"], maxConcurrent: 5 }]));
    const volumes = Array.from({ length: 48 }, (_, i) => (i === 20 ? 100 : i === 21 ? 10 : 0));
    const { result } = computeCoverage(parseInput({ date: "2025-11-11", timeZone: "Asia/Shanghai", volumes, ahtSeconds: 180, answerSeconds: 20, skill: "presale" }), occurrences, profiles);
    if (!result) throw new Error("expected a result");
    // Interval 20 = 10:00-10:30 local: 10 Erlangs need 14 slots; 12 presale slots are scheduled (3 per agent) → 5 agents.
    const busy = result.intervals[20];
    expect(busy).toMatchObject({ localFrom: "2025-11-11T10:00:00+08:00", scheduled: 4, requiredSlots: 14, requiredAgents: 5, productiveSlots: 12, understaffed: true });
    expect(busy?.scheduledBySkill).toMatchObject({ presale: 4, aftersale: 2, vip: 0 });
    expect(busy?.predicted.probabilityOfWaiting).toBeCloseTo(0.4494, 3);
    expect(result.intervals[21]?.understaffed).toBe(false);
    // Nobody scheduled at night with no demand is fine.
    expect(result.intervals[0]).toMatchObject({ scheduled: 0, requiredAgents: 0, understaffed: false });
    expect(result.summary.understaffedIntervals).toBe(1);
    // A stated override: every agent 2 slots → 8 presale slots.
    const flat = computeCoverage(parseInput({ date: "2025-11-11", timeZone: "Asia/Shanghai", volumes, ahtSeconds: 180, answerSeconds: 20, skill: "presale", concurrency: 2 }), occurrences, profiles);
    expect(flat.result?.intervals[20]).toMatchObject({ productiveSlots: 8, requiredSlots: 14, requiredAgents: 7 });
  });

  it("inflates the requirement by shrinkage per interval and rejects a forecast or shrinkage of the wrong length", () => {
    const volumes = Array.from({ length: 48 }, () => 100);
    const shrinkage = Array.from({ length: 48 }, (_, i) => (i === 1 ? 0.3 : 0));
    const { result } = computeCoverage(parseInput({ date: "2025-11-11", timeZone: "UTC", volumes, ahtSeconds: 180, answerSeconds: 20, shrinkage }), [], new Map());
    // Nobody on the team: the requirement is stated for one slot per agent.
    expect(result?.intervals[0]).toMatchObject({ requiredSlots: 14, requiredAgents: 14, understaffed: true, shrinkage: 0 });
    expect(result?.intervals[1]).toMatchObject({ requiredSlots: 14, requiredAgents: 20, shrinkage: 0.3 });
    expect(result?.intervals[0]?.predicted.averageSpeedOfAnswerSeconds).toBeNull();
    expect(computeCoverage(parseInput({ date: "2025-03-30", timeZone: "Europe/London", volumes, ahtSeconds: 180 }), [], new Map()).error?.message).toMatch(/needs 46 values/);
    expect(computeCoverage(parseInput({ date: "2025-11-11", timeZone: "UTC", volumes, ahtSeconds: 180, shrinkage: [0.1] }), [], new Map()).error?.field).toBe("shrinkage");
    expect(computeCoverage(parseInput({ date: "2025-11-11", timeZone: "UTC", volumes, ahtSeconds: 180, ahtByConcurrency: [180] }), [], new Map()).error?.field).toBe("ahtByConcurrency");
    expect(computeCoverage(parseInput({ date: "2025-11-11", timeZone: "UTC", volumes }), [], new Map()).error?.field).toBe("ahtSeconds");
  });

  it("requires a time zone, defaults the answer time to 3 minutes and bounds every input (no silent UTC, no overflow, no unknown field)", () => {
    const volumes = Array.from({ length: 48 }, () => 1);
    const missing = z.safeParse(coverageInputSchema, { date: "2025-11-11", volumes, ahtSeconds: 180 });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => i.path.join("."))).toEqual(["timeZone"]);
    expect(parseInput({ date: "2025-11-11", timeZone: "UTC", volumes, ahtSeconds: 180 })).toMatchObject({ answerSeconds: 180, serviceLevel: 0.8, intervalMinutes: 30, maxSlots: 100_000 });
    for (const bad of [[1e308], [Number.POSITIVE_INFINITY], [1_000_001], [-1], [], Array.from({ length: 101 }, () => 1)]) {
      const parsed = z.safeParse(coverageInputSchema, { date: "2025-11-11", timeZone: "UTC", volumes: bad, ahtSeconds: 180 });
      expect(parsed.success, String(bad.length)).toBe(false);
      expect(parsed.error?.issues[0]?.path[0]).toBe("volumes");
    }
    for (const [field, value] of [["intervalMinutes", 20], ["ahtGrowth", 0.9], ["concurrency", 0], ["maxSlots", 100_001], ["shrinkage", 1], ["serviceLevl", 0.9]] as const) {
      const parsed = z.safeParse(coverageInputSchema, { date: "2025-11-11", timeZone: "UTC", volumes, ahtSeconds: 180, [field]: value });
      expect(parsed.success, field).toBe(false);
    }
  });

  it("calls a forecast no staffing within maxSlots can meet unstaffable, naming the interval, instead of failing", () => {
    const volumes = Array.from({ length: 48 }, (_, i) => (i === 3 ? 100_000 : 1));
    const outcome = computeCoverage(parseInput({ date: "2025-11-11", timeZone: "Asia/Shanghai", volumes, ahtSeconds: 3600 }), [], new Map());
    expect(outcome.result).toBeUndefined();
    // 100 000 chats × 3600 s / 1800 s = 200 000 Erlangs.
    expect(outcome.unstaffable).toEqual({ interval: 3, localFrom: "2025-11-11T01:30:00+08:00", trafficErlangs: 200_000, maxSlots: 100_000 });
    // Within the slots given: 10 Erlangs need 14 slots at 80/20, so maxSlots 13 cannot.
    const small = computeCoverage(parseInput({ date: "2025-11-11", timeZone: "UTC", volumes: Array.from({ length: 48 }, (_, i) => (i === 5 ? 100 : 0)), ahtSeconds: 180, answerSeconds: 20, maxSlots: 13 }), [], new Map());
    expect(small.unstaffable).toMatchObject({ interval: 5, trafficErlangs: 10, maxSlots: 13 });
  });

  it("staffs tens of thousands of Erlangs in one pass of the recursion", () => {
    const volumes = Array.from({ length: 48 }, () => 45_000);
    const { result } = computeCoverage(parseInput({ date: "2025-11-11", timeZone: "UTC", volumes, ahtSeconds: 1800 }), [], new Map());
    // 45 000 Erlangs: a little above the traffic, about √A·z more.
    expect(result?.intervals[0]?.requiredSlots).toBeGreaterThan(45_000);
    expect(result?.intervals[0]?.requiredSlots).toBeLessThan(45_300);
  });
});
