/**
 * Rota use cases (supervisors only): shifts, dated assignments and patterns, CSV import,
 * exceptions, who is on duty, coverage. Every change commits with its audit records, then
 * recomputes duty for the agents it touches so routing sees it at once.
 */
import { randomUUID } from "node:crypto";
import type { Skill } from "../agents/domain.js";
import { getAgent, listAgents } from "../agents/store.js";
import { ConflictError, NotFoundError, ValidationError, type FieldError } from "../shared/errors.js";
import { isWriteConflict, type TransactItem } from "../shared/table/index.js";
import { computeCoverage, dayIntervals, type CoverageQuery } from "./coverage.js";
import { checkImportRows, parseRotaCsv } from "./csv.js";
import {
  OFF,
  exceptionAgents,
  exceptionOverlaps,
  maxRangeDays,
  shiftView,
  type Assignment,
  type ExceptionInput,
  type Pattern,
  type RotaException,
  type RotaInput,
  type Shift,
  type ShiftInput,
} from "./domain.js";
import { recomputeDuty } from "./duty.js";
import { dutyAt, resolveRota } from "./resolve.js";
import {
  assignmentDelete,
  assignmentPut,
  auditOp,
  commit,
  exceptionDelete,
  exceptionPut,
  getException,
  getPattern,
  getShift,
  listAgentAssignments,
  listExceptions,
  listOnDuty,
  listShifts,
  loadRotaData,
  patternPut,
  shiftPut,
} from "./store.js";
import { dayMs, formatDate, parseDate } from "./time.js";

/** Who acts and when (the request's clock). */
export interface Actor {
  actor: string;
  now: Date;
}

/** Agent ids (deduplicated) that do not exist. */
async function unknownAgents(agentIds: Iterable<string>): Promise<Set<string>> {
  const ids = [...new Set(agentIds)];
  const found = await Promise.all(ids.map(async (id) => [id, await getAgent(id)] as const));
  return new Set(found.filter(([, agent]) => !agent).map(([id]) => id));
}

function rejectIfAny(errors: FieldError[], detail: string): void {
  if (errors.length > 0) throw new ValidationError(detail, { errors });
}

/**
 * Creates or replaces a shift.
 *
 * Primary course: read the shift → write it with its audit record (only if unchanged since the
 * read) → if it existed, recompute everyone's duty (anyone may work it).
 */
export async function saveShift(shiftId: string, input: ShiftInput, by: Actor): Promise<{ created: boolean; shift: ReturnType<typeof shiftView> }> {
  const before = await getShift(shiftId);
  const at = by.now.toISOString();
  const shift: Shift = { shiftId, ...input, updatedAt: at, updatedBy: by.actor };
  try {
    await commit([
      shiftPut(shift, before),
      auditOp({ entity: "shift", entityId: shiftId, action: before ? "shift.updated" : "shift.created", actor: by.actor, at, details: { before: before ?? null, after: input } }),
    ]);
  } catch (error) {
    if (isWriteConflict(error)) throw new ConflictError(`Shift "${shiftId}" was changed by someone else meanwhile; nothing was changed. Read it again and retry.`);
    throw error;
  }
  if (before) await recomputeDuty(by.now);
  return { created: !before, shift: shiftView(shift) };
}

/** Every shift, by id. */
export async function allShifts() {
  const shifts = await listShifts();
  return shifts.sort((a, b) => a.shiftId.localeCompare(b.shiftId)).map(shiftView);
}

/**
 * Sets dated assignments and patterns for some agents.
 *
 * Primary course: check every agent and shift exists (any unknown → 400, nothing changed) →
 * per agent, compare with what is stored and keep only real changes → commit them with one
 * audit record per changed agent → recompute those agents' duty.
 */
export async function putRota(body: RotaInput, by: Actor) {
  const assignments = body.assignments ?? [];
  const patterns = body.patterns ?? [];
  if (assignments.length + patterns.length === 0) throw new ValidationError("Nothing to change.", { errors: [{ field: "(body)", message: "give assignments and/or patterns" }] });

  const [missingAgents, shifts] = await Promise.all([unknownAgents([...assignments, ...patterns].map((e) => e.agentId)), listShifts()]);
  const shiftIds = new Set(shifts.map((s) => s.shiftId));
  const errors: FieldError[] = [];
  assignments.forEach((a, i) => {
    if (missingAgents.has(a.agentId)) errors.push({ field: `assignments.${i}.agentId`, message: `unknown agent "${a.agentId}"` });
    if (a.shiftId !== null && a.shiftId !== OFF && !shiftIds.has(a.shiftId)) errors.push({ field: `assignments.${i}.shiftId`, message: `unknown shift "${a.shiftId}"` });
  });
  patterns.forEach((p, i) => {
    if (missingAgents.has(p.agentId)) errors.push({ field: `patterns.${i}.agentId`, message: `unknown agent "${p.agentId}"` });
    p.pattern.forEach((s, j) => {
      if (s !== OFF && !shiftIds.has(s)) errors.push({ field: `patterns.${i}.pattern.${j}`, message: `unknown shift "${s}"` });
    });
  });
  rejectIfAny(errors, "The rota refers to unknown agents or shifts; nothing was changed.");

  const { actor } = by;
  const at = by.now.toISOString();
  const agents = [...new Set([...assignments, ...patterns].map((e) => e.agentId))];
  const ops: TransactItem[] = [];
  let changedAssignments = 0;
  let changedPatterns = 0;
  for (const agentId of agents) {
    const mine = assignments.filter((a) => a.agentId === agentId);
    const dates = mine.map((a) => a.date).sort();
    const existing = dates.length ? await listAgentAssignments(agentId, dates[0] ?? "", dates[dates.length - 1] ?? "") : [];
    const current = new Map(existing.map((a) => [a.date, a.shiftId]));
    const assignmentChanges: { date: string; before: string | null; after: string | null }[] = [];
    for (const a of mine) {
      const before = current.get(a.date) ?? null;
      if (before === a.shiftId) continue;
      assignmentChanges.push({ date: a.date, before, after: a.shiftId });
      ops.push(a.shiftId === null ? assignmentDelete(agentId, a.date) : assignmentPut({ agentId, date: a.date, shiftId: a.shiftId, updatedAt: at, updatedBy: actor }));
    }
    const patternChanges: { startDate: string; before: Pattern | null; after: Omit<Pattern, "updatedAt" | "updatedBy"> }[] = [];
    for (const p of patterns.filter((x) => x.agentId === agentId)) {
      const before = (await getPattern(agentId, p.startDate)) ?? null;
      if (before && before.pattern.join() === p.pattern.join() && before.endDate === p.endDate) continue;
      patternChanges.push({ startDate: p.startDate, before, after: p });
      ops.push(patternPut({ ...p, updatedAt: at, updatedBy: actor }));
    }
    if (assignmentChanges.length + patternChanges.length === 0) continue;
    changedAssignments += assignmentChanges.length;
    changedPatterns += patternChanges.length;
    ops.push(auditOp({ entity: "rota", entityId: agentId, action: "rota.updated", actor, at, details: { assignments: assignmentChanges, patterns: patternChanges } }));
  }
  await commit(ops);
  const duty = await recomputeDuty(by.now, agents);
  return { changed: { assignments: changedAssignments, patterns: changedPatterns }, agents, duty: { started: duty.started, ended: duty.ended } };
}

/**
 * The resolved rota: occurrences dated in `[from, to]` (dates) or overlapping it (instants).
 *
 * Primary course: check the range (non-empty, ≤ 62 days) → load the rota around it → resolve.
 */
export async function resolvedRota(q: { from: string; to: string; agentId?: string | undefined }) {
  const fromDay = parseDate(q.from);
  const toDay = parseDate(q.to);
  const byDate = fromDay !== undefined && toDay !== undefined;
  const window = byDate ? { from: new Date(fromDay * dayMs - dayMs), to: new Date((toDay + 2) * dayMs) } : { from: new Date(q.from), to: new Date(q.to) };
  const spanDays = byDate ? toDay - fromDay + 1 : (window.to.getTime() - window.from.getTime()) / dayMs;
  if (spanDays <= 0) throw new ValidationError("The range is empty.", { errors: [{ field: "to", message: "must be after from" }] });
  if (spanDays > maxRangeDays) throw new ValidationError("The range is too long.", { errors: [{ field: "to", message: `at most ${maxRangeDays} days after from` }] });
  const data = await loadRotaData(window);
  let occurrences = resolveRota(data, window, q.agentId ? new Set([q.agentId]) : undefined);
  if (byDate) occurrences = occurrences.filter((o) => o.date >= q.from && o.date <= q.to);
  return { from: q.from, to: q.to, occurrences };
}

/**
 * Replaces the named agents' assignments between the file's first and last date with the file.
 *
 * Primary course: parse the CSV → check every row (any problem → 400 listing each, nothing
 * changed) → per agent, delete dates missing from the file and write changed ones → commit with
 * one audit record per changed agent → recompute those agents' duty.
 */
export async function importRota(csv: string, by: Actor) {
  const parsed = parseRotaCsv(csv);
  rejectIfAny(parsed.errors, "The CSV file cannot be read; nothing was imported.");
  const [missingAgents, shifts] = await Promise.all([unknownAgents(parsed.rows.map((r) => r.agent).filter((a) => /^[A-Za-z0-9_.-]{1,64}$/.test(a))), listShifts()]);
  const shiftIds = new Set(shifts.map((s) => s.shiftId));
  const checked = checkImportRows(parsed.rows, (id) => !missingAgents.has(id), (id) => shiftIds.has(id));
  if (!checked.plan) throw new ValidationError(`${checked.errors.length} problem(s) in the file; nothing was imported.`, { errors: checked.errors });
  const { fromDate, toDate, byAgent } = checked.plan;

  const { actor } = by;
  const at = by.now.toISOString();
  const ops: TransactItem[] = [];
  let written = 0;
  let removed = 0;
  for (const [agentId, dates] of byAgent) {
    const existing = await listAgentAssignments(agentId, fromDate, toDate);
    const changes: { date: string; before: string | null; after: string | null }[] = [];
    for (const old of existing) {
      if (dates.has(old.date)) continue;
      changes.push({ date: old.date, before: old.shiftId, after: null });
      ops.push(assignmentDelete(agentId, old.date));
      removed++;
    }
    const current = new Map(existing.map((a) => [a.date, a.shiftId]));
    for (const [date, shiftId] of dates) {
      if (current.get(date) === shiftId) continue;
      changes.push({ date, before: current.get(date) ?? null, after: shiftId });
      const assignment: Assignment = { agentId, date, shiftId, updatedAt: at, updatedBy: actor };
      ops.push(assignmentPut(assignment));
      written++;
    }
    if (changes.length > 0) ops.push(auditOp({ entity: "rota", entityId: agentId, action: "rota.imported", actor, at, details: { from: fromDate, to: toDate, changes } }));
  }
  await commit(ops);
  await recomputeDuty(by.now, [...byAgent.keys()]);
  return { from: fromDate, to: toDate, rows: parsed.rows.length, agents: byAgent.size, written, removed };
}

/**
 * Records leave, an override or a swap.
 *
 * Primary course: check the agents (and the override's shift) exist → write the exception with
 * an audit record per agent it changes → recompute their duty.
 */
export async function createException(input: ExceptionInput, by: Actor): Promise<RotaException> {
  const agents = exceptionAgents(input);
  const missing = await unknownAgents(agents);
  const errors: FieldError[] = [];
  if (missing.has(input.agentId)) errors.push({ field: "agentId", message: `unknown agent "${input.agentId}"` });
  if (input.kind === "swap" && missing.has(input.withAgentId)) errors.push({ field: "withAgentId", message: `unknown agent "${input.withAgentId}"` });
  if (input.kind === "override" && !(await getShift(input.shiftId))) errors.push({ field: "shiftId", message: `unknown shift "${input.shiftId}"` });
  rejectIfAny(errors, "The exception refers to unknown agents or shifts; nothing was changed.");
  const at = by.now.toISOString();
  const exception: RotaException = { ...input, exceptionId: randomUUID(), createdAt: at, createdBy: by.actor };
  await commit([exceptionPut(exception), ...agents.map((agentId) => auditOp({ entity: "rota", entityId: agentId, action: `rota.${input.kind}.created`, actor: by.actor, at, details: exception }))]);
  await recomputeDuty(by.now, agents);
  return exception;
}

/** Exceptions touching any day of `[from, to]` (all when absent), for one agent if given. */
export async function exceptionsIn(q: { from?: string | undefined; to?: string | undefined; agentId?: string | undefined }): Promise<RotaException[]> {
  const from = q.from ?? "0000-01-01";
  const to = q.to ?? "9999-12-31";
  // Exceptions span at most maxRangeDays, so one that overlaps the range starts no earlier than that.
  const fromDay = parseDate(from);
  const earliest = q.from && fromDay !== undefined ? formatDate(fromDay - maxRangeDays - 1) : "0000";
  const exceptions = (await listExceptions(earliest, to)).filter((e) => exceptionOverlaps(e, from, to));
  return q.agentId ? exceptions.filter((e) => exceptionAgents(e).includes(q.agentId ?? "")) : exceptions;
}

/**
 * Removes an exception; the rota is as before it.
 *
 * Primary course: read it (absent → 404) → delete it with an audit record per agent (a
 * concurrent delete that won → 404) → recompute their duty.
 */
export async function deleteException(exceptionId: string, by: Actor): Promise<void> {
  const exception = await getException(exceptionId);
  if (!exception) throw new NotFoundError(`No rota exception "${exceptionId}".`);
  const at = by.now.toISOString();
  const agents = exceptionAgents(exception);
  try {
    await commit([exceptionDelete(exceptionId), ...agents.map((agentId) => auditOp({ entity: "rota", entityId: agentId, action: `rota.${exception.kind}.deleted`, actor: by.actor, at, details: exception }))]);
  } catch (error) {
    if (isWriteConflict(error)) throw new NotFoundError(`No rota exception "${exceptionId}".`);
    throw error;
  }
  await recomputeDuty(by.now, agents);
}

/**
 * Who is on duty: now from the on-duty view (one query), or at another instant by resolving.
 */
export async function onDuty(q: { at?: string | undefined; skill?: Skill | undefined }, now: Date) {
  if (q.at === undefined) {
    const iso = now.toISOString();
    const view = await listOnDuty();
    const agents = view
      .filter((v) => v.from <= iso && iso < v.to && (q.skill === undefined || v.skills.includes(q.skill)))
      .map(({ agentId, shiftId, from, to }) => ({ agentId, shiftId, from, to }))
      .sort((a, b) => a.agentId.localeCompare(b.agentId));
    return { at: iso, source: "view", agents };
  }
  const at = new Date(q.at);
  const window = { from: new Date(at.getTime() - dayMs), to: new Date(at.getTime() + dayMs) };
  const duty = dutyAt(resolveRota(await loadRotaData(window), window), at);
  const profiles = await Promise.all([...duty.keys()].map(getAgent));
  const agents = profiles
    .filter((p) => p !== undefined && (q.skill === undefined || p.skills.includes(q.skill)))
    .flatMap((p) => {
      const d = p ? duty.get(p.agentId) : undefined;
      return p && d ? [{ agentId: p.agentId, ...d }] : [];
    })
    .sort((a, b) => a.agentId.localeCompare(b.agentId));
  return { at: at.toISOString(), source: "rota", agents };
}

/**
 * Coverage of a local day against an Erlang C forecast.
 *
 * Primary course: cut the day into intervals → load and resolve the rota for it → per interval,
 * scheduled agents against required ones.
 */
export async function coverage(q: CoverageQuery) {
  const intervals = dayIntervals(q.date, q.timeZone, q.interval);
  const first = intervals[0];
  const last = intervals[intervals.length - 1];
  if (!first || !last) throw new ValidationError("The day has no intervals.", { errors: [{ field: "date", message: "empty day" }] });
  const window = { from: new Date(first.from), to: new Date(last.to) };
  const [data, agents] = await Promise.all([loadRotaData(window), listAgents()]);
  const result = computeCoverage(q, resolveRota(data, window), new Map(agents.map((a) => [a.agentId, a.skills])));
  if (!result.result) throw new ValidationError("The forecast does not fit the day.", { errors: [{ field: "volumes", message: result.error ?? "wrong length" }] });
  return result.result;
}
