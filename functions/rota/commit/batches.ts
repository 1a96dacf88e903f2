/** Helpers for a large change's writes: fixed-size chunks and how many go at once (shared/lanes.ts runs them). */

/** Parallel lanes for a large change's independent writes (each guarded by the change's status). */
export const lanes = 4;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
