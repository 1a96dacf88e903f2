/**
 * Notices as published and the active set (see the Notice and ActiveNotice entities): publish,
 * read one or many, scan the unexpired ones, mark fan-out and reminder progress.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ActiveNotice, Notice as NoticeItem, batchGet, dynamo, isConditionalCheckFailed, queryAll, tableName, type CapacityMeter, type TransactItem } from "../../shared/table/index.js";
import { noticeFields, type Notice } from "../domain.js";

export type ActiveNoticeRecord = ReturnType<typeof ActiveNotice.parse>;

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Sort key of a notice's active record, which a campaign keeps to supersede it later. */
export function activeSk(notice: Pick<Notice, "expiresAt" | "noticeId">): string {
  return ActiveNotice.key(notice).sk;
}

/** Transaction items that publish a notice: the notice (once only) and its active record. */
export function publishOps(notice: Notice): TransactItem[] {
  return [
    { Put: { TableName: tableName, Item: NoticeItem.item(noticeFields(notice)), ConditionExpression: "attribute_not_exists(pk)" } },
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

export async function getNotice(noticeId: string, meter?: CapacityMeter): Promise<Notice | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: NoticeItem.key({ noticeId }), ConsistentRead: true, ...(meter ? { ReturnConsumedCapacity: "TOTAL" } : {}) }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? NoticeItem.parse(result.Item) : undefined;
}

/** Notices by id, in no particular order; missing ones are absent. */
export async function getNotices(noticeIds: readonly string[], meter?: CapacityMeter): Promise<Notice[]> {
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
