/**
 * Items the routing capability owns: the conversation (its state, its history and the sparse
 * indexes that make the fair queue, the sweeper's re-drive list and the re-offer list) and the
 * customer's known agent. An agent's open-conversation records (`Assignment`) belong to agents;
 * routing writes them through that entity inside its own transactions.
 */
import * as z from "zod/mini";
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
      why: "sparse: only while queued (accepted, not yet routed); the sweeper re-drives the ones whose queue message was lost",
    },
    awaitingReply: {
      index: "gsi2",
      pk: "AWAITING_REPLY#{shard}",
      sk: "{assignedAt}#{conversationId}",
      why: "sparse: only while assigned without a first response, in 4 shards so no index partition is hot; the re-offer rule reads the oldest",
    },
    arrived: {
      index: "gsi3",
      pk: "ARRIVED#{hour}",
      sk: "{arrivedAt}#{conversationId}",
      why: "every conversation by arrival hour (`2026-11-11T00`): routing metrics over a range read only the hours in it",
    },
  },
  patterns: [
    { name: "Conversation.create", operation: "PutItem CONV#{conversationId} / CONV, attribute_not_exists(pk)", cost: "1–2 WRU (history grows the item)" },
    { name: "Conversation.get", operation: "GetItem CONV#{conversationId} / CONV, consistent", cost: "1 RRU per 4 KB" },
    { name: "Conversation.assign", operation: "TransactWriteItems: Update conversation (status IN queued, waiting) + agent ops + Put Assignment + Put KnownAgent", cost: "2 × (3 + agent ops) WRU" },
    { name: "Conversation.markWaiting / reopen / firstResponse / escalate", operation: "UpdateItem CONV#{conversationId} / CONV, conditional on status", cost: "1–2 WRU" },
    { name: "Conversation.close / move", operation: "TransactWriteItems: Update conversation (still with the agent) + agent ops + Assignment put/delete", cost: "2 × (2 + agent ops) WRU" },
    { name: "Conversation.waitingHead", operation: "Query gsi1 WAIT#{skill}, Limit 1, projection conversationId", cost: "0.5 RRU" },
    { name: "Conversation.waiting", operation: "Query gsi1 WAIT#{skill}, every page", cost: "1 RRU per 4 KB of waiting conversations" },
    { name: "Conversation.staleQueued", operation: "Query gsi2 QUEUED, gsi2sk < {before}, pages of 100, projection conversationId", cost: "0.5 RRU a page" },
    { name: "Conversation.awaitingReplySince", operation: "Query gsi2 AWAITING_REPLY#{0..3}, gsi2sk < {before}", cost: "4 × 0.5 RRU + 1 RRU per 4 KB found" },
    { name: "Conversation.arrivedBetween", operation: "Query gsi3 ARRIVED#{hour} per hour of the range, gsi3sk BETWEEN", cost: "0.5 RRU per hour + 1 RRU per 4 KB found" },
  ],
});

export const knownAgentSchema = z.object({ agentId: z.string(), servedAt: z.string() });

export const KnownAgent = defineEntity({
  type: "KnownAgent",
  owner: "routing",
  description: "The agent who last served a customer (老客户), preferred for the customer's next conversation within the window",
  schema: knownAgentSchema,
  pk: "CUSTOMER#{customerId}",
  sk: "LAST",
  patterns: [
    { name: "KnownAgent.get", operation: "GetItem CUSTOMER#{customerId} / LAST, eventually consistent", cost: "0.5 RRU" },
    { name: "KnownAgent.put", operation: "inside the assignment transaction", cost: "2 WRU" },
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
