/**
 * Notices as published and the active set (see the Notice and ActiveNotice entities): publish,
 * read one or many, scan the unexpired ones, mark fan-out and reminder progress.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ActiveNotice, Notice as NoticeItem, batchGet, dynamo, isConditionalCheckFailed, partitionPage, queryAll, tableName, type CapacityMeter, type TransactItem } from "../../shared/table/index.js";
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

/** Counts one more receipt on the notice, inside the transaction that creates the receipt (exactly once). */
export function countReceiptOp(noticeId: string, counter: "deliveredLate" | "acknowledgedCount"): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: NoticeItem.key({ noticeId }),
      UpdateExpression: "ADD #c :one",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeNames: { "#c": counter },
      ExpressionAttributeValues: { ":one": 1 },
    },
  };
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
