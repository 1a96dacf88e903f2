/**
 * DynamoDB adapter for routing: conversations and known agents (entities in
 * functions/shared/table/entities/routing.ts), plus the agents' items routing reads or writes
 * inside its transactions (pool seats, profiles, assignment records) through the agents'
 * entities. Every item read is parsed by its entity; conditional failures become `false` /
 * `undefined` or stay typed (`TransactionCancelledError`) for the use cases to decide.
 *
 * A conversation's index entries follow its status: `waiting` only while waiting (the fair
 * queue), `queued` only while queued (the sweeper's list), `awaitingReply` only while assigned
 * without a first response (the re-offer list); `arrived` always (metrics).
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { poolRank, type Agent, type Skill } from "../agents/domain.js";
import { NotFoundError } from "../shared/errors.js";
import {
  Agent as AgentItem,
  Assignment,
  Conversation as ConversationItem,
  KnownAgent as KnownAgentItem,
  Seat,
  arrivalHour,
  awaitingReplyShard,
  awaitingReplyShards,
  batchGet,
  decodeCursor,
  dynamo,
  encodeCursor,
  isConditionalCheckFailed,
  queryAll,
  tableName,
  type CapacityMeter,
  type TransactItem,
} from "../shared/table/index.js";
import { conversationSchema, type Conversation, type HistoryEntry } from "./conversation.js";
import { waitingKey, type KnownAgent } from "./policy.js";

const waiting = ConversationItem.index.waiting;
const queued = ConversationItem.index.queued;
const awaitingReply = ConversationItem.index.awaitingReply;
const arrived = ConversationItem.index.arrived;
// `queued` and `awaitingReply` share gsi2: a conversation is in at most one of them.
const gsi2 = queued.attributeNames;
const statusName = { "#s": "status" };

const queuedEntry = (arrivedAt: string, conversationId: string) => ({ ":qp": queued.partition({}), ":qk": queued.sortKey({ arrivedAt, conversationId }) });
const awaitingEntry = (conversationId: string, assignedAt: string) => ({
  ":awp": awaitingReply.partition({ shard: awaitingReplyShard(conversationId) }),
  ":awk": awaitingReply.sortKey({ assignedAt, conversationId }),
});
const waitingEntry = (conversation: Pick<Conversation, "priority" | "arrivedAt" | "conversationId">, skill: Skill | "any") => ({
  ":wp": waiting.partition({ skill }),
  ":wk": waiting.sortKey({ position: waitingKey(conversation.priority, conversation.arrivedAt, conversation.conversationId) }),
});

// ---------------------------------------------------------------------------------------------
// Conversations: single-item reads and writes

/** Records an accepted conversation (queued); false when it already exists (a platform retry). */
export async function createConversation(conversation: Conversation): Promise<boolean> {
  const { arrivedAt, conversationId } = conversation;
  try {
    await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: ConversationItem.item(conversation, {
          ...queued.attributes({ arrivedAt, conversationId }),
          ...arrived.attributes({ hour: arrivalHour(arrivedAt), arrivedAt, conversationId }),
        }),
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
 * agent. Undefined if it is not closed (a concurrent reopen or a plain retry won).
 */
export async function reopenConversation(conversationId: string, at: string, skill: Skill): Promise<Conversation | undefined> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ConversationItem.key({ conversationId }),
        UpdateExpression: `SET #s = :queued, arrivedAt = :at, skill = :skill, requestedSkill = :skill, history = list_append(history, :h), ${gsi2.pk} = :qp, ${gsi2.sk} = :qk REMOVE agentId, assignedAt, firstResponseAt, closedAt, abandoned, excludeAgentIds, escalated, ${waiting.attributeNames.pk}, ${waiting.attributeNames.sk}`,
        ConditionExpression: "#s = :closed",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":queued": "queued", ":closed": "closed", ":at": at, ":skill": skill, ":h": [{ at, action: "reopened", actor: "system:chat-platform" }], ...queuedEntry(at, conversationId) },
        ReturnValues: "ALL_NEW",
      }),
    );
    return result.Attributes ? ConversationItem.parse(result.Attributes) : undefined;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
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

/** Records the first response of the agent it is assigned to; undefined if that no longer holds. */
export async function recordFirstResponse(conversation: Conversation, agentId: string, entry: HistoryEntry): Promise<Conversation | undefined> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        ReturnValues: "ALL_NEW",
        UpdateExpression: `SET firstResponseAt = :at, history = list_append(history, :h) REMOVE ${gsi2.pk}, ${gsi2.sk}`,
        ConditionExpression: "#s = :assigned AND agentId = :agent AND attribute_not_exists(firstResponseAt)",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":at": entry.at, ":assigned": "assigned", ":agent": agentId, ":h": [entry] },
      }),
    );
    return result.Attributes ? ConversationItem.parse(result.Attributes) : undefined;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/**
 * Marks a conversation still waiting (and not yet escalated) as escalated; `widen` moves it to
 * the `any` queue, keeping its place. False when it was assigned, closed or escalated meanwhile.
 */
export async function escalateConversation(conversation: Conversation, entry: HistoryEntry, widen: boolean): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        UpdateExpression: `SET escalated = :t, history = list_append(history, :h)${widen ? `, skill = :any, ${waiting.attributeNames.pk} = :wp` : ""}`,
        ConditionExpression: "#s = :waiting AND attribute_not_exists(escalated)",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":t": true, ":waiting": "waiting", ":h": [entry], ...(widen ? { ":any": "any", ":wp": waiting.partition({ skill: "any" }) } : {}) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Conversations: transaction items (the use cases add the agents' items and commit)

/**
 * queued|waiting -> assigned to `agentId`: the conversation update (item 0, conditional on the
 * status), the agent's assignment record and the customer's known agent.
 */
export function assignOps(conversation: Conversation, agentId: string, entry: HistoryEntry): TransactItem[] {
  const at = entry.at;
  const { conversationId } = conversation;
  return [
    {
      Update: {
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        UpdateExpression: `SET #s = :assigned, agentId = :a, assignedAt = :at, assignments = assignments + :one, history = list_append(history, :h), ${gsi2.pk} = :awp, ${gsi2.sk} = :awk REMOVE ${waiting.attributeNames.pk}, ${waiting.attributeNames.sk}, firstResponseAt`,
        ConditionExpression: "#s IN (:queued, :waiting)",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":assigned": "assigned", ":a": agentId, ":at": at, ":one": 1, ":h": [entry], ":queued": "queued", ":waiting": "waiting", ...awaitingEntry(conversationId, at) },
      },
    },
    assignmentPut(conversation, agentId, at),
    { Put: { TableName: tableName, Item: KnownAgentItem.item({ customerId: conversation.customerId, agentId, servedAt: at }) } },
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

/** Condition shared by moves: the conversation is still assigned to the agent it was read with. */
function stillWith(conversation: Conversation) {
  return { ConditionExpression: "#s = :assigned AND agentId = :from", values: { ":assigned": "assigned", ":from": conversation.agentId } };
}

/** Closes (or, if not assigned, abandons) the conversation, conditional on the state it was read in. */
export function closeOp(conversation: Conversation, entry: HistoryEntry): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: ConversationItem.key(conversation),
      UpdateExpression: `SET #s = :closed, closedAt = :at, abandoned = :ab, history = list_append(history, :h) REMOVE ${waiting.attributeNames.pk}, ${waiting.attributeNames.sk}, ${gsi2.pk}, ${gsi2.sk}`,
      ConditionExpression: "#s = :current" + (conversation.agentId ? " AND agentId = :agent" : ""),
      ExpressionAttributeNames: statusName,
      ExpressionAttributeValues: {
        ":closed": "closed",
        ":at": entry.at,
        ":ab": conversation.status !== "assigned",
        ":h": [entry],
        ":current": conversation.status,
        ...(conversation.agentId ? { ":agent": conversation.agentId } : {}),
      },
    },
  };
}

/** From its current agent to `toAgentId`: the conversation update and the new assignment record. */
export function moveToAgentOps(conversation: Conversation, toAgentId: string, entry: HistoryEntry): TransactItem[] {
  const at = entry.at;
  const cond = stillWith(conversation);
  return [
    assignmentPut(conversation, toAgentId, at),
    {
      Update: {
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        UpdateExpression: `SET agentId = :to, assignedAt = :at, assignments = assignments + :one, history = list_append(history, :h), ${gsi2.pk} = :awp, ${gsi2.sk} = :awk REMOVE firstResponseAt`,
        ConditionExpression: cond.ConditionExpression,
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ...cond.values, ":to": toAgentId, ":at": at, ":one": 1, ":h": [entry], ...awaitingEntry(conversation.conversationId, at) },
      },
    },
  ];
}

/** From its current agent back to the waiting line of `skill`, keeping arrival and priority. */
export function moveToQueueOp(conversation: Conversation, skill: Skill | "any", excludeAgentIds: string[], entry: HistoryEntry): TransactItem {
  const cond = stillWith(conversation);
  return {
    Update: {
      TableName: tableName,
      Key: ConversationItem.key(conversation),
      UpdateExpression: `SET #s = :waiting, skill = :skill, excludeAgentIds = :ex, history = list_append(history, :h), ${waiting.attributeNames.pk} = :wp, ${waiting.attributeNames.sk} = :wk REMOVE agentId, assignedAt, firstResponseAt, ${gsi2.pk}, ${gsi2.sk}`,
      ConditionExpression: cond.ConditionExpression,
      ExpressionAttributeNames: statusName,
      ExpressionAttributeValues: { ...cond.values, ":waiting": "waiting", ":skill": skill, ":ex": excludeAgentIds, ":h": [entry], ...waitingEntry(conversation, skill) },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Conversations: index queries

const headSchema = conversationSchema.pick({ conversationId: true, priority: true, arrivedAt: true });

/**
 * The first `limit` waiting conversations of a skill, in service order, with their position in
 * the line (`key`, comparable across skills).
 */
export async function waitingHeads(skill: Skill | "any", limit: number, meter?: CapacityMeter): Promise<{ conversationId: string; key: string }[]> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: waiting.index,
      KeyConditionExpression: `${waiting.attributeNames.pk} = :p`,
      ExpressionAttributeValues: { ":p": waiting.partition({ skill }) },
      ProjectionExpression: "conversationId, priority, arrivedAt",
      Limit: limit,
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  meter?.add(result.ConsumedCapacity);
  return (result.Items ?? []).map((item) => {
    const head = ConversationItem.parseAs(headSchema, item);
    return { conversationId: head.conversationId, key: waitingKey(head.priority, head.arrivedAt, head.conversationId) };
  });
}

/** Every waiting conversation of a skill (live queue view, escalation). */
export async function waitingConversations(skill: Skill | "any"): Promise<Conversation[]> {
  const items = await queryAll({ IndexName: waiting.index, KeyConditionExpression: `${waiting.attributeNames.pk} = :p`, ExpressionAttributeValues: { ":p": waiting.partition({ skill }) } });
  return items.map((item) => ConversationItem.parse(item));
}

const queuedIdSchema = conversationSchema.pick({ conversationId: true });

/**
 * One page of conversations accepted before `before` and still `queued` (their queue message may
 * be lost), oldest first; `next` continues after it.
 */
export async function staleQueued(before: string, options: { limit?: number; cursor?: string } = {}): Promise<{ conversationIds: string[]; next?: string }> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: queued.index,
      KeyConditionExpression: `${gsi2.pk} = :p AND ${gsi2.sk} < :before`,
      ExpressionAttributeValues: { ":p": queued.partition({}), ":before": before },
      ProjectionExpression: "conversationId",
      Limit: options.limit ?? 100,
      ...(options.cursor ? { ExclusiveStartKey: decodeCursor(options.cursor) } : {}),
    }),
  );
  return {
    conversationIds: (result.Items ?? []).map((item) => ConversationItem.parseAs(queuedIdSchema, item).conversationId),
    ...(result.LastEvaluatedKey ? { next: encodeCursor(result.LastEvaluatedKey) } : {}),
  };
}

/** Assigned conversations with no first response, assigned before `before` (unresponsive agents). */
export async function awaitingReplySince(before: string): Promise<Conversation[]> {
  const out: Conversation[] = [];
  for (let shard = 0; shard < awaitingReplyShards; shard++) {
    const items = await queryAll({
      IndexName: awaitingReply.index,
      KeyConditionExpression: `${gsi2.pk} = :p AND ${gsi2.sk} < :before`,
      ExpressionAttributeValues: { ":p": awaitingReply.partition({ shard }), ":before": before },
    });
    out.push(...items.map((item) => ConversationItem.parse(item)));
  }
  return out;
}

/** Every conversation that arrived in [from, to] (metrics), one query per arrival hour. */
export async function conversationsArrivedBetween(from: Date, to: Date): Promise<Conversation[]> {
  const out: Conversation[] = [];
  const hour = 3_600_000;
  const names = arrived.attributeNames;
  for (let t = Math.floor(from.getTime() / hour) * hour; t < to.getTime(); t += hour) {
    const items = await queryAll({
      IndexName: arrived.index,
      KeyConditionExpression: `${names.pk} = :p AND ${names.sk} BETWEEN :a AND :b`,
      ExpressionAttributeValues: { ":p": arrived.partition({ hour: arrivalHour(new Date(t).toISOString()) }), ":a": from.toISOString(), ":b": to.toISOString() },
    });
    out.push(...items.map((item) => ConversationItem.parse(item)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Known agents

export async function knownAgentOf(customerId: string, meter?: CapacityMeter): Promise<KnownAgent | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: KnownAgentItem.key({ customerId }), ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? KnownAgentItem.parse(result.Item) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Agents' items routing reads (owned by agents; read through their entities)

/** The seat view the router projects from the pool: enough to order and assign without the profile. */
export type PoolSeat = z.infer<typeof Seat.schema>;

/** Attributes of a seat the router reads from the pool index. */
const seatProjection = { expression: "agentId, skill, skills, #load, maxConcurrent, lastAssignedAt, version", names: { "#load": "load" } };

/** The best `limit` seats of a skill's availability pool, best first, with their pool rank. */
export async function poolHead(skill: Skill, limit: number, meter?: CapacityMeter): Promise<{ seat: PoolSeat; rank: string }[]> {
  const pool = Seat.index.pool;
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: pool.index,
      KeyConditionExpression: `${pool.attributeNames.pk} = :p`,
      ExpressionAttributeValues: { ":p": pool.partition({ skill }) },
      ProjectionExpression: seatProjection.expression,
      ExpressionAttributeNames: seatProjection.names,
      Limit: limit,
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  meter?.add(result.ConsumedCapacity);
  // The pool's sort key is the seat's rank at its version: recomputed from the seat, not read raw.
  return (result.Items ?? []).map((item) => {
    const seat = Seat.parse(item);
    return { seat, rank: poolRank(seat) };
  });
}

/** Agent profiles by id, strongly consistent; unknown ids are absent. */
export async function agentsById(agentIds: readonly string[], meter?: CapacityMeter): Promise<Agent[]> {
  if (agentIds.length === 0) return [];
  const items = await batchGet(
    agentIds.map((agentId) => AgentItem.key({ agentId })),
    { consistent: true, ...(meter ? { meter } : {}) },
  );
  return items.map((item) => AgentItem.parse(item));
}

/** The agent's open conversations (assignment records). */
export async function openAssignments(agentId: string): Promise<{ conversationId: string; assignedAt: string }[]> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :c)",
    ExpressionAttributeValues: { ":pk": Assignment.partition({ agentId }), ":c": Assignment.sortPrefix },
    ConsistentRead: true,
  });
  return items.map((item) => Assignment.parse(item));
}
