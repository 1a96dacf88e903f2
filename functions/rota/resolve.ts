/**
 * The rota resolver: shifts + dated assignments + patterns + exceptions + a UTC window →
 * concrete shift occurrences with real instants. Pure; the duty clock, `GET /rota`,
 * `GET /rota/on-duty?at` and coverage all call it, so they cannot disagree.
 *
 * Per agent and calendar date (the day a shift starts, in the shift's zone):
 * 1. a dated assignment, else the applicable pattern's entry (or nothing);
 * 2. overrides replace or add that date's shift (latest created wins);
 * 3. swaps exchange the two agents' entries for that date (in creation order);
 * 4. the entry becomes an interval: local start and local end each resolved with RFC 5545
 *    rules, so on DST days the real duration differs from the planned wall-clock length;
 * 5. leave is cut out of the interval: `duty` lists what remains.
 * Exceptions are separate records applied here; they never edit assignments or patterns.
 */
import { OFF, plannedMinutes, type Assignment, type Pattern, type RotaException, type Shift } from "./domain.js";
import { formatDate, localIso, localToInstant, parseDate, parseHhmm, utcDay, minuteMs } from "./time.js";

export interface Interval {
  from: string;
  to: string;
}

export type OccurrenceSource = "assignment" | "pattern" | "override" | "swap";

export interface Occurrence {
  agentId: string;
  /** Calendar date the shift starts on, in its zone. */
  date: string;
  shiftId: string;
  shiftName: string;
  timeZone: string;
  /** Real instants (UTC) of the local start and end. */
  from: string;
  to: string;
  /** The same instants with the zone's offset, as the rota reads locally. */
  localFrom: string;
  localTo: string;
  /** Wall-clock length as planned (e.g. 480 for 22:00-06:00). */
  plannedMinutes: number;
  /** Real elapsed minutes between `from` and `to` (differs on DST days). */
  durationMinutes: number;
  source: OccurrenceSource;
  /** The exception that produced it (override or swap). */
  exceptionId?: string;
  /** For swaps: whose shift this was. */
  swappedWith?: string;
  /** Who set the underlying entry, and when. */
  setBy: string;
  setAt: string;
  /** Parts of the shift taken by leave. */
  leave: (Interval & { exceptionId: string })[];
  /** The shift minus leave: when the agent is actually on duty. */
  duty: Interval[];
}

export interface RotaData {
  shifts: readonly Shift[];
  assignments: readonly Assignment[];
  patterns: readonly Pattern[];
  exceptions: readonly RotaException[];
}

export interface Window {
  from: Date;
  to: Date;
}

interface PlanEntry {
  shiftId: string;
  source: OccurrenceSource;
  setBy: string;
  setAt: string;
  exceptionId?: string;
  swappedWith?: string;
}

/** The day range whose shifts can touch a UTC window: zones span −12…+14 h and shifts last ≤ 24 h. */
export function candidateDays(window: Window): { first: number; last: number } {
  return { first: utcDay(window.from.getTime()) - 2, last: utcDay(window.to.getTime()) + 1 };
}

function patternEntry(patterns: readonly Pattern[], day: number): { pattern: Pattern; shiftId: string } | undefined {
  let best: { pattern: Pattern; start: number } | undefined;
  for (const pattern of patterns) {
    const start = parseDate(pattern.startDate);
    if (start === undefined || start > day) continue;
    const end = pattern.endDate === undefined ? undefined : parseDate(pattern.endDate);
    if (end !== undefined && day > end) continue;
    if (!best || start > best.start) best = { pattern, start };
  }
  if (!best || best.pattern.pattern.length === 0) return undefined;
  const length = best.pattern.pattern.length;
  const index = (((day - best.start) % length) + length) % length;
  const shiftId = best.pattern.pattern[index];
  return shiftId === undefined ? undefined : { pattern: best.pattern, shiftId };
}

function byCreation(a: RotaException, b: RotaException): number {
  return a.createdAt === b.createdAt ? a.exceptionId.localeCompare(b.exceptionId) : a.createdAt.localeCompare(b.createdAt);
}

/** Builds each agent's day → entry plan over `[first, last]`. */
function plan(data: RotaData, first: number, last: number): Map<string, Map<number, PlanEntry>> {
  const plans = new Map<string, Map<number, PlanEntry>>();
  const planOf = (agentId: string) => {
    let p = plans.get(agentId);
    if (!p) plans.set(agentId, (p = new Map()));
    return p;
  };
  const patternsByAgent = new Map<string, Pattern[]>();
  for (const p of data.patterns) patternsByAgent.set(p.agentId, [...(patternsByAgent.get(p.agentId) ?? []), p]);

  for (const [agentId, patterns] of patternsByAgent) {
    const p = planOf(agentId);
    for (let day = first; day <= last; day++) {
      const entry = patternEntry(patterns, day);
      if (entry) p.set(day, { shiftId: entry.shiftId, source: "pattern", setBy: entry.pattern.updatedBy, setAt: entry.pattern.updatedAt });
    }
  }
  for (const a of data.assignments) {
    const day = parseDate(a.date);
    if (day === undefined || day < first || day > last) continue;
    planOf(a.agentId).set(day, { shiftId: a.shiftId, source: "assignment", setBy: a.updatedBy, setAt: a.updatedAt });
  }
  const ordered = [...data.exceptions].sort(byCreation);
  for (const e of ordered) {
    if (e.kind !== "override") continue;
    const start = parseDate(e.date);
    const end = parseDate(e.endDate ?? e.date);
    if (start === undefined || end === undefined) continue;
    for (let day = Math.max(start, first); day <= Math.min(end, last); day++) {
      planOf(e.agentId).set(day, { shiftId: e.shiftId, source: "override", setBy: e.createdBy, setAt: e.createdAt, exceptionId: e.exceptionId });
    }
  }
  for (const e of ordered) {
    if (e.kind !== "swap") continue;
    const day = parseDate(e.date);
    if (day === undefined || day < first || day > last) continue;
    const a = planOf(e.agentId);
    const b = planOf(e.withAgentId);
    const fromA = a.get(day);
    const fromB = b.get(day);
    const swapped = (entry: PlanEntry | undefined, other: string): PlanEntry => ({
      shiftId: entry?.shiftId ?? OFF,
      source: "swap",
      setBy: e.createdBy,
      setAt: e.createdAt,
      exceptionId: e.exceptionId,
      swappedWith: other,
    });
    a.set(day, swapped(fromB, e.withAgentId));
    b.set(day, swapped(fromA, e.agentId));
  }
  return plans;
}

/** Subtracts sorted, clipped leave intervals from [from, to). */
function subtract(fromMs: number, toMs: number, leave: { from: number; to: number }[]): { from: number; to: number }[] {
  const pieces: { from: number; to: number }[] = [];
  let cursor = fromMs;
  for (const l of [...leave].sort((x, y) => x.from - y.from)) {
    if (l.from > cursor) pieces.push({ from: cursor, to: Math.min(l.from, toMs) });
    cursor = Math.max(cursor, l.to);
    if (cursor >= toMs) break;
  }
  if (cursor < toMs) pieces.push({ from: cursor, to: toMs });
  return pieces.filter((p) => p.to > p.from);
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Concrete occurrences overlapping `window` (half-open `[from, to)`), sorted by start then
 * agent. Entries naming an unknown shift are skipped; a shift whose local end falls at or
 * before its local start on a DST day (e.g. 02:30-03:00 inside the gap) has no real time and
 * is skipped too.
 */
export function resolveRota(data: RotaData, window: Window, agentIds?: ReadonlySet<string>): Occurrence[] {
  const { first, last } = candidateDays(window);
  const shifts = new Map(data.shifts.map((s) => [s.shiftId, s]));
  const leaveByAgent = new Map<string, { from: number; to: number; exceptionId: string }[]>();
  for (const e of data.exceptions) {
    if (e.kind !== "leave") continue;
    leaveByAgent.set(e.agentId, [...(leaveByAgent.get(e.agentId) ?? []), { from: Date.parse(e.from), to: Date.parse(e.to), exceptionId: e.exceptionId }]);
  }
  const windowFrom = window.from.getTime();
  const windowTo = window.to.getTime();
  const out: Occurrence[] = [];
  for (const [agentId, days] of plan(data, first, last)) {
    if (agentIds && !agentIds.has(agentId)) continue;
    for (const [day, entry] of days) {
      if (entry.shiftId === OFF) continue;
      const shift = shifts.get(entry.shiftId);
      if (!shift) continue;
      const startMinute = parseHhmm(shift.start) ?? 0;
      const endMinute = parseHhmm(shift.end) ?? 0;
      const endDay = endMinute <= startMinute ? day + 1 : day;
      const fromMs = localToInstant(day, startMinute, shift.timeZone);
      const toMs = localToInstant(endDay, endMinute, shift.timeZone);
      if (toMs <= fromMs) continue;
      if (toMs <= windowFrom || fromMs >= windowTo) continue;
      const leave = (leaveByAgent.get(agentId) ?? [])
        .filter((l) => l.from < toMs && l.to > fromMs)
        .map((l) => ({ from: Math.max(l.from, fromMs), to: Math.min(l.to, toMs), exceptionId: l.exceptionId }));
      out.push({
        agentId,
        date: formatDate(day),
        shiftId: shift.shiftId,
        shiftName: shift.name,
        timeZone: shift.timeZone,
        from: iso(fromMs),
        to: iso(toMs),
        localFrom: localIso(fromMs, shift.timeZone),
        localTo: localIso(toMs, shift.timeZone),
        plannedMinutes: plannedMinutes(shift),
        durationMinutes: Math.round((toMs - fromMs) / minuteMs),
        source: entry.source,
        ...(entry.exceptionId ? { exceptionId: entry.exceptionId } : {}),
        ...(entry.swappedWith ? { swappedWith: entry.swappedWith } : {}),
        setBy: entry.setBy,
        setAt: entry.setAt,
        leave: leave.sort((x, y) => x.from - y.from).map((l) => ({ from: iso(l.from), to: iso(l.to), exceptionId: l.exceptionId })),
        duty: subtract(fromMs, toMs, leave).map((p) => ({ from: iso(p.from), to: iso(p.to) })),
      });
    }
  }
  return out.sort((a, b) => (a.from === b.from ? a.agentId.localeCompare(b.agentId) : a.from.localeCompare(b.from)));
}

export interface DutyWindow {
  shiftId: string;
  from: string;
  to: string;
}

/**
 * Who is on duty at `instant`: a duty interval covers it (`from ≤ t < to`). When two
 * occurrences overlap, the one lasting longest wins, so `to` says when the agent really goes off.
 */
export function dutyAt(occurrences: readonly Occurrence[], instant: Date): Map<string, DutyWindow> {
  const t = instant.getTime();
  const out = new Map<string, DutyWindow>();
  for (const o of occurrences) {
    for (const d of o.duty) {
      if (Date.parse(d.from) <= t && t < Date.parse(d.to)) {
        const current = out.get(o.agentId);
        if (!current || d.to > current.to) out.set(o.agentId, { shiftId: o.shiftId, from: d.from, to: d.to });
      }
    }
  }
  return out;
}
