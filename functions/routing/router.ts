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
 * until nobody eligible is left.
 */
import { randomUUID } from "node:crypto";
import { BatchGetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { skills as allSkills, type Agent, type Skill } from "../agents/domain.js";
import {
  agentKey,
  agentWriteOps,
  fromItem as agentFromItem,
  poolKey,
  seatAssignmentOps,
  seatViewFromItem,
  seatViewProjection,
  seatViewProjectionNames,
  type SeatView,
} from "../agents/store.js";
import { cancellationReasons, dynamo, jitter, tableName } from "../shared/dynamo.js";
import { logger } from "../shared/logger.js";
import { pushToAgent } from "../shared/push.js";
import { routingConfig } from "./config.js";
import { conversationView, type Conversation, type HistoryEntry } from "./conversation.js";
import { orderCandidates, spreadWindow, type KnownAgent } from "./policy.js";
import { recordDecision } from "./decisions.js";
import {
  assignmentKey,
  awaitingReplyPartition,
  CapacityMeter,
  conversationKey,
  customerKey,
  getConversation,
  knownAgentOf,
  markWaiting,
  waitingHeads,
} from "./store.js";

/**
 * Pool entries read per decision (one small query, projected keys only) and profiles loaded from
 * them: both constant, so a decision's cost does not grow with the number of agents.
 */
const poolWindow = 20;
const candidatesPerDecision = 4;
/** Rounds of candidates tried while the pool still offers someone (conflicts, not emptiness). */
const rounds = 8;

export type RouteOutcome =
  | { outcome: "assigned"; agentId: string }
  | { outcome: "waiting" }
  | { outcome: "already"; status: string }
  | { outcome: "missing" };

type AttemptResult = { result: "assigned"; conversation: Conversation } | { result: "agent-conflict" } | { result: "conversation-gone" };

/**
 * The head of the skill's pool (best first), as seat views: the pool entries carry what the
 * router needs (skills, load, capacity, last assignment, version), so the common decision reads
 * no agent profile at all. A burst of concurrent decisions would all pick the same best agents
 * and all but one would fail on the agent's version; so each conversation looks at its own slice
 * of the agents tied with the best load ratio (rotated by a hash of its id).
 */
async function poolCandidates(skill: Skill | "any", conversationId: string, meter: CapacityMeter): Promise<PoolEntry[]> {
  const pools = skill === "any" ? [...allSkills] : [skill];
  const entries: PoolEntry[] = [];
  for (const pool of pools) {
    const result = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :p",
        ExpressionAttributeValues: { ":p": poolKey(pool) },
        ProjectionExpression: seatViewProjection,
        ExpressionAttributeNames: seatViewProjectionNames,
        Limit: poolWindow,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    meter.add(result.ConsumedCapacity);
    for (const item of result.Items ?? []) entries.push({ agentId: String(item.agentId), rank: String(item.gsi1sk), seat: seatViewFromItem(item) });
  }
  entries.sort((a, b) => (a.rank < b.rank ? -1 : 1));
  const byAgent = new Map<string, PoolEntry>();
  for (const e of entries) if (!byAgent.has(e.agentId)) byAgent.set(e.agentId, e);
  const ids = spreadWindow([...byAgent.keys()], entries, conversationId).slice(0, candidatesPerDecision);
  return ids.map((id) => byAgent.get(id)).filter((e): e is PoolEntry => e !== undefined);
}

interface PoolEntry {
  agentId: string;
  rank: string;
  /** Undefined for seats written before seats carried their agent's view: load the profile. */
  seat: SeatView | undefined;
}

/** A candidate known through its pool seat, or through its profile (known agent, old seats). */
type Candidate = { agent: Agent; seat?: SeatView };

/** The shape the pure policy orders; eligible by construction (the seat is in the pool). */
function agentFromSeat(seat: SeatView): Agent {
  return { ...seat, name: seat.agentId, presence: "online", onDuty: true, shift: null, updatedAt: "", updatedBy: "" };
}

async function loadAgents(agentIds: string[], meter: CapacityMeter): Promise<Agent[]> {
  if (agentIds.length === 0) return [];
  const result = await dynamo.send(
    new BatchGetCommand({
      RequestItems: { [tableName]: { Keys: agentIds.map(agentKey), ConsistentRead: true } },
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  meter.add(result.ConsumedCapacity);
  return (result.Responses?.[tableName] ?? []).map(agentFromItem);
}

async function candidates(conversation: Conversation, known: KnownAgent | undefined, now: Date, meter: CapacityMeter, pool?: PoolEntry[]): Promise<Candidate[]> {
  const entries = pool ?? (await poolCandidates(conversation.skill, conversation.conversationId, meter));
  const excluded = new Set(conversation.excludeAgentIds ?? []);
  const usableKnown = known && !excluded.has(known.agentId) ? known : undefined;
  const bySeat = new Map<string, Candidate>();
  const needProfile: string[] = [];
  for (const e of entries) {
    if (excluded.has(e.agentId)) continue;
    if (e.seat) bySeat.set(e.agentId, { agent: agentFromSeat(e.seat), seat: e.seat });
    else needProfile.push(e.agentId);
  }
  // A returning customer's agent outside the window is read from its profile (it may be busier).
  if (usableKnown && !bySeat.has(usableKnown.agentId) && !needProfile.includes(usableKnown.agentId)) needProfile.push(usableKnown.agentId);
  for (const agent of await loadAgents(needProfile, meter)) bySeat.set(agent.agentId, { agent });
  const ordered = orderCandidates([...bySeat.values()].map((c) => c.agent), conversation.skill, usableKnown, now, routingConfig());
  return ordered.map((agent) => bySeat.get(agent.agentId)).filter((c): c is Candidate => c !== undefined);
}

/** The one conditional transaction that assigns; never a read-then-write on load. */
async function tryAssign(conversation: Conversation, candidate: Candidate, now: Date, actor: string, meter: CapacityMeter): Promise<AttemptResult> {
  const at = now.toISOString();
  const agent = candidate.agent;
  const agentOps = candidate.seat ? seatAssignmentOps(candidate.seat, at) : agentWriteOps(agent, { ...agent, load: agent.load + 1, lastAssignedAt: at });
  const entry: HistoryEntry = { at, action: "assigned", actor, agentId: agent.agentId };
  try {
    const result = await dynamo.send(
      new TransactWriteCommand({
        // Per attempt: the SDK's own retries of this call are idempotent, while a second router
        // racing for the same conversation is refused by the condition, not "replayed" as a success.
        ClientRequestToken: randomUUID(),
        ReturnConsumedCapacity: "TOTAL",
        TransactItems: [
          ...agentOps,
          {
            Update: {
              TableName: tableName,
              Key: conversationKey(conversation.conversationId),
              UpdateExpression:
                "SET #s = :assigned, agentId = :a, assignedAt = :at, assignments = assignments + :one, history = list_append(history, :h), gsi2pk = :awaiting, gsi2sk = :awaitingKey REMOVE gsi1pk, gsi1sk, firstResponseAt",
              ConditionExpression: "#s IN (:queued, :waiting)",
              ExpressionAttributeNames: { "#s": "status" },
              ExpressionAttributeValues: { ":assigned": "assigned", ":a": agent.agentId, ":at": at, ":one": 1, ":h": [entry], ":queued": "queued", ":waiting": "waiting", ":awaiting": awaitingReplyPartition(conversation.conversationId), ":awaitingKey": `${at}#${conversation.conversationId}` },
            },
          },
          { Put: { TableName: tableName, Item: { ...assignmentKey(agent.agentId, conversation.conversationId), type: "Assignment", conversationId: conversation.conversationId, agentId: agent.agentId, assignedAt: at, skill: conversation.skill, priority: conversation.priority } } },
          { Put: { TableName: tableName, Item: { ...customerKey(conversation.customerId), type: "KnownAgent", agentId: agent.agentId, servedAt: at } } },
        ],
      }),
    );
    meter.add(result.ConsumedCapacity);
    const assigned: Conversation = { ...conversation, status: "assigned", agentId: agent.agentId, assignedAt: at, assignments: conversation.assignments + 1, history: [...conversation.history, entry] };
    delete assigned.firstResponseAt;
    return { result: "assigned", conversation: assigned };
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (reasons[agentOps.length] === "ConditionalCheckFailed") return { result: "conversation-gone" };
    return { result: "agent-conflict" };
  }
}

async function notifyAssigned(assigned: Conversation, now: Date): Promise<void> {
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
  options: { actor?: string; enqueueIfNone?: boolean; snapshot?: Conversation } = {},
): Promise<RouteOutcome> {
  const meter = new CapacityMeter();
  const actor = options.actor ?? "system:router";
  const conversation = options.snapshot ?? (await getConversation(conversationId, meter));
  if (!conversation) return { outcome: "missing" };
  if (conversation.status !== "queued" && conversation.status !== "waiting") return { outcome: "already", status: conversation.status };

  // The known agent and the pool head do not depend on each other: read them together.
  const [known, firstPool] = await Promise.all([knownAgentOf(conversation.customerId, meter), poolCandidates(conversation.skill, conversation.conversationId, meter)]);
  let tried = 0;
  for (let round = 0; round < rounds; round++) {
    const ordered = await candidates(conversation, known, now, meter, round === 0 ? firstPool : undefined);
    if (ordered.length === 0) break;
    for (const candidate of ordered) {
      const agent = candidate.agent;
      tried++;
      const attempt = await tryAssign(conversation, candidate, now, actor, meter);
      if (attempt.result === "assigned") {
        recordDecision({ conversationId, outcome: "assigned", agentId: agent.agentId, capacityUnits: meter.units, candidatesTried: tried });
        await notifyAssigned(attempt.conversation, now);
        return { outcome: "assigned", agentId: agent.agentId };
      }
      if (attempt.result === "conversation-gone") {
        const current = await getConversation(conversationId, meter);
        recordDecision({ conversationId, outcome: "already", capacityUnits: meter.units, candidatesTried: tried });
        return { outcome: "already", status: current?.status ?? "unknown" };
      }
    }
    await jitter(round);
  }

  if (conversation.status === "queued" && options.enqueueIfNone !== false) {
    await markWaiting(conversation, { at: now.toISOString(), action: "waiting", actor, detail: `no eligible ${conversation.skill} agent` }, meter);
    recordDecision({ conversationId, outcome: "waiting", capacityUnits: meter.units, candidatesTried: tried });
    // A slot may have freed between our read and the waiting write; its drain may have missed us.
    const recheck = new CapacityMeter();
    if ((await poolCandidates(conversation.skill, conversation.conversationId, recheck)).length > 0) await drainWaiting([conversation.skill], now);
    return { outcome: "waiting" };
  }
  recordDecision({ conversationId, outcome: "waiting", capacityUnits: meter.units, candidatesTried: tried });
  return { outcome: "waiting" };
}

/**
 * Serves waiting conversations of these skills (and escalated `any` ones), highest priority
 * then earliest arrival first, for as long as someone eligible takes them.
 */
export async function drainWaiting(skillsToDrain: readonly (Skill | "any")[], now: Date, maxAssignments = 500): Promise<number> {
  const active = new Set<Skill | "any">([...skillsToDrain, "any"]);
  let assigned = 0;
  const meter = new CapacityMeter();
  for (let i = 0; i < maxAssignments && active.size > 0; i++) {
    const heads: { skill: Skill | "any"; conversationId: string; key: string }[] = [];
    for (const skill of active) {
      const [head] = await waitingHeads(skill, 1, meter);
      if (head) heads.push({ skill, ...head });
      else active.delete(skill);
    }
    if (heads.length === 0) break;
    heads.sort((a, b) => (a.key < b.key ? -1 : 1));
    const best = heads[0];
    if (!best) break;
    const result = await routeConversation(best.conversationId, now, { enqueueIfNone: false });
    if (result.outcome === "assigned") assigned++;
    else if (result.outcome === "waiting") active.delete(best.skill);
    // "already"/"missing": the index lagged behind a concurrent assignment; look again.
  }
  return assigned;
}
