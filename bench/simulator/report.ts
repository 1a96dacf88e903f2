/**
 * Per-interval figures of a simulated day, the table printed for the supervisor, and the
 * verdict "which intervals miss the target".
 *
 * Conventions: a conversation belongs to the interval it arrived in. Waits are arrival to
 * assignment of the conversations that were answered; service levels are shares of ALL
 * arrivals answered within 20 s / 3 min (abandoned and never-answered ones count as missed,
 * the platforms' own reading). Occupancy is open conversations of on-duty agents over their
 * chat slots, averaged over time. "Erlang C needs" is `requiredServers` for the forecast
 * traffic of the interval at the scenario's target, in chat slots.
 */
import { DateTime } from "luxon";
import { dayIntervals } from "../../functions/rota/coverage.js";
import { requiredServers } from "../../functions/rota/erlang.js";
import type { Buckets, SimResult } from "./engine.js";
import type { Prepared } from "./scenario.js";

export interface IntervalReport {
  from: string;
  /** Local start time, HH:mm. */
  label: string;
  /** Expected arrivals (forecast, prorated to this interval). */
  forecast: number;
  arrivals: number;
  /** Assignments made during the interval (whenever the conversation arrived). */
  assigned: number;
  /** Share of arrivals that found no eligible slot. */
  waitedShare: number;
  meanWaitSeconds: number;
  p90WaitSeconds: number;
  within20s: number;
  within3min: number;
  abandoned: number;
  /** Never answered nor abandoned by the end of the run. */
  unanswered: number;
  occupancy: number;
  /** Average chat slots / agents on duty. */
  staffedSlots: number;
  agentsOnDuty: number;
  /** Chat slots Erlang C asks for the forecast at the target (the rota's sizing rule). */
  erlangSlots: number;
  meanQueue: number;
  maxQueue: number;
}

export interface DayReport {
  scenario: string;
  date: string;
  timeZone: string;
  seed: number;
  intervalMinutes: number;
  target: { answerSeconds: number; serviceLevel: number };
  totals: Omit<IntervalReport, "from" | "label" | "erlangSlots" | "staffedSlots" | "agentsOnDuty" | "meanQueue"> & { agents: number };
  intervals: IntervalReport[];
  /** Intervals whose share answered within the target falls below it. */
  shortfalls: { label: string; withinTarget: number; staffedSlots: number; erlangSlots: number }[];
  /** Per minute: waiting line (time-averaged and maximum), busy and on-duty chat slots (time-averaged). */
  byMinute: { at: string; queueMean: number; queueMax: number; busySlots: number; staffedSlots: number }[];
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

const round = (n: number, digits = 3) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

/** Sums bucket integrals over [from, to) (bucket-aligned) divided by the interval length. */
function averageOver(b: Buckets, series: Float64Array, from: number, to: number): number {
  const first = Math.max(0, Math.floor((from - b.start) / b.bucketMs));
  const last = Math.min(series.length, Math.ceil((to - b.start) / b.bucketMs));
  let sum = 0;
  for (let i = first; i < last; i++) sum += series[i] ?? 0;
  return sum / (to - from);
}

function maxOver(b: Buckets, from: number, to: number): number {
  const first = Math.max(0, Math.floor((from - b.start) / b.bucketMs));
  const last = Math.min(b.queueMax.length, Math.ceil((to - b.start) / b.bucketMs));
  let max = 0;
  for (let i = first; i < last; i++) max = Math.max(max, b.queueMax[i] ?? 0);
  return max;
}

export function buildReport(prepared: Prepared, result: SimResult, seed: number, intervalMinutes: number): DayReport {
  const { scenario } = prepared;
  const intervals = dayIntervals(scenario.date, scenario.timeZone, intervalMinutes);
  const target = scenario.target;
  const meanHandle = scenario.handleTime.meanSeconds;
  const localLabel = (ms: number) => DateTime.fromMillis(ms, { zone: scenario.timeZone }).toFormat("HH:mm");

  const intervalOf = (t: number) => {
    // Intervals are equal-length except possibly the last (DST days): search from the estimate.
    let i = Math.min(intervals.length - 1, Math.max(0, Math.floor((t - prepared.dayStart) / (intervalMinutes * 60_000))));
    while (i > 0 && (intervals[i]?.from ?? 0) > t) i--;
    while (i < intervals.length - 1 && (intervals[i]?.to ?? 0) <= t) i++;
    return i;
  };

  const acc = intervals.map(() => ({ arrivals: 0, waited: 0, waits: [] as number[], within20: 0, within180: 0, abandoned: 0, unanswered: 0, assigned: 0 }));
  const all = { arrivals: 0, waited: 0, waits: [] as number[], within20: 0, within180: 0, abandoned: 0, unanswered: 0, assigned: 0 };
  for (const c of result.conversations) {
    const a = acc[intervalOf(c.arrivedAt)];
    if (!a) continue;
    for (const x of [a, all]) {
      x.arrivals++;
      if (c.waited) x.waited++;
      if (c.assignedAt !== undefined) {
        const wait = (c.assignedAt - c.arrivedAt) / 1000;
        x.waits.push(wait);
        if (wait <= 20) x.within20++;
        if (wait <= 180) x.within180++;
      } else if (c.abandonedAt !== undefined) x.abandoned++;
      else x.unanswered++;
    }
    if (c.assignedAt !== undefined && c.assignedAt < prepared.dayEnd) {
      const b = acc[intervalOf(c.assignedAt)];
      if (b) b.assigned++;
    }
    if (c.assignedAt !== undefined) all.assigned++;
  }

  const forecastIn = (from: number, to: number) =>
    prepared.forecast.reduce((sum, f) => sum + (f.expected * Math.max(0, Math.min(to, f.to) - Math.max(from, f.from))) / (f.to - f.from), 0);

  const b = result.buckets;
  const rows: IntervalReport[] = intervals.map((iv, i) => {
    const a = acc[i] ?? all;
    const waits = [...a.waits].sort((x, y) => x - y);
    const staffed = averageOver(b, b.staffed, iv.from, iv.to);
    const busy = averageOver(b, b.busy, iv.from, iv.to);
    const expected = forecastIn(iv.from, iv.to);
    const traffic = (expected * meanHandle) / ((iv.to - iv.from) / 1000);
    return {
      from: new Date(iv.from).toISOString(),
      label: localLabel(iv.from),
      forecast: round(expected, 1),
      arrivals: a.arrivals,
      assigned: a.assigned,
      waitedShare: round(a.arrivals ? a.waited / a.arrivals : 0),
      meanWaitSeconds: round(waits.length ? waits.reduce((s, w) => s + w, 0) / waits.length : 0, 1),
      p90WaitSeconds: round(percentile(waits, 0.9), 1),
      within20s: round(a.arrivals ? a.within20 / a.arrivals : 1),
      within3min: round(a.arrivals ? a.within180 / a.arrivals : 1),
      abandoned: a.abandoned,
      unanswered: a.unanswered,
      occupancy: round(staffed > 0 ? busy / staffed : 0),
      staffedSlots: round(staffed, 1),
      agentsOnDuty: round(averageOver(b, b.onDuty, iv.from, iv.to), 1),
      erlangSlots: requiredServers({ trafficErlangs: traffic, ahtSeconds: meanHandle, targetServiceLevel: target.serviceLevel, answerSeconds: target.answerSeconds }),
      meanQueue: round(averageOver(b, b.queue, iv.from, iv.to), 1),
      maxQueue: maxOver(b, iv.from, iv.to),
    };
  });

  // Share within the target's own answer time (20 s by default) decides a shortfall.
  const withinTarget = (i: number) => {
    const a = acc[i];
    if (!a || a.arrivals === 0) return 1;
    return a.waits.filter((w) => w <= target.answerSeconds).length / a.arrivals;
  };
  const shortfalls = rows
    .map((r, i) => ({ label: r.label, withinTarget: round(withinTarget(i)), staffedSlots: r.staffedSlots, erlangSlots: r.erlangSlots }))
    .filter((s) => s.withinTarget < target.serviceLevel);

  const allWaits = [...all.waits].sort((x, y) => x - y);
  const byMinute: DayReport["byMinute"] = [];
  for (let i = 0; i < b.queue.length; i++) {
    const at = b.start + i * b.bucketMs;
    if (at >= prepared.dayEnd) break;
    byMinute.push({
      at: new Date(at).toISOString(),
      queueMean: round((b.queue[i] ?? 0) / b.bucketMs, 2),
      queueMax: b.queueMax[i] ?? 0,
      busySlots: round((b.busy[i] ?? 0) / b.bucketMs, 2),
      staffedSlots: round((b.staffed[i] ?? 0) / b.bucketMs, 2),
    });
  }
  const dayMs = prepared.dayEnd - prepared.dayStart;
  return {
    scenario: scenario.name,
    date: scenario.date,
    timeZone: scenario.timeZone,
    seed,
    intervalMinutes,
    target,
    totals: {
      agents: prepared.agents.length,
      forecast: round(prepared.forecast.reduce((s, f) => s + f.expected, 0), 1),
      arrivals: all.arrivals,
      assigned: all.assigned,
      waitedShare: round(all.arrivals ? all.waited / all.arrivals : 0),
      meanWaitSeconds: round(allWaits.length ? allWaits.reduce((s, w) => s + w, 0) / allWaits.length : 0, 1),
      p90WaitSeconds: round(percentile(allWaits, 0.9), 1),
      within20s: round(all.arrivals ? all.within20 / all.arrivals : 1),
      within3min: round(all.arrivals ? all.within180 / all.arrivals : 1),
      abandoned: all.abandoned,
      unanswered: all.unanswered,
      occupancy: round(averageOver(b, b.busy, prepared.dayStart, prepared.dayEnd) / Math.max(1e-9, averageOver(b, b.staffed, prepared.dayStart, prepared.dayEnd))),
      maxQueue: maxOver(b, prepared.dayStart, prepared.dayStart + dayMs),
    },
    intervals: rows,
    shortfalls,
    byMinute,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const secs = (s: number) => (s < 100 ? s.toFixed(1) : s < 6000 ? s.toFixed(0) : `${(s / 60).toFixed(0)}m`);

/** The per-interval table, fixed-width for a terminal. */
export function formatTable(report: DayReport): string {
  const abandon = report.intervals.some((r) => r.abandoned > 0);
  const head = ["time", "fcst", "arr", "asgn", "waited", "mean s", "p90 s", "≤20s", "≤3min", ...(abandon ? ["aband"] : []), "unans", "occ", "agents", "slots", "erlang", "maxQ"];
  const lines = report.intervals.map((r) => [
    r.label,
    r.forecast.toFixed(0),
    String(r.arrivals),
    String(r.assigned),
    pct(r.waitedShare),
    secs(r.meanWaitSeconds),
    secs(r.p90WaitSeconds),
    pct(r.within20s),
    pct(r.within3min),
    ...(abandon ? [String(r.abandoned)] : []),
    String(r.unanswered),
    pct(r.occupancy),
    r.agentsOnDuty.toFixed(1),
    r.staffedSlots.toFixed(0),
    String(r.erlangSlots),
    String(r.maxQueue),
  ]);
  const t = report.totals;
  const total = ["day", t.forecast.toFixed(0), String(t.arrivals), String(t.assigned), pct(t.waitedShare), secs(t.meanWaitSeconds), secs(t.p90WaitSeconds), pct(t.within20s), pct(t.within3min), ...(abandon ? [String(t.abandoned)] : []), String(t.unanswered), pct(t.occupancy), "", "", "", String(t.maxQueue)];
  const table = [head, ...lines, total];
  const widths = head.map((_, col) => Math.max(...table.map((row) => (row[col] ?? "").length)));
  const fmt = (row: string[]) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [fmt(head), rule, ...lines.map(fmt), rule, fmt(total)].join("\n");
}

/** The answer to "is my rota enough?": the intervals below target, or a clean bill. */
export function formatVerdict(report: DayReport): string {
  const goal = `${pct(report.target.serviceLevel)} answered within ${report.target.answerSeconds} s`;
  if (report.shortfalls.length === 0) return `Rota meets the target (${goal}) in every ${report.intervalMinutes}-minute interval.`;
  const lines = report.shortfalls.map(
    (s) => `  ${s.label}  ${pct(s.withinTarget)} within ${report.target.answerSeconds} s; ${s.staffedSlots.toFixed(0)} slots on duty, Erlang C asks for ${s.erlangSlots}`,
  );
  return [`Rota misses the target (${goal}) in ${report.shortfalls.length} of ${report.intervals.length} intervals:`, ...lines].join("\n");
}
