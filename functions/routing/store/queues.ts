/** The conversation index queries: waiting lines, the sweeper's and re-offer lists, arrivals by hour. */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Skill } from "../../agents/domain.js";
import { Conversation as ConversationItem, arrivalHour, awaitingReplyShards, batchGet, decodeCursor, dynamo, encodeCursor, partitionPage, queryAll, tableName, type CapacityMeter } from "../../shared/table/index.js";
import { conversationSchema, type Conversation } from "../conversation.js";
import { priorities, waitingKey } from "../policy.js";
import { arrived, arrivedLegacy, awaitingReply, gsi2, queued, waiting } from "./indexes.js";
import * as z from "zod/mini";
import { lazy } from "../../shared/lazy-schema.js";


const headSchema = lazy(() => z.pick(conversationSchema, { conversationId: true, priority: true, arrivedAt: true, escalated: true, fallbackSkills: true }));

/**
 * The first `limit` waiting conversations of a skill, in service order, with their position in
 * the line (`key`, comparable across skills) and whether they are `widened` (escalated with
 * fallback skills: agents of those may take them too).
 */
export async function waitingHeads(skill: Skill | "any", limit: number, meter?: CapacityMeter): Promise<{ conversationId: string; key: string; widened: boolean }[]> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: waiting.index,
      KeyConditionExpression: `${waiting.attributeNames.pk} = :p`,
      ExpressionAttributeValues: { ":p": waiting.partition({ skill }) },
      ProjectionExpression: "conversationId, priority, arrivedAt, escalated, fallbackSkills",
      Limit: limit,
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  meter?.add(result.ConsumedCapacity);
  return (result.Items ?? []).map((item) => {
    const head = ConversationItem.parseAs(headSchema, item);
    return { conversationId: head.conversationId, key: waitingKey(head.priority, head.arrivedAt, head.conversationId), widened: head.escalated === true && (head.fallbackSkills ?? []).length > 0 };
  });
}

/** Every waiting conversation of a skill (live queue view, escalation). */
export async function waitingConversations(skill: Skill | "any"): Promise<Conversation[]> {
  const items = await queryAll({ IndexName: waiting.index, KeyConditionExpression: `${waiting.attributeNames.pk} = :p`, ExpressionAttributeValues: { ":p": waiting.partition({ skill }) } });
  return items.map((item) => ConversationItem.parse(item));
}

const queuedIdSchema = lazy(() => z.pick(conversationSchema, { conversationId: true }));

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

/** BatchGetItem calls of 100 keys in flight at once for a partial hour's conversations. */
const arrivedReadLanes = 8;

/**
 * Every conversation that arrived in [from, to) (metrics' partial hours), per arrival hour: the
 * keys from the keys-only arrival index, then the conversations themselves; beside them the
 * legacy index's items (conversations written before it). Filtered on the conversation's own
 * arrival, since an index is eventually consistent and a reopen moves the entry.
 */
export async function conversationsArrivedBetween(from: Date, to: Date): Promise<Conversation[]> {
  const hour = 3_600_000;
  const [a, b] = [from.toISOString(), to.toISOString()];
  const found = new Map<string, Conversation>();
  for (let t = Math.floor(from.getTime() / hour) * hour; t < to.getTime(); t += hour) {
    const inHour = (index: typeof arrived | typeof arrivedLegacy) =>
      queryAll({
        IndexName: index.index,
        KeyConditionExpression: `${index.attributeNames.pk} = :p AND ${index.attributeNames.sk} BETWEEN :a AND :b`,
        ExpressionAttributeValues: { ":p": index.partition({ hour: arrivalHour(new Date(t).toISOString()) }), ":a": a, ":b": b },
      });
    const [keys, legacy] = await Promise.all([inHour(arrived), inHour(arrivedLegacy)]);
    for (const item of legacy) {
      const conversation = ConversationItem.parse(item);
      found.set(conversation.conversationId, conversation);
    }
    for (const item of await batchGet(keys.map((k) => ({ pk: String(k.pk), sk: String(k.sk) })), { lanes: arrivedReadLanes })) {
      const conversation = ConversationItem.parse(item);
      found.set(conversation.conversationId, conversation);
    }
  }
  return [...found.values()].filter((c) => c.arrivedAt >= a && c.arrivedAt < b);
}

/**
 * The conversations waiting in a skill's line that arrived in [from, to): one range query per
 * priority (the line's sort key is priority, then arrival), so the read is bounded by them.
 */
export async function waitingArrivedBetween(skill: Skill | "any", from: string, to: string): Promise<Conversation[]> {
  const pages = await Promise.all(
    priorities.map((priority) =>
      queryAll({
        IndexName: waiting.index,
        KeyConditionExpression: `${waiting.attributeNames.pk} = :p AND ${waiting.attributeNames.sk} BETWEEN :a AND :b`,
        ExpressionAttributeValues: { ":p": waiting.partition({ skill }), ":a": waitingKey(priority, from, ""), ":b": waitingKey(priority, to, "") },
      }),
    ),
  );
  return pages.flat().map((item) => ConversationItem.parse(item));
}

/**
 * Every conversation listed as still queued that arrived in [from, to) (metrics of whole hours:
 * the queued are live). A conversation is listed once the sweeper finds it still queued
 * REQUEUE_AFTER_SECONDS after arrival (store/arrival-scan.ts): one routed within that time — every
 * one, unless routing is down or far behind — is never listed, and a whole hour's queued count
 * takes up to that plus a sweeper run to include the ones that were not.
 */
export async function queuedBetween(from: string, to: string): Promise<Conversation[]> {
  const items = await queryAll({
    IndexName: queued.index,
    KeyConditionExpression: `${gsi2.pk} = :p AND ${gsi2.sk} BETWEEN :a AND :b`,
    ExpressionAttributeValues: { ":p": queued.partition({}), ":a": from, ":b": to },
  });
  return items.map((item) => ConversationItem.parse(item));
}

const lineEntrySchema = lazy(() => z.pick(conversationSchema, { arrivedAt: true, escalated: true }));

/**
 * How many conversations wait in a skill's line, how many of them are escalated and the oldest
 * arrival. One query of the line projected to two attributes: DynamoDB bills a Query by the
 * entries it reads, not what it returns, so this costs what a COUNT would.
 */
export async function waitingSummary(skill: Skill | "any"): Promise<{ count: number; escalated: number; oldestArrivedAt?: string }> {
  const items = await queryAll({
    IndexName: waiting.index,
    KeyConditionExpression: `${waiting.attributeNames.pk} = :p`,
    ExpressionAttributeValues: { ":p": waiting.partition({ skill }) },
    ProjectionExpression: "arrivedAt, escalated",
  });
  let escalated = 0;
  let oldest: string | undefined;
  for (const item of items) {
    const entry = ConversationItem.parseAs(lineEntrySchema, item);
    if (entry.escalated) escalated++;
    if (oldest === undefined || entry.arrivedAt < oldest) oldest = entry.arrivedAt;
  }
  return { count: items.length, escalated, ...(oldest ? { oldestArrivedAt: oldest } : {}) };
}

/** One page of a skill's waiting line in service order; `next` continues it (a foreign cursor is a 400). */
export async function waitingPage(skill: Skill | "any", limit: number, cursor?: string): Promise<{ conversations: Conversation[]; next?: string }> {
  const page = await partitionPage({ index: waiting.index, partition: waiting.partition({ skill }), limit, cursor, listName: `${skill} waiting line` });
  return { conversations: page.items.map((item) => ConversationItem.parse(item)), ...(page.next ? { next: page.next } : {}) };
}
