/**
 * Rota HTTP API (supervisors only): shifts, dated assignments and patterns, CSV import,
 * exceptions, who is on duty, coverage. Every change commits with its audit records, then
 * recomputes duty for the agents it touches so routing sees it at once.
 */
import { randomUUID } from "node:crypto";
import * as z from "zod";
import { skillSchema } from "../agents/domain.js";
import { getAgent, listAgents } from "../agents/store.js";
import type { TransactItem } from "../agents/store.js";
import { auditPut } from "../shared/audit.js";
import { NotFoundError, UnsupportedMediaTypeError, ValidationError, type FieldError } from "../shared/errors.js";
import { actorOf, httpApi, jsonBody, validate } from "../shared/http.js";
import { computeCoverage, coverageQuerySchema, dayIntervals } from "./coverage.js";
import { checkImportRows, parseRotaCsv } from "./csv.js";
import {
  OFF,
  dateSchema,
  exceptionAgents,
  exceptionOverlaps,
  exceptionInputSchema,
  instantSchema,
  maxRangeDays,
  rotaInputSchema,
  shiftIdSchema,
  shiftInputSchema,
  shiftView,
  type Assignment,
  type Pattern,
  type RotaException,
  type Shift,
} from "./domain.js";
import { recomputeDuty } from "./duty.js";
import { rotaApi } from "./functions.js";
import { dutyAt, resolveRota } from "./resolve.js";
import {
  assignmentDelete,
  assignmentPut,
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

/** Agent ids (deduplicated) that do not exist. */
async function unknownAgents(agentIds: Iterable<string>): Promise<Set<string>> {
  const ids = [...new Set(agentIds)];
  const found = await Promise.all(ids.map(async (id) => [id, await getAgent(id)] as const));
  return new Set(found.filter(([, agent]) => !agent).map(([id]) => id));
}

function rejectIfAny(errors: FieldError[], detail: string): void {
  if (errors.length > 0) throw new ValidationError(detail, { errors });
}

const rotaQuerySchema = z
  .object({
    from: z.union([dateSchema, instantSchema]),
    to: z.union([dateSchema, instantSchema]),
    agentId: z.string().optional(),
  })
  .refine((q) => (parseDate(q.from) === undefined) === (parseDate(q.to) === undefined), { path: ["to"], message: "from and to must both be dates or both be instants" });

const onDutyQuerySchema = z.object({ at: instantSchema.optional(), skill: skillSchema.optional() });

const exceptionsQuerySchema = z.object({ from: dateSchema.optional(), to: dateSchema.optional(), agentId: z.string().optional() });

export const handler = httpApi(rotaApi, {
  "PUT /shifts/{shiftId}": async (request) => {
    const { shiftId } = validate(z.object({ shiftId: shiftIdSchema }), request.params, "path");
    const input = jsonBody(request, shiftInputSchema);
    const before = await getShift(shiftId);
    const actor = actorOf(request);
    const at = request.now.toISOString();
    const shift: Shift = { shiftId, ...input, updatedAt: at, updatedBy: actor };
    await commit([
      shiftPut(shift),
      auditPut({ entity: "shift", entityId: shiftId, action: before ? "shift.updated" : "shift.created", actor, at, details: { before: before ?? null, after: input } }),
    ]);
    // Anyone may work this shift: a changed time can start or end duty for any of them.
    if (before) await recomputeDuty(request.now);
    return { status: before ? 200 : 201, body: shiftView(shift) };
  },

  "GET /shifts": async () => {
    const shifts = await listShifts();
    return { status: 200, body: { shifts: shifts.sort((a, b) => a.shiftId.localeCompare(b.shiftId)).map(shiftView) } };
  },

  "PUT /rota": async (request) => {
    const body = jsonBody(request, rotaInputSchema);
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

    const actor = actorOf(request);
    const at = request.now.toISOString();
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
      ops.push(auditPut({ entity: "rota", entityId: agentId, action: "rota.updated", actor, at, details: { assignments: assignmentChanges, patterns: patternChanges } }));
    }
    await commit(ops);
    const duty = await recomputeDuty(request.now, agents);
    return { status: 200, body: { changed: { assignments: changedAssignments, patterns: changedPatterns }, agents, duty: { started: duty.started, ended: duty.ended } } };
  },

  "GET /rota": async (request) => {
    const q = validate(rotaQuerySchema, request.query, "query");
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
    return { status: 200, body: { from: q.from, to: q.to, occurrences } };
  },

  "POST /rota/import": async (request) => {
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (contentType !== "text/csv") throw new UnsupportedMediaTypeError(`POST /rota/import takes text/csv (columns agent,date,shift); got ${contentType || "no content type"}.`);
    const parsed = parseRotaCsv(request.rawBody);
    rejectIfAny(parsed.errors, "The CSV file cannot be read; nothing was imported.");
    const [missingAgents, shifts] = await Promise.all([unknownAgents(parsed.rows.map((r) => r.agent).filter((a) => /^[A-Za-z0-9_.-]{1,64}$/.test(a))), listShifts()]);
    const shiftIds = new Set(shifts.map((s) => s.shiftId));
    const checked = checkImportRows(parsed.rows, (id) => !missingAgents.has(id), (id) => shiftIds.has(id));
    if (!checked.plan) throw new ValidationError(`${checked.errors.length} problem(s) in the file; nothing was imported.`, { errors: checked.errors });
    const { fromDate, toDate, byAgent } = checked.plan;

    const actor = actorOf(request);
    const at = request.now.toISOString();
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
      if (changes.length > 0) ops.push(auditPut({ entity: "rota", entityId: agentId, action: "rota.imported", actor, at, details: { from: fromDate, to: toDate, changes } }));
    }
    await commit(ops);
    await recomputeDuty(request.now, [...byAgent.keys()]);
    return { status: 200, body: { from: fromDate, to: toDate, rows: parsed.rows.length, agents: byAgent.size, written, removed } };
  },

  "POST /rota/exceptions": async (request) => {
    const input = jsonBody(request, exceptionInputSchema);
    const agents = exceptionAgents(input);
    const missing = await unknownAgents(agents);
    const errors: FieldError[] = [];
    if (missing.has(input.agentId)) errors.push({ field: "agentId", message: `unknown agent "${input.agentId}"` });
    if (input.kind === "swap" && missing.has(input.withAgentId)) errors.push({ field: "withAgentId", message: `unknown agent "${input.withAgentId}"` });
    if (input.kind === "override" && !(await getShift(input.shiftId))) errors.push({ field: "shiftId", message: `unknown shift "${input.shiftId}"` });
    rejectIfAny(errors, "The exception refers to unknown agents or shifts; nothing was changed.");
    const actor = actorOf(request);
    const at = request.now.toISOString();
    const exception: RotaException = { ...input, exceptionId: randomUUID(), createdAt: at, createdBy: actor };
    await commit([
      exceptionPut(exception),
      ...agents.map((agentId) => auditPut({ entity: "rota", entityId: agentId, action: `rota.${input.kind}.created`, actor, at, details: exception })),
    ]);
    await recomputeDuty(request.now, agents);
    return { status: 201, body: exception, headers: { location: `/rota/exceptions/${exception.exceptionId}` } };
  },

  "GET /rota/exceptions": async (request) => {
    const q = validate(exceptionsQuerySchema, request.query, "query");
    const from = q.from ?? "0000-01-01";
    const to = q.to ?? "9999-12-31";
    // Exceptions span at most maxRangeDays, so one that overlaps the range starts no earlier than that.
    const fromDay = parseDate(from);
    const earliest = q.from && fromDay !== undefined ? formatDate(fromDay - maxRangeDays - 1) : "0000";
    const exceptions = (await listExceptions(earliest, to)).filter((e) => exceptionOverlaps(e, from, to));
    const mine = q.agentId ? exceptions.filter((e) => exceptionAgents(e).includes(q.agentId ?? "")) : exceptions;
    return { status: 200, body: { exceptions: mine } };
  },

  "DELETE /rota/exceptions/{exceptionId}": async (request) => {
    const { exceptionId } = validate(z.object({ exceptionId: z.uuid() }), request.params, "path");
    const exception = await getException(exceptionId);
    if (!exception) throw new NotFoundError(`No rota exception "${exceptionId}".`);
    const actor = actorOf(request);
    const at = request.now.toISOString();
    const agents = exceptionAgents(exception);
    try {
      await commit([
        exceptionDelete(exceptionId),
        ...agents.map((agentId) => auditPut({ entity: "rota", entityId: agentId, action: `rota.${exception.kind}.deleted`, actor, at, details: exception })),
      ]);
    } catch (error) {
      // A concurrent delete won: report it as gone.
      if (error instanceof Error && error.name === "TransactionCanceledException") throw new NotFoundError(`No rota exception "${exceptionId}".`);
      throw error;
    }
    await recomputeDuty(request.now, agents);
    return { status: 204 };
  },

  "GET /rota/on-duty": async (request) => {
    const q = validate(onDutyQuerySchema, request.query, "query");
    if (q.at === undefined) {
      // The current instant: the view kept by the duty clock, one query.
      const now = request.now.toISOString();
      const view = await listOnDuty();
      const agents = view
        .filter((v) => v.from <= now && now < v.to && (q.skill === undefined || v.skills.includes(q.skill)))
        .map(({ agentId, shiftId, from, to }) => ({ agentId, shiftId, from, to }))
        .sort((a, b) => a.agentId.localeCompare(b.agentId));
      return { status: 200, body: { at: now, source: "view", agents } };
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
    return { status: 200, body: { at: at.toISOString(), source: "rota", agents } };
  },

  "GET /rota/coverage": async (request) => {
    const q = validate(coverageQuerySchema, request.query, "query");
    const intervals = dayIntervals(q.date, q.timeZone, q.interval);
    const first = intervals[0];
    const last = intervals[intervals.length - 1];
    if (!first || !last) throw new ValidationError("The day has no intervals.", { errors: [{ field: "date", message: "empty day" }] });
    const window = { from: new Date(first.from), to: new Date(last.to) };
    const [data, agents] = await Promise.all([loadRotaData(window), listAgents()]);
    const coverage = computeCoverage(q, resolveRota(data, window), new Map(agents.map((a) => [a.agentId, a.skills])));
    if (!coverage.result) throw new ValidationError("The forecast does not fit the day.", { errors: [{ field: "volumes", message: coverage.error ?? "wrong length" }] });
    return { status: 200, body: coverage.result };
  },
});
