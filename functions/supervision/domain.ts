/**
 * Supervision rules that need no I/O (unit tested): when open work is handed over, and the
 * routing metrics of a set of conversations.
 */
import type { Agent } from "../agents/domain.js";
import type { Conversation } from "../routing/conversation.js";
import { assignmentMoves, contributions, mergeCounters, type Counters } from "../routing/metrics.js";

/** What happens to open work when its agent leaves: handed over, or kept with them. */
export type HandoverPolicy = "handover" | "keep";

/** Nearest-rank percentile of a sorted list; undefined for an empty list. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export { assignmentMoves };

export interface SecondsSummary {
  median: number | null;
  p90: number | null;
}

export interface RoutingMetrics {
  received: number;
  assigned: number;
  waiting: number;
  queued: number;
  /** Ended without ever reaching an agent: the customer left the queue, or someone closed it while waiting. */
  abandoned: number;
  /** The customer left before an agent had it (platform `customer-left`, status `abandoned`). */
  abandonedByCustomer: number;
  /** Closed by an agent or supervisor while still queued or waiting. */
  closedWhileWaiting: number;
  closed: number;
  /** Closed because the customer left while an agent had it (`closeReason: customer-left`). */
  closedByCustomerLeaving: number;
  waitSeconds: { median: number | null; p90: number | null; max: number | null };
  /** Share of received conversations whose episode was first answered within 3 minutes of arrival. */
  firstResponseWithin3MinRate: number | null;
  /** Arrival to first response, per requested skill. */
  perSkill: { skill: string; received: number; answered: number; firstResponseSeconds: SecondsSummary; firstResponseWithin3MinRate: number | null }[];
  reoffered: number;
  escalated: number;
  /**
   * Per agent, from the moves themselves: `assigned` counts moves that gave it the conversation;
   * `firstResponseWithin3MinRate` is, of the conversations it was given while still unanswered,
   * the share it answered within 3 minutes of arrival.
   */
  perAgent: { agentId: string; assigned: number; closed: number; firstResponses: number; firstResponseWithin3MinRate: number | null }[];
}

const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 1000);

/** Nearest-rank percentile of a histogram (decisecond -> count), in seconds; null when empty. */
function histogramPercentile(sorted: readonly [number, number][], total: number, p: number): number | null {
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [ds, n] of sorted) {
    seen += n;
    if (seen >= rank) return ds / 10;
  }
  return (sorted.at(-1)?.[0] ?? 0) / 10;
}

function histogram(counters: Counters, prefix: string): { sorted: [number, number][]; total: number } {
  const sorted: [number, number][] = [];
  let total = 0;
  for (const [name, n] of Object.entries(counters)) {
    if (!name.startsWith(prefix) || n <= 0) continue;
    const ds = Number(name.slice(prefix.length));
    if (!Number.isFinite(ds)) continue;
    sorted.push([ds, n]);
    total += n;
  }
  sorted.sort((a, b) => a[0] - b[0]);
  return { sorted, total };
}

function summary(counters: Counters, prefix: string): SecondsSummary {
  const h = histogram(counters, prefix);
  return { median: histogramPercentile(h.sorted, h.total, 50), p90: histogramPercentile(h.sorted, h.total, 90) };
}

/**
 * The metrics from summed counters per owner (routing/metrics.ts): the conversations' own, the
 * hourly aggregates', or both added together.
 */
export function metricsFromCounters(owners: ReadonlyMap<string, Counters>): RoutingMetrics {
  const totals: Counters = {};
  const skills = new Map<string, Counters>();
  const agents = new Map<string, Counters>();
  for (const [owner, counters] of owners) {
    for (const [name, n] of Object.entries(counters)) {
      if (name.startsWith("a.")) {
        const agent = agents.get(owner) ?? {};
        agent[name.slice(2)] = (agent[name.slice(2)] ?? 0) + n;
        agents.set(owner, agent);
        continue;
      }
      if (!name.startsWith("s.")) continue;
      const dot = name.lastIndexOf(".");
      const skill = name.slice(2, dot);
      const code = name.slice(dot + 1);
      const own = skills.get(skill) ?? {};
      own[code] = (own[code] ?? 0) + n;
      skills.set(skill, own);
      totals[code] = (totals[code] ?? 0) + n;
    }
  }
  const t = (code: string) => totals[code] ?? 0;
  const waits = histogram(totals, "w");
  const received = t("r");
  return {
    received,
    assigned: t("a"),
    waiting: t("u"),
    queued: t("q"),
    abandoned: t("b") + t("v"),
    abandonedByCustomer: t("b"),
    closedWhileWaiting: t("v"),
    closed: t("c"),
    closedByCustomerLeaving: t("l"),
    waitSeconds: {
      median: histogramPercentile(waits.sorted, waits.total, 50),
      p90: histogramPercentile(waits.sorted, waits.total, 90),
      max: waits.total === 0 ? null : (waits.sorted.at(-1)?.[0] ?? 0) / 10,
    },
    firstResponseWithin3MinRate: rate(t("t"), received),
    perSkill: [...skills.entries()]
      .filter(([, v]) => (v.r ?? 0) > 0)
      .map(([skill, v]) => ({ skill, received: v.r ?? 0, answered: v.n ?? 0, firstResponseSeconds: summary(v, "f"), firstResponseWithin3MinRate: rate(v.t ?? 0, v.r ?? 0) }))
      .sort((a, b) => (a.skill < b.skill ? -1 : 1)),
    reoffered: t("o"),
    escalated: t("e"),
    perAgent: [...agents.entries()]
      .filter(([, v]) => (v.a ?? 0) > 0 || (v.c ?? 0) > 0 || (v.f ?? 0) > 0)
      .map(([agentId, v]) => ({ agentId, assigned: v.a ?? 0, closed: v.c ?? 0, firstResponses: v.f ?? 0, firstResponseWithin3MinRate: rate(v.t ?? 0, v.g ?? 0) }))
      .sort((a, b) => (a.agentId < b.agentId ? -1 : 1)),
  };
}

/** The metrics of a set of conversations, from their own (exact) counters. */
export function routingMetrics(conversations: readonly Conversation[], now: Date): RoutingMetrics {
  const owners = new Map<string, Counters>();
  for (const c of conversations) mergeCounters(owners, contributions(c, now, true));
  return metricsFromCounters(owners);
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
  // Deactivation hands work over at once; this is the backstop for a handover it could not finish.
  if (agent.deactivatedAt !== undefined) return "agent deactivated";
  // Paused (挂起) keeps its open conversations, past its shift's end too: agents pause to finish
  // the chats they hold, often as a shift ends. Once it is no longer paused the rules below apply
  // (its shift over: handed over at the next run; on duty and away or offline: the away timeout).
  if (agent.presence === "paused") return undefined;
  if (!agent.onDuty && config.shiftEndPolicy === "handover") {
    const since = Date.parse(agent.dutyChangedAt ?? agent.updatedAt);
    if (now.getTime() - since >= config.handoverGraceMs) return "shift ended";
  }
  if ((agent.presence === "away" || agent.presence === "offline") && config.awayPolicy === "handover") {
    const since = Date.parse(agent.presenceChangedAt ?? agent.updatedAt);
    if (now.getTime() - since >= config.awayTimeoutMs) return `agent ${agent.presence}`;
  }
  return undefined;
}
