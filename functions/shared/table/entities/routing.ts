/**
 * Items the routing capability owns: the conversation (its state, its history and the sparse
 * indexes that make the fair queue, the sweeper's re-drive list and the re-offer list) and the
 * customer's known agent. An agent's open-conversation records (`Assignment`) belong to agents;
 * routing writes them through that entity inside its own transactions.
 */
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { conversationSchema } from "../../../routing/conversation.js";
import { defineEntity } from "../entity.js";

export const Conversation = defineEntity({
  type: "Conversation",
  owner: "routing",
  description: "A customer conversation: status, agent, priority, arrival, and its history (the audit trail, appended in the same write as each change)",
  schema: conversationSchema,
  pk: "CONV#{conversationId}",
  sk: "CONV",
  indexes: {
    waiting: {
      index: "gsi1",
      pk: "WAIT#{skill}",
      sk: "{position}",
      why: "sparse: only while waiting; a skill's fair queue (priority, then arrival, then id), so a drain reads the head with a one-item query",
    },
    queued: {
      index: "gsi2",
      pk: "QUEUED",
      sk: "{arrivedAt}#{conversationId}",
      why: "sparse, and only for the queued conversations that may have lost their route message: the sweeper lists here those it finds still queued REQUEUE_AFTER_SECONDS after arrival (reading each arrival once, behind its cursor), and a writer that dates an arrival in the past (an import, a test) lists it itself. An accepted conversation is not listed at arrival, so its assignment is a put into the re-offer list, not a move (−2 WRU per routed conversation). The sweeper re-drives what is listed until it is routed",
    },
    awaitingReply: {
      index: "gsi2",
      pk: "AWAITING_REPLY#{shard}",
      sk: "{assignedAt}#{conversationId}",
      why: "sparse: only while assigned without a first response, in 4 shards so no index partition is hot; the re-offer rule reads the oldest",
    },
    arrived: {
      index: "gsi4",
      pk: "ARRIVED#{hour}",
      sk: "{arrivedAt}#{conversationId}",
      why: "every conversation by arrival hour (`2026-11-11T00`): routing metrics read the partial hours at a range's ends from it (whole hours come from RoutingHour). Keys only, so it is written when the conversation arrives (or reopens) and never when it changes: no index write at assignment, first response or close, and the hour's partition takes one write per conversation (~1,000 conversations/s), not three",
    },
    arrivedLegacy: {
      index: "gsi3",
      pk: "ARRIVED#{hour}",
      sk: "{arrivedAt}#{conversationId}",
      why: "the same, as written by releases before the keys-only gsi4 (projecting ALL, rewritten on every change); no longer written, read beside gsi4 so a range reaching back before that release still finds its conversations (docs/operations.md, key layout changes)",
    },
  },
  patterns: [
    {
      name: "Conversation.create",
      operation: "PutItem CONV#{conversationId} / CONV, attribute_not_exists(pk), with the creating request's dedupe key (`arrivalKey`): no read, no dedupe record; a refusal reads the item (replay, reopen). Not in gsi2: the sweeper's arrival scan finds it if its route message is lost",
      cost: "1 WRU (+ gsi4 ARRIVED 1); its arrival count comes from the table stream",
    },
    { name: "Conversation.get", operation: "GetItem CONV#{conversationId} / CONV, consistent", cost: "1 RRU per 4 KB" },
    {
      name: "Conversation.assign",
      operation: "TransactWriteItems: Update agent profile (ADD load, version IF load < maxConcurrent − 1 and eligible; the last slot: profile Put + seats) + Update conversation (status IN queued, waiting) + Put Assignment",
      cost: "2 × 3 WRU + index writes (profile gsi2 1, conversation gsi2 move 2; gsi4 keys only: 0); its RoutingHour change comes from the table stream",
    },
    { name: "Conversation.reopen", operation: "TransactWriteItems: Update conversation IF closed as read + PlatformEvent put (the closed episode leaves its hour's aggregates through the table stream)", cost: "2 × (2 + 1) WRU + gsi2 put 1, gsi4 move 2" },
    { name: "Conversation.markWaiting / escalate", operation: "UpdateItem CONV#{conversationId} / CONV, conditional on status", cost: "1–2 WRU" },
    { name: "Conversation.close / move", operation: "TransactWriteItems: Update conversation (still with the agent; from a line also size(history) as read) + agent ops + Assignment put/delete (a close from a line alone: one conditional UpdateItem)", cost: "2 × (2 + agent ops) WRU" },
    { name: "Conversation.firstResponse (agent or platform event)", operation: "UpdateItem conversation IF assigned to the agent, no first response (a transaction of one item is sent as the plain write)", cost: "1–2 WRU + gsi2 leave 1" },
    { name: "Conversation.changes", operation: "The table stream (new and old images), filtered to CONV# keys, read by RoutingAggregates in 30 s tumbling windows per shard", cost: "no read units (Lambda's stream reads are not billed); one invocation per window and shard, plus one per 1,000 records" },
    { name: "Conversation.waitingHead", operation: "Query gsi1 WAIT#{skill}, Limit 1, projection conversationId", cost: "0.5 RRU" },
    { name: "Conversation.waiting", operation: "Query gsi1 WAIT#{skill}, every page", cost: "1 RRU per 4 KB of waiting conversations" },
    { name: "Conversation.staleQueued", operation: "Query gsi2 QUEUED, gsi2sk < {before}, pages of 100, projection conversationId", cost: "0.5 RRU a page" },
    {
      name: "Conversation.arrivalScan",
      operation: "The sweeper, each run: Query gsi4 ARRIVED#{hour} (keys) after its cursor up to {before}, per hour, then BatchGetItem of those conversations (status), eventually consistent; each still queued is listed in gsi2 QUEUED (UpdateItem IF status = queued) and re-driven; the cursor then moves to the last arrival read",
      cost: "~0.5 RRU per conversation, once; 2 WRU per conversation found stale (an outage's backlog)",
    },
    { name: "Conversation.awaitingReplySince", operation: "Query gsi2 AWAITING_REPLY#{0..3}, gsi2sk < {before}", cost: "4 × 0.5 RRU + 1 RRU per 4 KB found" },
    { name: "Conversation.arrivedBetween", operation: "Query gsi4 ARRIVED#{hour} (keys) per partial hour at a metrics range's ends, gsi4sk BETWEEN, then BatchGetItem of the conversations found, eventually consistent; beside it the same Query of the legacy gsi3 (items)", cost: "2 × 0.5 RRU per hour + 0.5 RRU per conversation found (≤ 4 KB)" },
    { name: "Conversation.liveArrivedBetween", operation: "Query gsi2 QUEUED gsi2sk BETWEEN, and gsi1 WAIT#{skill} per line and priority gsi1sk BETWEEN {rank}#{from}# AND {rank}#{to}# (metrics: the whole hours' queued and waiting)", cost: "0.5 RRU per query + 1 RRU per 4 KB found" },
  ],
});

/** One (arrival hour, owner) aggregate; its counters are top-level number attributes `s.<skill>.<code>` and `a.<code>` (routing/metrics.ts), so each can be ADDed. */
export const routingHourSchema = lazy(() => z.looseObject({ hour: z.string(), owner: z.string() }));

export const RoutingHour = defineEntity({
  type: "RoutingHour",
  owner: "routing",
  description:
    "Routing metrics of the conversations that arrived in one UTC hour, per owner (the agent first given them, or one of 16 `~n` shards for those nobody was; each credited agent's own figures): counters added (ADD) by the table stream's consumer, the sum of a window's conversation writes' differences, with each stream shard's mark (`w.<shard>`: the last sequence number written) so a retried window counts once. Queued and waiting conversations are not in it (their wait grows with the clock): GET /metrics/routing reads those from the waiting lines",
  schema: routingHourSchema,
  pk: "RMETRICS#{hour}",
  sk: "{owner}",
  patterns: [
    {
      name: "RoutingHour.add",
      operation: "UpdateItem RMETRICS#{hour} / {owner} ADD each counter the window changed SET w.<shard> = :mark IF the shard's mark is older (RoutingAggregates, at the end of each tumbling window and shard)",
      cost: "1 WRU per KB per item and window (an agent-hour item: < 1 KB), however many of the agent's conversations changed in the window",
    },
    { name: "RoutingHour.hour", operation: "Query RMETRICS#{hour}, eventually consistent, one per whole hour of a metrics range", cost: "0.5 RRU per 4 KB (one item per agent active in the hour)" },
  ],
});

export const sweepCursorSchema = lazy(() => z.object({ scannedThrough: z.string() }));

export const SweepCursor = defineEntity({
  type: "SweepCursor",
  owner: "routing",
  description:
    "How far the routing sweeper has read the arrivals (gsi4 ARRIVED): every conversation that arrived at or before `scannedThrough` (an arrival index sort key, `{arrivedAt}#{conversationId}`) was looked at REQUEUE_AFTER_SECONDS after it arrived, and listed in gsi2 QUEUED if still queued. Moved forward only (a condition on the value read), so overlapping runs never move it back",
  schema: sweepCursorSchema,
  pk: "SWEEPER",
  sk: "ARRIVALS",
  patterns: [
    { name: "SweepCursor.get", operation: "GetItem SWEEPER / ARRIVALS, consistent, once per sweeper run", cost: "1 RRU" },
    { name: "SweepCursor.advance", operation: "PutItem IF attribute_not_exists(pk) OR scannedThrough < :new, once per sweeper run that read arrivals", cost: "1 WRU" },
  ],
});

export const knownAgentSchema = lazy(() => z.object({ agentId: z.string(), servedAt: z.string() }));

export const KnownAgent = defineEntity({
  type: "KnownAgent",
  owner: "routing",
  description: "The agent who last served a customer (老客户), preferred for the customer's next conversation within the window",
  schema: knownAgentSchema,
  pk: "CUSTOMER#{customerId}",
  sk: "LAST",
  patterns: [
    { name: "KnownAgent.get", operation: "GetItem CUSTOMER#{customerId} / LAST, eventually consistent", cost: "0.5 RRU" },
    { name: "KnownAgent.batchGet", operation: "BatchGetItem of the customers of a batch of route messages, eventually consistent", cost: "0.5 RRU per customer, one call" },
    { name: "KnownAgent.put", operation: "PutItem after the assignment committed, only when the agent changes (or the record has aged past a tenth of the window)", cost: "1 WRU, 0 for a returning customer kept by the same agent" },
  ],
});

/** Shards of the awaiting-reply index partition (re-offer list): no index partition is hot. */
export const awaitingReplyShards = 4;

/** The awaiting-reply shard of a conversation: a stable hash of its id. */
export function awaitingReplyShard(conversationId: string): number {
  let h = 0;
  for (const ch of conversationId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % awaitingReplyShards;
}

/** The arrival-hour partition value of a timestamp: `2026-11-11T00`. */
export const arrivalHour = (at: string) => at.slice(0, 13);

/** Width of one arrival-count slot: every IANA offset is a whole number of quarter hours, so local 15/30/60-minute intervals are unions of slots. */
export const arrivalSlotMinutes = 15;

/** The UTC date (`2026-11-11`) and slot start (`2026-11-11T00:15:00.000Z`) an instant falls in. */
export function arrivalSlot(at: Date): { day: string; slot: string } {
  const slotMs = arrivalSlotMinutes * 60_000;
  const start = new Date(Math.floor(at.getTime() / slotMs) * slotMs).toISOString();
  return { day: start.slice(0, 10), slot: start };
}

export const arrivalCountSchema = lazy(() => z.object({
  slot: z.string(),
  skill: z.string(),
  /** Conversations that arrived in the slot with this skill: new ones and reopened episodes. */
  arrivals: z.number().check(z.int()),
  /** Of which reopened episodes of a closed conversation. */
  reopened: z._default(z.number().check(z.int()), 0),
  expiresAtEpoch: z.optional(z.number()),
}));

export const ArrivalCount = defineEntity({
  type: "ArrivalCount",
  owner: "routing",
  description:
    "Arrivals per 15-minute UTC slot and requested skill, counted from the table stream (a conversation created, or reopened: its arrival moved; a replayed webhook writes nothing, so it never counts), with the stream shard's mark like RoutingHour: the forecast's history, read without touching conversations. Kept ~2 years by TTL (last year's Double 11 is a forecast base)",
  schema: arrivalCountSchema,
  pk: "ARRIVALS#{day}",
  sk: "{slot}#{skill}",
  expires: "800 days after the slot",
  patterns: [
    { name: "ArrivalCount.add", operation: "UpdateItem ARRIVALS#{day} / {slot}#{skill} ADD arrivals :n (+ reopened :m) SET w.<shard> = :mark IF the shard's mark is older (RoutingAggregates, per tumbling window)", cost: "1 WRU per slot, skill and window: a rush's arrivals of a window in one write" },
    { name: "ArrivalCount.day", operation: "Query ARRIVALS#{day} (a UTC date: a local day reads 2), eventually consistent", cost: "0.5 RRU per 4 KB (96 slots × 5 skills ≈ 40 KB ≈ 5 RRU)" },
  ],
});
