/**
 * DynamoDB adapter for conversations and assignments.
 *
 * Items (docs/data-model.md):
 * - conversation `pk=CONV#<id>, sk=CONV`; while `queued` it carries `gsi2pk=QUEUED, gsi2sk=<arrivedAt>`
 *   (the sweeper's re-drive list); while `waiting` it carries `gsi1pk=WAIT#<skill>,
 *   gsi1sk=<waitingKey>` (the fair queue: priority, then arrival). Its `history` list is the
 *   conversation's audit trail, appended in the same write as each state change.
 * - assignment   `pk=AGENT#<agentId>, sk=CONV#<id>`: the agent's open conversations; load is
 *   reconciled against these.
 * - last served  `pk=CUSTOMER#<customerId>, sk=LAST`: the known agent (老客户).
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { capacityUnits, dynamo, isConditionalCheckFailed, queryAll, tableName } from "../shared/dynamo.js";
import { NotFoundError } from "../shared/errors.js";
import type { Skill } from "../agents/domain.js";
import { conversationSchema, type Conversation, type HistoryEntry } from "./conversation.js";
import { waitingKey, type KnownAgent } from "./policy.js";

export const conversationKey = (id: string) => ({ pk: `CONV#${id}`, sk: "CONV" });
export const assignmentKey = (agentId: string, conversationId: string) => ({ pk: `AGENT#${agentId}`, sk: `CONV#${conversationId}` });
export const customerKey = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: "LAST" });
/** Conversations by arrival hour (metrics): `ARRIVED#2026-11-11T00`. */
export const arrivalPartition = (arrivedAt: string) => `ARRIVED#${arrivedAt.slice(0, 13)}`;
/** Assigned conversations still without a first response, sharded so no GSI partition is hot. */
export const awaitingReplyShards = 4;
export const awaitingReplyPartition = (conversationId: string) => {
  let h = 0;
  for (const ch of conversationId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `AWAITING_REPLY#${h % awaitingReplyShards}`;
};
export const waitPartition = (skill: Skill | "any") => `WAIT#${skill}`;

/** Accumulates consumed capacity of one routing decision (reported per decision). */
export class CapacityMeter {
  units = 0;
  add(consumed: Parameters<typeof capacityUnits>[0]) {
    this.units += capacityUnits(consumed);
  }
}

export function conversationFromItem(item: Record<string, unknown>): Conversation {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, type: _t, ...rest } = item;
  return conversationSchema.parse(rest);
}

/** Records an accepted conversation; false when it already exists (a platform retry). */
export async function createConversation(conversation: Conversation): Promise<boolean> {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...conversationKey(conversation.conversationId),
          type: "Conversation",
          gsi2pk: "QUEUED",
          gsi2sk: `${conversation.arrivedAt}#${conversation.conversationId}`,
          gsi3pk: arrivalPartition(conversation.arrivedAt),
          gsi3sk: `${conversation.arrivedAt}#${conversation.conversationId}`,
          ...conversation,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * A closed conversation the customer writes to again: back to `queued` as a new arrival, with no
 * agent (the previous one may be offline; the known-agent rule still prefers them if eligible).
 * Undefined if it is not closed (a concurrent reopen or a plain retry won).
 */
export async function reopenConversation(conversationId: string, at: string, skill: Skill): Promise<Conversation | undefined> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: conversationKey(conversationId),
        UpdateExpression:
          "SET #s = :queued, arrivedAt = :at, skill = :skill, requestedSkill = :skill, history = list_append(history, :h), gsi2pk = :q, gsi2sk = :qk REMOVE agentId, assignedAt, firstResponseAt, closedAt, abandoned, excludeAgentIds, escalated, gsi1pk, gsi1sk",
        ConditionExpression: "#s = :closed",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":queued": "queued", ":closed": "closed", ":at": at, ":skill": skill, ":h": [{ at, action: "reopened", actor: "system:chat-platform" }], ":q": "QUEUED", ":qk": `${at}#${conversationId}` },
        ReturnValues: "ALL_NEW",
      }),
    );
    return result.Attributes ? conversationFromItem(result.Attributes) : undefined;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

export async function getConversation(id: string, meter?: CapacityMeter): Promise<Conversation | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: conversationKey(id), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? conversationFromItem(result.Item) : undefined;
}

export async function requireConversation(id: string): Promise<Conversation> {
  const conversation = await getConversation(id);
  if (!conversation) throw new NotFoundError(`No conversation "${id}".`);
  return conversation;
}

export async function knownAgentOf(customerId: string, meter?: CapacityMeter): Promise<KnownAgent | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: customerKey(customerId), ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? { agentId: String(result.Item.agentId), servedAt: String(result.Item.servedAt) } : undefined;
}

/** queued -> waiting, entering the skill's fair queue. False if it is no longer queued. */
export async function markWaiting(conversation: Conversation, entry: HistoryEntry, meter?: CapacityMeter): Promise<boolean> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: conversationKey(conversation.conversationId),
        UpdateExpression: "SET #s = :waiting, gsi1pk = :wp, gsi1sk = :wk, history = list_append(history, :h) REMOVE gsi2pk, gsi2sk",
        ConditionExpression: "#s = :queued",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: {
          ":waiting": "waiting",
          ":queued": "queued",
          ":wp": waitPartition(conversation.skill),
          ":wk": waitingKey(conversation.priority, conversation.arrivedAt, conversation.conversationId),
          ":h": [entry],
        },
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

/** The first `limit` waiting conversation ids of a skill, in service order. */
export async function waitingHeads(skill: Skill | "any", limit: number, meter?: CapacityMeter): Promise<{ conversationId: string; key: string }[]> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :p",
      ExpressionAttributeValues: { ":p": waitPartition(skill) },
      ProjectionExpression: "conversationId, gsi1sk",
      Limit: limit,
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  meter?.add(result.ConsumedCapacity);
  return (result.Items ?? []).map((i) => ({ conversationId: String(i.conversationId), key: String(i.gsi1sk) }));
}

/** Every waiting conversation of a skill (live queue view). */
export async function waitingConversations(skill: Skill | "any"): Promise<Conversation[]> {
  const items = await queryAll({ TableName: tableName, IndexName: "gsi1", KeyConditionExpression: "gsi1pk = :p", ExpressionAttributeValues: { ":p": waitPartition(skill) } });
  return items.map(conversationFromItem);
}

/** Conversations accepted before `before` and still `queued` (their SQS message may be lost). */
export async function staleQueued(before: string, limit = 100): Promise<string[]> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :p AND gsi2sk < :before",
      ExpressionAttributeValues: { ":p": "QUEUED", ":before": before },
      ProjectionExpression: "conversationId",
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((i) => String(i.conversationId));
}

/** The agent's open conversations (assignment records). */
export async function openAssignments(agentId: string): Promise<{ conversationId: string; assignedAt: string }[]> {
  const items = await queryAll({
    TableName: tableName,
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :c)",
    ExpressionAttributeValues: { ":pk": `AGENT#${agentId}`, ":c": "CONV#" },
    ConsistentRead: true,
  });
  return items.map((item) => ({ conversationId: String(item.conversationId), assignedAt: String(item.assignedAt) }));
}

/** Assigned conversations with no first response, assigned before `before` (unresponsive agents). */
export async function awaitingReplySince(before: string): Promise<Conversation[]> {
  const out: Conversation[] = [];
  for (let shard = 0; shard < awaitingReplyShards; shard++) {
    const items = await queryAll({
      TableName: tableName,
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :p AND gsi2sk < :before",
      ExpressionAttributeValues: { ":p": `AWAITING_REPLY#${shard}`, ":before": before },
    });
    out.push(...items.map(conversationFromItem));
  }
  return out;
}

/** Every conversation that arrived in [from, to) (metrics), one query per arrival hour. */
export async function conversationsArrivedBetween(from: Date, to: Date): Promise<Conversation[]> {
  const out: Conversation[] = [];
  const hour = 3_600_000;
  for (let t = Math.floor(from.getTime() / hour) * hour; t < to.getTime(); t += hour) {
    const items = await queryAll({
      TableName: tableName,
      IndexName: "gsi3",
      KeyConditionExpression: "gsi3pk = :p AND gsi3sk BETWEEN :a AND :b",
      ExpressionAttributeValues: { ":p": arrivalPartition(new Date(t).toISOString()), ":a": from.toISOString(), ":b": to.toISOString() },
    });
    out.push(...items.map(conversationFromItem));
  }
  return out;
}
