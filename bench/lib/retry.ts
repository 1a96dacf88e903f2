/**
 * The benchmark's own setup calls (seeding agents, publishing a notice) on a loaded machine:
 * DynamoDB Local can miss the functions' 2 s client timeout, and the store then answers
 * `StoreUnavailableError` (an API call: 503 "retry shortly"). Setup retries as a client would;
 * the measured calls are never retried here.
 */

/** Runs `call` up to `attempts` times while it throws StoreUnavailableError or answers 503, backing off 1 s, 2 s, … */
export async function retryUnavailable<T>(call: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let value: T;
    try {
      value = await call();
    } catch (error) {
      if (attempt >= attempts || !(error instanceof Error) || error.name !== "StoreUnavailableError") throw error;
      await pause(attempt);
      continue;
    }
    if ((value as { status?: unknown } | undefined)?.status !== 503 || attempt >= attempts) return value;
    await pause(attempt);
  }
}

function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
}
