/**
 * The routing policy, pure: who may take a conversation, in what order, and where a waiting
 * conversation stands in line. The router (DynamoDB) and the simulator (virtual clock) both
 * use exactly this code.
 */
import { createHash } from "node:crypto";
import { canServe, isEligibleAt, poolRank, type Agent, type Skill } from "../agents/domain.js";

export const priorities = ["normal", "high", "urgent"] as const;
export type Priority = (typeof priorities)[number];

export interface PriorityInput {
  priority?: Priority | undefined;
  customerTier?: "vip" | "regular" | undefined;
  orderAmount?: number | undefined;
}

export interface RoutingConfig {
  /** Orders at or above this amount (shop currency) jump the queue like VIPs. */
  largeOrderAmount: number;
  /** A returning customer goes back to the agent who served them within this window. */
  knownAgentWindowMs: number;
}

export const defaultRoutingConfig: RoutingConfig = {
  largeOrderAmount: 5000,
  knownAgentWindowMs: 24 * 60 * 60 * 1000,
};

/** VIPs and large orders are at least `high`; `urgent` stays urgent. */
export function effectivePriority(input: PriorityInput, config: RoutingConfig = defaultRoutingConfig): Priority {
  const asked = input.priority ?? "normal";
  if (asked === "urgent") return "urgent";
  const raised = input.customerTier === "vip" || (input.orderAmount ?? 0) >= config.largeOrderAmount;
  return raised ? "high" : asked;
}

/**
 * Position in the waiting line of a skill: priority first (urgent < high < normal in sort
 * order), then arrival, then id. Lexicographic order of the key is service order.
 */
export function waitingKey(priority: Priority, arrivedAt: string, conversationId: string): string {
  const rank = 2 - priorities.indexOf(priority);
  return `${rank}#${arrivedAt}#${conversationId}`;
}

export interface KnownAgent {
  agentId: string;
  servedAt: string;
}

/**
 * Candidate agents in the order the router tries them: the agent who last served this customer
 * (if within the window and still eligible), then lowest load ratio, then longest idle. Only
 * agents on duty at `now` (to the instant), online, with room and with the skill (or, for an
 * escalated conversation, one of `fallbacks`) are candidates.
 */
export function orderCandidates(
  agents: readonly Agent[],
  skill: Skill | "any",
  known: KnownAgent | undefined,
  now: Date,
  config: RoutingConfig = defaultRoutingConfig,
  fallbacks: readonly Skill[] = [],
): Agent[] {
  // Invariant 8: the skill itself, or (escalated) one of its fallback skills; never anyone else.
  const eligible = agents.filter((a) => isEligibleAt(a, now) && canServe(a, skill, fallbacks));
  eligible.sort((a, b) => (poolRank(a) < poolRank(b) ? -1 : poolRank(a) > poolRank(b) ? 1 : 0));
  if (known && now.getTime() - Date.parse(known.servedAt) <= config.knownAgentWindowMs) {
    const index = eligible.findIndex((a) => a.agentId === known.agentId);
    if (index > 0) {
      const [agent] = eligible.splice(index, 1);
      if (agent) eligible.unshift(agent);
    }
  }
  return eligible;
}

/**
 * Rotates the agents tied with the best load ratio (pool entries `ratio#idle#id`, best first) by a
 * hash of the conversation id, so concurrent decisions look at different equally good agents
 * instead of all colliding on the first. Entries after the tie keep their order.
 */
export function spreadWindow(ids: string[], entries: { agentId: string; rank: string }[], conversationId: string): string[] {
  const ratioOf = new Map(entries.map((e) => [e.agentId, e.rank.slice(0, 5)]));
  const best = ratioOf.get(ids[0] ?? "");
  let width = 0;
  while (width < ids.length && ratioOf.get(ids[width] ?? "") === best) width++;
  if (width < 2) return ids;
  const offset = createHash("sha1").update(conversationId).digest().readUInt32BE(0) % width;
  return [...ids.slice(offset, width), ...ids.slice(0, offset), ...ids.slice(width)];
}
