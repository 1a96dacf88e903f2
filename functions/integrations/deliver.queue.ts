/**
 * `CallbackDeliverer`: consumes the `callbacks` queue, one message per move (`{ eventId }`). A
 * failed POST throws, so the consumer chain backs the record off and SQS redelivers it; after the
 * queue's last receive it moves to the DLQ, recorded as a failed delivery.
 */
import * as z from "zod/mini";
import { queueConsumer } from "../shared/queue-consumer.js";
import { deliverCallback } from "./use-cases.js";

const messageSchema = z.object({ eventId: z.string().check(z.minLength(1)) });

export const handler = queueConsumer(async (body, context) => {
  const { eventId } = messageSchema.parse(body);
  await deliverCallback(eventId, context.receiveCount);
});
