import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RotaChangeOp } from "../../functions/rota/change-set.js";
import type { Assignment, Pattern, Shift } from "../../functions/rota/domain.js";
import { describeOverlap, intervalsOverlap, introducedOverlaps, overlappingPairs, type AgentRota } from "../../functions/rota/overlap.js";
import { resolveRota } from "../../functions/rota/resolve.js";
import { dayMs, formatDate, parseDate } from "../../functions/rota/time.js";
import { shiftUsageDeltas } from "../../functions/rota/usage.js";

const who = { updatedAt: "2025-01-01T00:00:00.000Z", updatedBy: "supervisor:test" };
const shift = (shiftId: string, start: string, end: string, timeZone = "Asia/Shanghai"): Shift => ({ shiftId, name: shiftId, start, end, timeZone, ...who });
const assign = (date: string, shiftId: string, agentId = "a"): Assignment => ({ agentId, date, shiftId, ...who });
const pattern = (p: string[], startDate: string, endDate?: string, agentId = "a"): Pattern => ({ agentId, pattern: p, startDate, ...(endDate ? { endDate } : {}), ...who });
const put = (date: string, shiftId: string | null, before: Assignment | null = null): RotaChangeOp => ({ kind: "assignment", agentId: "a", date, before, after: shiftId === null ? null : assign(date, shiftId) });
const putPattern = (after: Pattern, before: Pattern | null = null): RotaChangeOp => ({ kind: "pattern", agentId: "a", startDate: after.startDate, before, after });
const empty: AgentRota = { assignments: [], patterns: [] };
const check = (shifts: Shift[], before: AgentRota, ops: RotaChangeOp[]) => introducedOverlaps({ agentId: "a", shifts, before, ops });

const night = shift("night", "22:00", "06:00");
const early = shift("early", "01:00", "05:00");
const morning = shift("morning", "06:00", "14:00");
const allday = shift("allday", "08:00", "08:00");

describe("the overlap rule", () => {
  it("half-open intervals: touching is not overlapping", () => {
    expect(intervalsOverlap({ from: 0, to: 10 }, { from: 10, to: 20 })).toBe(false);
    expect(intervalsOverlap({ from: 0, to: 10 }, { from: 9, to: 20 })).toBe(true);
    expect(intervalsOverlap({ from: 0, to: 10 }, { from: 2, to: 3 })).toBe(true);
    fc.assert(fc.property(fc.integer(), fc.nat(1000), fc.integer(), fc.nat(1000), (a, la, b, lb) => {
      const x = { from: a, to: a + la + 1 };
      const y = { from: b, to: b + lb + 1 };
      expect(intervalsOverlap(x, y)).toBe(intervalsOverlap(y, x));
    }));
  });

  it("the issue's example: a night 22:00–06:00 overlaps the next day's early 01:00–05:00, named with both local times", () => {
    const found = check([night, early], empty, [put("2030-11-10", "night"), put("2030-11-11", "early")]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      agentId: "a",
      minutes: 240,
      first: { shiftId: "night", date: "2030-11-10", localFrom: "2030-11-10T22:00:00+08:00", localTo: "2030-11-11T06:00:00+08:00", timeZone: "Asia/Shanghai" },
      second: { shiftId: "early", date: "2030-11-11", localFrom: "2030-11-11T01:00:00+08:00", localTo: "2030-11-11T05:00:00+08:00" },
    });
    expect(describeOverlap(found[0] ?? ({} as never))).toBe(
      "a: night on 2030-11-10 (2030-11-10 22:00 → 2030-11-11 06:00 Asia/Shanghai) overlaps early on 2030-11-11 (2030-11-11 01:00 → 2030-11-11 05:00 Asia/Shanghai) by 240 min",
    );
  });

  it("touching shifts do not overlap: 22:00–06:00 then 06:00–14:00, and 24-hour shifts back to back", () => {
    expect(check([night, morning], empty, [put("2030-11-10", "night"), put("2030-11-11", "morning")])).toEqual([]);
    expect(check([allday], empty, [put("2030-11-10", "allday"), put("2030-11-11", "allday")])).toEqual([]);
    // end = start is 24 hours: 08:00 → 08:00 next day overlaps the next day's 01:00–05:00.
    expect(check([allday, early], empty, [put("2030-11-10", "allday"), put("2030-11-11", "early")]).map((o) => o.minutes)).toEqual([240]);
  });

  it("sees the rota as it will be: the existing entries count, the ones the change replaces do not", () => {
    const stored: AgentRota = { assignments: [assign("2030-11-10", "night"), assign("2030-11-11", "morning")], patterns: [] };
    // The new early on the 11th replaces the morning there and meets the stored night of the 10th.
    expect(check([night, early, morning], stored, [put("2030-11-11", "early", assign("2030-11-11", "morning"))])).toHaveLength(1);
    // Replacing the night in the same change removes the clash.
    expect(check([night, early, morning], stored, [put("2030-11-10", "off", assign("2030-11-10", "night")), put("2030-11-11", "early", assign("2030-11-11", "morning"))])).toEqual([]);
    // Removing a dated entry lets the pattern apply again on that date: that counts too.
    const withPattern: AgentRota = { assignments: [assign("2030-11-11", "off")], patterns: [pattern(["early"], "2030-11-01")] };
    expect(check([night, early], withPattern, [put("2030-11-10", "night"), put("2030-11-11", null, assign("2030-11-11", "off"))]).map((o) => o.second.date)).toEqual(["2030-11-11"]);
  });

  it("reports only overlaps the change introduces, not ones already there", () => {
    const clash: AgentRota = { assignments: [assign("2030-11-10", "night"), assign("2030-11-11", "early")], patterns: [] };
    expect(check([night, early, morning], clash, [put("2030-11-20", "morning")])).toEqual([]);
  });

  it("checks patterns inside one cycle, across its wrap and against dated entries far ahead", () => {
    expect(check([night, early], empty, [putPattern(pattern(["night", "early"], "2030-11-01"))]).length).toBeGreaterThan(0);
    // [early, off, night]: the night on day 3 meets the next cycle's early on day 4 (the wrap).
    const wrap = check([night, early], empty, [putPattern(pattern(["early", "off", "night"], "2030-11-01"))]);
    expect(wrap[0]).toMatchObject({ first: { shiftId: "night", date: "2030-11-03" }, second: { shiftId: "early", date: "2030-11-04" } });
    // A dated night long after the pattern's start, before a pattern day of early.
    const far: AgentRota = { assignments: [assign("2031-06-14", "night")], patterns: [] };
    const farClash = check([night, early], far, [putPattern(pattern(["early"], "2030-11-01"))]);
    expect(farClash.map((o) => [o.first.date, o.second.date])).toEqual([["2031-06-14", "2031-06-15"]]);
    // A pattern with an end: nothing after it.
    expect(check([night, early], far, [putPattern(pattern(["early"], "2030-11-01", "2031-06-01"))])).toEqual([]);
  });

  it("on DST days, uses the real instants: a shift ending inside New York's spring-forward gap runs into the next one", () => {
    const late = shift("late", "22:00", "02:30", "America/New_York");
    const dawn = shift("dawn", "03:00", "11:00", "America/New_York");
    // 2030-03-10 02:30 does not exist: read as 03:30 EDT, so late ends after dawn starts (03:00 EDT).
    const gap = check([late, dawn], empty, [put("2030-03-09", "late"), put("2030-03-10", "dawn")]);
    expect(gap).toEqual([expect.objectContaining({ minutes: 30, first: expect.objectContaining({ localTo: "2030-03-10T03:30:00-04:00" }) })]);
    // Any other night the same pair only has a 30-minute gap between them.
    expect(check([late, dawn], empty, [put("2030-03-16", "late"), put("2030-03-17", "dawn")])).toEqual([]);
    // And a pattern of the two finds that day within its first year.
    const weekly = check([late, dawn], empty, [putPattern(pattern(["late", "dawn", "off", "off", "off", "off", "off"], "2030-01-05"))]);
    expect(weekly.map((o) => o.first.date)).toEqual(["2030-03-09"]);
  });

  it("touching across London's fall-back night: 22:00–06:00 lasts 9 hours and still meets 06:00–14:00 exactly", () => {
    const londonNight = shift("ln", "22:00", "06:00", "Europe/London");
    const londonMorning = shift("lm", "06:00", "14:00", "Europe/London");
    expect(check([londonNight, londonMorning], empty, [put("2030-10-26", "ln"), put("2030-10-27", "lm")])).toEqual([]);
  });

  it("shifts in different zones compare by real time, whatever their dates", () => {
    const londonEvening = shift("lo", "20:00", "23:00", "Europe/London"); // 2030-01-10: 20:00Z–23:00Z
    // Shanghai's early of 2030-01-11 is 2030-01-10 17:00Z–21:00Z: a day later on paper, an hour together in fact.
    const found = check([early, londonEvening], empty, [put("2030-01-10", "lo"), put("2030-01-11", "early")]);
    expect(found).toEqual([expect.objectContaining({ minutes: 60, first: expect.objectContaining({ shiftId: "early", localFrom: "2030-01-11T01:00:00+08:00" }), second: expect.objectContaining({ shiftId: "lo", localFrom: "2030-01-10T20:00:00+00:00" }) })]);
    expect(check([early, londonEvening], empty, [put("2030-01-10", "lo"), put("2030-01-12", "early")])).toEqual([]);
  });

  it("agrees with a brute-force check over the resolved rota (random dated rotas)", () => {
    const shifts = [night, early, morning, allday, shift("ny", "20:00", "04:00", "America/New_York")];
    const ids = shifts.map((s) => s.shiftId);
    const base = parseDate("2030-11-01") ?? 0;
    const entry = fc.record({ day: fc.integer({ min: 0, max: 9 }), shiftId: fc.constantFrom(...ids, "off") });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e.day, maxLength: 6 }), fc.uniqueArray(entry, { selector: (e) => e.day, minLength: 1, maxLength: 4 }), (stored, change) => {
        const before: AgentRota = { assignments: stored.map((e) => assign(formatDate(base + e.day), e.shiftId)), patterns: [] };
        const ops = change.map((e) => put(formatDate(base + e.day), e.shiftId, before.assignments.find((a) => a.date === formatDate(base + e.day)) ?? null));
        const after = new Map(before.assignments.map((a) => [a.date, a]));
        for (const op of ops) if (op.kind === "assignment" && op.after) after.set(op.date, op.after);
        const resolve = (list: readonly Assignment[]) =>
          resolveRota({ shifts, assignments: list, patterns: [], exceptions: [] }, { from: new Date((base - 3) * dayMs), to: new Date((base + 14) * dayMs) });
        const key = (p: [{ date: string; shiftId: string }, { date: string; shiftId: string }]) => p.map((o) => `${o.date}/${o.shiftId}`).join(" ");
        const old = new Set(overlappingPairs(resolve(before.assignments)).map(key));
        const changed = new Set(ops.map((o) => (o.kind === "assignment" ? o.date : "")));
        const expected = overlappingPairs(resolve([...after.values()]))
          .filter((p) => !old.has(key(p)) && (changed.has(p[0].date) || changed.has(p[1].date)))
          .map(key);
        expect(check(shifts, before, ops).map((o) => key([o.first, o.second]))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe("shift use counts", () => {
  it("counts an assignment per date, a pattern once per shift it names, and moves between shifts", () => {
    const ops: RotaChangeOp[] = [
      put("2030-11-10", "night"),
      put("2030-11-11", "early", assign("2030-11-11", "night")),
      put("2030-11-12", "off", assign("2030-11-12", "early")),
      put("2030-11-13", "off"),
      putPattern(pattern(["night", "night", "morning", "off"], "2030-12-01"), pattern(["night", "early"], "2030-12-01")),
    ];
    expect(shiftUsageDeltas(ops)).toEqual([
      { shiftId: "early", gains: 1, losses: 2 },
      { shiftId: "morning", gains: 1, losses: 0 },
      { shiftId: "night", gains: 1, losses: 1 },
    ]);
  });
});
