/**
 * Work that runs once at the end of each invocation, after the handler and before Lambda may
 * freeze the container: what a function noted while it ran (e.g. the supervisors' live-wall
 * pushes, functions/shared/supervisor-push.ts) is sent then, coalesced, once per invocation.
 * Each chain (http.ts, queue-consumer.ts, schedule.ts) uses `atInvocationEnd()`. This module
 * imports nothing, so a function that notes nothing bundles and runs nothing more.
 */
import type middy from "@middy/core";

type Flusher = () => Promise<void>;
const flushers = new Set<Flusher>();

/** Registers `flush` to run at the end of every invocation from now on (idempotent). */
export function onInvocationEnd(flush: Flusher): void {
  flushers.add(flush);
}

/** Runs every registered flusher; never throws (each flusher logs its own failures). */
export async function runInvocationEnd(): Promise<void> {
  await Promise.all([...flushers].map((flush) => flush().catch(() => undefined)));
}

/** The middy middleware: flushes after the handler, whether it answered or threw. */
export function atInvocationEnd<E, R>(): middy.MiddlewareObj<E, R> {
  return {
    after: async () => runInvocationEnd(),
    onError: async () => runInvocationEnd(),
  };
}
