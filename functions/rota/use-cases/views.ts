/** Read use cases: the resolved rota, who is on duty, coverage against a forecast. */
import type { Skill } from "../../agents/domain.js";
import { getAgent, listAgents } from "../../agents/store.js";
import { AppError, ValidationError } from "../../shared/errors.js";
import { computeCoverage, dayIntervals, type CoverageInput, type Unstaffable } from "../coverage.js";
import { maxRangeDays } from "../domain.js";
import { dutyAt, resolveRota } from "../resolve.js";
import { listOnDuty, loadRotaData } from "../store.js";
import { dayMs, parseDate } from "../time.js";

/** A well-formed forecast that no staffing can meet: the request is understood but cannot be answered. */
export class UnstaffableForecastError extends AppError {
  readonly status = 422;
  readonly title = "Forecast cannot be staffed";
  readonly type = "/problems/unstaffable-forecast";
}

/**
 * The resolved rota: occurrences dated in `[from, to]` (dates) or overlapping it (instants).
 *
 * Primary course: check the range (non-empty, ≤ 62 days) → load the rota around it → resolve.
 */
export async function resolvedRota(q: { from: string; to: string; agentId?: string | undefined }) {
  const fromDay = parseDate(q.from);
  const toDay = parseDate(q.to);
  const byDate = fromDay !== undefined && toDay !== undefined;
  const window = byDate ? { from: new Date(fromDay * dayMs - dayMs), to: new Date((toDay + 2) * dayMs) } : { from: new Date(q.from), to: new Date(q.to) };
  const spanDays = byDate ? toDay - fromDay + 1 : (window.to.getTime() - window.from.getTime()) / dayMs;
  if (spanDays <= 0) throw new ValidationError("The range is empty.", { errors: [{ field: "to", message: "must be after from" }] });
  if (spanDays > maxRangeDays) throw new ValidationError("The range is too long.", { errors: [{ field: "to", message: `at most ${maxRangeDays} days after from` }] });
  const data = await loadRotaData(window);
  let occurrences = resolveRota(data, window, q.agentId ? new Set([q.agentId]) : undefined);
  if (byDate) occurrences = occurrences.filter((o) => o.date >= q.from && o.date <= q.to);
  return { from: q.from, to: q.to, occurrences };
}

/**
 * Who is on duty: now from the on-duty view (one query), or at another instant by resolving.
 */
export async function onDuty(q: { at?: string | undefined; skill?: Skill | undefined }, now: Date) {
  if (q.at === undefined) {
    const iso = now.toISOString();
    const view = await listOnDuty();
    const agents = view
      .filter((v) => v.from <= iso && iso < v.to && (q.skill === undefined || v.skills.includes(q.skill)))
      .map(({ agentId, shiftId, from, to }) => ({ agentId, shiftId, from, to }))
      .sort((a, b) => a.agentId.localeCompare(b.agentId));
    return { at: iso, source: "view", agents };
  }
  const at = new Date(q.at);
  const window = { from: new Date(at.getTime() - dayMs), to: new Date(at.getTime() + dayMs) };
  const duty = dutyAt(resolveRota(await loadRotaData(window), window), at);
  const profiles = await Promise.all([...duty.keys()].map(getAgent));
  const agents = profiles
    .filter((p) => p !== undefined && (q.skill === undefined || p.skills.includes(q.skill)))
    .flatMap((p) => {
      const d = p ? duty.get(p.agentId) : undefined;
      return p && d ? [{ agentId: p.agentId, ...d }] : [];
    })
    .sort((a, b) => a.agentId.localeCompare(b.agentId));
  return { at: at.toISOString(), source: "rota", agents };
}

/** The 422 for a forecast no staffing within `maxSlots` meets, naming its first such interval. */
export function unstaffable(u: Unstaffable, field = "volumes"): UnstaffableForecastError {
  return new UnstaffableForecastError(
    `The forecast cannot be staffed: interval ${u.interval} (${u.localFrom}) offers ${u.trafficErlangs} Erlangs, and no staffing up to ${u.maxSlots} chat slots meets the service level. Check volumes, the handle time and maxSlots.`,
    { errors: [{ field, message: `interval ${u.interval} (${u.localFrom}): ${u.trafficErlangs} Erlangs needs more than ${u.maxSlots} slots` }], extra: { ...u } },
  );
}

/**
 * Coverage of a local day against a forecast, chat-aware (slots = the agents' own maxConcurrent).
 *
 * Primary course: cut the day into intervals → load and resolve the rota for it and read the
 * agents (skills, maxConcurrent) → per interval, scheduled slots against required ones, with the
 * service the scheduled slots give.
 */
export async function coverage(q: CoverageInput) {
  const intervals = dayIntervals(q.date, q.timeZone, q.intervalMinutes);
  const first = intervals[0];
  const last = intervals[intervals.length - 1];
  if (!first || !last) throw new ValidationError("The day has no intervals.", { errors: [{ field: "date", message: "empty day" }] });
  const window = { from: new Date(first.from), to: new Date(last.to) };
  const [data, agents] = await Promise.all([loadRotaData(window), listAgents()]);
  const result = computeCoverage(q, resolveRota(data, window), new Map(agents.map((a) => [a.agentId, { skills: a.skills, maxConcurrent: a.maxConcurrent }])));
  if (result.unstaffable) throw unstaffable(result.unstaffable);
  if (!result.result) throw new ValidationError("The forecast does not fit the day.", { errors: [result.error ?? { field: "volumes", message: "wrong length" }] });
  return result.result;
}
