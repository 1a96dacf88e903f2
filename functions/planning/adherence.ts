/**
 * Schedule adherence: per agent and interval, the time the rota had them on duty against the
 * presence they actually had. Pure: no AWS here.
 *
 * Definitions (docs/rota.md "Adherence"): scheduled time is the agent's duty intervals (the
 * resolved rota minus leave); it is in adherence while the presence is `online`, out of adherence
 * while `paused`, `away` or `offline`. Online time off the schedule is reported
 * (`unscheduledOnlineMinutes`) but not counted against the agent. Adherence rate = scheduled
 * online minutes / scheduled minutes.
 */
import type { Presence } from "../agents/domain.js";

export interface PresenceSpan {
  from: number;
  to: number;
  presence: Presence;
}

/** The agent's presence over [from, to): the state at `from`, then each change in order. */
export function presenceSpans(from: number, to: number, initial: Presence, changes: readonly { at: number; presence: Presence }[]): PresenceSpan[] {
  const spans: PresenceSpan[] = [];
  let state = initial;
  let start = from;
  for (const change of [...changes].sort((a, b) => a.at - b.at)) {
    if (change.at <= from) {
      state = change.presence;
      continue;
    }
    if (change.at >= to) break;
    if (change.at > start) spans.push({ from: start, to: change.at, presence: state });
    state = change.presence;
    start = change.at;
  }
  if (to > start) spans.push({ from: start, to, presence: state });
  return spans;
}

const overlap = (a: { from: number; to: number }, b: { from: number; to: number }) => Math.max(0, Math.min(a.to, b.to) - Math.max(a.from, b.from));
const minutes = (ms: number) => Math.round((ms / 60_000) * 100) / 100;

export interface AdherenceInterval {
  from: string;
  to: string;
  scheduledMinutes: number;
  /** Minutes of scheduled time in each presence. */
  scheduled: Record<Presence, number>;
  outOfAdherenceMinutes: number;
  unscheduledOnlineMinutes: number;
}

export interface AgentAdherence {
  agentId: string;
  scheduledMinutes: number;
  inAdherenceMinutes: number;
  outOfAdherenceMinutes: number;
  /** In-adherence share of scheduled time; null when nothing was scheduled. */
  adherence: number | null;
  unscheduledOnlineMinutes: number;
  /** Intervals with scheduled time or online time (the rest are empty). */
  intervals: AdherenceInterval[];
}

/** One agent's adherence over the grid of `intervalMinutes` from `from` to `to`. */
export function agentAdherence(agentId: string, window: { from: number; to: number }, intervalMinutes: number, duty: readonly { from: number; to: number }[], spans: readonly PresenceSpan[]): AgentAdherence {
  const intervals: AdherenceInterval[] = [];
  let scheduledMs = 0;
  let onlineScheduledMs = 0;
  let unscheduledOnlineMs = 0;
  for (let t = window.from; t < window.to; t += intervalMinutes * 60_000) {
    const cell = { from: t, to: Math.min(window.to, t + intervalMinutes * 60_000) };
    const byState: Record<Presence, number> = { online: 0, paused: 0, away: 0, offline: 0 };
    let cellScheduled = 0;
    let cellOnline = 0;
    for (const d of duty) {
      const part = { from: Math.max(cell.from, d.from), to: Math.min(cell.to, d.to) };
      if (part.to <= part.from) continue;
      cellScheduled += part.to - part.from;
      for (const s of spans) byState[s.presence] += overlap(part, s);
    }
    for (const s of spans) if (s.presence === "online") cellOnline += overlap(cell, s);
    const unscheduledOnline = Math.max(0, cellOnline - byState.online);
    scheduledMs += cellScheduled;
    onlineScheduledMs += byState.online;
    unscheduledOnlineMs += unscheduledOnline;
    if (cellScheduled === 0 && unscheduledOnline === 0) continue;
    intervals.push({
      from: new Date(cell.from).toISOString(),
      to: new Date(cell.to).toISOString(),
      scheduledMinutes: minutes(cellScheduled),
      scheduled: { online: minutes(byState.online), paused: minutes(byState.paused), away: minutes(byState.away), offline: minutes(byState.offline) },
      outOfAdherenceMinutes: minutes(cellScheduled - byState.online),
      unscheduledOnlineMinutes: minutes(unscheduledOnline),
    });
  }
  return {
    agentId,
    scheduledMinutes: minutes(scheduledMs),
    inAdherenceMinutes: minutes(onlineScheduledMs),
    outOfAdherenceMinutes: minutes(scheduledMs - onlineScheduledMs),
    adherence: scheduledMs === 0 ? null : Math.round((onlineScheduledMs / scheduledMs) * 10_000) / 10_000,
    unscheduledOnlineMinutes: minutes(unscheduledOnlineMs),
    intervals,
  };
}

/** The team's totals: adherence rate = every agent's scheduled online time / scheduled time. */
export function teamAdherence(agents: readonly AgentAdherence[]) {
  const scheduled = agents.reduce((a, x) => a + x.scheduledMinutes, 0);
  const inAdherence = agents.reduce((a, x) => a + x.inAdherenceMinutes, 0);
  return {
    agents: agents.length,
    scheduledMinutes: Math.round(scheduled * 100) / 100,
    inAdherenceMinutes: Math.round(inAdherence * 100) / 100,
    outOfAdherenceMinutes: Math.round((scheduled - inAdherence) * 100) / 100,
    adherence: scheduled === 0 ? null : Math.round((inAdherence / scheduled) * 10_000) / 10_000,
  };
}

/**
 * The lapse an on-duty agent is in at `now`, if they have not been online for more than
 * `thresholdMinutes`: it began at the later of the duty start and the last change away from
 * online (`since`), so one lapse has one stable identity and is alerted once.
 */
export function lapseOf(now: number, dutyFrom: number, presence: Presence, lastChangeAt: number | undefined, thresholdMinutes: number): { since: number; minutes: number } | undefined {
  if (presence === "online") return undefined;
  const since = Math.max(dutyFrom, lastChangeAt ?? dutyFrom);
  const lapsed = now - since;
  return lapsed > thresholdMinutes * 60_000 ? { since, minutes: Math.floor(lapsed / 60_000) } : undefined;
}
