/**
 * Workforce planning's request and stored shapes: the forecast query, the day's campaign
 * multiplier, the adherence query. Pure.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { skillSchema } from "../agents/domain.js";
import { dateSchema, instantSchema, zoneSchema } from "../rota/domain.js";
import { forecastBases } from "./forecast.js";

const numberParam = (schema: z.ZodMiniNumber<number>) => z.pipe(z.coerce.number(), schema);

/** Weeks of history a `weeks` forecast averages by default, and at most (each week is two small queries). */
export const defaultForecastWeeks = 6;
export const maxForecastWeeks = 12;

export const forecastQuerySchema = lazy(() => z.object({
  date: dateSchema,
  skill: z.optional(skillSchema),
  interval: z._default(numberParam(z.number().check(z.int())).check(z.refine((n) => [15, 30, 60].includes(n), "must be 15, 30 or 60")), 30),
  /** The day's zone; default the shop's (SHOP_TIME_ZONE). */
  timeZone: z.optional(zoneSchema),
  /** `weeks`: the same weekday over the last `weeks` weeks; `lastYear`: the same date a year back. Default: the day's multiplier's base, else `weeks`. */
  base: z.optional(z.enum(forecastBases)),
  weeks: z._default(numberParam(z.number().check(z.int(), z.minimum(1), z.maximum(maxForecastWeeks))), defaultForecastWeeks),
}));
export type ForecastQuery = z.infer<typeof forecastQuerySchema>;

export const maxMultiplier = 100;

export const forecastMultiplierInputSchema = lazy(() => z.strictObject({
  /** The campaign's factor on the base curve: 1.3 = 30 % more than the base. */
  multiplier: z.number().check(z.gt(0), z.maximum(maxMultiplier)),
  base: z.optional(z.enum(forecastBases)),
  note: z.optional(z.string().check(z.maxLength(200))),
}));
export type ForecastMultiplierInput = z.infer<typeof forecastMultiplierInputSchema>;

export const forecastMultiplierSchema = lazy(() => z.object({
  date: z.string(),
  multiplier: z.number(),
  base: z.optional(z.enum(forecastBases)),
  note: z.optional(z.string()),
  setBy: z.string(),
  setAt: z.string(),
}));
export type ForecastMultiplier = z.infer<typeof forecastMultiplierSchema>;

export const multiplierPath = lazy(() => z.object({ date: dateSchema }));

/** Longest adherence range: presence history and the rota are read per agent over it. */
export const maxAdherenceDays = 7;

export const adherenceQuerySchema = lazy(() => z.object({
  from: instantSchema,
  to: instantSchema,
  interval: z._default(numberParam(z.number().check(z.int())).check(z.refine((n) => [15, 30, 60].includes(n), "must be 15, 30 or 60")), 30),
  agentId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
}));
export type AdherenceQuery = z.infer<typeof adherenceQuerySchema>;
