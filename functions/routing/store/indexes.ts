/**
 * The conversation's index entries as expression values. A conversation's entries follow its
 * status: `waiting` only while waiting (the fair queue), `queued` only while queued and listed
 * by the sweeper or its writer (the re-drive list, arrival-scan.ts), `awaitingReply` only while
 * assigned without a first response (the re-offer list); `arrived` always (metrics and the
 * sweeper's arrival scan; keys only, moved only by a reopen).
 */
import type { Skill } from "../../agents/domain.js";
import { Conversation as ConversationItem, awaitingReplyShard } from "../../shared/table/index.js";
import type { Conversation } from "../conversation.js";
import { waitingKey } from "../policy.js";

export const waiting = ConversationItem.index.waiting;
export const queued = ConversationItem.index.queued;
export const awaitingReply = ConversationItem.index.awaitingReply;
export const arrived = ConversationItem.index.arrived;
export const arrivedLegacy = ConversationItem.index.arrivedLegacy;
// `queued` and `awaitingReply` share gsi2: a conversation is in at most one of them.
export const gsi2 = queued.attributeNames;
export const statusName = { "#s": "status" };

export const queuedEntry = (arrivedAt: string, conversationId: string) => ({ ":qp": queued.partition({}), ":qk": queued.sortKey({ arrivedAt, conversationId }) });
export const awaitingEntry = (conversationId: string, assignedAt: string) => ({
  ":awp": awaitingReply.partition({ shard: awaitingReplyShard(conversationId) }),
  ":awk": awaitingReply.sortKey({ assignedAt, conversationId }),
});
export const waitingEntry = (conversation: Pick<Conversation, "priority" | "arrivedAt" | "conversationId">, skill: Skill | "any") => ({
  ":wp": waiting.partition({ skill }),
  ":wk": waiting.sortKey({ position: waitingKey(conversation.priority, conversation.arrivedAt, conversation.conversationId) }),
});

