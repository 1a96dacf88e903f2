/** `IntegrationsApi`: the supervisor's view of assignment-callback deliveries, and redrive. */
import { httpApi, validate } from "../shared/http.js";
import { deliveriesQuery, eventIdPath } from "./contract.js";
import { integrationsApi } from "./functions.js";
import { listDeliveries, redriveDelivery } from "./use-cases.js";

export const handler = httpApi(integrationsApi, {
  "GET /integrations/deliveries": async (request) => {
    const query = validate(deliveriesQuery, request.query, "query");
    return { status: 200, body: await listDeliveries(query.status, query.limit, query.cursor) };
  },

  "POST /integrations/deliveries/{eventId}/redrive": async (request) => {
    const { eventId } = validate(eventIdPath, request.params, "path");
    return { status: 202, body: await redriveDelivery(eventId, request.now) };
  },
});
