/**
 * The overlap rule: one agent may not work two shifts at once. Pure.
 *
 * Two occurrences overlap when their real intervals (as the resolver computes them, DST rules
 * included) share time: `a.from < b.to && b.from < a.to`. Touching is not overlapping: 22:00–06:00
 * then 06:00–14:00 is a double shift, not a clash. An agent has at most one entry per date, so
 * overlaps are between dates: an overnight shift and the next day's early one (22:00–06:00 then
 * 01:00–05:00), a 24-hour shift (`end = start`) and anything the next day before its end, or
 * shifts in different zones.
 *
 * A change is checked on the rota as it will be after it (its own entries replace the ones they
 * replace) and only for overlaps it introduces: a pair already overlapping before it (say
 * accepted with `allowOverlap`) is not its fault. Dated entries are checked on their dates and
 * next to them; a pattern, which runs on, over one full cycle after each of its boundaries (its
 * start, its end, other patterns' starts), around every dated entry inside it and around DST
 * changes in its first year.
 */
import type { RotaChangeOp } from "./change-set.js";
import type { Assignment, Pattern, Shift } from "./domain.js";
import { resolveRota, type Occurrence } from "./resolve.js";
import { dayMs, minuteMs, offsetChangeDays, parseDate } from "./time.js";

/** Half-open intervals `[from, to)` share time. */
export function intervalsOverlap(a: { from: number; to: number }, b: { from: number; to: number }): boolean {
  return a.from < b.to && b.from < a.to;
}

/** Pairs of one agent's occurrences that overlap, earlier start first. */
export function overlappingPairs(occurrences: readonly Occurrence[]): [Occurrence, Occurrence][] {
  const sorted = [...occurrences].sort((a, b) => (a.from === b.from ? a.date.localeCompare(b.date) : a.from.localeCompare(b.from)));
  const pairs: [Occurrence, Occurrence][] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    if (!a) continue;
    const span = { from: Date.parse(a.from), to: Date.parse(a.to) };
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j];
      if (!b || Date.parse(b.from) >= span.to) break;
      if (intervalsOverlap(span, { from: Date.parse(b.from), to: Date.parse(b.to) })) pairs.push([a, b]);
    }
  }
  return pairs;
}

/** One agent's planned rota: dated assignments and patterns (exceptions are applied on top, separately). */
export interface AgentRota {
  assignments: readonly Assignment[];
  patterns: readonly Pattern[];
}

/** One side of an overlap: the occurrence as the 409 names it. */
export type OverlapSide = Pick<Occurrence, "date" | "shiftId" | "shiftName" | "timeZone" | "from" | "to" | "localFrom" | "localTo" | "source">;

export interface ShiftOverlap {
  agentId: string;
  first: OverlapSide;
  second: OverlapSide;
  /** How long they overlap. */
  minutes: number;
}

const sideOf = (o: Occurrence): OverlapSide => ({ date: o.date, shiftId: o.shiftId, shiftName: o.shiftName, timeZone: o.timeZone, from: o.from, to: o.to, localFrom: o.localFrom, localTo: o.localTo, source: o.source });

/** The agent's rota after `ops` (each op's `after` replaces its `before`). */
export function applyOps(before: AgentRota, ops: readonly RotaChangeOp[]): AgentRota {
  const assignments = new Map(before.assignments.map((a) => [a.date, a]));
  const patterns = new Map(before.patterns.map((p) => [p.startDate, p]));
  for (const op of ops) {
    if (op.kind === "assignment") {
      if (op.after) assignments.set(op.date, op.after);
      else assignments.delete(op.date);
    } else patterns.set(op.startDate, op.after);
  }
  return { assignments: [...assignments.values()], patterns: [...patterns.values()] };
}

/** How far one check reaches into a pattern that never ends (DST changes are looked for this far). */
const patternHorizonDays = 366;

/** Days whose entry the change may alter, and where a new overlap could start (see the module comment). */
export function daysToCheck(before: AgentRota, after: AgentRota, ops: readonly RotaChangeOp[], shifts: ReadonlyMap<string, Shift>): Set<number> {
  const days = new Set<number>();
  const addRange = (from: number, to: number) => {
    for (let d = from; d <= to; d++) days.add(d);
  };
  const longest = Math.max(1, ...[...before.patterns, ...after.patterns].map((p) => p.pattern.length));
  const allPatterns = [...before.patterns, ...after.patterns];
  const allDated = [...before.assignments, ...after.assignments];
  for (const op of ops) {
    if (op.kind === "assignment") {
      const day = parseDate(op.date);
      if (day !== undefined) days.add(day);
      continue;
    }
    const start = parseDate(op.startDate);
    if (start === undefined) continue;
    const ends = [op.before?.endDate, op.after.endDate];
    const endDay = (end: string | undefined) => (end === undefined ? Infinity : (parseDate(end) ?? start));
    // The days either version of the pattern covers.
    const last = Math.max(endDay(op.after.endDate), op.before ? endDay(op.before.endDate) : -Infinity);
    const inRange = (day: number) => day >= start - 1 && day <= last + 1;
    const boundaries = new Set<number>([start]);
    for (const e of ends) if (e !== undefined) boundaries.add((parseDate(e) ?? start) + 1);
    for (const p of allPatterns) {
      const s = parseDate(p.startDate);
      if (s !== undefined && inRange(s)) boundaries.add(s);
      const e = p.endDate === undefined ? undefined : parseDate(p.endDate);
      if (e !== undefined && inRange(e + 1)) boundaries.add(e + 1);
    }
    // One full cycle (and the wrap into the next) after every boundary.
    for (const b of boundaries) addRange(Math.max(start, b - 1), Math.min(last, b + longest + 1));
    for (const a of allDated) {
      const day = parseDate(a.date);
      if (day !== undefined && inRange(day)) addRange(Math.max(start, day - 1), Math.min(last, day + 1));
    }
    const zones = new Set([...(op.before?.pattern ?? []), ...op.after.pattern].flatMap((id) => shifts.get(id)?.timeZone ?? []));
    for (const zone of zones) {
      for (const day of offsetChangeDays(zone, start, Math.min(last, start + patternHorizonDays))) addRange(Math.max(start, day - 1), Math.min(last, day + 1));
    }
  }
  return days;
}

/** Contiguous runs of days, ascending. */
function runs(days: ReadonlySet<number>): { from: number; to: number }[] {
  const sorted = [...days].sort((a, b) => a - b);
  const out: { from: number; to: number }[] = [];
  for (const day of sorted) {
    const last = out[out.length - 1];
    if (last && day === last.to + 1) last.to = day;
    else out.push({ from: day, to: day });
  }
  return out;
}

/**
 * The agent's occurrences dated on `days` and near them (shifts last ≤ 24 h and zones span
 * 26 h, so anything that can overlap a day's shift is dated within 3 days of it).
 */
function occurrencesAround(agentId: string, rota: AgentRota, shifts: readonly Shift[], days: ReadonlySet<number>): Occurrence[] {
  const data = { shifts, assignments: rota.assignments, patterns: rota.patterns, exceptions: [] };
  const byDate = new Map<string, Occurrence>();
  for (const run of runs(days)) {
    const window = { from: new Date((run.from - 3) * dayMs), to: new Date((run.to + 4) * dayMs) };
    for (const o of resolveRota(data, window, new Set([agentId]))) byDate.set(o.date, o);
  }
  return [...byDate.values()];
}

const pairKey = (a: Occurrence, b: Occurrence) => `${a.date}|${a.shiftId}|${a.from}|${a.to}|${b.date}|${b.shiftId}|${b.from}|${b.to}`;

/**
 * Overlaps a change introduces for one agent: on the rota after it, pairs touching a day it may
 * alter that did not overlap before it.
 *
 * @example
 * introducedOverlaps({ agentId: "li.na", shifts, before: { assignments: [night1110], patterns: [] }, ops: [early1111Op] });
 * // [{ agentId: "li.na", first: { shiftId: "night", date: "2030-11-10", … }, second: { shiftId: "early", date: "2030-11-11", … }, minutes: 240 }]
 */
export function introducedOverlaps(input: { agentId: string; shifts: readonly Shift[]; before: AgentRota; ops: readonly RotaChangeOp[] }): ShiftOverlap[] {
  const { agentId, shifts, before, ops } = input;
  if (ops.length === 0) return [];
  const after = applyOps(before, ops);
  const days = daysToCheck(before, after, ops, new Map(shifts.map((s) => [s.shiftId, s])));
  const touches = (o: Occurrence) => {
    const day = parseDate(o.date);
    return day !== undefined && days.has(day);
  };
  const existing = new Set(overlappingPairs(occurrencesAround(agentId, before, shifts, days)).map(([a, b]) => pairKey(a, b)));
  return overlappingPairs(occurrencesAround(agentId, after, shifts, days))
    .filter(([a, b]) => (touches(a) || touches(b)) && !existing.has(pairKey(a, b)))
    .map(([a, b]) => ({
      agentId,
      first: sideOf(a),
      second: sideOf(b),
      minutes: Math.round((Math.min(Date.parse(a.to), Date.parse(b.to)) - Math.max(Date.parse(a.from), Date.parse(b.from))) / minuteMs),
    }));
}

/** `2030-11-10 22:00 → 2030-11-11 06:00 Asia/Shanghai`: local wall-clock times, as the rota reads. */
export function localSpan(side: OverlapSide): string {
  const wall = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  return `${wall(side.localFrom)} → ${wall(side.localTo)} ${side.timeZone}`;
}

/** One overlap as a sentence naming both shifts, e.g. for a problem's detail. */
export function describeOverlap(o: ShiftOverlap): string {
  return `${o.agentId}: ${o.first.shiftId} on ${o.first.date} (${localSpan(o.first)}) overlaps ${o.second.shiftId} on ${o.second.date} (${localSpan(o.second)}) by ${o.minutes} min`;
}
