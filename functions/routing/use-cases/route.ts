/**
 * Routing use cases.
 *
 * Primary course (route): read the conversation; read the best few candidates from the skill's
 * availability pool (one small query, whatever the team size) plus the customer's known agent;
 * order them with the pure policy; commit the assignment in ONE conditional transaction
 * (conversation queued|waiting -> assigned, agent at the version we read -> load + 1, seats,
 * assignment record, known-agent record). A concurrent writer cancels the transaction; we move to
 * the next candidate with jitter. Nobody eligible: the conversation waits in its skill's fair
 * queue, and we re-check once so a slot freed meanwhile is not missed.
 *
 * Drain: when capacity frees, serve the waiting queues of the affected skills, best first,
 * until nobody eligible is left. A queue's head that nobody eligible can take right now (it
 * excludes the only free agent, or only fallback agents are free and it is not escalated) is
 * passed over for the next servable conversation behind it; it keeps its place, so it is the
 * first served once someone who may take it has room.
 */
import { randomUUID } from "node:crypto";
import { canServe, isEligibleAt, windowCovers, type Agent, type Skill } from "../../agents/domain.js";
import { agentWriteOps, rankLag, seatAssignmentOps, seatShowsSpareSlot, spareSlotAssignmentOps } from "../../agents/store.js";
import { assignmentCallback, assignmentReason } from "../../integrations/outbox.js";
import { logger } from "../../shared/logger.js";
import { pushToAgent } from "../../shared/push.js";
import { noteQueueChange } from "../../shared/supervisor-push.js";
import { CapacityMeter, jitter, transact, TransactionCancelledError, type TransactItem } from "../../shared/table/index.js";
import { decisionClock, routingConfig } from "../config.js";
import { allowedFallbacks, conversationView, type Conversation, type HistoryEntry } from "../conversation.js";
import { recordDecision } from "../decisions.js";
import { orderCandidates, spreadWindow, type KnownAgent } from "../policy.js";
import { agentsById, assignOps, getConversation, knownAgentOf, markWaiting, poolHead, recordKnownAgent, waitingHeads, type PoolSeat } from "../store/index.js";
import { knownSkillIds, skillsFallingBackTo } from "../../agents/skills.js";

/**
 * Pool entries read per decision (one small query, projected keys only) and profiles loaded from
 * them: both constant, so a decision's cost does not grow with the number of agents.
 */
export const poolWindow = 20;
const candidatesPerDecision = 4;
/** Rounds of candidates tried while the pool still offers someone (conflicts, not emptiness). */
const rounds = 8;
/**
 * Pages of a pool read at most when its head holds seats whose window does not cover the clock
 * (a shift starting in a minute, or ended and not yet tidied by the duty clock): bounded, so a
 * decision's cost stays independent of the team size.
 */
export const maxPoolPages = 3;

export type RouteOutcome =
  | { outcome: "assigned"; agentId: string }
  /**
   * `nobody-free`: its pools held no seat with room at the decision's clock (nobody behind it with
   * the same pools can be served either); `not-for-it`: someone had room but not for it (agents
   * it excludes, a returning customer's agent no longer eligible) or every try lost a race.
   */
  | { outcome: "waiting"; blocked: "nobody-free" | "not-for-it" }
  | { outcome: "already"; status: string }
  | { outcome: "missing" };

type AttemptResult = { result: "assigned"; conversation: Conversation } | { result: "agent-conflict" } | { result: "conversation-gone" };

/**
 * The clock of one assignment attempt: the decision's clock (the instant asked for) or, once real
 * time has passed it, the process clock (config.ts `decisionClock`). A decision or a drain of many
 * that is slow — a loaded store, a long line — thus commits each assignment at the instant it is
 * made, never at one taken seconds before: the duty window is checked against the real instant
 * (invariant 3), and a move is never dated before the episode it belongs to began. A clock pinned
 * ahead (a timed drain for a shift's start, a test's X-Local-Time) stays exact.
 */
const attemptClock = (now: Date) => decisionClock(now);

/**
 * The pools a conversation may be served from (invariant 8): its skill, and once escalated in a
 * fallback mode, its skill's fallback skills. A legacy `any` conversation may use every skill.
 */
export async function poolsOf(conversation: Pick<Conversation, "skill" | "fallbackSkills" | "escalated">): Promise<Skill[]> {
  if (conversation.skill === "any") return knownSkillIds();
  return [...new Set([conversation.skill, ...allowedFallbacks(conversation)])];
}


/**
 * The head of the conversation's pools (best first), as seat views: the pool entries carry what
 * the router needs (skills, load, capacity, last assignment, version, duty window), so the common
 * decision reads no agent profile at all. Seats whose duty window does not cover the decision's
 * clock are skipped (the assignment's condition would refuse them anyway). A burst of concurrent
 * decisions would all pick the same best agents and all but one would fail on the agent's
 * version; so each conversation looks at its own slice of the agents tied with the best load
 * ratio (rotated by a hash of its id).
 */
async function poolCandidates(pools: readonly Skill[], conversationId: string, now: Date, meter: CapacityMeter, excluded: ReadonlySet<string> = new Set()): Promise<PoolWindow> {
  const entries: PoolEntry[] = [];
  /** Seats with room at the clock, the excluded ones included. */
  let free = 0;
  for (const pool of pools) {
    let cursor: Record<string, unknown> | undefined;
    let usable = 0;
    for (let page = 0; page < maxPoolPages; page++) {
      const head = await poolHead(pool, poolWindow, meter, cursor);
      for (const { seat, rank } of head.seats) {
        if (seat.dutyFrom !== undefined && !windowCovers(seat, now)) continue;
        free++;
        // Agents it must not go back to are dropped before the slice, so they never crowd out
        // the free agents behind them (a conversation handed over twice excludes two).
        if (excluded.has(seat.agentId)) continue;
        entries.push({ agentId: seat.agentId, rank, seat });
        usable++;
      }
      cursor = head.next;
      if (usable >= candidatesPerDecision || !cursor) break;
    }
  }
  entries.sort((a, b) => (a.rank < b.rank ? -1 : 1));
  const byAgent = new Map<string, PoolEntry>();
  for (const e of entries) if (!byAgent.has(e.agentId)) byAgent.set(e.agentId, e);
  const ids = spreadWindow([...byAgent.keys()], entries, conversationId).slice(0, candidatesPerDecision);
  return Object.assign(
    ids.map((id) => byAgent.get(id)).filter((e): e is PoolEntry => e !== undefined),
    { free },
  );
}

export interface PoolEntry {
  agentId: string;
  rank: string;
  seat: PoolSeat;
}

/** A decision's first-round candidates, best first, with the seats that had room at its clock (the excluded ones included). */
export type PoolWindow = PoolEntry[] & { free: number };

/**
 * What a batch's shared reads already know for one decision (use-cases/route-batch.ts): the
 * customer's known agent, and the first round's candidates (seats no other decision of the batch
 * was given). Later rounds, and a decision without them, read the pool as ever.
 */
export interface Prefetched {
  known: KnownAgent | undefined;
  pool?: PoolWindow;
  /** This decision's share of the batch's reads, in capacity units (for its recorded cost). */
  sharedUnits?: number;
}

/** A candidate known through its pool seat, or through its profile (a known agent outside the window). */
type Candidate = { agent: Agent; seat?: PoolSeat };

/** The shape the pure policy orders; eligible by construction (the seat is in the pool). */
export function agentFromSeat(seat: PoolSeat): Agent {
  const { skill: _skill, dutyFrom, dutyTo, ...view } = seat;
  const shift = dutyFrom !== undefined && dutyTo !== undefined ? { shiftId: "seat", from: dutyFrom, to: dutyTo } : null;
  return { ...view, name: seat.agentId, presence: "online", onDuty: true, shift, nextShift: null, updatedAt: "", updatedBy: "" };
}

async function candidates(conversation: Conversation, pools: readonly Skill[], known: KnownAgent | undefined, now: Date, meter: CapacityMeter, pool?: PoolEntry[]): Promise<Candidate[]> {
  const excluded = new Set(conversation.excludeAgentIds ?? []);
  const entries = pool ?? (await poolCandidates(pools, conversation.conversationId, now, meter, excluded));
  const usableKnown = known && !excluded.has(known.agentId) ? known : undefined;
  const bySeat = new Map<string, Candidate>();
  for (const e of entries) if (!excluded.has(e.agentId)) bySeat.set(e.agentId, { agent: agentFromSeat(e.seat), seat: e.seat });
  // A returning customer's agent outside the window is read from its profile (it may be busier).
  if (usableKnown && !bySeat.has(usableKnown.agentId)) for (const agent of await agentsById([usableKnown.agentId], meter)) bySeat.set(agent.agentId, { agent });
  const ordered = orderCandidates([...bySeat.values()].map((c) => c.agent), conversation.skill, usableKnown, now, await routingConfig(), allowedFallbacks(conversation));
  return ordered.map((agent) => bySeat.get(agent.agentId)).filter((c): c is Candidate => c !== undefined);
}

/** The one conditional transaction that assigns; never a read-then-write on load. */
async function tryAssign(conversation: Conversation, candidate: Candidate, now: Date, actor: string, meter: CapacityMeter): Promise<AttemptResult> {
  const at = now.toISOString();
  // A seat showing a spare slot: the cheap path, conditional on the profile itself (capacity,
  // presence, duty window), seats untouched. Otherwise, or when that condition fails (the seat's
  // load is a hint: the agent may be at its last slot), through the profile read now.
  if (candidate.seat && rankLag(candidate.seat.maxConcurrent) < 2) {
    // A small agent (< 20 slots) is never assigned without its seats: its seat is exact, so the
    // version it shows is the profile's, and the pool orders it by its true load.
    const exact = await commitAssignment(conversation, candidate.agent.agentId, seatAssignmentOps(candidate.seat, at), at, actor, meter);
    return exact.result === "agent-refused" ? { result: "agent-conflict" } : exact;
  }
  if (candidate.seat && seatShowsSpareSlot(candidate.seat)) {
    const fast = await commitAssignment(conversation, candidate.agent.agentId, spareSlotAssignmentOps(candidate.seat, at), at, actor, meter);
    if (fast.result !== "agent-refused") return fast;
  }
  let agent = candidate.agent;
  if (candidate.seat) {
    const [profile] = await agentsById([agent.agentId], meter);
    if (!profile || !isEligibleAt(profile, now) || !canServe(profile, conversation.skill, allowedFallbacks(conversation))) return { result: "agent-conflict" };
    agent = profile;
  }
  // Both paths are conditional on the agent's duty window covering this decision's clock.
  const attempt = await commitAssignment(conversation, agent.agentId, agentWriteOps(agent, { ...agent, load: agent.load + 1, lastAssignedAt: at }, { onDutyAt: at }), at, actor, meter);
  return attempt.result === "agent-refused" ? { result: "agent-conflict" } : attempt;
}

/**
 * Commits the assignment with the agent's items: `agent-refused` when the agent's condition
 * failed, `agent-conflict` when another transaction on its items cancelled ours.
 */
async function commitAssignment(conversation: Conversation, agentId: string, agentOps: TransactItem[], at: string, actor: string, meter: CapacityMeter): Promise<AttemptResult | { result: "agent-refused" }> {
  const entry: HistoryEntry = { at, action: "assigned", actor, agentId };
  const callback = assignmentCallback({ conversation, agentId, at, ...assignmentReason(conversation.history) });
  try {
    // Per attempt: the SDK's own retries of this call are idempotent, while a second router
    // racing for the same conversation is refused by the condition, not "replayed" as a success.
    await transact([...agentOps, ...assignOps(conversation, agentId, entry), ...callback.ops], { token: randomUUID(), meter });
  } catch (error) {
    if (!(error instanceof TransactionCancelledError)) throw error;
    // The conversation update follows the agent's items: its condition failing means it was taken.
    if (!error.conditionFailedAt(agentOps.length)) return { result: agentOps.some((_, i) => error.conditionFailedAt(i)) ? "agent-refused" : "agent-conflict" };
    // Taken — possibly by this very attempt: a call that committed but whose answer was lost and
    // whose retry was refused (a loaded store). Then it is ours, and its callback must go now,
    // not when the relay finds it pending minutes later.
    const current = await getConversation(conversation.conversationId, meter);
    if (!(current?.status === "assigned" && current.agentId === agentId && current.assignedAt === at)) return { result: "conversation-gone" };
  }
  await callback.send();
  // The first response belongs to the episode: it survives a handover or re-offer.
  const assigned: Conversation = { ...conversation, status: "assigned", agentId, assignedAt: at, assignments: conversation.assignments + 1, history: [...conversation.history, entry] };
  return { result: "assigned", conversation: assigned };
}

/**
 * The customer's known agent, written after the assignment committed and only when it changes
 * (another agent) or has aged past a tenth of the known-agent window: a returning customer who
 * keeps the same agent costs no write, and the preference lapses at most a tenth of the window
 * early. Outside the transaction: a crash before it leaves the previous record, a preference, not
 * an invariant.
 */
async function rememberKnownAgent(customerId: string, known: KnownAgent | undefined, agentId: string, servedAt: string, meter: CapacityMeter): Promise<void> {
  const { knownAgentWindowMs } = await routingConfig();
  if (known?.agentId === agentId && Date.parse(servedAt) - Date.parse(known.servedAt) < knownAgentWindowMs / 10) return;
  try {
    await recordKnownAgent({ customerId, agentId, servedAt }, meter);
  } catch (error) {
    logger.warn("Known agent not recorded", { customerId, agentId, error: error as Error });
  }
}

async function notifyAssigned(assigned: Conversation, now: Date): Promise<void> {
  noteQueueChange({ conversationId: assigned.conversationId, status: "assigned", skill: assigned.skill, ...(assigned.agentId ? { agentId: assigned.agentId } : {}) });
  try {
    // Built from what the transaction wrote: no re-read of the conversation on the hot path.
    await pushToAgent(assigned.agentId ?? "", { type: "assignment", conversation: conversationView(assigned, now) });
  } catch (error) {
    // The push is a nudge; the assignment record is the truth and the agent's client re-reads it.
    logger.warn("Assignment push failed", { conversationId: assigned.conversationId, agentId: assigned.agentId, error: error as Error });
  }
}

/**
 * Tries to give the conversation to an eligible agent; returns what happened. `snapshot` is the
 * conversation as the webhook recorded it (carried in the route message): it saves the read on
 * the hot path, and is safe because the transaction itself re-checks the status.
 */
export async function routeConversation(
  conversationId: string,
  now: Date,
  options: { actor?: string; enqueueIfNone?: boolean; snapshot?: Conversation; reread?: boolean; prefetched?: Prefetched } = {},
): Promise<RouteOutcome> {
  const meter = new CapacityMeter();
  meter.units += options.prefetched?.sharedUnits ?? 0;
  const actor = options.actor ?? "system:router";
  const conversation = options.snapshot ?? (await getConversation(conversationId, meter));
  if (!conversation) return { outcome: "missing" };
  if (conversation.status !== "queued" && conversation.status !== "waiting") return { outcome: "already", status: conversation.status };

  // The known agent and the pool head do not depend on each other: read them together.
  const pools = await poolsOf(conversation);
  const excluded = new Set(conversation.excludeAgentIds ?? []);
  const prefetched = options.prefetched;
  const batchedFlag = prefetched?.pool ? { batched: true } : {};
  const [known, firstPool] = await Promise.all([
    prefetched ? prefetched.known : knownAgentOf(conversation.customerId, meter),
    prefetched?.pool ?? poolCandidates(pools, conversation.conversationId, now, meter, excluded),
  ]);
  let tried = 0;
  for (let round = 0; round < rounds; round++) {
    const ordered = await candidates(conversation, pools, known, now, meter, round === 0 ? firstPool : undefined);
    if (ordered.length === 0) break;
    for (const candidate of ordered) {
      const agent = candidate.agent;
      tried++;
      const attempt = await tryAssign(conversation, candidate, attemptClock(now), actor, meter);
      if (attempt.result === "assigned") {
        await rememberKnownAgent(conversation.customerId, known, agent.agentId, attempt.conversation.assignedAt ?? now.toISOString(), meter);
        recordDecision({ conversationId, outcome: "assigned", agentId: agent.agentId, capacityUnits: meter.units, candidatesTried: tried, ...batchedFlag });
        await notifyAssigned(attempt.conversation, now);
        return { outcome: "assigned", agentId: agent.agentId };
      }
      if (attempt.result === "conversation-gone") {
        const current = await getConversation(conversationId, meter);
        // Still in a line, but changed since it was read (the assignment is conditional on the
        // state read, for the metrics aggregates): route it as it is now, once.
        if (current && (current.status === "queued" || current.status === "waiting") && current.history.length !== conversation.history.length && !options.reread) {
          // The batch's window was for the conversation as it was: only the known agent still holds.
          const { prefetched: _stale, ...rest } = options;
          return routeConversation(conversationId, now, { ...rest, snapshot: current, reread: true, ...(prefetched ? { prefetched: { known } } : {}) });
        }
        recordDecision({ conversationId, outcome: "already", capacityUnits: meter.units, candidatesTried: tried, ...batchedFlag });
        return { outcome: "already", status: current?.status ?? "unknown" };
      }
    }
    await jitter(round);
  }

  // Nobody had room in its pools at all (no try, no seat): nobody behind it with the same pools can be served.
  const blocked = firstPool.free === 0 && tried === 0 ? "nobody-free" : "not-for-it";
  if (conversation.status === "queued" && options.enqueueIfNone !== false) {
    await markWaiting(conversation, { at: attemptClock(now).toISOString(), action: "waiting", actor, detail: `no eligible ${conversation.skill} agent` }, meter);
    noteQueueChange({ conversationId, status: "waiting", skill: conversation.skill });
    recordDecision({ conversationId, outcome: "waiting", capacityUnits: meter.units, candidatesTried: tried, ...batchedFlag });
    // A slot may have freed between our read and the waiting write; its drain may have missed us.
    const recheck = new CapacityMeter();
    if ((await poolCandidates(pools, conversation.conversationId, now, recheck, excluded)).length > 0) await drainWaiting([conversation.skill], now);
    return { outcome: "waiting", blocked };
  }
  recordDecision({ conversationId, outcome: "waiting", capacityUnits: meter.units, candidatesTried: tried, ...batchedFlag });
  return { outcome: "waiting", blocked };
}

/**
 * Heads of one waiting line a drain passes over at most before it stops serving that line: each
 * costs a routing attempt, so the drain's cost stays bounded however long the line.
 */
export const maxPassedHeads = 8;

/** What a drain has learnt about one waiting line. */
interface LineState {
  /** Heads tried and not served (or already gone), in service order: looked behind. */
  passed: Set<string>;
  /**
   * Its skill's own pool had nobody free: only widened conversations behind (escalated with
   * fallback skills, whose agents may take them) can still be served.
   */
  widenedOnly: boolean;
}

/**
 * Serves waiting conversations of these skills (and of the skills that fall back to them, whose
 * escalated conversations their agents may take; and legacy `any` ones), highest priority then
 * earliest arrival first, for as long as someone eligible takes them.
 *
 * A head nobody may take now does not stop its line when someone behind it may still be served:
 * when agents had room but not for it (it excludes them, e.g. handed over or transferred away
 * from them), the drain looks behind it; when its own skill had nobody free and it is not
 * widened (escalated with fallback skills), the drain looks only at the widened conversations
 * behind it (fallback agents may take those, not it). When even a widened head finds nobody free,
 * the line stops: nobody behind it has more agents to choose from. The head is not starved: it is passed over only when
 * nobody may take it, keeps its place, and the next drain (every freed slot starts one) tries it
 * first. At most {@link maxPassedHeads} heads per line are passed over per drain.
 */
export async function drainWaiting(skillsToDrain: readonly (Skill | "any")[], now: Date, maxAssignments = 500): Promise<number> {
  // Capacity in a skill may also serve escalated conversations of the skills falling back to it.
  const helped = await skillsFallingBackTo(skillsToDrain.filter((s) => s !== "any"));
  const active = new Set<Skill | "any">([...skillsToDrain, ...helped, "any"]);
  const lines = new Map<Skill | "any", LineState>();
  const lineOf = (skill: Skill | "any") => {
    const line = lines.get(skill) ?? { passed: new Set<string>(), widenedOnly: false };
    lines.set(skill, line);
    return line;
  };
  let assigned = 0;
  const meter = new CapacityMeter();
  for (let i = 0; i < maxAssignments && active.size > 0; i++) {
    const heads: { skill: Skill | "any"; conversationId: string; key: string; widened: boolean }[] = [];
    for (const skill of active) {
      const line = lineOf(skill);
      // Untouched line: its first entry. Otherwise a window behind the passed heads.
      const window = line.passed.size === 0 && !line.widenedOnly ? 1 : maxPassedHeads + 2;
      const head = (await waitingHeads(skill, window, meter)).find((h) => !line.passed.has(h.conversationId) && (!line.widenedOnly || h.widened));
      if (head) heads.push({ skill, ...head });
      else active.delete(skill);
    }
    if (heads.length === 0) break;
    heads.sort((a, b) => (a.key < b.key ? -1 : 1));
    const best = heads[0];
    if (!best) break;
    // Each decision by the clock of its own instant, not the drain's start.
    const result = await routeConversation(best.conversationId, attemptClock(now), { enqueueIfNone: false });
    if (result.outcome === "assigned") {
      assigned++;
      continue;
    }
    const line = lineOf(best.skill);
    // Already assigned or closed (the index lagged behind a concurrent writer): look behind it.
    line.passed.add(best.conversationId);
    if (result.outcome === "waiting" && result.blocked === "nobody-free") {
      if (best.widened || best.skill === "any") active.delete(best.skill);
      else line.widenedOnly = true;
    }
    if (line.passed.size >= maxPassedHeads) active.delete(best.skill);
  }
  return assigned;
}
