/**
 * The forecast from history on synthetic arrivals with a known shape: a weekday profile with the
 * rush's two waves (20:00 and 00:00 presale peaks), Poisson noise, in Asia/Shanghai. The error on
 * held-back history is reported per interval as MAPE and bounded.
 */
import { describe, expect, it } from "vitest";
import { arrivalsIn, baseCurve, forecastCurve, historyDates, localDayIntervals, mape } from "../../functions/planning/forecast.js";
import { seeded } from "../support/routing.js";

const zone = "Asia/Shanghai";
const slotMs = 15 * 60_000;

/** Expected arrivals per 15-minute slot at local minute m of a day with weekday factor w. */
function shape(minuteOfDay: number, weekdayFactor: number): number {
  const hour = minuteOfDay / 60;
  const bump = (center: number, width: number, height: number) => height * Math.exp(-((hour - center) ** 2) / (2 * width ** 2));
  // A day curve (quiet nights, busy afternoons), the 20:00 wave, and the midnight wave's tail at 00:xx.
  const day = 15 + 25 * Math.max(0, Math.sin(((hour - 7) / 16) * Math.PI));
  return weekdayFactor * (day + bump(20, 0.75, 60) + bump(0, 0.5, 70));
}

function poisson(lambda: number, random: () => number): number {
  if (lambda < 30) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = random();
    while (p > limit) {
      k++;
      p *= random();
    }
    return k;
  }
  const u = Math.max(1e-12, random());
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal));
}

const weekdayFactors = [0.8, 1, 1, 1.05, 1.1, 1.3, 0.9]; // by UTC day-of-week of the local date

/** Synthetic slot counts for local dates (a multiplier per date for campaign days). */
function history(dates: readonly string[], random: () => number, factorOf: (date: string) => number = () => 1): Map<number, number> {
  const counts = new Map<number, number>();
  for (const date of dates) {
    const w = weekdayFactors[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? 1;
    for (const i of localDayIntervals(date, zone, 15)) {
      const minute = Number(i.clock.slice(0, 2)) * 60 + Number(i.clock.slice(3, 5));
      counts.set(i.from, poisson(shape(minute, w) * factorOf(date), random));
    }
  }
  return counts;
}

const actualCurve = (date: string, minutes: number, counts: Map<number, number>) => localDayIntervals(date, zone, minutes).map((i) => arrivalsIn(counts, i.from, i.to));

describe("forecast from history (held-back weeks)", () => {
  it("forecasts each day of a held-back week from the 8 weeks before it: MAPE per 30-minute interval under 12 %, far below a flat day's", () => {
    const random = seeded(1111);
    const target = ["2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23", "2026-10-24", "2026-10-25"];
    const dates = target.flatMap((d) => [d, ...historyDates(d, "weeks", 8)]);
    const counts = history([...new Set(dates)], random);
    const errors: number[] = [];
    const flatErrors: number[] = [];
    for (const date of target) {
      const intervals = localDayIntervals(date, zone, 30);
      const base = baseCurve(intervals, historyDates(date, "weeks", 8), zone, 30, counts);
      const actual = actualCurve(date, 30, counts);
      errors.push(mape(actual, base));
      const mean = base.reduce((a, b) => a + b, 0) / base.length;
      flatErrors.push(mape(actual, base.map(() => mean)));
    }
    const weekMape = errors.reduce((a, b) => a + b, 0) / errors.length;
    const flatMape = flatErrors.reduce((a, b) => a + b, 0) / flatErrors.length;
    console.info(`forecast MAPE per 30-min interval over the held-back week: ${(weekMape * 100).toFixed(1)} % (days: ${errors.map((e) => (e * 100).toFixed(1)).join(", ")}); flat-day baseline ${(flatMape * 100).toFixed(1)} %`);
    expect(weekMape).toBeLessThan(0.12);
    expect(Math.max(...errors)).toBeLessThan(0.15);
    expect(flatMape).toBeGreaterThan(0.3);
  });

  it("more weeks of history forecast better than one (noise averages out)", () => {
    const random = seeded(7);
    const date = "2026-11-04";
    const counts = history([date, ...historyDates(date, "weeks", 8)], random);
    const intervals = localDayIntervals(date, zone, 30);
    const actual = actualCurve(date, 30, counts);
    const one = mape(actual, baseCurve(intervals, historyDates(date, "weeks", 1), zone, 30, counts));
    const eight = mape(actual, baseCurve(intervals, historyDates(date, "weeks", 8), zone, 30, counts));
    expect(eight).toBeLessThan(one);
  });

  it("Double 11: last year's same date × the multiplier forecasts the campaign day; the weeks before it cannot", () => {
    const random = seeded(1111_2025);
    const date = "2026-11-11";
    const lastYear = historyDates(date, "lastYear", 0);
    expect(lastYear).toEqual(["2025-11-11"]);
    // Last year's Double 11 ran at 8× a normal day; this year's at 9.6× (the supervisor's multiplier: 1.2).
    const factor = (d: string) => (d === "2025-11-11" ? 8 : d === date ? 9.6 : 1);
    const counts = history([date, ...lastYear, ...historyDates(date, "weeks", 4)], random, factor);
    const intervals = localDayIntervals(date, zone, 30);
    const actual = actualCurve(date, 30, counts);
    const fromLastYear = forecastCurve(intervals, baseCurve(intervals, lastYear, zone, 30, counts), 1.2, new Map(), 0);
    const fromWeeks = forecastCurve(intervals, baseCurve(intervals, historyDates(date, "weeks", 4), zone, 30, counts), 1.2, new Map(), 0);
    const lastYearMape = mape(actual, fromLastYear.points.map((p) => p.forecast));
    const weeksMape = mape(actual, fromWeeks.points.map((p) => p.forecast));
    console.info(`Double 11 MAPE: lastYear × 1.2 ${(lastYearMape * 100).toFixed(1)} %, weeks × 1.2 ${(weeksMape * 100).toFixed(1)} %`);
    expect(lastYearMape).toBeLessThan(0.08);
    expect(weeksMape).toBeGreaterThan(0.7);
  });

  it("intraday: a day running 1.5× the forecast is rescaled from 12:00 on, and the rest of the day's error drops", () => {
    const random = seeded(99);
    const date = "2026-11-05";
    const counts = history([date, ...historyDates(date, "weeks", 6)], random, (d) => (d === date ? 1.5 : 1));
    const intervals = localDayIntervals(date, zone, 30);
    const base = baseCurve(intervals, historyDates(date, "weeks", 6), zone, 30, counts);
    const noon = Date.parse("2026-11-05T12:00:00+08:00");
    const { points, intraday } = forecastCurve(intervals, base, 1, counts, noon);
    expect(intraday.elapsedIntervals).toBe(24);
    expect(intraday.ratio).toBeGreaterThan(1.35);
    expect(intraday.ratio).toBeLessThan(1.65);
    // Elapsed intervals show what happened; the rest is forecast × ratio.
    for (const p of points.slice(0, 24)) expect(p.reforecast).toBe(p.actual);
    for (const p of points.slice(24)) expect(p.reforecast).toBeCloseTo(p.forecast * (intraday.ratio ?? 0), 0);
    const actual = actualCurve(date, 30, counts).slice(24);
    const before = mape(actual, points.slice(24).map((p) => p.forecast));
    const after = mape(actual, points.slice(24).map((p) => p.reforecast));
    console.info(`intraday at 12:00: ratio ${intraday.ratio}, rest-of-day MAPE ${(before * 100).toFixed(1)} % → ${(after * 100).toFixed(1)} %`);
    expect(before).toBeGreaterThan(0.25);
    expect(after).toBeLessThan(0.12);
  });

  it("before the day begins there is no ratio and the reforecast is the forecast", () => {
    const intervals = localDayIntervals("2026-11-05", zone, 60);
    const { points, intraday } = forecastCurve(intervals, intervals.map(() => 10), 2, new Map(), Date.parse("2026-11-04T12:00:00Z"));
    expect(intraday).toEqual({ elapsedIntervals: 0, actualSoFar: 0, forecastSoFar: 0, ratio: null });
    expect(points.every((p) => p.forecast === 20 && p.reforecast === 20 && p.actual === null)).toBe(true);
  });

  it("DST days line up by local clock: New York's fall-back Sunday has 50 half-hours, history of 48 fills them by start time", () => {
    const intervals = localDayIntervals("2026-11-01", "America/New_York", 30);
    expect(intervals).toHaveLength(50);
    const history = historyDates("2026-11-01", "weeks", 1);
    const counts = new Map<number, number>();
    for (const i of localDayIntervals(history[0] ?? "", "America/New_York", 15)) counts.set(i.from, 1);
    const base = baseCurve(intervals, history, "America/New_York", 30, counts);
    expect(base.every((b) => b === 2)).toBe(true);
    expect(slotMs).toBe(900_000);
  });
});
