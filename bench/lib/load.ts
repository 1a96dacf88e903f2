/**
 * Load shapes: closed loop (N workers back to back) and open loop (a fixed arrival rate,
 * whatever the answers take). Both are bounded in time and in operations.
 */

export interface LoopResult {
  ok: number;
  failed: number;
  /** Latency of each successful operation, ms. */
  latencies: number[];
  seconds: number;
  /** First error message seen (for the report), if any. */
  firstError?: string;
}

/**
 * `concurrency` workers call `op` back to back until `durationMs` passed or `maxOps` started.
 * `op` throws (or returns false) to count a failure.
 */
export async function closedLoop(options: { concurrency: number; durationMs: number; maxOps?: number; onTick?: (done: number) => void }, op: (index: number) => Promise<boolean | void>): Promise<LoopResult> {
  const result: LoopResult = { ok: 0, failed: 0, latencies: [], seconds: 0 };
  const started = performance.now();
  const deadline = started + options.durationMs;
  const maxOps = options.maxOps ?? Number.POSITIVE_INFINITY;
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline && next < maxOps) {
        const index = next++;
        const t = performance.now();
        try {
          if ((await op(index)) === false) result.failed++;
          else {
            result.ok++;
            result.latencies.push(performance.now() - t);
          }
        } catch (error) {
          result.failed++;
          result.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
        options.onTick?.(result.ok + result.failed);
      }
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/**
 * Starts `op` at `ratePerSecond` for `durationMs` (open loop: a slow answer does not slow the
 * arrivals), with at most `maxInFlight` outstanding so an overloaded system cannot exhaust memory.
 */
export async function openLoop(options: { ratePerSecond: number; durationMs: number; maxInFlight?: number; onTick?: (started: number) => void }, op: (index: number) => Promise<boolean | void>): Promise<LoopResult & { skipped: number }> {
  const result = { ok: 0, failed: 0, skipped: 0, latencies: [] as number[], seconds: 0, firstError: undefined as string | undefined };
  const maxInFlight = options.maxInFlight ?? 200;
  const interval = 1000 / options.ratePerSecond;
  const total = Math.max(1, Math.floor((options.durationMs / 1000) * options.ratePerSecond));
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  for (let index = 0; index < total; index++) {
    const due = started + index * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (pending.size >= maxInFlight) {
      result.skipped++;
      continue;
    }
    const t = performance.now();
    const run = (async () => {
      try {
        if ((await op(index)) === false) result.failed++;
        else {
          result.ok++;
          result.latencies.push(performance.now() - t);
        }
      } catch (error) {
        result.failed++;
        result.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    })();
    pending.add(run);
    void run.finally(() => pending.delete(run));
    options.onTick?.(index + 1);
  }
  await Promise.all(pending);
  result.seconds = (performance.now() - started) / 1000;
  const { firstError, ...rest } = result;
  return { ...rest, ...(firstError ? { firstError } : {}) };
}

/** Runs `op` over `items` with at most `concurrency` at once; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, op: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await op(items[index] as T, index);
      }
    }),
  );
  return out;
}

/** Polls `probe` every `everyMs` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
