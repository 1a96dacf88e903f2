/**
 * The planning routes' contract: request schemas PlanningApi validates with (./domain.ts) and, in
 * `contract()`, each route's responses (./responses.ts; generator only).
 */
import type { Contract } from "../shared/contract.js";
import { adherenceQuerySchema, forecastMultiplierInputSchema, forecastQuerySchema, multiplierPath } from "./domain.js";
import { adherenceSchema, forecastMultiplierView, forecastSchema } from "./responses.js";

export function contract(): Contract {
  return {
    "GET /forecast": {
      summary: "Arrivals forecast of a local day per interval, from stored arrivals, with the intraday reforecast",
      description:
        "`base=weeks` (default): the mean of the same weekday over the last `weeks` weeks (1-12, default 6); `base=lastYear`: the same date a year back. Times the day's multiplier (`PUT /forecast/multipliers/{date}`, 1 if none). Once intervals are over (by the request's clock), the rest of the day is rescaled by actual / forecast of the elapsed intervals. `timeZone` defaults to the shop's.",
      query: forecastQuerySchema,
      responses: { 200: { description: "The forecast.", schema: forecastSchema } },
    },
    "GET /forecast/multipliers/{date}": {
      summary: "A day's campaign multiplier",
      params: multiplierPath,
      responses: { 200: { description: "The multiplier.", schema: forecastMultiplierView } },
    },
    "PUT /forecast/multipliers/{date}": {
      summary: "Set a day's campaign multiplier (and its default base), audited",
      params: multiplierPath,
      body: forecastMultiplierInputSchema,
      responses: { 200: { description: "Replaced.", schema: forecastMultiplierView }, 201: { description: "Set.", schema: forecastMultiplierView } },
    },
    "DELETE /forecast/multipliers/{date}": {
      summary: "Remove a day's multiplier (the forecast is the base again), audited",
      params: multiplierPath,
      responses: { 204: { description: "Removed." } },
    },
    "GET /adherence": {
      summary: "Schedule adherence over [from, to) (at most 7 days): per agent and interval, scheduled vs actual presence, minutes out of adherence, the team's rate",
      description: "Scheduled = duty from the resolved rota (shifts minus leave); in adherence while `online`; `paused`, `away` and `offline` scheduled minutes are out of adherence. Online time off the schedule is reported, not counted.",
      query: adherenceQuerySchema,
      responses: { 200: { description: "The report.", schema: adherenceSchema } },
    },
  };
}
