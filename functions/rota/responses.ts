/** Response schemas of the rota routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { calendarDate, instant, named } from "../shared/responses.js";

const int = () => z.number().check(z.int());
const interval = z.strictObject({ from: instant, to: instant });

export const shiftViewSchema = named(
  "Shift",
  z.strictObject({
    shiftId: z.string(),
    name: z.string(),
    start: z.string(),
    end: z.string(),
    timeZone: z.string(),
    updatedAt: instant,
    updatedBy: z.string(),
    /** end <= start: the shift ends the next day (end = start: 24 hours). */
    crossesMidnight: z.boolean(),
    plannedMinutes: int(),
  }),
  "A shift: local `HH:mm` start and end in its time zone (end <= start crosses midnight; end = start is 24 hours).",
);

export type ShiftView = z.output<typeof shiftViewSchema>;

export const shiftWithUsesSchema = named("ShiftWithUses", z.strictObject({ ...shiftViewSchema.shape, uses: z.nullable(int()) }), "A shift and how many rota entries name it (null: not counted yet).");

export const shiftListSchema = z.strictObject({ shifts: z.array(shiftViewSchema) });

export const rotaChangeResultSchema = named(
  "RotaChangeResult",
  z.strictObject({
    changed: z.strictObject({ assignments: int(), patterns: int() }),
    agents: z.array(z.string()),
    duty: z.strictObject({ started: z.array(z.string()), ended: z.array(z.string()) }),
  }),
  "What the change wrote, whose rota it touched, and whose duty started or ended with it.",
);

export const rotaImportResultSchema = named(
  "RotaImportResult",
  z.strictObject({ from: calendarDate, to: calendarDate, rows: int(), agents: int(), written: int(), removed: int() }),
  "The file's date range, its rows and agents, and the assignments written and removed.",
);

export const rotaImportJobSchema = named(
  "RotaImportJob",
  z.strictObject({
    jobId: z.uuid(),
    status: z.enum(["queued", "applying", "done", "failed"]),
    acceptedAt: instant,
    finishedAt: z.optional(instant),
    from: calendarDate,
    to: calendarDate,
    rows: int(),
    agents: int(),
    /** `applied` of `total` assignment writes and removals staged (total null until the rota is read); none is visible before `done`. */
    progress: z.strictObject({ applied: int(), total: z.nullable(int()) }),
    written: z.optional(int()),
    removed: z.optional(int()),
    /** Failed: the problem type a synchronous import would have answered, its detail and each row or agent involved. */
    problem: z.optional(z.string()),
    detail: z.optional(z.string()),
    errors: z.optional(z.array(z.strictObject({ field: z.string(), message: z.string() }))),
  }),
  "A large CSV import applied asynchronously, all or nothing: queued → applying → done (the whole file is in the rota) or failed (nothing of it is).",
);

export type RotaImportResult = z.output<typeof rotaImportResultSchema>;
export type RotaImportJobView = z.output<typeof rotaImportJobSchema>;

export const occurrenceSchema = named(
  "ShiftOccurrence",
  z.strictObject({
    agentId: z.string(),
    date: calendarDate,
    shiftId: z.string(),
    shiftName: z.string(),
    timeZone: z.string(),
    from: instant,
    to: instant,
    localFrom: z.string(),
    localTo: z.string(),
    plannedMinutes: int(),
    durationMinutes: int(),
    source: z.enum(["assignment", "pattern", "override", "swap"]),
    exceptionId: z.optional(z.string()),
    swappedWith: z.optional(z.string()),
    setBy: z.string(),
    setAt: instant,
    leave: z.array(z.strictObject({ from: instant, to: instant, exceptionId: z.string() })),
    duty: z.array(interval),
  }),
  "One shift an agent works: where it comes from (a dated assignment, a pattern, an override or a swap), its instants, and the leave taken from it.",
);

export const resolvedRotaSchema = named("ResolvedRota", z.strictObject({ from: z.string(), to: z.string(), occurrences: z.array(occurrenceSchema) }));

const stamp = { exceptionId: z.string(), createdAt: instant, createdBy: z.string() };
const reason = z.optional(z.string());

export const rotaExceptionView = named(
  "RotaException",
  z.union([
    z.strictObject({ kind: z.literal("leave"), agentId: z.string(), from: instant, to: instant, reason, ...stamp }),
    z.strictObject({ kind: z.literal("override"), agentId: z.string(), date: calendarDate, endDate: z.optional(calendarDate), shiftId: z.string(), reason, ...stamp }),
    z.strictObject({ kind: z.literal("swap"), agentId: z.string(), withAgentId: z.string(), date: calendarDate, reason, ...stamp }),
  ]),
  "Leave over a time range, an override of the shift on dates, or a swap of two agents' shifts on a date.",
);

export const exceptionListSchema = z.strictObject({ exceptions: z.array(rotaExceptionView) });

export const onDutySchema = named(
  "OnDuty",
  z.strictObject({ at: instant, source: z.enum(["view", "rota"]), agents: z.array(z.strictObject({ agentId: z.string(), shiftId: z.string(), from: instant, to: instant })) }),
  "Who is on duty at an instant: now from the on-duty view, another instant resolved from the rota.",
);

const rate = z.number();
export const coverageSchema = named(
  "Coverage",
  z.strictObject({
    date: calendarDate,
    timeZone: z.string(),
    intervalMinutes: int(),
    skill: z.nullable(z.string()),
    model: z.strictObject({
      ahtSeconds: z.number(),
      ahtGrowth: z.nullable(z.number()),
      ahtByConcurrency: z.nullable(z.array(z.number())),
      concurrency: z.nullable(int()),
      targetServiceLevel: rate,
      answerSeconds: z.number(),
      maxSlots: int(),
    }),
    intervals: z.array(
      z.strictObject({
        from: instant,
        to: instant,
        localFrom: z.string(),
        volume: z.number(),
        shrinkage: rate,
        /** Handle time of the scheduled mix (slot-weighted), or the team's when nobody is scheduled. */
        ahtSeconds: z.number(),
        trafficErlangs: z.number(),
        scheduled: z.number(),
        scheduledBySkill: z.record(z.string(), z.number()),
        productiveSlots: int(),
        requiredSlots: int(),
        requiredAgents: int(),
        predicted: z.strictObject({ probabilityOfWaiting: rate, serviceLevel: rate, averageSpeedOfAnswerSeconds: z.nullable(z.number()) }),
        understaffed: z.boolean(),
      }),
    ),
    summary: z.strictObject({ intervals: int(), understaffedIntervals: int() }),
  }),
  "Per interval of a local day: chat slots scheduled (the agents' own maxConcurrent) against the slots and agents required for the forecast (Erlang C with slots as servers, handle time growing with concurrency), and the service the scheduled slots give.",
);
