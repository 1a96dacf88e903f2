/**
 * The sweeper's arrival scan. An accepted conversation is not listed in the `queued` index (gsi2) when it
 * arrives (that entry, written and then moved at the assignment, cost 2 of a routed
 * conversation's WRU): the sweeper reads every arrival once instead, from the keys-only arrival
 * index behind a stored cursor, REQUEUE_AFTER_SECONDS after it arrived, and lists in the `queued` index only
 * the conversations it finds still queued — those whose route message may be lost. What is listed
 * is re-driven from the list until it is routed, as before.
 *
 * Why a cursor is safe: a conversation is written with `arrivedAt` stamped by its writer's clock
 * at that moment (the webhook, a reopen: ConversationsApi), so the write lands within that
 * function's timeout of the stamp; the scan stops {@link arrivalSettleMs} (more than that timeout)
 * or REQUEUE_AFTER_SECONDS short of now, whichever is longer, and the arrival index is eventually
 * consistent by well under either. A writer that dates an arrival in the past lists it itself
 * (`createConversation`).
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { lazy } from "../../shared/lazy-schema.js";
import { Conversation as ConversationItem, SweepCursor, arrivalHour, batchGet, dynamo, isConditionalCheckFailed, tableName } from "../../shared/table/index.js";
import { conversationSchema } from "../conversation.js";
import { arrived, gsi2, queuedEntry, statusName } from "./indexes.js";

/**
 * How long after its `arrivedAt` an arrival's write may still land: ConversationsApi's 10 s
 * timeout and a margin for the clocks of two hosts (a unit test keeps it above that timeout).
 */
export const arrivalSettleMs = 15_000;

/** Where a scan starts when no run has stored a cursor yet (a new table, or the first run of this release). */
export const firstScanLookbackMs = 60 * 60_000;

const hourMs = 60 * 60_000;

/** The last arrival (index sort key) a finished scan page covered; undefined before the first run. */
export async function sweepCursor(): Promise<string | undefined> {
  const item = (await dynamo.send(new GetCommand({ TableName: tableName, Key: SweepCursor.key({}), ConsistentRead: true }))).Item;
  return item ? SweepCursor.parse(item).scannedThrough : undefined;
}

/** Moves the cursor forward to `scannedThrough`; a run that already moved it further wins. */
export async function advanceSweepCursor(scannedThrough: string): Promise<void> {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: SweepCursor.item({ scannedThrough }),
        ConditionExpression: "attribute_not_exists(pk) OR scannedThrough < :to",
        ExpressionAttributeValues: { ":to": scannedThrough },
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

export interface ArrivalPage {
  /** The conversations of the page that are still queued. */
  queued: { conversationId: string; arrivedAt: string }[];
  /** The sort key of the page's last arrival: the cursor once the page is done. */
  through: string;
}

const queuedProbeSchema = lazy(() => z.pick(conversationSchema, { conversationId: true, status: true, arrivedAt: true }));

/**
 * The arrivals after `after` (an index sort key, exclusive; or an instant, inclusive) up to
 * `before` (exclusive), oldest first, in pages of at most `pageSize`: each page's conversations
 * read (eventually consistent, their status only) and the still-queued ones returned.
 */
export async function* arrivalPages(after: string, before: string, pageSize = 100): AsyncGenerator<ArrivalPage> {
  const names = arrived.attributeNames;
  for (let hourStart = Date.parse(`${arrivalHour(after)}:00:00.000Z`); hourStart < Date.parse(before); hourStart += hourMs) {
    let start: Record<string, unknown> | undefined;
    do {
      const result = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: arrived.index,
          KeyConditionExpression: `${names.pk} = :p AND ${names.sk} BETWEEN :a AND :b`,
          // `before` itself sorts before every key of that instant (`{instant}#{id}`): excluded.
          ExpressionAttributeValues: { ":p": arrived.partition({ hour: arrivalHour(new Date(hourStart).toISOString()) }), ":a": after, ":b": before },
          Limit: pageSize,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      start = result.LastEvaluatedKey;
      // Keys only: the table's and the index's (what gsi4 projects).
      const keys = (result.Items ?? []).map((item) => ({ pk: String(item.pk), sk: String(item.sk), at: String(item[names.sk]) })).filter((k) => k.at !== after);
      const last = keys.at(-1);
      if (!last) continue;
      const items = await batchGet(
        keys.map((k) => ({ pk: k.pk, sk: k.sk })),
        { projection: "conversationId, #s, arrivedAt", names: statusName, lanes: 4 },
      );
      const queued = items.map((item) => ConversationItem.parseAs(queuedProbeSchema, item)).filter((c) => c.status === "queued");
      yield { queued: queued.map(({ conversationId, arrivedAt }) => ({ conversationId, arrivedAt })), through: last.at };
    } while (start);
  }
}

/** Lists a conversation found still queued in the `queued` index (gsi2), unless it has moved on since it was read. */
export async function listAsQueued(conversation: { conversationId: string; arrivedAt: string }): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: ConversationItem.key(conversation),
        UpdateExpression: `SET ${gsi2.pk} = :qp, ${gsi2.sk} = :qk`,
        ConditionExpression: "#s = :queued AND arrivedAt = :at",
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ":queued": "queued", ":at": conversation.arrivedAt, ...queuedEntry(conversation.arrivedAt, conversation.conversationId) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
