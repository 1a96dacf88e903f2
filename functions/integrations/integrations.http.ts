/** `IntegrationsApi`: the supervisor's view of assignment-callback deliveries, and redrive. */
import * as z from "zod";
import { httpApi, validate } from "../shared/http.js";
import { integrationsApi } from "./functions.js";
import { listDeliveries, redriveDelivery } from "./use-cases.js";

const listQuery = z
  .object({
    status: z.enum(["failed", "pending"]).default("failed"),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(2000).optional(),
  })
  .strict();

const eventIdPath = z.object({ eventId: z.string().min(1).max(200) });

export const handler = httpApi(integrationsApi, {
  "GET /integrations/deliveries": async (request) => {
    const query = validate(listQuery, request.query, "query");
    return { status: 200, body: await listDeliveries(query.status, query.limit, query.cursor) };
  },

  "POST /integrations/deliveries/{eventId}/redrive": async (request) => {
    const { eventId } = validate(eventIdPath, request.params, "path");
    return { status: 202, body: await redriveDelivery(eventId, request.now) };
  },
});
