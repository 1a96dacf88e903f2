/**
 * A value loaded at most once per period: calls within `ttlMs` of the start of the last load
 * get its result, concurrent callers share one load in flight, and a failed refresh keeps the
 * last value (reported through `onStale`) and tries again after `retryMs`. Nothing is served
 * older than `ttlMs` unless the store behind it is failing; with no value yet, the error is the
 * caller's.
 *
 * @example
 * const config = ttlCache(() => readConfigItem(), { ttlMs: 10_000 });
 * const value = await config(); // one read per 10 s, however many calls
 */
export interface TtlCacheOptions {
  ttlMs: number;
  /** After a failed refresh, the last value is served this long before the next try (default: 1 s or the ttl). */
  retryMs?: number;
  onStale?: (error: unknown) => void;
  now?: () => number;
}

export function ttlCache<T>(load: () => Promise<T>, options: TtlCacheOptions): () => Promise<T> {
  const now = options.now ?? Date.now;
  const retryMs = Math.min(options.retryMs ?? 1_000, options.ttlMs);
  let last: { value: T } | undefined;
  // Counted from the start of the load that read it, so a slow read never makes a value look younger.
  let validUntil = Number.NEGATIVE_INFINITY;
  let inflight: Promise<T> | undefined;
  return () => {
    if (last && now() < validUntil) return Promise.resolve(last.value);
    if (!inflight) {
      const started = now();
      inflight = load()
        .then(
          (value) => {
            last = { value };
            validUntil = started + options.ttlMs;
            return value;
          },
          (error: unknown) => {
            if (!last) throw error;
            options.onStale?.(error);
            validUntil = now() + retryMs;
            return last.value;
          },
        )
        .finally(() => {
          inflight = undefined;
        });
    }
    return inflight;
  };
}
