/**
 * The arrivals forecast of a local day, from stored arrival counts. Pure: no AWS here.
 *
 * Model (docs/rota.md "Forecast from history"):
 * - base `weeks`: per local interval (matched by its local start time, so DST days line up by the
 *   clock customers live by), the mean of the same weekday over the last K weeks;
 * - base `lastYear`: the same calendar date a year earlier (Double 11 happens once a year, so the
 *   weeks before it say nothing about it);
 * - forecast = base × the day's campaign multiplier (1 unless a supervisor set one);
 * - intraday: once intervals of the day are over, the rest of the day is rescaled by
 *   ratio = actual / forecast summed over the elapsed intervals.
 */
import { formatDate, localIso, localToInstant, minuteMs, parseDate } from "../rota/time.js";

export const forecastBases = ["weeks", "lastYear"] as const;
export type ForecastBase = (typeof forecastBases)[number];

export interface LocalInterval {
  from: number;
  to: number;
  /** Local start with offset, e.g. `2026-11-11T20:00:00+08:00`. */
  localFrom: string;
  /** Local wall-clock start `HH:mm`: how intervals of different days are matched. */
  clock: string;
}

/** The intervals of a local day in real time (46 or 50 half-hours on DST days, 48 otherwise). */
export function localDayIntervals(date: string, timeZone: string, minutes: number): LocalInterval[] {
  const day = parseDate(date);
  if (day === undefined) throw new RangeError(`bad date ${date}`);
  const start = localToInstant(day, 0, timeZone);
  const end = localToInstant(day + 1, 0, timeZone);
  const out: LocalInterval[] = [];
  for (let t = start; t < end; t += minutes * minuteMs) {
    const localFrom = localIso(t, timeZone);
    out.push({ from: t, to: Math.min(end, t + minutes * minuteMs), localFrom, clock: localFrom.slice(11, 16) });
  }
  return out;
}

/** The history dates a base reads: `weeks` → date − 7k for k = 1..K; `lastYear` → the same date a year back (29 Feb → 28 Feb). */
export function historyDates(date: string, base: ForecastBase, weeks: number): string[] {
  const day = parseDate(date);
  if (day === undefined) throw new RangeError(`bad date ${date}`);
  if (base === "weeks") return Array.from({ length: weeks }, (_, k) => formatDate(day - 7 * (k + 1)));
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const back = new Date(Date.UTC(y - 1, m - 1, d));
  if (back.getUTCMonth() !== m - 1) back.setUTCDate(0);
  return [back.toISOString().slice(0, 10)];
}

/** Arrivals per slot start (epoch ms of a 15-minute UTC slot). */
export type SlotCounts = ReadonlyMap<number, number>;

/** Arrivals in [from, to): the slots starting inside it (intervals are whole slots). */
export function arrivalsIn(counts: SlotCounts, from: number, to: number): number {
  let total = 0;
  for (const [slot, n] of counts) if (slot >= from && slot < to) total += n;
  return total;
}

/**
 * The base curve of `date`: per interval, the mean over the history days of the arrivals in the
 * interval starting at the same local time (a history day without that local time — a DST gap —
 * does not count for it; with none the base is 0).
 */
export function baseCurve(intervals: readonly LocalInterval[], history: readonly string[], timeZone: string, minutes: number, counts: SlotCounts): number[] {
  const byClock = history.map((date) => new Map(localDayIntervals(date, timeZone, minutes).map((i) => [i.clock, arrivalsIn(counts, i.from, i.to)])));
  return intervals.map((interval) => {
    const seen = byClock.map((m) => m.get(interval.clock)).filter((n): n is number => n !== undefined);
    return seen.length === 0 ? 0 : seen.reduce((a, b) => a + b, 0) / seen.length;
  });
}

export interface IntradayAdjustment {
  /** Intervals wholly before `asOf`. */
  elapsedIntervals: number;
  actualSoFar: number;
  forecastSoFar: number;
  /** actualSoFar / forecastSoFar; null before any interval is over or when the forecast so far is 0 (nothing to scale by). */
  ratio: number | null;
}

export interface ForecastPoint {
  interval: number;
  from: string;
  to: string;
  localFrom: string;
  base: number;
  forecast: number;
  /** Arrivals counted so far in the interval; null for intervals not begun. */
  actual: number | null;
  /** Elapsed intervals: the actual; the rest: forecast × ratio (× 1 when the ratio is null). */
  reforecast: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The forecast of a day from its base curve, multiplier and the actual arrivals up to `asOf`. */
export function forecastCurve(intervals: readonly LocalInterval[], base: readonly number[], multiplier: number, actual: SlotCounts, asOf: number): { points: ForecastPoint[]; intraday: IntradayAdjustment } {
  const forecast = base.map((b) => b * multiplier);
  let elapsedIntervals = 0;
  let actualSoFar = 0;
  let forecastSoFar = 0;
  intervals.forEach((interval, i) => {
    if (interval.to > asOf) return;
    elapsedIntervals++;
    actualSoFar += arrivalsIn(actual, interval.from, interval.to);
    forecastSoFar += forecast[i] ?? 0;
  });
  const ratio = elapsedIntervals > 0 && forecastSoFar > 0 ? actualSoFar / forecastSoFar : null;
  const points = intervals.map((interval, i) => {
    const f = forecast[i] ?? 0;
    const started = interval.from <= asOf;
    const counted = started ? arrivalsIn(actual, interval.from, interval.to) : null;
    const reforecast = interval.to <= asOf ? (counted ?? 0) : f * (ratio ?? 1);
    return {
      interval: i,
      from: new Date(interval.from).toISOString(),
      to: new Date(interval.to).toISOString(),
      localFrom: interval.localFrom,
      base: round(base[i] ?? 0),
      forecast: round(f),
      actual: counted,
      reforecast: round(reforecast),
    };
  });
  return { points, intraday: { elapsedIntervals, actualSoFar, forecastSoFar: round(forecastSoFar), ratio: ratio === null ? null : Math.round(ratio * 10_000) / 10_000 } };
}

/**
 * Mean absolute percentage error over the intervals whose actual is at least `minActual` (a
 * percentage of an interval with 0 or 1 arrivals says nothing), as a fraction (0.12 = 12 %).
 */
export function mape(actual: readonly number[], forecast: readonly number[], minActual = 1): number {
  let sum = 0;
  let n = 0;
  actual.forEach((a, i) => {
    if (a < minActual) return;
    sum += Math.abs(a - (forecast[i] ?? 0)) / a;
    n++;
  });
  return n === 0 ? 0 : sum / n;
}
