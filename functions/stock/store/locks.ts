/**
 * Campaign-lock index entries (StockLock: in gsi1 by expiry) while a lock exists. The lock
 * itself lives on the counters; this entry only lets the expiry job find it.
 */
import { DeleteCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { StockLock, dynamo, isConditionalCheckFailed, queryAll, tableName, type TransactItem } from "../../shared/table/index.js";
import type { CampaignLock } from "../domain.js";

/** Puts the index entry for `lock`, or deletes it when there is none. */
export function lockEntryOp(sku: string, lock: CampaignLock | null): TransactItem {
  return lock
    ? { Put: { TableName: tableName, Item: StockLock.item({ sku, ...lock }, StockLock.index.expiring.attributes({ expiresAt: lock.expiresAt, sku })) } }
    : { Delete: { TableName: tableName, Key: StockLock.key({ sku }) } };
}

/** The SKU's lock index entry as stored (consistent). */
export async function getLockEntry(sku: string) {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: StockLock.key({ sku }), ConsistentRead: true }));
  return result.Item ? StockLock.parse(result.Item) : undefined;
}

/** Deletes an index entry left behind by a replaced or removed lock, if it still is that entry. */
export async function deleteLockEntry(sku: string, expiresAt: string): Promise<void> {
  try {
    await dynamo.send(new DeleteCommand({ TableName: tableName, Key: StockLock.key({ sku }), ConditionExpression: "expiresAt = :e", ExpressionAttributeValues: { ":e": expiresAt } }));
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

const skuOnly = z.object({ sku: z.string() });

/** SKUs with a campaign lock past its expiry (eventually consistent index; the release re-checks). */
export async function expiredLocks(now: string): Promise<string[]> {
  const index = StockLock.index.expiring;
  const items = await queryAll({
    IndexName: index.index,
    KeyConditionExpression: `${index.attributeNames.pk} = :p AND ${index.attributeNames.sk} <= :b`,
    ExpressionAttributeValues: { ":p": index.partition({}), ":b": index.sortKey({ expiresAt: now, sku: "\uffff" }) },
    ProjectionExpression: "sku",
  });
  return items.map((item) => StockLock.parseAs(skuOnly, item).sku);
}
