/**
 * Runs `work` over `items` with at most `lanes` calls in flight, results in the items' order:
 * enough parallel requests to hide latency without one caller's burst taking a partition's (or
 * the SDK's socket pool's) whole share.
 */
export async function inLanes<T, R>(items: readonly T[], lanes: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return results;
}
