/**
 * `PlatformEventsApi`: `POST /webhooks/conversation-events`, signed like every machine call. The
 * effect is the routing capability's (use-cases/events.ts); this entry wires signature + zod.
 */
import { jsonBody } from "../shared/http.js";
import { httpApi } from "../shared/http-webhook.js";
import { applyPlatformEvent } from "../routing/use-cases/index.js";
import { platformEventSchema } from "./domain.js";
import { platformEventsApi } from "./functions.js";

export const handler = httpApi(platformEventsApi, {
  "POST /webhooks/conversation-events": async (request) => {
    const event = jsonBody(request, platformEventSchema);
    const result = await applyPlatformEvent(event, request.now, request.correlationId);
    return {
      status: 200,
      body: { eventId: event.eventId, ...result, ...(result.outcome === "duplicate" ? { duplicate: true } : {}) },
    };
  },
});
