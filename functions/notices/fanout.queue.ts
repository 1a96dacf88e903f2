/**
 * `notices` queue consumer. Three kinds of record, each idempotent and retried on its own:
 * `{ noticeId }` fans a published notice out (an audience over 1,000 agents in part messages);
 * `{ kind: "fanout-part", noticeId, agentIds }` writes and pushes one part; `{ kind:
 * "agent-arrived", … }` (the agents capability's event) delivers the unexpired notices an
 * arriving agent has not got yet.
 */
import * as z from "zod/mini";
import { agentArrivedSchema } from "../agents/arrival.js";
import { logger } from "../shared/logger.js";
import { queueConsumer } from "../shared/queue-consumer.js";
import { noticeIdSchema } from "./domain.js";
import { deliverOnArrival, fanOutNotice, fanOutPart } from "./use-cases/index.js";
import { fanoutRecordsAtOnce } from "./fanout-limits.js";

const partSchema = z.object({ kind: z.literal("fanout-part"), noticeId: noticeIdSchema, agentIds: z.array(z.string()).check(z.minLength(1), z.maxLength(1_000)) });
const messageSchema = z.union([agentArrivedSchema, z.object({ noticeId: noticeIdSchema })]);

export const handler = queueConsumer(
  async (body, context) => {
    // A part is recognised by its kind first, so a malformed one fails instead of reading as a whole notice.
    if ((body as { kind?: unknown } | null)?.kind === "fanout-part") {
      const part = partSchema.parse(body);
      const result = await fanOutPart(part.noticeId, part.agentIds, new Date());
      logger.info("Notice fan-out part written", { ...result, correlationId: context.correlationId, receiveCount: context.receiveCount });
      return;
    }
    const message = messageSchema.parse(body);
    if ("kind" in message) {
      const result = await deliverOnArrival(message.agentId, new Date(message.at), message.reason);
      if (result.delivered.length > 0) logger.info("Late-joiner notices delivered", { agentId: message.agentId, reason: message.reason, ...result, correlationId: context.correlationId });
      return;
    }
    const result = await fanOutNotice(message.noticeId, new Date());
    logger.info("Notice fanned out", { ...result, correlationId: context.correlationId, receiveCount: context.receiveCount });
  },
  // Each fan-out already writes and pushes in parallel; two at a time, within the SDK's socket pool (fanout-limits.ts).
  { concurrency: fanoutRecordsAtOnce },
);
