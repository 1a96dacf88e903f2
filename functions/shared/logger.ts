/**
 * Structured JSON logging (Powertools), one logger per container.
 *
 * Work that runs concurrently inside one invocation (the SQS consumer runs up to 10 records at
 * once) must not share appended keys, or record A's lines would carry record B's id. So such work
 * runs inside {@link withLogKeys}: it gets its own child logger (Powertools `createChild`, which
 * keeps the Lambda context and keys of its parent), held in an AsyncLocalStorage scope, and every
 * line written through the shared `logger` in that scope goes to that child. Code everywhere keeps
 * importing `logger`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Logger } from "@aws-lambda-powertools/logger";
import type { LogItemExtraInput, LogItemMessage } from "@aws-lambda-powertools/logger/types";
import type { Context } from "aws-lambda";


const current = new AsyncLocalStorage<Logger>();

/** The container's logger; inside {@link withLogKeys} it writes through the scope's child. */
class ScopedLogger extends Logger {
  override trace(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    const scoped = current.getStore();
    if (scoped) scoped.trace(input, ...extra);
    else super.trace(input, ...extra);
  }
  override debug(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    const scoped = current.getStore();
    if (scoped) scoped.debug(input, ...extra);
    else super.debug(input, ...extra);
  }
  override info(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    const scoped = current.getStore();
    if (scoped) scoped.info(input, ...extra);
    else super.info(input, ...extra);
  }
  override warn(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    const scoped = current.getStore();
    if (scoped) scoped.warn(input, ...extra);
    else super.warn(input, ...extra);
  }
  override error(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    const scoped = current.getStore();
    if (scoped) scoped.error(input, ...extra);
    else super.error(input, ...extra);
  }
  override critical(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    const scoped = current.getStore();
    if (scoped) scoped.critical(input, ...extra);
    else super.critical(input, ...extra);
  }
}

export const logger: Logger = new ScopedLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "shift-queue-routing" });

/**
 * Runs `fn` with its own child logger carrying `keys` (e.g. one SQS record's correlation id):
 * lines logged through `logger` while `fn` runs, and in everything it awaits, carry these keys
 * and no other concurrent work's.
 *
 * @example
 * await withLogKeys({ correlationId, messageId }, () => processRecord(body), lambdaContext);
 */
export function withLogKeys<T>(keys: Record<string, string>, fn: () => T, context?: Context): T {
  const parent = current.getStore() ?? logger;
  const child = parent.createChild({ persistentKeys: keys });
  // The invocation's own Lambda context: locally, concurrent invocations share the parent logger.
  if (context) child.addContext(context);
  return current.run(child, fn);
}
