/**
 * The rota's vocabulary and input rules: shifts, dated assignments, rotation patterns and
 * exceptions (leave, override, swap). Pure: schemas and types only, no AWS.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import type { ShiftView } from "./responses.js";
import { agentIdSchema } from "../agents/domain.js";
import { isValidDate, isValidZone, parseDate, parseHhmm } from "./time.js";

/** Longest range one request may resolve or one exception may span, in days. */
export const maxRangeDays = 62;
/** Longest rotation pattern (entries). */
export const maxPatternLength = 62;
export const OFF = "off";

export const shiftIdSchema = lazy(() => z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'"), z.refine((id) => id !== OFF, `"${OFF}" is reserved for days off`)));

export const dateSchema = lazy(() => z.string().check(z.refine(isValidDate, "must be a calendar date YYYY-MM-DD")));
export const hhmmSchema = lazy(() => z.string().check(z.refine((v) => parseHhmm(v) !== undefined, "must be a time HH:mm (00:00-23:59)")));
/** An IANA zone, stored in its canonical spelling (`asia/shanghai` → `Asia/Shanghai`), so equal zones compare equal. */
export const zoneSchema = lazy(() => z.pipe(z.string().check(z.refine(isValidZone, "must be an IANA time zone such as Asia/Shanghai")), z.transform((zone) => new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone)));
export const instantSchema = lazy(() => z.iso.datetime({ offset: true, message: "must be an ISO-8601 date-time with offset" }));

export const shiftInputSchema = lazy(() => z.strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    start: hhmmSchema,
    end: hhmmSchema,
    timeZone: zoneSchema,
  }));

export type ShiftInput = z.infer<typeof shiftInputSchema>;

/** A shift as stored and served. Not strict: a stored item may carry more attributes than a request. */
export const shiftSchema = lazy(() => z.object({
  shiftId: z.string(),
  name: z.string(),
  start: hhmmSchema,
  end: hhmmSchema,
  timeZone: zoneSchema,
  updatedAt: z.string(),
  updatedBy: z.string(),
}));

export type Shift = z.infer<typeof shiftSchema>;

/** Planned wall-clock length: end ≤ start crosses midnight; end = start is a 24-hour shift. */
export function plannedMinutes(shift: Pick<Shift, "start" | "end">): number {
  const start = parseHhmm(shift.start) ?? 0;
  const end = parseHhmm(shift.end) ?? 0;
  return end > start ? end - start : end + 1440 - start;
}

export function crossesMidnight(shift: Pick<Shift, "start" | "end">): boolean {
  return (parseHhmm(shift.end) ?? 0) <= (parseHhmm(shift.start) ?? 0);
}

export function shiftView(shift: Shift): ShiftView {
  return { ...shift, crossesMidnight: crossesMidnight(shift), plannedMinutes: plannedMinutes(shift) };
}

const assignmentInputSchema = lazy(() => z.strictObject({
    agentId: agentIdSchema,
    date: dateSchema,
    /** A shift id, `"off"` for a planned day off, or null to clear the dated entry (the pattern applies again). */
    shiftId: z.union([shiftIdSchema, z.literal(OFF), z.null()]),
  }));

const patternInputSchema = lazy(() => z.strictObject({
    agentId: agentIdSchema,
    pattern: z.array(z.union([shiftIdSchema, z.literal(OFF)])).check(z.minLength(1), z.maxLength(maxPatternLength)),
    startDate: dateSchema,
    endDate: z.optional(dateSchema),
  }).check(z.refine((p) => p.endDate === undefined || p.endDate >= p.startDate, { path: ["endDate"], message: "must not be before startDate" })));

export const rotaInputSchema = lazy(() => z.strictObject({
    assignments: z.optional(z.array(assignmentInputSchema).check(z.maxLength(2000))),
    patterns: z.optional(z.array(patternInputSchema).check(z.maxLength(500))),
    /** Accept shifts of one agent that overlap (otherwise a 409 names them). */
    allowOverlap: z.optional(z.boolean()),
  }).check(z.superRefine((body, ctx) => {
    const seen = new Map<string, number>();
    body.assignments?.forEach((a, i) => {
      const key = `${a.agentId}|${a.date}`;
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: ["assignments", i, "date"], message: `duplicates assignments.${first} (same agent and date)` });
      else seen.set(key, i);
    });
    const seenPatterns = new Map<string, number>();
    body.patterns?.forEach((p, i) => {
      const key = `${p.agentId}|${p.startDate}`;
      const first = seenPatterns.get(key);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: ["patterns", i, "startDate"], message: `duplicates patterns.${first} (same agent and startDate)` });
      else seenPatterns.set(key, i);
    });
  })));

export type RotaInput = z.infer<typeof rotaInputSchema>;

/** A dated assignment as stored: `shiftId` is a shift or `"off"`. */
export const assignmentSchema = lazy(() => z.object({
  agentId: z.string(),
  date: dateSchema,
  shiftId: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
}));

export type Assignment = z.infer<typeof assignmentSchema>;

/**
 * A rotation: day `startDate + k` works `pattern[k mod length]`. Where an agent has several
 * patterns, the one with the latest `startDate` on or before the day (and not ended) applies.
 */
export const patternSchema = lazy(() => z.object({
  agentId: z.string(),
  pattern: z.array(z.string()).check(z.minLength(1)),
  startDate: dateSchema,
  endDate: z.optional(dateSchema),
  updatedAt: z.string(),
  updatedBy: z.string(),
}));

export type Pattern = z.infer<typeof patternSchema>;

function spanDays(from: string, to: string): number {
  return (parseDate(to) ?? 0) - (parseDate(from) ?? 0);
}

export const exceptionInputSchema = lazy(() => z.discriminatedUnion("kind", [
  z.strictObject({
      kind: z.literal("leave"),
      agentId: agentIdSchema,
      from: instantSchema,
      to: instantSchema,
      reason: z.optional(z.string().check(z.maxLength(200))),
    }).check(z.refine((e) => Date.parse(e.to) > Date.parse(e.from), { path: ["to"], message: "must be after from" }), z.refine((e) => Date.parse(e.to) - Date.parse(e.from) <= maxRangeDays * 86_400_000, { path: ["to"], message: `leave may span at most ${maxRangeDays} days; add several` })),
  z.strictObject({
      kind: z.literal("override"),
      agentId: agentIdSchema,
      date: dateSchema,
      /** Inclusive; absent = the one date. */
      endDate: z.optional(dateSchema),
      shiftId: shiftIdSchema,
      reason: z.optional(z.string().check(z.maxLength(200))),
    }).check(z.refine((e) => e.endDate === undefined || e.endDate >= e.date, { path: ["endDate"], message: "must not be before date" }), z.refine((e) => e.endDate === undefined || spanDays(e.date, e.endDate) < maxRangeDays, { path: ["endDate"], message: `an override may span at most ${maxRangeDays} days` })),
  z.strictObject({
      kind: z.literal("swap"),
      agentId: agentIdSchema,
      withAgentId: agentIdSchema,
      date: dateSchema,
      reason: z.optional(z.string().check(z.maxLength(200))),
    }).check(z.refine((e) => e.agentId !== e.withAgentId, { path: ["withAgentId"], message: "must differ from agentId" })),
]));

export type ExceptionInput = z.infer<typeof exceptionInputSchema>;

/** An exception as stored: the validated input plus who created it when. */
export const rotaExceptionSchema = lazy(() => z.intersection(exceptionInputSchema, z.object({ exceptionId: z.string(), createdAt: z.string(), createdBy: z.string() })));

export type RotaException = z.infer<typeof rotaExceptionSchema>;

/** Agents an exception changes (a swap changes two). */
export function exceptionAgents(exception: ExceptionInput): string[] {
  return exception.kind === "swap" ? [exception.agentId, exception.withAgentId] : [exception.agentId];
}

/** Sort key placing an exception on the timeline (UTC instant for leave, date otherwise). */
export function exceptionStartKey(exception: ExceptionInput): string {
  return exception.kind === "leave" ? new Date(exception.from).toISOString() : exception.date;
}

/**
 * Whether an exception touches any day of [fromDate, toDate] (inclusive `YYYY-MM-DD`; leave is
 * placed by the UTC dates of its instants). Listing by start alone would miss a leave or an
 * override range that began before `fromDate` and still runs.
 */
export function exceptionOverlaps(exception: ExceptionInput, fromDate: string, toDate: string): boolean {
  switch (exception.kind) {
    case "leave":
      return new Date(exception.from).toISOString().slice(0, 10) <= toDate && new Date(exception.to).toISOString().slice(0, 10) >= fromDate;
    case "override":
      return exception.date <= toDate && (exception.endDate ?? exception.date) >= fromDate;
    case "swap":
      return exception.date >= fromDate && exception.date <= toDate;
  }
}
