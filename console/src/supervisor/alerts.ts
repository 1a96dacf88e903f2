/**
 * The wall's adherence alerts, pure (state.ts keeps them in a signal): one per agent, from the
 * `adherence.alert` push (RotaDutyClock: an on-duty agent not online for more than
 * ADHERENCE_ALERT_MINUTES, pushed once per lapse). An alert goes when a queue read that began
 * after it arrived shows the agent online again, off duty or deactivated (an agent the bounded
 * agent list leaves out keeps its alert), or when the supervisor dismisses it.
 */
import type { AdherenceAlertPush, QueueAgent } from "../api/types.js";

export interface AdherenceAlert extends Omit<AdherenceAlertPush, "type"> {
  /** When the console received it (ms): only reads begun later may clear it. */
  receivedAt: number;
}

/** The alerts with `push` in, replacing the agent's earlier one; newest lapse first. */
export function withAlert(alerts: readonly AdherenceAlert[], push: AdherenceAlertPush, receivedAt: number): AdherenceAlert[] {
  const { type: _type, ...alert } = push;
  return [{ ...alert, receivedAt }, ...alerts.filter((a) => a.agentId !== push.agentId)].sort((a, b) => b.since.localeCompare(a.since) || a.agentId.localeCompare(b.agentId));
}

/** The alerts a queue read begun at `readStartedAt` leaves: those whose agent it shows online, off duty or deactivated go. */
export function afterQueueRead(alerts: readonly AdherenceAlert[], agents: readonly Pick<QueueAgent, "agentId" | "presence" | "onDuty" | "active">[], readStartedAt: number): AdherenceAlert[] {
  if (alerts.length === 0) return alerts as AdherenceAlert[];
  const byId = new Map(agents.map((a) => [a.agentId, a]));
  const kept = alerts.filter((alert) => {
    const agent = byId.get(alert.agentId);
    if (!agent || readStartedAt <= alert.receivedAt) return true;
    return agent.presence !== "online" && agent.onDuty && agent.active;
  });
  return kept.length === alerts.length ? (alerts as AdherenceAlert[]) : kept;
}

/** Minutes the lapse has lasted at `nowMs` (never less than the push said). */
export function lapseMinutes(alert: Pick<AdherenceAlert, "since" | "minutes">, nowMs: number): number {
  return Math.max(alert.minutes, Math.floor((nowMs - Date.parse(alert.since)) / 60_000));
}
