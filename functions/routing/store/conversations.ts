/** Conversations: single-item reads and conditional writes, each read parsed by its entity. */
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Skill } from "../../agents/domain.js";
import { NotFoundError } from "../../shared/errors.js";
import { Conversation as ConversationItem, TransactionCancelledError, dynamo, isConditionalCheckFailed, isWriteConflict, tableName, transact, type CapacityMeter } from "../../shared/table/index.js";
import { createConversationOp, firstResponseOps } from "./events.js";
import type { Conversation, HistoryEntry } from "../conversation.js";
import { gsi2, statusName, waiting, waitingEntry } from "./indexes.js";


/**
 * Records a queued conversation written with any arrival time (an import, the bench, tests),
 * listed in the sweeper's re-drive list at once: false when it already exists. The webhook writes
 * through `createConversationOnce` instead (events.ts).
 */
export async function createConversation(conversation: Conversation): Promise<boolean> {
  const { Put: put } = createConversationOp(conversation, { listAsQueued: true });
  if (!put) throw new Error("createConversationOp returns a Put");
  try {
    await dynamo.send(new PutCommand(put));
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

export async function getConversation(conversationId: string, meter?: CapacityMeter): Promise<Conversation | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: ConversationItem.key({ conversationId }), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? ConversationItem.parse(result.Item) : undefined;
}

export async function requireConversation(conversationId: string): Promise<Conversation> {
  const conversation = await getConversation(conversationId);
  if (!conversation) throw new NotFoundError(`No conversation "${conversationId}".`);
  return conversation;
}

/** queued -> waiting, entering the skill's fair queue. False if it is no longer queued. */
export async function markWaiting(conversation: Conversation, entry: HistoryEntry, meter?: CapacityMeter): Promise<boolean> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        UpdateExpression: `SET #s = :waiting, ${waiting.attributeNames.pk} = :wp, ${waiting.attributeNames.sk} = :wk, history = list_append(history, :h) REMOVE ${gsi2.pk}, ${gsi2.sk}`,
        ConditionExpression: "#s = :queued",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":waiting": "waiting", ":queued": "queued", ":h": [entry], ...waitingEntry(conversation, conversation.skill) },
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    meter?.add(result.ConsumedCapacity);
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Records the first response of the agent it is assigned to, in one conditional write (its
 * aggregates follow from the table stream); undefined if that no longer holds.
 */
export async function recordFirstResponse(conversation: Conversation, agentId: string, entry: HistoryEntry): Promise<Conversation | undefined> {
  const read: Conversation = { ...conversation, agentId };
  for (let attempt = 0; ; attempt++) {
    try {
      await transact(firstResponseOps(read, entry));
      return { ...read, firstResponseAt: entry.at, history: [...read.history, entry] };
    } catch (error) {
      if (error instanceof TransactionCancelledError && error.conditionFailedAt(0)) return undefined;
      // Another transaction on the conversation (a move, a close) was in flight: its outcome decides.
      if (!(isWriteConflict(error) && attempt < 3)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 50 * (attempt + 1)));
    }
  }
}

/**
 * Marks a conversation still waiting (and not yet escalated) as escalated; `fallbackSkills` (a
 * fallback mode) lets agents with one of them take it, in its own line, keeping its place. It
 * never widens to "any". False when it was assigned, closed or escalated meanwhile.
 */
export async function escalateConversation(conversation: Conversation, entry: HistoryEntry, fallbackSkills: readonly Skill[] | undefined): Promise<boolean> {
  const fallback = fallbackSkills && fallbackSkills.length > 0 ? [...fallbackSkills] : undefined;
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        UpdateExpression: `SET escalated = :t, history = list_append(history, :h)${fallback ? ", fallbackSkills = :fb" : ""}`,
        ConditionExpression: "#s = :waiting AND attribute_not_exists(escalated)",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":t": true, ":waiting": "waiting", ":h": [entry], ...(fallback ? { ":fb": fallback } : {}) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

