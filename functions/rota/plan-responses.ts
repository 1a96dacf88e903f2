/** Response schemas of the plan routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { calendarDate, instant, named } from "../shared/responses.js";

const int = () => z.number().check(z.int());

export const rotaPlanViewSchema = named(
  "RotaPlan",
  z.strictObject({
    planId: z.string(),
    status: z.enum(["draft", "published"]),
    version: int(),
    from: calendarDate,
    to: calendarDate,
    timeZone: z.string(),
    intervalMinutes: int(),
    skill: z.optional(z.string()),
    agents: z.array(z.string()),
    shifts: z.array(z.strictObject({ shiftId: z.string(), start: z.string(), end: z.string(), timeZone: z.string(), inline: z.boolean() })),
    rules: z.strictObject({ maxHoursPerWeek: z.number(), minRestHours: z.number(), maxConsecutiveDays: int(), daysOffPerWeek: int() }),
    required: z.array(int()),
    requiredFrom: z.enum(["body", "forecast"]),
    assignments: z.array(z.strictObject({ agentId: z.string(), date: calendarDate, shiftId: z.string() })),
    solver: z.strictObject({
      status: z.string(),
      solveSeconds: z.number(),
      candidates: int(),
      objective: z.number(),
      /** The LP relaxation's optimum: no plan of the same problem scores lower (absent on plans made before it was recorded). */
      lowerBound: z.optional(z.number()),
      /** (objective − lowerBound) ÷ lowerBound: how far above the best possible the solver's plan can be at most; null when the bound is 0 and the plan is not. */
      gap: z.optional(z.nullable(z.number())),
    }),
    createdAt: instant,
    createdBy: z.string(),
    updatedAt: instant,
    updatedBy: z.string(),
    publishedAt: z.optional(instant),
    publishedBy: z.optional(z.string()),
    coverage: z.strictObject({
      paidHours: z.number(),
      shifts: int(),
      shortIntervals: int(),
      shortAgentIntervals: int(),
      intervals: z.array(z.strictObject({ from: instant, localFrom: z.string(), required: int(), planned: int(), short: int() })),
    }),
    violations: z.array(z.strictObject({ agentId: z.string(), rule: z.string(), message: z.string() })),
    /** Publish only: what the rota change wrote (0 and [] when the plan was published before). */
    rota: z.optional(z.strictObject({ assignments: int(), agents: z.array(z.string()) })),
  }),
  "A rota plan the solver drew: its range, shift templates, rules, required agents per interval, the assignments, and its coverage table (planned vs required per interval, the intervals it cannot meet and by how much).",
);
