/**
 * Transaction items for what the chat platform tells us (arrivals with dedupe, events): each is
 * conditional on the conversation's state as read, and is committed together with the
 * platform's dedupe record, so an effect is never recorded without its record nor the reverse.
 */
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Skill } from "../../agents/domain.js";
import { Conversation as ConversationItem, arrivalHour, dynamo, isConditionalCheckFailed, tableName, type TransactItem } from "../../shared/table/index.js";
import type { Conversation, HistoryEntry } from "../conversation.js";
import { arrived, arrivedLegacy, gsi2, queued, statusName, waiting } from "./indexes.js";


/** Records an accepted conversation (queued, in the sweeper's list); cancelled if it exists. */
/**
 * The put of a new conversation. `listAsQueued`: also list it in the `queued` index (gsi2) (the sweeper's
 * re-drive list) at once — for a writer whose `arrivedAt` may already lie behind the sweeper's
 * arrival cursor (an import, a test dating an arrival in the past), which the cursor would never
 * read. The webhook stamps `arrivedAt` with its own clock as it writes, so its conversations are
 * not listed: the sweeper's arrival scan lists them if their route message is lost.
 */
export function createConversationOp(conversation: Conversation, options: { listAsQueued?: boolean } = {}): TransactItem {
  const { arrivedAt, conversationId } = conversation;
  return {
    Put: {
      TableName: tableName,
      Item: ConversationItem.item(conversation, {
        ...(options.listAsQueued ? queued.attributes({ arrivedAt, conversationId }) : {}),
        ...arrived.attributes({ hour: arrivalHour(arrivedAt), arrivedAt, conversationId }),
      }),
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

/** The attribute of a conversation item naming the request that created it (its dedupe key). */
const arrivalKeyAttribute = "arrivalKey";
/** And the attempt of that request which wrote it. */
const arrivalAttemptAttribute = "arrivalAttempt";

/**
 * Records a new conversation with ONE conditional put (1 WRU, no read, no dedupe record): the
 * creating request's dedupe key is kept on the item, so a replay of that request finds it there
 * (read after the put's refusal). When the conversation exists, the stored
 * conversation and the key that created it are returned for the caller's other courses.
 */
export async function createConversationOnce(conversation: Conversation, dedupeKey: string): Promise<{ created: true } | { created: false; existing: Conversation; createdBy: string | undefined }> {
  const op = createConversationOp(conversation);
  // The SDK retries a put whose answer was lost: the retry is refused by our own write, which the
  // attempt id recognises as ours (created), not as another request's (duplicate).
  const attempt = randomUUID();
  const put = op.Put;
  if (!put) throw new Error("createConversationOp returns a Put");
  try {
    await dynamo.send(new PutCommand({ ...put, Item: { ...put.Item, [arrivalKeyAttribute]: dedupeKey, [arrivalAttemptAttribute]: attempt } }));
    return { created: true };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // Off the hot path (a replay, a retry, a reopen): read what is stored.
    const item = (await dynamo.send(new GetCommand({ TableName: tableName, Key: ConversationItem.key(conversation), ConsistentRead: true }))).Item;
    if (!item) throw error;
    const createdBy = item[arrivalKeyAttribute];
    if (item[arrivalAttemptAttribute] === attempt) return { created: true };
    return { created: false, existing: ConversationItem.parse(item), createdBy: typeof createdBy === "string" ? createdBy : undefined };
  }
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
        // The new episode arrives now: its arrival entry moves to this hour (out of the legacy index),
        // where the sweeper's arrival scan reads it like a new conversation's (not listed as queued).
        UpdateExpression: `SET #s = :queued, arrivedAt = :at, skill = :skill, requestedSkill = :skill, episodeStartedAt = :ep, history = list_append(history, :h), ${arrived.attributeNames.pk} = :ap, ${arrived.attributeNames.sk} = :ak REMOVE agentId, assignedAt, firstResponseAt, closedAt, abandoned, excludeAgentIds, escalated, closeReason, ${waiting.attributeNames.pk}, ${waiting.attributeNames.sk}, ${gsi2.pk}, ${gsi2.sk}, ${arrivedLegacy.attributeNames.pk}, ${arrivedLegacy.attributeNames.sk}`,
        ConditionExpression: "#s = :current AND closedAt = :closedAt",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":queued": "queued", ":current": existing.status, ":closedAt": existing.closedAt ?? "", ":at": at, ":skill": skill, ":ep": episodeStartedAt, ":h": [entry], ":ap": arrived.partition({ hour: arrivalHour(at) }), ":ak": arrived.sortKey({ arrivedAt: at, conversationId: conversationId(existing) }) },
      },
    },
  };
}

const conversationId = (c: Conversation) => c.conversationId;

/**
 * Ends a conversation for a platform event: `abandoned` (the customer left before anyone had it)
 * or `closed` (with `reason`), out of every list; conditional on the status (and agent) read.
 */
export function endOps(conversation: Conversation, status: "closed" | "abandoned", reason: string, entry: HistoryEntry): TransactItem[] {
  const assigned = conversation.status === "assigned" && conversation.agentId !== undefined;
  return [{
    Update: {
      TableName: tableName,
      Key: ConversationItem.key(conversation),
      UpdateExpression: `SET #s = :end, closedAt = :at, abandoned = :ab, closeReason = :why, history = list_append(history, :h) REMOVE ${waiting.attributeNames.pk}, ${waiting.attributeNames.sk}, ${gsi2.pk}, ${gsi2.sk}`,
      // From a line, as read (its history's length): nothing written since is overtaken.
      ConditionExpression: "#s = :current" + (assigned ? " AND agentId = :agent" : " AND size(history) = :hn"),
      ExpressionAttributeNames: statusName,
      ExpressionAttributeValues: {
        ":end": status,
        ":at": entry.at,
        ":ab": !assigned,
        ":why": reason,
        ":h": [entry],
        ":current": conversation.status,
        ...(assigned ? { ":agent": conversation.agentId } : { ":hn": conversation.history.length }),
      },
    },
  }];
}

/** The first response of the current episode, while it is still with the agent read; off the re-offer list. */
export function firstResponseOps(conversation: Conversation, entry: HistoryEntry): TransactItem[] {
  return [{
    Update: {
      TableName: tableName,
      Key: ConversationItem.key(conversation),
      UpdateExpression: `SET firstResponseAt = :at, history = list_append(history, :h) REMOVE ${gsi2.pk}, ${gsi2.sk}`,
      ConditionExpression: "#s = :assigned AND agentId = :agent AND attribute_not_exists(firstResponseAt)",
      ExpressionAttributeNames: statusName,
      ExpressionAttributeValues: { ":at": entry.at, ":assigned": "assigned", ":agent": conversation.agentId ?? "", ":h": [entry] },
    },
  }];
}
