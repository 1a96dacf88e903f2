/**
 * Runs `work` over `items` with at most `lanes` calls in flight, results in the items' order:
 * enough parallel requests to hide latency without one caller's burst taking a partition's (or
 * the SDK's socket pool's) whole share.
 *
 * The first failure stops the lanes from taking more items; the calls already in flight settle
 * before it is thrown, so nothing of this run is still writing once the caller sees the error.
 * Work that must go on past one item's failure (the duty clock's agents) catches it itself.
 */
export async function inLanes<T, R>(items: readonly T[], lanes: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    for (let i = next++; i < items.length && !failure; i = next++) {
      try {
        results[i] = await work(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  if (failure) throw failure.error;
  return results;
}
