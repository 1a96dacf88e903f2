/** Rota plans HTTP API (supervisors only): the solver-drawn drafts. Its own function, so only it bundles HiGHS. */
import { httpApi, jsonBody, validate } from "../shared/http.js";
import { rotaPlansApi } from "./functions.js";
import { by } from "./http-query.js";
import { planEditSchema, planInputSchema, planPath } from "./plan-input.js";
import { createPlan, editPlan, planById, publishPlan } from "./use-cases/plans.js";

export const handler = httpApi(rotaPlansApi, {
  "POST /rota/plans": async (request) => {
    const plan = await createPlan(jsonBody(request, planInputSchema), by(request));
    return { status: 201, body: plan, headers: { location: `/rota/plans/${plan.planId}` } };
  },
  "GET /rota/plans/{planId}": async (request) => ({ status: 200, body: await planById(validate(planPath, request.params, "path").planId) }),
  "PATCH /rota/plans/{planId}": async (request) => {
    const { planId } = validate(planPath, request.params, "path");
    return { status: 200, body: await editPlan(planId, jsonBody(request, planEditSchema), by(request)) };
  },
  "POST /rota/plans/{planId}/publish": async (request) => ({ status: 200, body: await publishPlan(validate(planPath, request.params, "path").planId, by(request)) }),
});
