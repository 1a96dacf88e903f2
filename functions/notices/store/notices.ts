/**
 * Notices as published and the active set (see the Notice and ActiveNotice entities): publish,
 * read one or many, scan the unexpired ones, mark fan-out and reminder progress.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ActiveNotice, Notice as NoticeItem, NoticeReceiptCount, batchGet, dynamo, isConditionalCheckFailed, partitionPage, queryAll, receiptCountShard, tableName, type CapacityMeter, type TransactItem } from "../../shared/table/index.js";
import { noticeFields, type Notice } from "../domain.js";

export type ActiveNoticeRecord = ReturnType<typeof ActiveNotice.parse>;
/** A notice with its receipt counters and supersede mark, as the table holds it. */
export type NoticeRecord = ReturnType<typeof NoticeItem.parse>;

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Sort key of a notice's active record, which a campaign keeps to supersede it later. */
export function activeSk(notice: Pick<Notice, "expiresAt" | "noticeId">): string {
  return ActiveNotice.key(notice).sk;
}

/** Transaction items that publish a notice: the notice (once only) and its active record. */
export function publishOps(notice: Notice): TransactItem[] {
  return [
    {
      Put: {
        TableName: tableName,
        Item: NoticeItem.item(noticeFields(notice), NoticeItem.index.sent.attributes({ publishedAt: notice.publishedAt, noticeId: notice.noticeId })),
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: ActiveNotice.item({
          noticeId: notice.noticeId,
          urgency: notice.urgency,
          targetSkills: notice.targetSkills,
          publishedAt: notice.publishedAt,
          expiresAt: notice.expiresAt,
          expiresAtEpoch: epoch(notice.expiresAt) + 60,
        }),
      },
    },
  ];
}

/** Deletes a superseded version's active record, by the sort key its campaign kept. */
export function deactivateOp(sk: string): TransactItem {
  return { Delete: { TableName: tableName, Key: { pk: ActiveNotice.partition({}), sk } } };
}

/** Marks a campaign version's notice as replaced by the next version's (in that version's transaction). */
export function supersedeOp(noticeId: string, by: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: NoticeItem.key({ noticeId }),
      UpdateExpression: "SET supersededBy = :by",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: { ":by": by },
    },
  };
}

/**
 * Counts one more receipt in the agent's count shard of the notice, inside the transaction that
 * creates the receipt (exactly once). No condition on the notice: the callers hold it (read, or
 * proven by the delivery the ack checks), notices are never deleted, and a condition on the
 * notice item would bring back the one hot item the shards exist to avoid.
 */
export function countReceiptOp(noticeId: string, agentId: string, counter: "deliveredLate" | "acknowledgedCount"): TransactItem {
  const shard = receiptCountShard(agentId);
  return {
    Update: {
      TableName: tableName,
      Key: NoticeReceiptCount.key({ noticeId, shard }),
      UpdateExpression: "ADD #c :one SET #type = :type, noticeId = :id, #shard = :shard",
      ExpressionAttributeNames: { "#c": counter, "#type": "type", "#shard": "shard" },
      ExpressionAttributeValues: { ":one": 1, ":type": NoticeReceiptCount.type, ":id": noticeId, ":shard": shard },
    },
  };
}

/** Late joiners' entries and acks of a notice: its count shards summed (one consistent query). */
export async function receiptShardTotals(noticeId: string): Promise<{ deliveredLate: number; acknowledgedCount: number }> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :counts)",
    ExpressionAttributeValues: { ":pk": NoticeReceiptCount.partition({ noticeId }), ":counts": NoticeReceiptCount.sortPrefix },
    ConsistentRead: true,
  });
  const totals = { deliveredLate: 0, acknowledgedCount: 0 };
  for (const item of items) {
    const shard = NoticeReceiptCount.parse(item);
    totals.deliveredLate += shard.deliveredLate ?? 0;
    totals.acknowledgedCount += shard.acknowledgedCount ?? 0;
  }
  return totals;
}

/**
 * Records how many inbox entries a fan-out run wrote. SET, not ADD: a redelivered run writes the
 * same entries again and states the same count instead of doubling it.
 */
export async function setFanoutCount(noticeId: string, delivered: number, meter?: CapacityMeter): Promise<void> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: NoticeItem.key({ noticeId }),
        UpdateExpression: "SET deliveredByFanout = :n",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":n": delivered },
        ...(meter ? { ReturnConsumedCapacity: "TOTAL" } : {}),
      }),
    );
    meter?.add(result.ConsumedCapacity);
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/** One page of sent notices, newest first (by publication time, then id: a stable order). */
export async function sentNoticesPage(limit: number, cursor?: string): Promise<{ notices: NoticeRecord[]; next?: string }> {
  const sent = NoticeItem.index.sent;
  const page = await partitionPage({ index: sent.index, partition: sent.partition({}), limit, cursor, descending: true, listName: "notices" });
  return { notices: page.items.map((item) => NoticeItem.parse(item)), ...(page.next ? { next: page.next } : {}) };
}

export async function getNotice(noticeId: string, meter?: CapacityMeter): Promise<NoticeRecord | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: NoticeItem.key({ noticeId }), ConsistentRead: true, ...(meter ? { ReturnConsumedCapacity: "TOTAL" } : {}) }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? NoticeItem.parse(result.Item) : undefined;
}

/** Notices by id, in no particular order; missing ones are absent. */
export async function getNotices(noticeIds: readonly string[], meter?: CapacityMeter): Promise<NoticeRecord[]> {
  const items = await batchGet(
    noticeIds.map((noticeId) => NoticeItem.key({ noticeId })),
    meter ? { meter } : {},
  );
  return items.map((item) => NoticeItem.parse(item));
}

/** Unexpired active notices, soonest expiry first: one query of one partition. */
export async function activeNotices(now: Date, meter?: CapacityMeter): Promise<ActiveNoticeRecord[]> {
  const items = await queryAll(
    {
      KeyConditionExpression: "pk = :pk AND sk > :now",
      ExpressionAttributeValues: { ":pk": ActiveNotice.partition({}), ":now": now.toISOString() },
      ...(meter ? { ReturnConsumedCapacity: "TOTAL" } : {}),
    },
    meter,
  );
  return items.map((item) => ActiveNotice.parse(item));
}

/** Sets a timestamp on an active record, unless it has meanwhile been superseded (deleted). */
export async function markActive(
  notice: Pick<Notice, "expiresAt" | "noticeId">,
  field: "fannedOutAt" | "lastRemindedAt" | "reenqueuedAt",
  at: string,
  meter?: CapacityMeter,
): Promise<void> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ActiveNotice.key(notice),
        UpdateExpression: "SET #f = :at",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#f": field },
        ExpressionAttributeValues: { ":at": at },
        ...(meter ? { ReturnConsumedCapacity: "TOTAL" } : {}),
      }),
    );
    meter?.add(result.ConsumedCapacity);
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
