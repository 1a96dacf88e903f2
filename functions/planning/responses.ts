/** Response schemas of the planning routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { calendarDate, instant, named } from "../shared/responses.js";
import { forecastMultiplierSchema } from "./domain.js";
import { forecastBases } from "./forecast.js";

const count = z.number().check(z.minimum(0));

export const forecastPointSchema = named(
  "ForecastInterval",
  z.strictObject({
    interval: z.number().check(z.int()),
    from: instant,
    to: instant,
    localFrom: z.string(),
    base: count,
    forecast: count,
    actual: z.nullable(z.number().check(z.int(), z.minimum(0))),
    reforecast: count,
  }),
  "One interval: the base (history's mean, or last year's), forecast = base × multiplier, arrivals so far (null before it begins), and the reforecast (elapsed: the actual; later: forecast × ratio).",
);

export const forecastSchema = named(
  "Forecast",
  z.strictObject({
    date: calendarDate,
    timeZone: z.string(),
    skill: z.nullable(z.string()),
    interval: z.number().check(z.int()),
    base: z.enum(forecastBases),
    weeks: z.optional(z.number().check(z.int())),
    historyDates: z.array(calendarDate),
    multiplier: z.strictObject({ value: z.number(), setBy: z.nullable(z.string()), setAt: z.nullable(instant), note: z.optional(z.string()) }),
    asOf: instant,
    intraday: z.strictObject({
      elapsedIntervals: z.number().check(z.int(), z.minimum(0)),
      actualSoFar: count,
      forecastSoFar: count,
      ratio: z.nullable(z.number()),
      method: z.string(),
    }),
    totals: z.strictObject({ base: count, forecast: count, actualSoFar: count, reforecast: count }),
    intervals: z.array(forecastPointSchema),
  }),
  "The arrivals forecast of a local day per interval, with the intraday reforecast.",
);

export const forecastMultiplierView = named("ForecastMultiplier", forecastMultiplierSchema, "A day's campaign multiplier and the base it applies to by default.");

const minutes = z.number().check(z.minimum(0));
const rate = z.nullable(z.number().check(z.minimum(0), z.maximum(1)));

export const adherenceIntervalSchema = named(
  "AdherenceInterval",
  z.strictObject({
    from: instant,
    to: instant,
    scheduledMinutes: minutes,
    scheduled: z.strictObject({ online: minutes, paused: minutes, away: minutes, offline: minutes }),
    outOfAdherenceMinutes: minutes,
    unscheduledOnlineMinutes: minutes,
  }),
  "One interval of one agent: scheduled minutes split by the presence the agent had, minutes out of adherence, and online minutes off the schedule.",
);

export const adherenceSchema = named(
  "Adherence",
  z.strictObject({
    from: instant,
    to: instant,
    interval: z.number().check(z.int()),
    team: z.strictObject({ agents: z.number().check(z.int()), scheduledMinutes: minutes, inAdherenceMinutes: minutes, outOfAdherenceMinutes: minutes, adherence: rate }),
    agents: z.array(
      z.strictObject({
        agentId: z.string(),
        scheduledMinutes: minutes,
        inAdherenceMinutes: minutes,
        outOfAdherenceMinutes: minutes,
        adherence: rate,
        unscheduledOnlineMinutes: minutes,
        intervals: z.array(adherenceIntervalSchema),
      }),
    ),
  }),
  "Schedule adherence of the agents with duty in the range.",
);
