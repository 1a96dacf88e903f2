/**
 * Items the integrations capability owns (the chat platform, both ways; docs/integration.md):
 * the dedupe record of each thing the platform sent (an event id, or a byte-identical signed
 * request), written in the same transaction as its effect, and the outbox record of each
 * assignment callback, written in the move's own transaction and updated by the deliverer.
 */
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { assignmentCallbackSchema } from "../../../integrations/domain.js";
import { defineEntity } from "../entity.js";

export const platformEventRecordSchema = lazy(() => z.object({
  dedupeKey: z.string(),
  kind: z.enum(["arrival", "event"]),
  conversationId: z.string(),
  receivedAt: z.string(),
  /** What it did the first time (`created`, `reopened`, `applied`, `stale`, `ignored`…). */
  outcome: z.string(),
  expiresAtEpoch: z.number().check(z.int()),
}));

export const PlatformEvent = defineEntity({
  type: "PlatformEvent",
  owner: "integrations",
  description: "Something the chat platform sent (an arrival or an event), by its eventId or, without one, by the hash of the signed request: a replay is acknowledged and changes nothing. Written in the transaction of its effect; TTL 7 days",
  schema: platformEventRecordSchema,
  pk: "PLATFORMEVENT#{dedupeKey}",
  sk: "SEEN",
  expires: "7 days after it was received",
  patterns: [
    { name: "PlatformEvent.seen", operation: "GetItem PLATFORMEVENT#{dedupeKey} / SEEN, consistent", cost: "1 RRU" },
    { name: "PlatformEvent.record", operation: "Put attribute_not_exists(pk), inside the effect's transaction (or alone when the effect is none)", cost: "2 WRU in a transaction, 1 WRU alone" },
  ],
});

/** `skipped`: callbacks were turned off before it was delivered; it is never sent unless redriven. */
export const deliveryStatuses = ["pending", "delivered", "failed", "skipped"] as const;

export const callbackDeliverySchema = lazy(() => z.object({
  eventId: z.string(),
  conversationId: z.string(),
  sequence: z.number().check(z.int()),
  payload: assignmentCallbackSchema,
  status: z.enum(deliveryStatuses),
  attempts: z.number().check(z.int(), z.minimum(0)),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveredAt: z.optional(z.string()),
  /** The last failed attempt: HTTP status or what went wrong (timeout, refused). */
  lastError: z.optional(z.string()),
  expiresAtEpoch: z.optional(z.number().check(z.int())),
}));
export type CallbackDelivery = z.infer<typeof callbackDeliverySchema>;

export const CallbackDelivery = defineEntity({
  type: "CallbackDelivery",
  owner: "integrations",
  description: "An assignment callback to the chat platform (outbox): written pending in the move's transaction, then delivered or failed by the deliverer, or skipped when callbacks were turned off before it went out; delivered and skipped ones expire after 30 days",
  schema: callbackDeliverySchema,
  pk: "CALLBACK#{eventId}",
  sk: "DELIVERY",
  indexes: {
    byStatus: {
      index: "gsi1",
      pk: "CALLBACKS#{status}",
      sk: "{updatedAt}#{eventId}",
      why: "sparse: only while pending, failed or skipped; supervisors list failed (and skipped) deliveries, the relay re-sends pending ones whose message was lost",
    },
  },
  expires: "30 days after it was delivered or skipped",
  patterns: [
    { name: "CallbackDelivery.outbox", operation: "Put attribute_not_exists(pk), inside the move's TransactWriteItems", cost: "2 WRU (+ 2 WRU for the gsi1 entry)" },
    { name: "CallbackDelivery.get", operation: "GetItem CALLBACK#{eventId} / DELIVERY, consistent", cost: "1 RRU" },
    { name: "CallbackDelivery.attempt / delivered / failed / skipped / redrive", operation: "UpdateItem CALLBACK#{eventId} / DELIVERY, moves its gsi1 entry", cost: "1 WRU + 1–2 WRU for gsi1" },
    { name: "CallbackDelivery.byStatus", operation: "Query gsi1 CALLBACKS#{status}, pages of ≤ 100 (cursor), oldest first", cost: "1 RRU per 4 KB" },
  ],
});
