/** The live settings item in DynamoDB: one strongly consistent read, one conditional write with its audit record. */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { auditPut, type AuditEntry } from "../shared/audit.js";
import { LiveSettings, capacityUnits, dynamo, tableName, transact, TransactionCancelledError } from "../shared/table/index.js";
import type { StoredSettings } from "./domain.js";

/** Reads of the item by this process and the units they consumed (the routing benchmark divides them by its decisions). */
export const liveSettingsReads = { reads: 0, units: 0 };

/** The live settings, or undefined while none was ever changed. Strongly consistent: a change is seen by the next read. */
export async function readLiveSettings(): Promise<StoredSettings | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: LiveSettings.key({}), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
  liveSettingsReads.reads++;
  liveSettingsReads.units += capacityUnits(result.ConsumedCapacity);
  return result.Item ? LiveSettings.parse(result.Item) : undefined;
}

/**
 * Writes `next` with its audit record in one transaction, only if the item is still at
 * `expectedVersion` (0: it does not exist yet). `"stale"`: another change came first;
 * `"conflict"`: a concurrent transaction held the item (nobody may have won: read again).
 */
export async function writeLiveSettings(next: StoredSettings, expectedVersion: number, audit: AuditEntry): Promise<"written" | "stale" | "conflict"> {
  const condition =
    expectedVersion === 0
      ? { ConditionExpression: "attribute_not_exists(pk)" }
      : { ConditionExpression: "#version = :expected", ExpressionAttributeNames: { "#version": "version" }, ExpressionAttributeValues: { ":expected": expectedVersion } };
  try {
    await transact([{ Put: { TableName: tableName, Item: LiveSettings.item(next), ...condition } }, auditPut(audit)]);
    return "written";
  } catch (error) {
    if (error instanceof TransactionCancelledError && error.conditionFailedAt(0)) return "stale";
    if (error instanceof TransactionCancelledError && error.isConflict) return "conflict";
    throw error;
  }
}
