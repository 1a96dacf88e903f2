/**
 * Supervision rules that need no I/O (unit tested): when open work is handed over, and the
 * routing metrics of a set of conversations.
 */
import type { Agent } from "../agents/domain.js";
import type { Conversation } from "../routing/conversation.js";

/** What happens to open work when its agent leaves: handed over, or kept with them. */
export type HandoverPolicy = "handover" | "keep";

/** Nearest-rank percentile of a sorted list; undefined for an empty list. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

function firstAssignedAt(c: Conversation): string | undefined {
  return c.history.find((h) => h.action === "assigned")?.at;
}

export interface RoutingMetrics {
  received: number;
  assigned: number;
  waiting: number;
  queued: number;
  /** Ended before any agent had it: the customer left (`abandonedByCustomer`) or it was closed while waiting (`closedWhileWaiting`). */
  abandoned: number;
  abandonedByCustomer: number;
  closedWhileWaiting: number;
  closed: number;
  waitSeconds: { median: number | null; p90: number | null; max: number | null };
  /** Share of received conversations first answered within 3 minutes of arrival. */
  firstResponseWithin3MinRate: number | null;
  reoffered: number;
  escalated: number;
  perAgent: { agentId: string; assigned: number; closed: number }[];
}

export function routingMetrics(conversations: readonly Conversation[], now: Date): RoutingMetrics {
  const waits: number[] = [];
  const perAgent = new Map<string, { assigned: number; closed: number }>();
  const bump = (agentId: string, key: "assigned" | "closed") => {
    const entry = perAgent.get(agentId) ?? { assigned: 0, closed: 0 };
    entry[key]++;
    perAgent.set(agentId, entry);
  };
  let answeredIn3 = 0;
  for (const c of conversations) {
    const assignedAt = firstAssignedAt(c);
    const waitEnd = assignedAt ?? (c.status === "closed" ? c.closedAt : now.toISOString());
    if (assignedAt || c.status === "waiting" || c.status === "queued") waits.push((Date.parse(waitEnd ?? now.toISOString()) - Date.parse(c.arrivedAt)) / 1000);
    if (c.firstResponseAt && Date.parse(c.firstResponseAt) - Date.parse(c.arrivedAt) <= 180_000) answeredIn3++;
    for (const h of c.history) {
      if (h.agentId && (h.action === "assigned" || h.action === "transferred" || h.action === "reassigned")) bump(h.agentId, "assigned");
      if (h.agentId && h.action === "closed") bump(h.agentId, "closed");
    }
  }
  waits.sort((a, b) => a - b);
  const round = (n: number | undefined) => (n === undefined ? null : Math.round(n * 10) / 10);
  return {
    received: conversations.length,
    assigned: conversations.filter((c) => firstAssignedAt(c) !== undefined).length,
    waiting: conversations.filter((c) => c.status === "waiting").length,
    queued: conversations.filter((c) => c.status === "queued").length,
    abandoned: conversations.filter((c) => c.status === "abandoned" || (c.status === "closed" && c.abandoned)).length,
    abandonedByCustomer: conversations.filter((c) => c.status === "abandoned").length,
    closedWhileWaiting: conversations.filter((c) => c.status === "closed" && c.abandoned).length,
    closed: conversations.filter((c) => c.status === "closed").length,
    waitSeconds: { median: round(percentile(waits, 50)), p90: round(percentile(waits, 90)), max: round(waits[waits.length - 1]) },
    firstResponseWithin3MinRate: conversations.length === 0 ? null : Math.round((answeredIn3 / conversations.length) * 1000) / 1000,
    reoffered: conversations.filter((c) => c.history.some((h) => h.action === "reoffered")).length,
    escalated: conversations.filter((c) => c.escalated).length,
    perAgent: [...perAgent.entries()].map(([agentId, v]) => ({ agentId, ...v })).sort((a, b) => (a.agentId < b.agentId ? -1 : 1)),
  };
}

export interface HandoverConfig {
  handoverGraceMs: number;
  shiftEndPolicy: HandoverPolicy;
  awayTimeoutMs: number;
  awayPolicy: HandoverPolicy;
}

/** Why an agent's open work should be handed over now, or undefined to leave it with them. */
export function handoverReason(agent: Agent, now: Date, config: HandoverConfig): string | undefined {
  if (agent.load === 0) return undefined;
  if (!agent.onDuty && config.shiftEndPolicy === "handover") {
    const since = Date.parse(agent.dutyChangedAt ?? agent.updatedAt);
    if (now.getTime() - since >= config.handoverGraceMs) return "shift ended";
  }
  if (agent.presence !== "online" && config.awayPolicy === "handover") {
    const since = Date.parse(agent.presenceChangedAt ?? agent.updatedAt);
    if (now.getTime() - since >= config.awayTimeoutMs) return `agent ${agent.presence}`;
  }
  return undefined;
}
