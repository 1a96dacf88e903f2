/** Planning HTTP API (supervisors only): the forecast and its multipliers, adherence. */
import { NotFoundError } from "../shared/errors.js";
import { actorOf, httpApi, jsonBody, validate } from "../shared/http.js";
import { queryOf } from "../rota/http-query.js";
import { adherenceQuerySchema, forecastMultiplierInputSchema, forecastQuerySchema, multiplierPath } from "./domain.js";
import { planningApi } from "./functions.js";
import { adherenceReport } from "./use-cases/adherence.js";
import { forecastDay, multiplierOf, removeMultiplier, setMultiplier } from "./use-cases/forecast.js";

export const handler = httpApi(planningApi, {
  "GET /forecast": async (request) => ({ status: 200, body: await forecastDay(queryOf(forecastQuerySchema, request), request.now) }),

  "GET /forecast/multipliers/{date}": async (request) => {
    const { date } = validate(multiplierPath, request.params, "path");
    const multiplier = await multiplierOf(date);
    if (!multiplier) throw new NotFoundError(`No forecast multiplier for ${date}.`);
    return { status: 200, body: multiplier };
  },

  "PUT /forecast/multipliers/{date}": async (request) => {
    const { date } = validate(multiplierPath, request.params, "path");
    const { created, multiplier } = await setMultiplier(date, jsonBody(request, forecastMultiplierInputSchema), { actor: actorOf(request), now: request.now });
    return { status: created ? 201 : 200, body: multiplier };
  },

  "DELETE /forecast/multipliers/{date}": async (request) => {
    const { date } = validate(multiplierPath, request.params, "path");
    await removeMultiplier(date, { actor: actorOf(request), now: request.now });
    return { status: 204 };
  },

  "GET /adherence": async (request) => ({ status: 200, body: await adherenceReport(queryOf(adherenceQuerySchema, request)) }),
});
