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

/** History actions that give the conversation to the entry's agent (a move to a named agent). */
const givingActions = new Set(["assigned", "transferred", "reassigned"]);

/**
 * The moves of the current episode (since its arrival or reopen) that gave the conversation to an
 * agent, in order. A move back to a line (transfer to a skill, handover, re-offer: `toSkill`, or
 * legacy "to skill …" details) names the agent it LEFT, so it credits nobody.
 */
export function assignmentMoves(c: Conversation): { agentId: string; at: string }[] {
  const out: { agentId: string; at: string }[] = [];
  for (const h of c.history) {
    if (!h.agentId || !givingActions.has(h.action) || h.at < c.arrivedAt) continue;
    if (h.toSkill !== undefined || (h.action !== "assigned" && h.detail?.startsWith("to skill"))) continue;
    out.push({ agentId: h.agentId, at: h.at });
  }
  return out;
}

function firstAssignedAt(c: Conversation): string | undefined {
  return assignmentMoves(c)[0]?.at;
}

/** Seconds from arrival to the episode's first response (kept across transfer, reassign, handover). */
function firstResponseSeconds(c: Conversation): number | undefined {
  return c.firstResponseAt ? (Date.parse(c.firstResponseAt) - Date.parse(c.arrivedAt)) / 1000 : undefined;
}

const within3Min = (seconds: number | undefined) => seconds !== undefined && seconds <= 180;

/** Why it was closed, when the close says (a platform event's reason such as `customer-left`). */
function closeReasonOf(c: Conversation): string | undefined {
  return "closeReason" in c && typeof c.closeReason === "string" ? c.closeReason : undefined;
}

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
const round = (n: number | undefined) => (n === undefined ? null : Math.round(n * 10) / 10);

function summary(values: number[]): SecondsSummary {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)) };
}

export function routingMetrics(conversations: readonly Conversation[], now: Date): RoutingMetrics {
  const waits: number[] = [];
  type AgentTally = { assigned: number; closed: number; firstResponses: number; given: Set<string>; within3: number };
  const perAgent = new Map<string, AgentTally>();
  const tally = (agentId: string) => {
    const entry = perAgent.get(agentId) ?? { assigned: 0, closed: 0, firstResponses: 0, given: new Set<string>(), within3: 0 };
    perAgent.set(agentId, entry);
    return entry;
  };
  const perSkill = new Map<string, { received: number; seconds: number[]; within3: number }>();
  let answeredIn3 = 0;
  for (const c of conversations) {
    const moves = assignmentMoves(c);
    const assignedAt = moves[0]?.at;
    const ended = c.status === "closed" || c.status === "abandoned";
    const waitEnd = assignedAt ?? (ended ? c.closedAt : now.toISOString());
    if (assignedAt || c.status === "waiting" || c.status === "queued") waits.push((Date.parse(waitEnd ?? now.toISOString()) - Date.parse(c.arrivedAt)) / 1000);
    const seconds = firstResponseSeconds(c);
    if (within3Min(seconds)) answeredIn3++;
    const skill = perSkill.get(c.requestedSkill) ?? { received: 0, seconds: [], within3: 0 };
    skill.received++;
    if (seconds !== undefined) skill.seconds.push(seconds);
    if (within3Min(seconds)) skill.within3++;
    perSkill.set(c.requestedSkill, skill);
    for (const move of moves) {
      const agent = tally(move.agentId);
      agent.assigned++;
      if (!c.firstResponseAt || move.at <= c.firstResponseAt) agent.given.add(c.conversationId);
    }
    // Who answered: the agent holding it when the first response was recorded.
    const answeredBy = c.firstResponseAt ? moves.filter((m) => m.at <= (c.firstResponseAt ?? "")).at(-1)?.agentId : undefined;
    if (answeredBy) {
      const agent = tally(answeredBy);
      agent.firstResponses++;
      if (within3Min(seconds)) agent.within3++;
    }
    for (const h of c.history) if (h.agentId && h.action === "closed" && h.at >= c.arrivedAt) tally(h.agentId).closed++;
  }
  waits.sort((a, b) => a - b);
  const closedWhileWaiting = conversations.filter((c) => c.status === "closed" && c.abandoned).length;
  const abandonedByCustomer = conversations.filter((c) => c.status === "abandoned").length;
  return {
    received: conversations.length,
    assigned: conversations.filter((c) => firstAssignedAt(c) !== undefined).length,
    waiting: conversations.filter((c) => c.status === "waiting").length,
    queued: conversations.filter((c) => c.status === "queued").length,
    abandoned: abandonedByCustomer + closedWhileWaiting,
    abandonedByCustomer,
    closedWhileWaiting,
    closed: conversations.filter((c) => c.status === "closed").length,
    closedByCustomerLeaving: conversations.filter((c) => c.status === "closed" && closeReasonOf(c) === "customer-left").length,
    waitSeconds: { median: round(percentile(waits, 50)), p90: round(percentile(waits, 90)), max: round(waits[waits.length - 1]) },
    firstResponseWithin3MinRate: rate(answeredIn3, conversations.length),
    perSkill: [...perSkill.entries()]
      .map(([skill, v]) => ({ skill, received: v.received, answered: v.seconds.length, firstResponseSeconds: summary(v.seconds), firstResponseWithin3MinRate: rate(v.within3, v.received) }))
      .sort((a, b) => (a.skill < b.skill ? -1 : 1)),
    reoffered: conversations.filter((c) => c.history.some((h) => h.action === "reoffered")).length,
    escalated: conversations.filter((c) => c.escalated).length,
    perAgent: [...perAgent.entries()]
      .map(([agentId, v]) => ({ agentId, assigned: v.assigned, closed: v.closed, firstResponses: v.firstResponses, firstResponseWithin3MinRate: rate(v.within3, v.given.size) }))
      .sort((a, b) => (a.agentId < b.agentId ? -1 : 1)),
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
