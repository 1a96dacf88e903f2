import { describe, expect, it } from "vitest";
import { checkImportRows, parseRotaCsv } from "../../functions/rota/csv.js";
import { computeCoverage, coverageQuerySchema, dayIntervals } from "../../functions/rota/coverage.js";
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

  it("counts scheduled agents per skill and flags intervals short of the Erlang C requirement", () => {
    const agents = Array.from({ length: 6 }, (_, i) => `a${i}`);
    const occurrences = resolveRota(
      { shifts, assignments: agents.map((agentId) => ({ agentId, date: "2025-11-11", shiftId: "day", ...who })), patterns: [], exceptions: [] },
      { from: new Date("2025-11-10T00:00:00Z"), to: new Date("2025-11-12T00:00:00Z") },
    );
    const skills = new Map(agents.map((a, i) => [a, i < 4 ? (["presale"] as const) : (["aftersale"] as const)]));
    const volumes = Array.from({ length: 48 }, (_, i) => (i === 20 ? 100 : i === 21 ? 10 : 0));
    const query = coverageQuerySchema.parse({ date: "2025-11-11", timeZone: "Asia/Shanghai", volumes: volumes.join(","), aht: "180", concurrency: "3", skill: "presale" });
    const { result } = computeCoverage(query, occurrences, skills);
    if (!result) throw new Error("expected a result");
    // Interval 20 = 10:00-10:30 local: 10 Erlangs need 14 slots → ceil(14/3) = 5 agents; 4 presale are scheduled.
    const busy = result.intervals[20];
    expect(busy).toMatchObject({ localFrom: "2025-11-11T10:00:00+08:00", scheduled: 4, requiredSlots: 14, requiredAgents: 5, productiveSlots: 12, understaffed: true });
    expect(busy?.scheduledBySkill).toMatchObject({ presale: 4, aftersale: 2, vip: 0 });
    expect(busy?.predicted.probabilityOfWaiting).toBeCloseTo(0.4494, 3);
    expect(result.intervals[21]?.understaffed).toBe(false);
    // Nobody scheduled at night with no demand is fine; with demand it is understaffed.
    expect(result.intervals[0]).toMatchObject({ scheduled: 0, requiredAgents: 0, understaffed: false });
    expect(result.summary.understaffedIntervals).toBe(1);
  });

  it("inflates the requirement by shrinkage and rejects a forecast of the wrong length", () => {
    const volumes = Array.from({ length: 48 }, () => 100).join(",");
    const query = coverageQuerySchema.parse({ date: "2025-11-11", timeZone: "UTC", volumes, aht: "180", shrinkage: "0.3" });
    const { result } = computeCoverage(query, [], new Map());
    expect(result?.intervals[0]).toMatchObject({ requiredSlots: 14, requiredAgents: 20, understaffed: true });
    expect(result?.intervals[0]?.predicted.averageSpeedOfAnswerSeconds).toBeNull();
    const short = coverageQuerySchema.parse({ date: "2025-03-30", timeZone: "Europe/London", volumes, aht: "180" });
    expect(computeCoverage(short, [], new Map()).error).toMatch(/needs 46 values/);
  });

  it("requires a time zone and bounds each interval's volume (no silent UTC, no overflow)", () => {
    const volumes = Array.from({ length: 48 }, () => 1).join(",");
    const missing = coverageQuerySchema.safeParse({ date: "2025-11-11", volumes, aht: "180" });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => i.path.join("."))).toEqual(["timeZone"]);
    for (const bad of ["1e308", "Infinity", "1000001", "-1", "", "1,,2"]) {
      const parsed = coverageQuerySchema.safeParse({ date: "2025-11-11", timeZone: "UTC", volumes: bad, aht: "180" });
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(["volumes"]);
    }
  });

  it("calls a forecast no staffing can meet unstaffable, naming the interval, instead of failing", () => {
    const volumes = Array.from({ length: 48 }, (_, i) => (i === 3 ? 100_000 : 1)).join(",");
    const query = coverageQuerySchema.parse({ date: "2025-11-11", timeZone: "Asia/Shanghai", volumes, aht: "3600" });
    const outcome = computeCoverage(query, [], new Map());
    expect(outcome.result).toBeUndefined();
    // 100 000 chats × 3600 s / 1800 s = 200 000 Erlangs.
    expect(outcome.unstaffable).toEqual({ interval: 3, localFrom: "2025-11-11T01:30:00+08:00", trafficErlangs: 200_000, maxSlots: 100_000 });
  });

  it("staffs tens of thousands of Erlangs in one pass of the recursion", () => {
    const volumes = Array.from({ length: 48 }, () => 45_000).join(",");
    const query = coverageQuerySchema.parse({ date: "2025-11-11", timeZone: "UTC", volumes, aht: "1800" });
    const { result } = computeCoverage(query, [], new Map());
    // 45 000 Erlangs: a little above the traffic, about √A·z more.
    expect(result?.intervals[0]?.requiredSlots).toBeGreaterThan(45_000);
    expect(result?.intervals[0]?.requiredSlots).toBeLessThan(45_300);
  });
});
