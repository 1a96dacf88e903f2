/**
 * Rota use cases (supervisors only): shifts, dated assignments and patterns, CSV import,
 * exceptions, who is on duty, coverage. Every change commits with its audit records, then
 * recomputes duty for the agents it touches so routing sees it at once.
 */
import { randomUUID } from "node:crypto";
import type { Skill } from "../agents/domain.js";
import { getAgent, listAgents } from "../agents/store.js";
import { AppError, ConflictError, NotFoundError, ValidationError, type FieldError } from "../shared/errors.js";
import { isWriteConflict, transact } from "../shared/table/index.js";
import { assignmentOps, changeCounts, patternOps, type RotaChangeOp, type RotaChangeSet } from "./change-set.js";
import { commitRotaChange, getRotaVersion, settleChange } from "./commit.js";
import { computeCoverage, dayIntervals, type CoverageQuery } from "./coverage.js";
import { checkImportRows, parseRotaCsv } from "./csv.js";
import {
  OFF,
  exceptionAgents,
  exceptionOverlaps,
  maxRangeDays,
  shiftView,
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
  agentPatterns,
  auditOp,
  exceptionDelete,
  exceptionPut,
  getException,
  getShift,
  listAgentAssignments,
  listExceptions,
  listOnDuty,
  listShifts,
  loadRotaData,
  shiftPut,
} from "./store.js";
import { dayMs, formatDate, parseDate } from "./time.js";

/** A well-formed forecast that no staffing can meet: the request is understood but cannot be answered. */
export class UnstaffableForecastError extends AppError {
  readonly status = 422;
  readonly title = "Forecast cannot be staffed";
  readonly type = "/problems/unstaffable-forecast";
}

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
    await transact([
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

/** Reads each agent's rota version, then what `read` needs of its rota, 8 agents at a time. */
async function readAgents(agentIds: readonly string[], now: Date, read: (agentId: string) => Promise<RotaChangeOp[]>): Promise<{ agentId: string; version: number; ops: RotaChangeOp[] }[]> {
  const out: { agentId: string; version: number; ops: RotaChangeOp[] }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < agentIds.length) {
      const agentId = agentIds[next++];
      if (agentId === undefined) continue;
      // The version first: if the rota moves after this read, the commit sees the version moved.
      const version = await versionToChange(agentId, now);
      out.push({ agentId, version, ops: await read(agentId) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, agentIds.length) }, lane));
  return out;
}

/** An agent's rota version, once any change its dead writer left on the agent is settled; a live one is a 409. */
async function versionToChange(agentId: string, now: Date): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const state = await getRotaVersion(agentId);
    if (!state.changeId) return state.version;
    if (attempt === 0 && (await settleChange(state.changeId, now, { claim: true })) !== "busy") continue;
    throw new ConflictError(`The rota of ${agentId} is being changed by another change (${state.changeId}); nothing was changed. Retry when it is done.`, {
      extra: { changed: [{ agentId, version: state.version, changeId: state.changeId, heldUntil: state.leaseUntil }] },
    });
  }
}

function changeSet(action: RotaChangeSet["action"], by: Actor, reads: readonly { agentId: string; version: number; ops: RotaChangeOp[] }[], range?: { from: string; to: string }): RotaChangeSet {
  const changed = reads.filter((r) => r.ops.length > 0).sort((a, b) => a.agentId.localeCompare(b.agentId));
  return {
    changeId: randomUUID(),
    action,
    actor: by.actor,
    at: by.now.toISOString(),
    ...(range ? { range } : {}),
    versions: changed.map(({ agentId, version }) => ({ agentId, version })),
    ops: changed.flatMap((r) => r.ops),
  };
}

/**
 * Sets dated assignments and patterns for some agents, all or nothing.
 *
 * Primary course: check every agent and shift exists (any unknown → 400, nothing changed) →
 * per agent, read its rota version and what is stored, keep only real changes → commit them
 * with one audit record per changed agent, refused with 409 if another change moved or holds
 * one of those agents meanwhile → recompute those agents' duty.
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

  const stamp = { at: by.now.toISOString(), actor: by.actor };
  const agents = [...new Set([...assignments, ...patterns].map((e) => e.agentId))];
  const reads = await readAgents(agents, by.now, async (agentId) => {
    const mine = assignments.filter((a) => a.agentId === agentId);
    const dates = mine.map((a) => a.date).sort();
    const existing = dates.length ? await listAgentAssignments(agentId, dates[0] ?? "", dates[dates.length - 1] ?? "") : [];
    const theirPatterns = patterns.filter((p) => p.agentId === agentId);
    const storedPatterns = theirPatterns.length ? await agentPatterns(agentId) : new Map<string, Pattern>();
    return [...assignmentOps(agentId, existing, new Map(mine.map((a) => [a.date, a.shiftId])), stamp), ...patternOps(agentId, storedPatterns, theirPatterns, stamp)];
  });
  const change = changeSet("rota.updated", by, reads);
  await commitRotaChange(change, by.now);
  const counts = changeCounts(change.ops);
  const duty = await recomputeDuty(by.now, agents);
  return { changed: { assignments: counts.assignments, patterns: counts.patterns }, agents, duty: { started: duty.started, ended: duty.ended } };
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
 * changed) → per agent, read its rota version and its assignments in the range; dates missing
 * from the file are removed, changed ones written → commit all or nothing with one audit record
 * per changed agent (409 if another change moved or holds one of them) → recompute their duty.
 */
export async function importRota(csv: string, by: Actor) {
  const parsed = parseRotaCsv(csv);
  rejectIfAny(parsed.errors, "The CSV file cannot be read; nothing was imported.");
  const [missingAgents, shifts] = await Promise.all([unknownAgents(parsed.rows.map((r) => r.agent).filter((a) => /^[A-Za-z0-9_.-]{1,64}$/.test(a))), listShifts()]);
  const shiftIds = new Set(shifts.map((s) => s.shiftId));
  const checked = checkImportRows(parsed.rows, (id) => !missingAgents.has(id), (id) => shiftIds.has(id));
  if (!checked.plan) throw new ValidationError(`${checked.errors.length} problem(s) in the file; nothing was imported.`, { errors: checked.errors });
  const { fromDate, toDate, byAgent } = checked.plan;

  const stamp = { at: by.now.toISOString(), actor: by.actor };
  const range = { from: fromDate, to: toDate };
  const reads = await readAgents([...byAgent.keys()], by.now, async (agentId) =>
    assignmentOps(agentId, await listAgentAssignments(agentId, fromDate, toDate), byAgent.get(agentId) ?? new Map<string, string>(), stamp, range),
  );
  const change = changeSet("rota.imported", by, reads, range);
  await commitRotaChange(change, by.now);
  await recomputeDuty(by.now, [...byAgent.keys()]);
  const { written, removed } = changeCounts(change.ops);
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
  await transact([exceptionPut(exception), ...agents.map((agentId) => auditOp({ entity: "rota", entityId: agentId, action: `rota.${input.kind}.created`, actor: by.actor, at, details: exception }))]);
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
    await transact([exceptionDelete(exceptionId), ...agents.map((agentId) => auditOp({ entity: "rota", entityId: agentId, action: `rota.${exception.kind}.deleted`, actor: by.actor, at, details: exception }))]);
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
  if (result.unstaffable) {
    const { interval, localFrom, trafficErlangs, maxSlots } = result.unstaffable;
    throw new UnstaffableForecastError(
      `The forecast cannot be staffed: interval ${interval} (${localFrom}) offers ${trafficErlangs} Erlangs, and no staffing up to ${maxSlots} chat slots meets the service level. Check volumes and aht.`,
      { errors: [{ field: "volumes", message: `interval ${interval} (${localFrom}): ${trafficErlangs} Erlangs needs more than ${maxSlots} slots` }], extra: result.unstaffable },
    );
  }
  if (!result.result) throw new ValidationError("The forecast does not fit the day.", { errors: [{ field: "volumes", message: result.error ?? "wrong length" }] });
  return result.result;
}
