/**
 * Transaction items for what the chat platform tells us (arrivals with dedupe, events): each is
 * conditional on the conversation's state as read, and is committed together with the
 * platform's dedupe record, so an effect is never recorded without its record nor the reverse.
 */
import type { Skill } from "../../agents/domain.js";
import { Conversation as ConversationItem, arrivalHour, tableName, type TransactItem } from "../../shared/table/index.js";
import type { Conversation, HistoryEntry } from "../conversation.js";
import { arrived, gsi2, queued, queuedEntry, statusName, waiting } from "./indexes.js";


/** Records an accepted conversation (queued, in the sweeper's list); cancelled if it exists. */
export function createConversationOp(conversation: Conversation): TransactItem {
  const { arrivedAt, conversationId } = conversation;
  return {
    Put: {
      TableName: tableName,
      Item: ConversationItem.item(conversation, {
        ...queued.attributes({ arrivedAt, conversationId }),
        ...arrived.attributes({ hour: arrivalHour(arrivedAt), arrivedAt, conversationId }),
      }),
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

/**
 * A closed or abandoned conversation the customer writes to again: back to `queued` as a new
 * episode (arrival now, no agent), conditional on the close it was read with.
 */
export function reopenOp(existing: Conversation, at: string, skill: Skill, episodeStartedAt: string): { op: TransactItem; reopened: Conversation } {
  const entry: HistoryEntry = { at, action: "reopened", actor: "system:chat-platform" };
  const { agentId: _a, assignedAt: _as, firstResponseAt: _f, closedAt: _c, abandoned: _ab, excludeAgentIds: _x, escalated: _e, closeReason: _r, ...kept } = existing;
  const reopened: Conversation = { ...kept, status: "queued", arrivedAt: at, skill, requestedSkill: skill, episodeStartedAt, history: [...existing.history, entry] };
  return {
    reopened,
    op: {
      Update: {
        TableName: tableName,
        Key: ConversationItem.key(existing),
        UpdateExpression: `SET #s = :queued, arrivedAt = :at, skill = :skill, requestedSkill = :skill, episodeStartedAt = :ep, history = list_append(history, :h), ${gsi2.pk} = :qp, ${gsi2.sk} = :qk REMOVE agentId, assignedAt, firstResponseAt, closedAt, abandoned, excludeAgentIds, escalated, closeReason, ${waiting.attributeNames.pk}, ${waiting.attributeNames.sk}`,
        ConditionExpression: "#s = :current AND closedAt = :closedAt",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":queued": "queued", ":current": existing.status, ":closedAt": existing.closedAt ?? "", ":at": at, ":skill": skill, ":ep": episodeStartedAt, ":h": [entry], ...queuedEntry(at, conversationId(existing)) },
      },
    },
  };
}

const conversationId = (c: Conversation) => c.conversationId;

/**
 * Ends a conversation for a platform event: `abandoned` (the customer left before anyone had it)
 * or `closed` (with `reason`), out of every list; conditional on the status (and agent) read.
 */
export function endOp(conversation: Conversation, status: "closed" | "abandoned", reason: string, entry: HistoryEntry): TransactItem {
  const assigned = conversation.status === "assigned" && conversation.agentId !== undefined;
  return {
    Update: {
      TableName: tableName,
      Key: ConversationItem.key(conversation),
      UpdateExpression: `SET #s = :end, closedAt = :at, abandoned = :ab, closeReason = :why, history = list_append(history, :h) REMOVE ${waiting.attributeNames.pk}, ${waiting.attributeNames.sk}, ${gsi2.pk}, ${gsi2.sk}`,
      ConditionExpression: "#s = :current" + (assigned ? " AND agentId = :agent" : ""),
      ExpressionAttributeNames: statusName,
      ExpressionAttributeValues: {
        ":end": status,
        ":at": entry.at,
        ":ab": !assigned,
        ":why": reason,
        ":h": [entry],
        ":current": conversation.status,
        ...(assigned ? { ":agent": conversation.agentId } : {}),
      },
    },
  };
}

/** The first response of the current episode, while it is still with the agent read; off the re-offer list. */
export function firstResponseOp(conversation: Conversation, entry: HistoryEntry): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: ConversationItem.key(conversation),
      UpdateExpression: `SET firstResponseAt = :at, history = list_append(history, :h) REMOVE ${gsi2.pk}, ${gsi2.sk}`,
      ConditionExpression: "#s = :assigned AND agentId = :agent AND attribute_not_exists(firstResponseAt)",
      ExpressionAttributeNames: statusName,
      ExpressionAttributeValues: { ":at": entry.at, ":assigned": "assigned", ":agent": conversation.agentId ?? "", ":h": [entry] },
    },
  };
}
