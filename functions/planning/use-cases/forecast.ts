/** Forecast use cases: the day's forecast from stored arrivals, and the campaign multiplier supervisors set. */
import { arrivalCountsOn } from "../../routing/store/index.js";
import { formatDate, utcDay } from "../../rota/time.js";
import { currentSettings } from "../../settings/current.js";
import type { ForecastMultiplier, ForecastMultiplierInput, ForecastQuery } from "../domain.js";
import { baseCurve, forecastCurve, historyDates, localDayIntervals, type SlotCounts } from "../forecast.js";
import { deleteMultiplier, getMultiplier, putMultiplier } from "../store.js";

export interface Actor {
  actor: string;
  now: Date;
}

/** Arrival counts of the local days given (each read as its UTC dates: one query each), for one skill or all. */
async function countsFor(dates: readonly string[], timeZone: string, skill: string | undefined): Promise<SlotCounts> {
  const utcDays = new Set<string>();
  for (const date of dates) {
    const intervals = localDayIntervals(date, timeZone, 60);
    const first = intervals[0];
    const last = intervals[intervals.length - 1];
    if (!first || !last) continue;
    for (let d = utcDay(first.from); d <= utcDay(last.to - 1); d++) utcDays.add(formatDate(d));
  }
  const counts = new Map<number, number>();
  for (const slots of await Promise.all([...utcDays].map(arrivalCountsOn))) {
    for (const { slot, skill: s, arrivals } of slots) {
      if (skill !== undefined && s !== skill) continue;
      const at = Date.parse(slot);
      counts.set(at, (counts.get(at) ?? 0) + arrivals);
    }
  }
  return counts;
}

/**
 * The forecast of a local day.
 *
 * Primary course: the zone (the query's, else the shop's) and the day's multiplier → the base
 * (the query's, else the multiplier's, else `weeks`) and its history dates → the arrival counts
 * of those days and of the day itself (a query per UTC date, never the conversations) → base
 * curve × multiplier, and the intraday ratio from the intervals over at the request's instant.
 */
export async function forecastDay(q: ForecastQuery, now: Date) {
  const [settings, multiplier] = await Promise.all([currentSettings(), getMultiplier(q.date)]);
  const timeZone = q.timeZone ?? settings.SHOP_TIME_ZONE;
  const base = q.base ?? multiplier?.base ?? "weeks";
  const history = historyDates(q.date, base, q.weeks);
  const [historyCounts, dayCounts] = await Promise.all([countsFor(history, timeZone, q.skill), countsFor([q.date], timeZone, q.skill)]);
  const intervals = localDayIntervals(q.date, timeZone, q.interval);
  const factor = multiplier?.multiplier ?? 1;
  const { points, intraday } = forecastCurve(intervals, baseCurve(intervals, history, timeZone, q.interval, historyCounts), factor, dayCounts, now.getTime());
  const sum = (pick: (p: (typeof points)[number]) => number) => Math.round(points.reduce((a, p) => a + pick(p), 0) * 100) / 100;
  return {
    date: q.date,
    timeZone,
    skill: q.skill ?? null,
    interval: q.interval,
    base,
    ...(base === "weeks" ? { weeks: q.weeks } : {}),
    historyDates: history,
    multiplier: multiplier ? { value: multiplier.multiplier, setBy: multiplier.setBy, setAt: multiplier.setAt, ...(multiplier.note ? { note: multiplier.note } : {}) } : { value: 1, setBy: null, setAt: null },
    asOf: now.toISOString(),
    intraday: {
      ...intraday,
      method: "ratio = actual / forecast over the intervals wholly before asOf; the remaining intervals' reforecast is forecast × ratio (the forecast itself when ratio is null); elapsed intervals' reforecast is their actual",
    },
    totals: { base: sum((p) => p.base), forecast: sum((p) => p.forecast), actualSoFar: sum((p) => p.actual ?? 0), reforecast: sum((p) => p.reforecast) },
    intervals: points,
  };
}

/** Primary course: the day's multiplier and who set it, or 404. */
export async function multiplierOf(date: string): Promise<ForecastMultiplier | undefined> {
  return getMultiplier(date);
}

/**
 * Sets a day's campaign multiplier.
 *
 * Primary course: read the previous value → write the new one with an audit record
 * (`forecast.multiplier-set`, before and after) in one transaction.
 */
export async function setMultiplier(date: string, input: ForecastMultiplierInput, by: Actor): Promise<{ created: boolean; multiplier: ForecastMultiplier }> {
  const before = await getMultiplier(date);
  const multiplier: ForecastMultiplier = { date, multiplier: input.multiplier, ...(input.base ? { base: input.base } : {}), ...(input.note ? { note: input.note } : {}), setBy: by.actor, setAt: by.now.toISOString() };
  await putMultiplier(multiplier, { entity: "forecast", entityId: date, action: "forecast.multiplier-set", actor: by.actor, at: multiplier.setAt, details: { before: before ?? null, after: multiplier } });
  return { created: before === undefined, multiplier };
}

/** Primary course: delete the day's multiplier (the forecast is the base again) with an audit record; 404 when none. */
export async function removeMultiplier(date: string, by: Actor): Promise<void> {
  const before = await getMultiplier(date);
  await deleteMultiplier(date, { entity: "forecast", entityId: date, action: "forecast.multiplier-deleted", actor: by.actor, at: by.now.toISOString(), details: { before: before ?? null } });
}
