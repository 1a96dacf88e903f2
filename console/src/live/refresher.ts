/**
 * Coalesced re-reads: however many nudges arrive (a burst of pushes, a reconnect, a button),
 * at most one read runs at a time and at most one more follows it, `minGapMs` after the last.
 * This is what keeps a reconnect or a rush from turning into a storm of requests.
 */
export interface Refresher {
  /** Ask for a read soon (coalesced with every other ask). */
  request(): void;
  /** Read now (after the one in flight), resolving when done. */
  now(): Promise<void>;
  stop(): void;
}

export function refresher(read: () => Promise<void>, options: { minGapMs?: number; everyMs?: number; onError?: (error: unknown) => void } = {}): Refresher {
  const minGapMs = options.minGapMs ?? 500;
  let running: Promise<void> | undefined;
  let pending = false;
  let lastEnd = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let periodic: ReturnType<typeof setInterval> | undefined;

  const run = (): Promise<void> => {
    if (running) {
      pending = true;
      return running;
    }
    running = read()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = undefined;
        lastEnd = Date.now();
        if (pending && !stopped) {
          pending = false;
          schedule();
        }
      });
    return running;
  };

  const schedule = () => {
    if (timer !== undefined || stopped) return;
    const wait = Math.max(0, lastEnd + minGapMs - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, wait);
  };

  if (options.everyMs) {
    // Only while someone looks: a hidden tab does not read.
    periodic = setInterval(() => document.visibilityState === "visible" && schedule(), options.everyMs);
  }

  return {
    request() {
      if (running) pending = true;
      else schedule();
    },
    now: async () => {
      await running;
      await run();
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(periodic);
    },
  };
}
