import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exceptionOverlaps, type Assignment, type Pattern, type RotaException, type Shift } from "../../functions/rota/domain.js";
import { dutyAt, resolveRota, type RotaData } from "../../functions/rota/resolve.js";
import { formatDate, localIso, parseDate } from "../../functions/rota/time.js";

const who = { updatedAt: "2025-01-01T00:00:00.000Z", updatedBy: "supervisor:test" };
const shift = (shiftId: string, start: string, end: string, timeZone: string): Shift => ({ shiftId, name: shiftId, start, end, timeZone, ...who });
const assign = (agentId: string, date: string, shiftId: string): Assignment => ({ agentId, date, shiftId, ...who });
const pattern = (agentId: string, p: string[], startDate: string, endDate?: string): Pattern => ({ agentId, pattern: p, startDate, ...(endDate ? { endDate } : {}), ...who });
let seq = 0;
const exception = <T extends object>(e: T) => ({ ...e, exceptionId: `e${++seq}`, createdAt: `2025-01-01T00:00:${String(seq).padStart(2, "0")}.000Z`, createdBy: "supervisor:test" }) as unknown as RotaException;

const data = (d: Partial<RotaData>): RotaData => ({ shifts: [], assignments: [], patterns: [], exceptions: [], ...d });
const win = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) });
/** The whole local day `date` padded generously. */
const around = (date: string) => win(`${formatDate((parseDate(date) ?? 0) - 1)}T00:00:00Z`, `${formatDate((parseDate(date) ?? 0) + 3)}T00:00:00Z`);
const on = (occurrences: ReturnType<typeof resolveRota>, agentId: string, date: string) => occurrences.filter((o) => o.agentId === agentId && o.date === date);

describe("overnight shifts", () => {
  const night = shift("night", "22:00", "06:00", "Asia/Shanghai");
  const rota = data({ shifts: [night], assignments: [assign("a", "2024-11-10", "night")] });

  it("resolves 22:00-06:00 to real instants, dated the day it starts", () => {
    const [o] = resolveRota(rota, around("2024-11-10"));
    expect(o).toMatchObject({ date: "2024-11-10", from: "2024-11-10T14:00:00.000Z", to: "2024-11-10T22:00:00.000Z", plannedMinutes: 480, durationMinutes: 480 });
    expect(o?.localFrom).toBe("2024-11-10T22:00:00+08:00");
    expect(o?.localTo).toBe("2024-11-11T06:00:00+08:00");
  });

  it("counts a shift that began yesterday as on duty now, even for a window that starts today", () => {
    const at = new Date("2024-11-10T21:00:00Z"); // 05:00 on the 11th in Shanghai
    const duty = dutyAt(resolveRota(rota, win("2024-11-10T20:59:00Z", "2024-11-10T21:01:00Z")), at);
    expect(duty.get("a")).toEqual({ shiftId: "night", from: "2024-11-10T14:00:00.000Z", to: "2024-11-10T22:00:00.000Z" });
    expect(dutyAt(resolveRota(rota, around("2024-11-10")), new Date("2024-11-10T22:00:00Z")).has("a")).toBe(false);
    expect(dutyAt(resolveRota(rota, around("2024-11-10")), new Date("2024-11-10T13:59:59Z")).has("a")).toBe(false);
  });

  it("treats end = start as a 24-hour shift", () => {
    const rota24 = data({ shifts: [shift("day", "08:00", "08:00", "UTC")], assignments: [assign("a", "2025-06-01", "day")] });
    expect(resolveRota(rota24, around("2025-06-01"))[0]).toMatchObject({ plannedMinutes: 1440, durationMinutes: 1440, to: "2025-06-02T08:00:00.000Z" });
  });
});

describe("DST (RFC 5545: gaps move forward, repeated times mean the first)", () => {
  const cases = [
    // zone, date, start, end, from (UTC), to (UTC), real minutes, planned minutes
    ["Europe/London", "2025-03-30", "00:30", "04:30", "2025-03-30T00:30:00.000Z", "2025-03-30T03:30:00.000Z", 180, 240],
    ["Europe/London", "2025-10-25", "22:00", "06:00", "2025-10-25T21:00:00.000Z", "2025-10-26T06:00:00.000Z", 540, 480],
    ["Europe/London", "2025-03-30", "01:30", "09:30", "2025-03-30T01:30:00.000Z", "2025-03-30T08:30:00.000Z", 420, 480],
    ["Europe/London", "2025-10-26", "01:30", "09:30", "2025-10-26T00:30:00.000Z", "2025-10-26T09:30:00.000Z", 540, 480],
    ["America/New_York", "2025-03-09", "02:30", "10:30", "2025-03-09T07:30:00.000Z", "2025-03-09T14:30:00.000Z", 420, 480],
    ["America/New_York", "2025-03-08", "22:00", "06:00", "2025-03-09T03:00:00.000Z", "2025-03-09T10:00:00.000Z", 420, 480],
    ["America/New_York", "2025-11-01", "22:00", "06:00", "2025-11-02T02:00:00.000Z", "2025-11-02T11:00:00.000Z", 540, 480],
    ["America/New_York", "2025-11-02", "01:30", "09:00", "2025-11-02T05:30:00.000Z", "2025-11-02T14:00:00.000Z", 510, 450],
  ] as const;

  it.each(cases)("%s %s %s-%s → %s … %s (%i real minutes, %i planned)", (zone, date, start, end, from, to, real, planned) => {
    const rota = data({ shifts: [shift("s", start, end, zone)], assignments: [assign("a", date, "s")] });
    const [o] = on(resolveRota(rota, around(date)), "a", date);
    expect(o).toMatchObject({ from, to, durationMinutes: real, plannedMinutes: planned });
  });

  it("shows a gap start honestly in local time (02:30 does not exist in New York on 2025-03-09)", () => {
    const rota = data({ shifts: [shift("s", "02:30", "10:30", "America/New_York")], assignments: [assign("a", "2025-03-09", "s")] });
    expect(resolveRota(rota, around("2025-03-09"))[0]?.localFrom).toBe("2025-03-09T03:30:00-04:00");
  });

  it("skips a shift that has no real time at all (02:30-03:00 inside the gap)", () => {
    const rota = data({ shifts: [shift("s", "02:30", "03:00", "America/New_York")], assignments: [assign("a", "2025-03-09", "s")] });
    expect(resolveRota(rota, around("2025-03-09"))).toEqual([]);
  });

  const zones = ["America/New_York", "Europe/London", "Asia/Shanghai", "Australia/Sydney"] as const;

  it("never duplicates or drops a daily occurrence across a year of DST changes (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 23 }), (zone, startH, startQ, lengthH) => {
        const start = `${String(startH).padStart(2, "0")}:${String(startQ * 15).padStart(2, "0")}`;
        const endH = (startH + lengthH) % 24;
        const end = `${String(endH).padStart(2, "0")}:${String(startQ * 15).padStart(2, "0")}`;
        const rota = data({ shifts: [shift("s", start, end, zone)], patterns: [pattern("a", ["s"], "2025-01-01")] });
        const occurrences = resolveRota(rota, win("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")).filter((o) => o.date >= "2025-01-02" && o.date <= "2025-12-30");
        const dates = occurrences.map((o) => o.date);
        // One per day, except a shift lying wholly inside a DST gap, which has no real time.
        expect(new Set(dates).size).toBe(dates.length);
        expect(dates.length).toBeGreaterThanOrEqual(363 - 1);
        for (const o of occurrences) {
          expect(Math.abs(o.durationMinutes - o.plannedMinutes)).toBeLessThanOrEqual(60);
          // The local start is the planned start, or pushed forward past a gap by at most an hour.
          const localStart = localIso(Date.parse(o.from), zone).slice(11, 16);
          const shiftMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
          const drift = (shiftMinutes(localStart) - shiftMinutes(start) + 1440) % 1440;
          expect(drift === 0 || drift <= 60).toBe(true);
        }
        // Consecutive daily shifts never overlap in real time unless they were planned to.
        for (let i = 1; i < occurrences.length; i++) {
          const prev = occurrences[i - 1];
          const cur = occurrences[i];
          if (prev && cur && prev.plannedMinutes < 1380) expect(Date.parse(cur.from)).toBeGreaterThanOrEqual(Date.parse(prev.to));
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe("rotation patterns", () => {
  const shifts = [shift("early", "06:00", "14:00", "Asia/Shanghai"), shift("late", "14:00", "22:00", "Asia/Shanghai"), shift("night", "22:00", "06:00", "Asia/Shanghai")];
  const cycle = ["early", "early", "late", "late", "night", "night", "off", "off"];

  it("wraps across month and leap-day boundaries", () => {
    const rota = data({ shifts, patterns: [pattern("a", cycle, "2024-02-26")] });
    const occurrences = resolveRota(rota, win("2024-02-25T00:00:00Z", "2024-03-12T00:00:00Z"));
    const byDate = new Map(occurrences.filter((o) => o.agentId === "a").map((o) => [o.date, o.shiftId]));
    expect(byDate.get("2024-02-26")).toBe("early");
    expect(byDate.get("2024-02-29")).toBe("late");
    expect(byDate.get("2024-03-01")).toBe("night");
    expect(byDate.has("2024-03-03")).toBe(false);
    expect(byDate.has("2024-03-04")).toBe(false);
    expect(byDate.get("2024-03-05")).toBe("early");
    expect(byDate.has("2024-02-25")).toBe(false);
  });

  it("follows day index mod length for any start and day (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: parseDate("2023-01-01") ?? 0, max: parseDate("2027-01-01") ?? 0 }), fc.integer({ min: 0, max: 400 }), (startDay, offset) => {
        const startDate = formatDate(startDay);
        const day = formatDate(startDay + offset);
        const rota = data({ shifts, patterns: [pattern("a", cycle, startDate)] });
        const found = on(resolveRota(rota, around(day)), "a", day);
        const expected = cycle[offset % cycle.length];
        expect(found.map((o) => o.shiftId)).toEqual(expected === "off" ? [] : [expected]);
      }),
      { numRuns: 60 },
    );
  });

  it("honours endDate, and a later pattern takes over from its start", () => {
    const rota = data({ shifts, patterns: [pattern("a", ["early"], "2025-01-01", "2025-01-10"), pattern("b", ["early"], "2025-01-01"), pattern("b", ["late"], "2025-01-05")] });
    const occurrences = resolveRota(rota, win("2025-01-01T00:00:00Z", "2025-01-20T00:00:00Z"));
    expect(on(occurrences, "a", "2025-01-10")).toHaveLength(1);
    expect(on(occurrences, "a", "2025-01-11")).toHaveLength(0);
    expect(on(occurrences, "b", "2025-01-04")[0]?.shiftId).toBe("early");
    expect(on(occurrences, "b", "2025-01-05")[0]?.shiftId).toBe("late");
  });

  it("lets a dated assignment (including off) beat the pattern", () => {
    const rota = data({ shifts, patterns: [pattern("a", ["early"], "2025-01-01")], assignments: [assign("a", "2025-01-02", "night"), assign("a", "2025-01-03", "off")] });
    const occurrences = resolveRota(rota, win("2025-01-01T00:00:00Z", "2025-01-05T00:00:00Z"));
    expect(on(occurrences, "a", "2025-01-02")[0]).toMatchObject({ shiftId: "night", source: "assignment" });
    expect(on(occurrences, "a", "2025-01-03")).toEqual([]);
    expect(on(occurrences, "a", "2025-01-04")[0]).toMatchObject({ shiftId: "early", source: "pattern" });
  });
});

describe("exceptions", () => {
  const shifts = [shift("early", "06:00", "14:00", "Europe/London"), shift("late", "14:00", "22:00", "Europe/London"), shift("night", "22:00", "06:00", "Europe/London")];

  it("cuts leave out of an overnight shift (leave from midnight: on duty only 22:00-00:00)", () => {
    const leave = exception({ kind: "leave", agentId: "a", from: "2025-01-11T00:00:00Z", to: "2025-01-11T12:00:00Z" });
    const rota = data({ shifts, assignments: [assign("a", "2025-01-10", "night")], exceptions: [leave] });
    const occurrences = resolveRota(rota, around("2025-01-10"));
    const [o] = occurrences;
    expect(o).toMatchObject({ from: "2025-01-10T22:00:00.000Z", to: "2025-01-11T06:00:00.000Z" });
    expect(o?.duty).toEqual([{ from: "2025-01-10T22:00:00.000Z", to: "2025-01-11T00:00:00.000Z" }]);
    expect(o?.leave).toEqual([{ from: "2025-01-11T00:00:00.000Z", to: "2025-01-11T06:00:00.000Z", exceptionId: leave.exceptionId }]);
    expect(dutyAt(occurrences, new Date("2025-01-10T23:00:00Z")).has("a")).toBe(true);
    expect(dutyAt(occurrences, new Date("2025-01-11T01:00:00Z")).has("a")).toBe(false);
  });

  it("splits a shift around leave in its middle, and empties it when leave covers it all", () => {
    const middle = exception({ kind: "leave", agentId: "a", from: "2025-01-10T08:00:00Z", to: "2025-01-10T09:00:00Z" });
    const all = exception({ kind: "leave", agentId: "b", from: "2025-01-09T00:00:00Z", to: "2025-01-12T00:00:00Z" });
    const rota = data({ shifts, assignments: [assign("a", "2025-01-10", "early"), assign("b", "2025-01-10", "early")], exceptions: [middle, all] });
    const occurrences = resolveRota(rota, around("2025-01-10"));
    expect(on(occurrences, "a", "2025-01-10")[0]?.duty).toEqual([
      { from: "2025-01-10T06:00:00.000Z", to: "2025-01-10T08:00:00.000Z" },
      { from: "2025-01-10T09:00:00.000Z", to: "2025-01-10T14:00:00.000Z" },
    ]);
    expect(on(occurrences, "b", "2025-01-10")[0]?.duty).toEqual([]);
    expect(dutyAt(occurrences, new Date("2025-01-10T10:00:00Z")).has("b")).toBe(false);
  });

  it("swaps two agents' shifts on a date, including a shift for a day off", () => {
    const rota = data({
      shifts,
      assignments: [assign("a", "2025-01-10", "early"), assign("b", "2025-01-10", "late"), assign("c", "2025-01-10", "night"), assign("a", "2025-01-11", "early")],
      exceptions: [exception({ kind: "swap", agentId: "a", withAgentId: "b", date: "2025-01-10" }), exception({ kind: "swap", agentId: "c", withAgentId: "d", date: "2025-01-10" })],
    });
    const occurrences = resolveRota(rota, around("2025-01-10"));
    expect(on(occurrences, "a", "2025-01-10")[0]).toMatchObject({ shiftId: "late", source: "swap", swappedWith: "b" });
    expect(on(occurrences, "b", "2025-01-10")[0]).toMatchObject({ shiftId: "early", source: "swap", swappedWith: "a" });
    expect(on(occurrences, "c", "2025-01-10")).toEqual([]);
    expect(on(occurrences, "d", "2025-01-10")[0]).toMatchObject({ shiftId: "night", swappedWith: "c" });
    // Only the swapped date changes.
    expect(on(occurrences, "a", "2025-01-11")[0]).toMatchObject({ shiftId: "early", source: "assignment" });
  });

  it("applies overrides (add and replace, over a date range) without touching the pattern", () => {
    const patterns = [pattern("a", ["early", "off"], "2025-01-01")];
    const frozen = JSON.stringify(patterns);
    const rota = data({ shifts, patterns, exceptions: [exception({ kind: "override", agentId: "a", date: "2025-01-01", endDate: "2025-01-02", shiftId: "night" })] });
    const occurrences = resolveRota(rota, win("2025-01-01T00:00:00Z", "2025-01-05T00:00:00Z"));
    expect(on(occurrences, "a", "2025-01-01")[0]).toMatchObject({ shiftId: "night", source: "override" });
    expect(on(occurrences, "a", "2025-01-02")[0]).toMatchObject({ shiftId: "night", source: "override" });
    expect(on(occurrences, "a", "2025-01-03")[0]).toMatchObject({ shiftId: "early", source: "pattern" });
    expect(JSON.stringify(patterns)).toBe(frozen);
  });

  it("on duty = covered by a duty interval, for any instant (property)", () => {
    const rota = data({
      shifts,
      patterns: [pattern("a", ["early", "late", "night", "off"], "2025-01-01"), pattern("b", ["night", "night", "off"], "2025-01-02")],
      exceptions: [exception({ kind: "leave", agentId: "a", from: "2025-01-03T23:00:00Z", to: "2025-01-04T03:00:00Z" })],
    });
    const all = resolveRota(rota, win("2024-12-25T00:00:00Z", "2025-01-20T00:00:00Z"));
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2025-01-02T00:00:00Z"), max: Date.parse("2025-01-15T00:00:00Z") }), (t) => {
        const at = new Date(t);
        const narrow = dutyAt(resolveRota(rota, win(new Date(t - 86_400_000).toISOString(), new Date(t + 86_400_000).toISOString())), at);
        for (const agent of ["a", "b"]) {
          const covered = all.some((o) => o.agentId === agent && o.duty.some((d) => Date.parse(d.from) <= t && t < Date.parse(d.to)));
          expect(narrow.has(agent)).toBe(covered);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("exception listing by overlap", () => {
  it("finds leave and override ranges that started before the range and still run", () => {
    const leave = { kind: "leave" as const, agentId: "a", from: "2030-01-30T22:00:00Z", to: "2030-02-03T06:00:00Z" };
    expect(exceptionOverlaps(leave, "2030-02-01", "2030-02-28")).toBe(true);
    expect(exceptionOverlaps(leave, "2030-02-04", "2030-02-28")).toBe(false);
    expect(exceptionOverlaps(leave, "2030-01-01", "2030-01-29")).toBe(false);
    const override = { kind: "override" as const, agentId: "a", date: "2030-01-25", endDate: "2030-02-02", shiftId: "s" };
    expect(exceptionOverlaps(override, "2030-02-02", "2030-02-10")).toBe(true);
    expect(exceptionOverlaps(override, "2030-02-03", "2030-02-10")).toBe(false);
    const swap = { kind: "swap" as const, agentId: "a", withAgentId: "b", date: "2030-02-05" };
    expect(exceptionOverlaps(swap, "2030-02-05", "2030-02-05")).toBe(true);
    expect(exceptionOverlaps(swap, "2030-02-06", "2030-02-07")).toBe(false);
  });
});
