/** Request schemas of the plan routes (`POST /rota/plans`, `PATCH /rota/plans/{planId}`); pure. */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { agentIdSchema, skillSchema } from "../agents/domain.js";
import { maxDayIntervals, staffingShape, volumesSchema } from "./coverage.js";
import { OFF, dateSchema, hhmmSchema, shiftIdSchema, zoneSchema } from "./domain.js";

/** Longest plan range (days) and largest team one plan may hold: bounds the MIP and keeps the stored plan far below 400 KB. */
export const maxPlanDays = 7;
export const maxPlanAgents = 200;
export const maxPlanShifts = 12;
const maxPlanIntervals = maxPlanDays * maxDayIntervals;

const planAssignmentSchema = lazy(() => z.strictObject({ agentId: agentIdSchema, date: dateSchema, shiftId: z.union([shiftIdSchema, z.literal(OFF)]) }));

export const planRulesInputSchema = lazy(() => z.strictObject({
  maxHoursPerWeek: z._default(z.number().check(z.gt(0), z.maximum(168)), 40),
  minRestHours: z._default(z.number().check(z.minimum(0), z.maximum(48)), 11),
  maxConsecutiveDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(7)), 6),
  daysOffPerWeek: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(6)), 1),
}));

export const planInputSchema = lazy(() => z.strictObject({
  from: dateSchema,
  to: dateSchema,
  timeZone: zoneSchema,
  intervalMinutes: z._default(z.union([z.literal(15), z.literal(30), z.literal(60)]), 30),
  /** Only agents with this skill may be planned (their profiles say). */
  skill: z.optional(skillSchema),
  /** Agents required per interval of the whole range (one per interval, day after day). */
  required: z.optional(z.array(z.number().check(z.int(), z.minimum(0), z.maximum(10_000))).check(z.minLength(1), z.maxLength(maxPlanIntervals))),
  /** Or a forecast per interval, staffed with the chat-aware model of POST /rota/coverage at the planned agents' own maxConcurrent. */
  forecast: z.optional(z.strictObject({ volumes: volumesSchema(maxPlanIntervals), ...staffingShape })),
  /** Shift templates: existing shifts by id, or inline start/end in the plan's zone (created at publish). */
  shifts: z
    .array(z.union([z.strictObject({ shiftId: shiftIdSchema }), z.strictObject({ start: hhmmSchema, end: hhmmSchema })]))
    .check(z.minLength(1), z.maxLength(maxPlanShifts)),
  agents: z.array(agentIdSchema).check(z.minLength(1), z.maxLength(maxPlanAgents)),
  rules: z._default(planRulesInputSchema, { maxHoursPerWeek: 40, minRestHours: 11, maxConsecutiveDays: 6, daysOffPerWeek: 1 }),
}));

export type PlanInput = z.infer<typeof planInputSchema>;

export const planEditSchema = lazy(() => z.strictObject({
  /** The plan's version as read (a concurrent edit is a 409). */
  version: z.number().check(z.int(), z.minimum(1)),
  /** Replaces every assignment of the plan (`off` entries may be given or left out). */
  assignments: z.array(planAssignmentSchema).check(z.maxLength(maxPlanAgents * maxPlanDays)),
}));

export const planPath = lazy(() => z.object({ planId: z.uuid() }));
