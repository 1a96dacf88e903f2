/**
 * The integrations routes' contract: the platform's conversation events (PlatformEventsApi) and
 * the supervisor's view of assignment-callback deliveries (IntegrationsApi). Request schemas at
 * module level; responses in `contract()` only (generator).
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { platformEventResultSchema } from "../routing/responses.js";
import type { Contract } from "../shared/contract.js";
import { platformEventSchema } from "./domain.js";
import { deliveryPageSchema, deliveryViewSchema } from "./responses.js";

export const deliveriesQuery = lazy(() => z.strictObject({
  status: z._default(z.enum(["failed", "pending", "skipped"]), "failed"),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
}));

export const eventIdPath = lazy(() => z.object({ eventId: z.string().check(z.minLength(1), z.maxLength(200)) }));

export function contract(): Contract {
  return {
    "POST /webhooks/conversation-events": {
      summary: "The chat platform says what happened to a conversation (signed)",
      description: "`agent-replied` records the first response; `customer-left` abandons a waiting one or closes an assigned one; `closed` frees the slot. The same `eventId` twice, or an event older than the current episode, is acknowledged with no effect; an unknown conversation is a 404.",
      body: platformEventSchema,
      responses: { 200: { description: "Applied, ignored, stale or a duplicate.", schema: platformEventResultSchema } },
      problems: [404, 409],
    },
    "GET /integrations/deliveries": {
      summary: "Assignment-callback deliveries in a status (default failed), oldest change first",
      query: deliveriesQuery,
      responses: { 200: { description: "A page of deliveries; `next` null on the last.", schema: deliveryPageSchema } },
    },
    "POST /integrations/deliveries/{eventId}/redrive": {
      summary: "Send a failed or skipped callback again",
      params: eventIdPath,
      responses: { 202: { description: "Pending again, with a fresh message.", schema: deliveryViewSchema } },
      problems: [409],
    },
  };
}
