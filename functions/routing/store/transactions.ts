/**
 * Transaction items on conversations and assignment records: the use cases add the agents'
 * items (load, seats) and commit them together with `transact`.
 */
import type { Skill } from "../../agents/domain.js";
import { Assignment, Conversation as ConversationItem, tableName, type TransactItem } from "../../shared/table/index.js";
import type { Conversation, HistoryEntry } from "../conversation.js";
import { awaitingEntry, gsi2, statusName, waiting, waitingEntry } from "./indexes.js";


/**
 * queued|waiting -> assigned to `agentId`: the conversation update (item 0, conditional on the
 * status) and the agent's assignment record. The customer's known agent is written after the
 * commit, and only when it changes (use-cases/route.ts `rememberKnownAgent`).
 */
/**
 * The awaiting-reply entry (the re-offer list) only while the episode has no first response: the
 * first response belongs to the episode, so a conversation answered before a move stays answered.
 */
function awaitingReplySet(conversation: Conversation, at: string): { set: string; remove: string; values: Record<string, unknown> } {
  if (conversation.firstResponseAt) return { set: "", remove: `, ${gsi2.pk}, ${gsi2.sk}`, values: {} };
  return { set: `, ${gsi2.pk} = :awp, ${gsi2.sk} = :awk`, remove: "", values: awaitingEntry(conversation.conversationId, at) };
}

export function assignOps(conversation: Conversation, agentId: string, entry: HistoryEntry): TransactItem[] {
  const at = entry.at;
  const awaiting = awaitingReplySet(conversation, at);
  return [
    {
      Update: {
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        UpdateExpression: `SET #s = :assigned, agentId = :a, assignedAt = :at, assignments = assignments + :one, history = list_append(history, :h)${awaiting.set} REMOVE ${waiting.attributeNames.pk}, ${waiting.attributeNames.sk}${awaiting.remove}`,
        // As read (its history's length): the move is decided on the state it was read in.
        ConditionExpression: "#s IN (:queued, :waiting) AND size(history) = :hn",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":assigned": "assigned", ":a": agentId, ":at": at, ":one": 1, ":h": [entry], ":queued": "queued", ":waiting": "waiting", ":hn": conversation.history.length, ...awaiting.values },
      },
    },
    assignmentPut(conversation, agentId, at),
  ];
}

function assignmentPut(conversation: Conversation, agentId: string, assignedAt: string): TransactItem {
  const { conversationId, skill, priority } = conversation;
  return { Put: { TableName: tableName, Item: Assignment.item({ agentId, conversationId, assignedAt, skill, priority }) } };
}

/** Deletes the agent's record of the conversation (its slot is released in the same transaction). */
export function assignmentDelete(agentId: string, conversationId: string): TransactItem {
  return { Delete: { TableName: tableName, Key: Assignment.key({ agentId, conversationId }) } };
}

/**
 * Condition shared by moves: the conversation is still assigned to the agent it was read with,
 * and still as answered (or not) as it was read, so the re-offer entry written follows the truth.
 */
function stillWith(conversation: Conversation) {
  return { ConditionExpression: `#s = :assigned AND agentId = :from${conversation.firstResponseAt ? "" : " AND attribute_not_exists(firstResponseAt)"}`, values: { ":assigned": "assigned", ":from": conversation.agentId } };
}

/**
 * Closes (or, if not assigned, abandons) the conversation, conditional on the state it was read
 * in (from a line: its history's length too, so nothing written since is overtaken).
 */
export function closeOps(conversation: Conversation, entry: HistoryEntry): TransactItem[] {
  const fromLine = conversation.status !== "assigned";
  return [
    {
      Update: {
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        UpdateExpression: `SET #s = :closed, closedAt = :at, abandoned = :ab, history = list_append(history, :h) REMOVE ${waiting.attributeNames.pk}, ${waiting.attributeNames.sk}, ${gsi2.pk}, ${gsi2.sk}`,
        ConditionExpression: "#s = :current" + (conversation.agentId ? " AND agentId = :agent" : "") + (fromLine ? " AND size(history) = :hn" : ""),
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: {
          ":closed": "closed",
          ":at": entry.at,
          ":ab": fromLine,
          ":h": [entry],
          ":current": conversation.status,
          ...(conversation.agentId ? { ":agent": conversation.agentId } : {}),
          ...(fromLine ? { ":hn": conversation.history.length } : {}),
        },
      },
    },
  ];
}

/** From its current agent to `toAgentId`: the conversation update and the new assignment record. */
export function moveToAgentOps(conversation: Conversation, toAgentId: string, entry: HistoryEntry): TransactItem[] {
  const at = entry.at;
  const cond = stillWith(conversation);
  const awaiting = awaitingReplySet(conversation, at);
  return [
    assignmentPut(conversation, toAgentId, at),
    {
      Update: {
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        UpdateExpression: `SET agentId = :to, assignedAt = :at, assignments = assignments + :one, history = list_append(history, :h)${awaiting.set}${awaiting.remove ? ` REMOVE ${awaiting.remove.slice(2)}` : ""}`,
        ConditionExpression: cond.ConditionExpression,
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ...cond.values, ":to": toAgentId, ":at": at, ":one": 1, ":h": [entry], ...awaiting.values },
      },
    },
  ];
}

/**
 * From its current agent back to the waiting line of `skill`, keeping arrival and priority. Into
 * another skill's line it starts unescalated: the old skill's fallbacks do not follow it. Waiting,
 * it leaves the aggregates (the table stream's consumer takes its counters out; the history's length read is in the condition).
 */
export function moveToQueueOps(conversation: Conversation, skill: Skill | "any", excludeAgentIds: string[], entry: HistoryEntry): TransactItem[] {
  const cond = stillWith(conversation);
  return [
    {
      Update: {
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        // The first response (and so the 3-minute figure) stays with the episode.
        UpdateExpression: `SET #s = :waiting, skill = :skill, excludeAgentIds = :ex, history = list_append(history, :h), ${waiting.attributeNames.pk} = :wp, ${waiting.attributeNames.sk} = :wk REMOVE agentId, assignedAt, ${gsi2.pk}, ${gsi2.sk}${skill !== conversation.skill ? ", escalated, fallbackSkills" : ""}`,
        ConditionExpression: `${cond.ConditionExpression} AND size(history) = :hn`,
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ...cond.values, ":waiting": "waiting", ":skill": skill, ":ex": excludeAgentIds, ":h": [entry], ":hn": conversation.history.length, ...waitingEntry(conversation, skill) },
      },
    },
  ];
}
