/**
 * The standard schedule chain. The job's clock is the event's `time` (the scheduled instant),
 * never the wall clock, so a job can be replayed for any instant — and tests drive it with a
 * controllable clock instead of sleeping.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { ScheduledEvent } from "aws-lambda";
import { logger } from "./logger.js";

export type ScheduledJob<R> = (now: Date) => Promise<R>;

export function scheduledJob<R>(name: string, job: ScheduledJob<R>) {
  const run = async (event: Partial<ScheduledEvent>): Promise<R> => {
    const now = event.time ? new Date(event.time) : new Date();
    const started = Date.now();
    const result = await job(now);
    logger.info("Scheduled job done", { job: name, at: now.toISOString(), ms: Date.now() - started, result: result as unknown as Record<string, unknown> });
    return result;
  };
  return middy<Partial<ScheduledEvent>, R>().use(injectLambdaContext(logger, { resetKeys: true })).handler(run);
}
