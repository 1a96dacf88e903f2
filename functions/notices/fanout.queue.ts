/**
 * `notices` queue consumer. Two kinds of record, each idempotent and retried on its own:
 * `{ noticeId }` fans a published notice out; `{ kind: "agent-arrived", … }` (the agents
 * capability's event) delivers the unexpired notices an arriving agent has not got yet.
 */
import * as z from "zod/mini";
import { agentArrivedSchema } from "../agents/arrival.js";
import { logger } from "../shared/logger.js";
import { queueConsumer } from "../shared/queue-consumer.js";
import { noticeIdSchema } from "./domain.js";
import { deliverOnArrival, fanOutNotice } from "./use-cases/index.js";

const messageSchema = z.union([agentArrivedSchema, z.object({ noticeId: noticeIdSchema })]);

export const handler = queueConsumer(
  async (body, context) => {
    const message = messageSchema.parse(body);
    if ("kind" in message) {
      const result = await deliverOnArrival(message.agentId, new Date(message.at), message.reason);
      if (result.delivered.length > 0) logger.info("Late-joiner notices delivered", { agentId: message.agentId, reason: message.reason, ...result, correlationId: context.correlationId });
      return;
    }
    const result = await fanOutNotice(message.noticeId, new Date());
    logger.info("Notice fanned out", { ...result, correlationId: context.correlationId, receiveCount: context.receiveCount });
  },
  // Each fan-out already writes and pushes in parallel; two notices at a time is enough.
  { concurrency: 2 },
);
