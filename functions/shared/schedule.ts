/**
 * The standard schedule chain. The job's clock is the event's `time` (the scheduled instant),
 * never the wall clock, so a job can be replayed for any instant — and tests drive it with a
 * controllable clock instead of sleeping.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context, ScheduledEvent } from "aws-lambda";
import { atInvocationEnd } from "./invocation.js";
import { logger, withLogKeys } from "./logger.js";

export type ScheduledJob<R> = (now: Date) => Promise<R>;

export function scheduledJob<R>(name: string, job: ScheduledJob<R>) {
  const run = async (event: Partial<ScheduledEvent>, context: Context): Promise<R> => {
    const now = event.time ? new Date(event.time) : new Date();
    // The run's own logger: locally, several schedules run at once in one process.
    return withLogKeys({ job: name }, async () => {
      const started = Date.now();
      const result = await job(now);
      logger.info("Scheduled job done", { at: now.toISOString(), ms: Date.now() - started, result: result as unknown as Record<string, unknown> });
      return result;
    }, context);
  };
  return middy<Partial<ScheduledEvent>, R>().use(injectLambdaContext(logger, { resetKeys: true })).use(atInvocationEnd()).handler(run);
}
