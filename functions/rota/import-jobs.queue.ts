/**
 * `rotaImports` queue consumer: one `{ jobId }` per accepted large CSV import, applied once
 * however often SQS delivers it (functions/rota/use-cases/import.ts `applyImportJob`). csv-parse
 * is not loaded here: the rows were parsed and checked when the file was accepted.
 */
import * as z from "zod/mini";
import { logger } from "../shared/logger.js";
import { queues } from "../catalog/resources.js";
import { queueConsumer } from "../shared/queue-consumer.js";
import { applyImportJob } from "./use-cases/import-apply.js";

const messageSchema = z.object({ jobId: z.uuid() });

export const handler = queueConsumer(
  async (body, context) => {
    const { jobId } = z.parse(messageSchema, body);
    // The last delivery before the dead-letter queue ends the job either way (import-apply.ts).
    const status = await applyImportJob(jobId, new Date(), { lastDelivery: context.receiveCount >= queues.rotaImports.maxReceiveCount });
    logger.info("Rota import job handled", { jobId, status, receiveCount: context.receiveCount });
  },
  { concurrency: 1 },
);
