/**
 * Agents' inboxes (see the NoticeDelivery and NoticeAck entities): fan-out and late-joiner
 * deliveries, acknowledgements, an agent's inbox and a notice's receipts.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import {
  NoticeAck,
  NoticeDelivery,
  batchGet,
  batchWrite,
  dynamo,
  parseInboxItem,
  parseReceiptRow,
  TransactionCancelledError,
  jitter,
  queryAll,
  receiptAttributes,
  receiptPartitions,
  receiptsProjection,
  tableName,
  transact,
  type CapacityMeter,
  type TransactItem,
} from "../../shared/table/index.js";
import { noticeFields, type InboxEntry, type Notice, type ReceiptRow } from "../domain.js";
import { countReceiptOp } from "./notices.js";
import { inboxWriteLanes } from "../fanout-limits.js";

/** Inbox entries and acks outlive the notice by this long, so receipts stay readable. */
const retentionSeconds = 30 * 86_400;

const retainUntil = (notice: Pick<Notice, "expiresAt">) => Math.floor(Date.parse(notice.expiresAt) / 1000) + retentionSeconds;

function deliveryItem(agentId: string, notice: Notice, deliveredAt: string, via: string) {
  return NoticeDelivery.item(
    { agentId, noticeId: notice.noticeId, deliveredAt, via, notice: noticeFields(notice), expiresAtEpoch: retainUntil(notice) },
    receiptAttributes(NoticeDelivery, notice.noticeId, agentId),
  );
}

/**
 * Writes inbox entries (BatchWriteItem, unprocessed items retried by the client). The keys are
 * deterministic, so a redelivered fan-out rewrites the same items instead of adding any; acks
 * live in their own items, so the rewrite cannot clear one.
 */
export async function writeDeliveries(agentIds: readonly string[], notice: Notice, deliveredAt: string, meter?: CapacityMeter, parallel = inboxWriteLanes): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < agentIds.length; i += 25) chunks.push(agentIds.slice(i, i + 25));
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      await batchWrite(
        chunk.map((agentId) => ({ PutRequest: { Item: deliveryItem(agentId, notice, deliveredAt, "fanout") } })),
        meter ? { meter } : {},
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/**
 * One inbox entry, only if the agent does not have it yet (late joiners), counted on the notice in
 * the same transaction, so the count grows exactly once per entry created. Returns whether it was
 * created. Arrivals at a shift start deliver the same notices at once: a transaction that collides
 * with another on the same count shard is retried.
 */
export async function putDeliveryIfAbsent(agentId: string, notice: Notice, deliveredAt: string, via: string, meter?: CapacityMeter): Promise<boolean> {
  const ops: TransactItem[] = [
    { Put: { TableName: tableName, Item: deliveryItem(agentId, notice, deliveredAt, via), ConditionExpression: "attribute_not_exists(pk)" } },
    countReceiptOp(notice.noticeId, agentId, "deliveredLate"),
  ];
  for (let attempt = 0; ; attempt++) {
    try {
      await transact(ops, meter ? { meter } : {});
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (error.conditionFailedAt(0)) return false;
      if (!error.reasons.includes("TransactionConflict") || attempt >= receiptRetries) throw error;
      await jitter(attempt);
    }
  }
}

/** Attempts of a receipt transaction that keeps colliding on its count shard before it gives up. */
export const receiptRetries = 10;

const heldProjection = z.object({ notice: z.object({ noticeId: z.string() }) });

/** Which of these notices the agent already holds (BatchGetItem on the inbox keys). */
export async function heldNoticeIds(agentId: string, noticeIds: readonly string[], meter?: CapacityMeter): Promise<Set<string>> {
  const items = await batchGet(
    noticeIds.map((noticeId) => NoticeDelivery.key({ agentId, noticeId })),
    { projection: "#notice.noticeId", names: { "#notice": "notice" }, ...(meter ? { meter } : {}) },
  );
  return new Set(items.map((item) => NoticeDelivery.parseAs(heldProjection, item).notice.noticeId));
}

/** The agent's inbox entries with their acks: one query of the agent's inbox partition. */
export async function inboxEntries(agentId: string): Promise<InboxEntry[]> {
  const deliveries = new Map<string, InboxEntry>();
  const acks = new Map<string, string>();
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": NoticeDelivery.partition({ agentId }) },
    ConsistentRead: true,
  });
  for (const item of items) {
    const parsed = parseInboxItem(item);
    if (parsed.kind === "ack") acks.set(parsed.value.noticeId, parsed.value.acknowledgedAt);
    else deliveries.set(parsed.value.notice.noticeId, { notice: parsed.value.notice, deliveredAt: parsed.value.deliveredAt });
  }
  return [...deliveries.values()].map((e) => {
    const acknowledgedAt = acks.get(e.notice.noticeId);
    return acknowledgedAt ? { ...e, acknowledgedAt } : e;
  });
}

/** Every item of a notice's receipts index: one query per shard, in parallel (entities/notices.ts `receiptShards`). */
async function queryReceipts(
  noticeId: string,
  query: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string>; FilterExpression?: string; ExpressionAttributeValues?: Record<string, unknown> },
  meter?: CapacityMeter,
): Promise<Record<string, unknown>[]> {
  const receipts = NoticeDelivery.index.receipts;
  const shards = await Promise.all(
    receiptPartitions(noticeId).map((partition) =>
      queryAll(
        {
          ...query,
          IndexName: receipts.index,
          KeyConditionExpression: `${receipts.attributeNames.pk} = :pk`,
          ExpressionAttributeValues: { ...query.ExpressionAttributeValues, ":pk": partition },
          ...(meter ? { ReturnConsumedCapacity: "TOTAL" } : {}),
        },
        meter,
      ),
    ),
  );
  return shards.flat();
}

/** Receipts of a notice from the receipts index (eventually consistent, like every GSI). */
export async function receiptRows(noticeId: string, meter?: CapacityMeter): Promise<ReceiptRow[]> {
  const delivered = new Map<string, string>();
  const acks = new Map<string, string>();
  const items = await queryReceipts(
    noticeId,
    {
      ProjectionExpression: receiptsProjection.projection,
      ExpressionAttributeNames: { ...receiptsProjection.names },
    },
    meter,
  );
  for (const item of items) {
    const row = parseReceiptRow(item);
    (row.kind === "ack" ? acks : delivered).set(row.agentId, row.at);
  }
  // An ack without a delivery cannot exist (the ack requires it), so deliveries drive the rows.
  return [...delivered].map(([agentId, deliveredAt]) => {
    const acknowledgedAt = acks.get(agentId);
    return acknowledgedAt ? { agentId, deliveredAt, acknowledgedAt } : { agentId, deliveredAt };
  });
}

const viaSchema = z.object({ agentId: z.string(), via: z.string() });

/**
 * Agents who got the notice as late joiners (their entries are counted as `deliveredLate`), from
 * the receipts index: before a fan-out writes, that is the few who arrived since publishing.
 */
export async function lateRecipients(noticeId: string, meter?: CapacityMeter): Promise<Set<string>> {
  const items = await queryReceipts(
    noticeId,
    {
      FilterExpression: "#type = :delivery AND begins_with(via, :arrival)",
      ExpressionAttributeValues: { ":delivery": NoticeDelivery.type, ":arrival": lateVia("") },
      ProjectionExpression: "agentId, via",
      ExpressionAttributeNames: { "#type": "type" },
    },
    meter,
  );
  return new Set(items.map((item) => NoticeDelivery.parseAs(viaSchema, item).agentId));
}

/** The `via` of a late joiner's entry (`arrival:duty`). */
export function lateVia(reason: string): string {
  return `arrival:${reason}`;
}

/**
 * Transaction items for an ack: the delivery must exist (item 0), the ack is written once
 * (item 1), and the agent's count shard of the notice counts it (item 2), so the count is exactly
 * the acks written.
 */
export function ackOps(agentId: string, notice: Notice, at: string): TransactItem[] {
  return [
    { ConditionCheck: { TableName: tableName, Key: NoticeDelivery.key({ agentId, noticeId: notice.noticeId }), ConditionExpression: "attribute_exists(pk)" } },
    {
      Put: {
        TableName: tableName,
        Item: NoticeAck.item(
          { agentId, noticeId: notice.noticeId, acknowledgedAt: at, expiresAtEpoch: retainUntil(notice) },
          receiptAttributes(NoticeAck, notice.noticeId, agentId),
        ),
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
    countReceiptOp(notice.noticeId, agentId, "acknowledgedCount"),
  ];
}

/** When the agent acknowledged the notice, if they did. */
export async function getAck(agentId: string, noticeId: string): Promise<string | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: NoticeAck.key({ agentId, noticeId }), ConsistentRead: true }));
  return result.Item ? NoticeAck.parse(result.Item).acknowledgedAt : undefined;
}
