/** `notices` queue consumer: one record = one notice to fan out; failures retried per record. */
import * as z from "zod";
import { queueConsumer } from "../shared/queue-consumer.js";
import { logger } from "../shared/logger.js";
import { noticeIdSchema } from "./domain.js";
import { fanOutNotice } from "./service.js";

const messageSchema = z.object({ noticeId: noticeIdSchema });

export const handler = queueConsumer(
  async (body, context) => {
    const { noticeId } = messageSchema.parse(body);
    const result = await fanOutNotice(noticeId, new Date());
    logger.info("Notice fanned out", { ...result, correlationId: context.correlationId, receiveCount: context.receiveCount });
  },
  // Each fan-out already writes and pushes in parallel; two notices at a time is enough.
  { concurrency: 2 },
);
