/**
 * `dutyParts` queue consumer (`RotaDutyParts`): applies one part of a large shift boundary per
 * record (duty-parts.ts). A part that fails for any of its agents fails only its record: SQS
 * retries it (its applied agents are skipped then), then moves it to the DLQ.
 */
import { logger } from "../shared/logger.js";
import { queueConsumer } from "../shared/queue-consumer.js";
import { applyDutyPart, dutyPartSchema } from "./duty-parts.js";

export const handler = queueConsumer(
  async (body, context) => {
    const part = dutyPartSchema.parse(body);
    const result = await applyDutyPart(part, { sentAt: context.sentAt });
    logger.info("Duty part applied", { at: result.at, agents: result.checked, started: result.started.length, ended: result.ended.length, moved: result.moved.length, skipped: result.skipped, correlationId: context.correlationId, receiveCount: context.receiveCount });
  },
  // A part already works 16 agents at a time; the batch is one part (batchSize 1).
  { concurrency: 1 },
);
