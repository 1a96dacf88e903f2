/** `IntegrationsApi`: the supervisor's view of assignment-callback deliveries, and redrive. */
import * as z from "zod/mini";
import { httpApi, validate } from "../shared/http.js";
import { integrationsApi } from "./functions.js";
import { listDeliveries, redriveDelivery } from "./use-cases.js";

const listQuery = z.strictObject({
    status: z._default(z.enum(["failed", "pending", "skipped"]), "failed"),
    limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
  });

const eventIdPath = z.object({ eventId: z.string().check(z.minLength(1), z.maxLength(200)) });

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
