/** Adherence use cases: the report over a range, and the live alert of on-duty agents not online. */
import { getAgent, lastPresenceChange, listAgents, presenceHistory } from "../../agents/store.js";
import { ValidationError } from "../../shared/errors.js";
import { logger } from "../../shared/logger.js";
import { pushToSupervisors } from "../../shared/push.js";
import { resolveRota } from "../../rota/resolve.js";
import { loadRotaData } from "../../rota/store.js";
import { currentSettings } from "../../settings/current.js";
import { agentAdherence, lapseOf, presenceSpans, teamAdherence } from "../adherence.js";
import { maxAdherenceDays, type AdherenceQuery } from "../domain.js";
import { claimAdherenceAlert } from "../store.js";

const dayMs = 86_400_000;

/**
 * Adherence over [from, to).
 *
 * Primary course: check the range (non-empty, ≤ 7 days) → resolve the rota over it (duty: the
 * shifts minus leave) → for each agent with duty in it, their presence history (the state at
 * `from` and every change in the range: two queries) → scheduled vs actual per interval, and the
 * team's rate.
 */
export async function adherenceReport(q: AdherenceQuery) {
  const from = Date.parse(q.from);
  const to = Date.parse(q.to);
  if (!(to > from)) throw new ValidationError("The range is empty.", { errors: [{ field: "to", message: "must be after from" }] });
  if (to - from > maxAdherenceDays * dayMs) throw new ValidationError("The range is too long.", { errors: [{ field: "to", message: `at most ${maxAdherenceDays} days after from` }] });
  const window = { from: new Date(from), to: new Date(to) };
  const occurrences = resolveRota(await loadRotaData({ from: new Date(from - dayMs), to: new Date(to + dayMs) }), window, q.agentId ? new Set([q.agentId]) : undefined);
  const duty = new Map<string, { from: number; to: number }[]>();
  for (const o of occurrences) {
    for (const d of o.duty) {
      const part = { from: Math.max(from, Date.parse(d.from)), to: Math.min(to, Date.parse(d.to)) };
      if (part.to > part.from) duty.set(o.agentId, [...(duty.get(o.agentId) ?? []), part]);
    }
  }
  const fromIso = window.from.toISOString();
  const toIso = window.to.toISOString();
  const agents = await Promise.all(
    [...duty.keys()].sort().map(async (agentId) => {
      const { before, changes } = await presenceHistory(agentId, fromIso, toIso);
      // The state at `from`: the last change before it, else what the first change left, else (no history kept) the presence now.
      const initial = before?.presence ?? changes[0]?.previous ?? (await getAgent(agentId))?.presence ?? "offline";
      const spans = presenceSpans(from, to, initial, changes.map((c) => ({ at: Date.parse(c.at), presence: c.presence })));
      return agentAdherence(agentId, { from, to }, q.interval, duty.get(agentId) ?? [], spans);
    }),
  );
  return { from: fromIso, to: toIso, interval: q.interval, team: teamAdherence(agents), agents };
}

type OnDutyAgent = Awaited<ReturnType<typeof listAgents>>[number];

/** The push to supervisors (the console's wall takes its type from here: `AdherenceAlertPush`). */
function adherenceAlert(agentId: string, presence: OnDutyAgent["presence"], since: string, minutes: number, thresholdMinutes: number, shift: NonNullable<OnDutyAgent["shift"]>, at: string) {
  return { type: "adherence.alert" as const, agentId, presence, since, minutes, thresholdMinutes, shift, at };
}

/** An on-duty agent not online for more than ADHERENCE_ALERT_MINUTES, once per lapse. */
export type AdherenceAlertPush = ReturnType<typeof adherenceAlert>;

/**
 * The live alert: supervisors hear once per lapse of an on-duty agent not online for longer than
 * ADHERENCE_ALERT_MINUTES.
 *
 * Primary course: the agents (one query) → those on duty at `now` and not online → each one's last
 * presence change (one small query) → the lapse's start (duty start or that change, the later) →
 * past the threshold: claim the lapse's marker (conditional put) and, if this tick created it,
 * push `adherence.alert` to every supervisor connection.
 */
export async function watchAdherence(now: Date) {
  const threshold = (await currentSettings()).ADHERENCE_ALERT_MINUTES;
  const nowMs = now.getTime();
  const iso = now.toISOString();
  const candidates = (await listAgents()).filter((a) => a.deactivatedAt === undefined && a.onDuty && a.shift && a.presence !== "online" && Date.parse(a.shift.from) <= nowMs && nowMs < Date.parse(a.shift.to));
  const alerted: string[] = [];
  for (const agent of candidates) {
    const shift = agent.shift;
    if (!shift) continue;
    const last = await lastPresenceChange(agent.agentId, iso);
    const lapse = lapseOf(nowMs, Date.parse(shift.from), agent.presence, last ? Date.parse(last.at) : undefined, threshold);
    if (!lapse) continue;
    const since = new Date(lapse.since).toISOString();
    if (!(await claimAdherenceAlert({ agentId: agent.agentId, since, alertedAt: iso, presence: agent.presence }))) continue;
    alerted.push(agent.agentId);
    const message = adherenceAlert(agent.agentId, agent.presence, since, lapse.minutes, threshold, shift, iso);
    try {
      await pushToSupervisors(message);
    } catch (error) {
      // The marker is written: this lapse is not alerted again (the report still shows it).
      logger.warn("Adherence alert push failed", { agentId: agent.agentId, error: error as Error });
    }
  }
  return { candidates: candidates.length, alerted };
}
