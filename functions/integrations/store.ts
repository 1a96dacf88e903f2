/**
 * DynamoDB adapter for integrations: the platform's dedupe records and the callback outbox
 * (entities in functions/shared/table/entities/integrations.ts). Reads are parsed by their entity.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  CallbackDelivery as DeliveryItem,
  PlatformEvent as PlatformEventItem,
  decodeCursor,
  dynamo,
  encodeCursor,
  isConditionalCheckFailed,
  tableName,
  type CallbackDelivery,
  type TransactItem,
} from "../shared/table/index.js";
import { dedupeRetentionSeconds, deliveredRetentionSeconds, type AssignmentCallback } from "./domain.js";

const byStatus = DeliveryItem.index.byStatus;
const epoch = (at: Date | string, plusSeconds: number) => Math.floor(new Date(at).getTime() / 1000) + plusSeconds;

export interface SeenRecord {
  dedupeKey: string;
  kind: "arrival" | "event";
  conversationId: string;
  outcome: string;
  receivedAt: Date;
}

/** Whether the platform already sent this (strongly consistent). */
export async function seenBefore(dedupeKey: string): Promise<{ outcome: string; conversationId: string } | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: PlatformEventItem.key({ dedupeKey }), ConsistentRead: true }));
  return result.Item ? PlatformEventItem.parse(result.Item) : undefined;
}

/** The dedupe record as a transaction item: fails (conditional) if it was seen meanwhile. */
export function seenOp(record: SeenRecord): TransactItem {
  const { receivedAt, ...rest } = record;
  return {
    Put: {
      TableName: tableName,
      Item: PlatformEventItem.item({ ...rest, receivedAt: receivedAt.toISOString(), expiresAtEpoch: epoch(receivedAt, dedupeRetentionSeconds) }),
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

/** Records it alone (an effect-free event); false when it was seen meanwhile. */
export async function recordSeen(record: SeenRecord): Promise<boolean> {
  const op = seenOp(record).Put;
  if (!op) return false;
  try {
    await dynamo.send(new PutCommand(op));
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** The outbox record of a move's callback, written pending in the move's transaction. */
export function outboxOp(payload: AssignmentCallback, at: string): TransactItem {
  const delivery: CallbackDelivery = {
    eventId: payload.eventId,
    conversationId: payload.conversationId,
    sequence: payload.sequence,
    payload,
    status: "pending",
    attempts: 0,
    createdAt: at,
    updatedAt: at,
  };
  return {
    Put: {
      TableName: tableName,
      Item: DeliveryItem.item(delivery, byStatus.attributes({ status: "pending", updatedAt: at, eventId: payload.eventId })),
      // The sequence is the conversation's move count: an existing record means this move was
      // computed from a stale read; cancelling makes the caller read again.
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

export async function getDelivery(eventId: string): Promise<CallbackDelivery | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: DeliveryItem.key({ eventId }), ConsistentRead: true }));
  return result.Item ? DeliveryItem.parse(result.Item) : undefined;
}

/** A failed attempt: still pending (another try comes) or, after the last one, failed. */
export async function recordAttemptFailed(eventId: string, at: Date, error: string, final: boolean): Promise<void> {
  const status = final ? "failed" : "pending";
  const updatedAt = at.toISOString();
  await dynamo.send(
    new UpdateCommand({
      TableName: tableName,
      Key: DeliveryItem.key({ eventId }),
      UpdateExpression: `SET #s = :s, attempts = attempts + :one, lastError = :e, updatedAt = :at, ${byStatus.attributeNames.pk} = :ip, ${byStatus.attributeNames.sk} = :ik`,
      // Never turn a delivered callback back (a late duplicate message failing after a success).
      ConditionExpression: "attribute_exists(pk) AND #s <> :delivered",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": status, ":one": 1, ":e": error.slice(0, 500), ":at": updatedAt, ":delivered": "delivered", ":ip": byStatus.partition({ status }), ":ik": byStatus.sortKey({ updatedAt, eventId }) },
    }),
  ).catch((e: unknown) => {
    if (!isConditionalCheckFailed(e)) throw e;
  });
}

/** Delivered: out of the status index, expiring after the retention. */
export async function recordDelivered(eventId: string, at: Date): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: tableName,
      Key: DeliveryItem.key({ eventId }),
      UpdateExpression: `SET #s = :s, attempts = attempts + :one, deliveredAt = :at, updatedAt = :at, expiresAtEpoch = :exp REMOVE ${byStatus.attributeNames.pk}, ${byStatus.attributeNames.sk}, lastError`,
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": "delivered", ":one": 1, ":at": at.toISOString(), ":exp": epoch(at, deliveredRetentionSeconds) },
    }),
  );
}

/**
 * pending -> skipped (callbacks are off): listed under `skipped`, never sent by the relay again,
 * expiring after the retention. False when it is no longer pending (delivered or failed meanwhile).
 */
export async function recordSkipped(eventId: string, at: Date, why: string): Promise<boolean> {
  const updatedAt = at.toISOString();
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: DeliveryItem.key({ eventId }),
        UpdateExpression: `SET #s = :skipped, lastError = :why, updatedAt = :at, expiresAtEpoch = :exp, ${byStatus.attributeNames.pk} = :ip, ${byStatus.attributeNames.sk} = :ik`,
        ConditionExpression: "#s = :pending",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":skipped": "skipped", ":pending": "pending", ":why": why, ":at": updatedAt, ":exp": epoch(at, deliveredRetentionSeconds), ":ip": byStatus.partition({ status: "skipped" }), ":ik": byStatus.sortKey({ updatedAt, eventId }) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** failed or skipped -> pending (a supervisor's redrive); false when it is neither. */
export async function markRedriven(eventId: string, at: Date): Promise<boolean> {
  const updatedAt = at.toISOString();
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: DeliveryItem.key({ eventId }),
        // A fresh budget of attempts; no expiry while it is being tried again.
        UpdateExpression: `SET #s = :pending, updatedAt = :at, ${byStatus.attributeNames.pk} = :ip, ${byStatus.attributeNames.sk} = :ik REMOVE expiresAtEpoch`,
        ConditionExpression: "#s IN (:failed, :skipped)",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":pending": "pending", ":failed": "failed", ":skipped": "skipped", ":at": updatedAt, ":ip": byStatus.partition({ status: "pending" }), ":ik": byStatus.sortKey({ updatedAt, eventId }) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** One page of deliveries in a status, oldest change first (optionally only changed before `before`). */
export async function deliveriesByStatus(status: "pending" | "failed" | "skipped", options: { limit: number; cursor?: string; before?: string }): Promise<{ deliveries: CallbackDelivery[]; next?: string }> {
  const names = byStatus.attributeNames;
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: byStatus.index,
      KeyConditionExpression: `${names.pk} = :p${options.before ? ` AND ${names.sk} < :before` : ""}`,
      ExpressionAttributeValues: { ":p": byStatus.partition({ status }), ...(options.before ? { ":before": options.before } : {}) },
      Limit: options.limit,
      ...(options.cursor ? { ExclusiveStartKey: decodeCursor(options.cursor) } : {}),
    }),
  );
  return {
    deliveries: (result.Items ?? []).map((item) => DeliveryItem.parse(item)),
    ...(result.LastEvaluatedKey ? { next: encodeCursor(result.LastEvaluatedKey) } : {}),
  };
}
