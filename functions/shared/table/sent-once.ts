/**
 * Writes that must not be sent twice. An `ADD` is not idempotent: sent twice it counts twice. The
 * SDK retries a timed-out or 5xx call, and the first try may have landed (under load a 2 s timeout
 * trips while DynamoDB still applies the write). {@link sentOnce} sits under the SDK's retry and
 * turns such a failure into a non-retryable {@link AmbiguousWriteError}; a refusal or a throttle
 * (4xx: surely not applied) passes through and is retried as usual. Used by the stock counters'
 * single-line take (the forecast's arrival count, its other user, now comes from the table stream).
 */

/**
 * A write that may or may not have been applied (timeout, reset, 5xx): it was not sent again. The
 * SDK's failure is kept as `original`, not as `cause`: the SDK retries any error whose cause is
 * transient.
 */
export class AmbiguousWriteError extends Error {
  override name = "AmbiguousWriteError";
  constructor(
    message: string,
    readonly original: unknown,
  ) {
    super(message);
  }
}

/** `command`, guarded so the SDK never sends it again after a failure that may have applied it. */
export function sentOnce<T extends { middlewareStack: { add: (...args: never[]) => unknown } }>(command: T): T {
  const guard = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    try {
      return await next(args);
    } catch (error) {
      const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      const surelyNotApplied = (status !== undefined && status >= 400 && status < 500) || e.code === "ECONNREFUSED";
      if (surelyNotApplied) throw error;
      throw new AmbiguousWriteError(`A write that must not be sent twice may or may not have been applied (${e.name ?? "error"}); not sent again.`, error);
    }
  };
  (command.middlewareStack.add as unknown as (m: typeof guard, o: object) => void)(guard, { step: "deserialize", priority: "high", name: "sentOnce", override: true });
  return command;
}
