/**
 * Small statistics for benchmark figures. Pure, unit-tested (tests/unit/bench-lib.test.ts).
 */

/**
 * Nearest-rank percentile of `values` (need not be sorted): the smallest value such that at
 * least `p`% of the values are at or below it. `undefined` for an empty list.
 *
 * @example percentile([5, 1, 3, 2, 4], 50) // 3
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface Summary {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Count, mean, extremes and the usual percentiles; zeros for an empty list. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { count: 0, mean: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    count: values.length,
    mean: sum / values.length,
    min,
    max,
    p50: percentile(values, 50) ?? 0,
    p95: percentile(values, 95) ?? 0,
    p99: percentile(values, 99) ?? 0,
  };
}

/** `value / baseline`, or `undefined` when the baseline is zero or missing (no fake infinities). */
export function ratio(value: number, baseline: number | undefined): number | undefined {
  if (baseline === undefined || baseline === 0 || !Number.isFinite(baseline) || !Number.isFinite(value)) return undefined;
  return value / baseline;
}

/** Rounds to `digits` significant decimals for display and JSON (keeps integers intact). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
