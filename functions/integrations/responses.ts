/** Response schemas of the integrations routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { instant, named } from "../shared/responses.js";
import { deliveryStatuses } from "../shared/table/entities/integrations.js";
import { assignmentCallbackSchema } from "./domain.js";

export const assignmentCallbackView = named(
  "AssignmentCallback",
  z.strictObject({ ...assignmentCallbackSchema.shape, occurredAt: instant }),
  "The body POSTed (signed) to the chat platform's callback URL, one per move.",
);

export const deliveryViewSchema = named(
  "CallbackDelivery",
  z.strictObject({
    eventId: z.string(),
    conversationId: z.string(),
    sequence: z.number().check(z.int()),
    status: z.enum(deliveryStatuses),
    attempts: z.number().check(z.int(), z.minimum(0)),
    createdAt: instant,
    updatedAt: instant,
    deliveredAt: z.optional(instant),
    lastError: z.optional(z.string()),
    payload: assignmentCallbackView,
  }),
  "One assignment callback and how its delivery went.",
);

export const deliveryPageSchema = named("CallbackDeliveryPage", z.strictObject({ status: z.enum(["pending", "failed", "skipped"]), deliveries: z.array(deliveryViewSchema), next: z.nullable(z.string()) }));
