/** Planning's DynamoDB adapter: the day's campaign multiplier (ForecastMultiplier), written with its audit record. */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { auditPut, type AuditEntry } from "../shared/audit.js";
import { NotFoundError } from "../shared/errors.js";
import { AdherenceAlert, ForecastMultiplier as MultiplierItem, dynamo, isConditionalCheckFailed, tableName, transact, TransactionCancelledError } from "../shared/table/index.js";
import type { ForecastMultiplier } from "./domain.js";

export async function getMultiplier(date: string): Promise<ForecastMultiplier | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: MultiplierItem.key({ date }), ConsistentRead: true }));
  return result.Item ? MultiplierItem.parse(result.Item) : undefined;
}

/** Replaces the day's multiplier with its audit record, in one transaction. */
export async function putMultiplier(multiplier: ForecastMultiplier, audit: AuditEntry): Promise<void> {
  await transact([{ Put: { TableName: tableName, Item: MultiplierItem.item(multiplier) } }, auditPut(audit)]);
}

/** Removes the day's multiplier with its audit record; NotFoundError when there is none. */
export async function deleteMultiplier(date: string, audit: AuditEntry): Promise<void> {
  try {
    await transact([{ Delete: { TableName: tableName, Key: MultiplierItem.key({ date }), ConditionExpression: "attribute_exists(pk)" } }, auditPut(audit)]);
  } catch (error) {
    if (error instanceof TransactionCancelledError && error.conditionFailedAt(0)) throw new NotFoundError(`No forecast multiplier for ${date}.`);
    throw error;
  }
}

/** Claims the alert of one lapse: true for the one caller that created the marker (that caller alerts), false if it was alerted already. */
export async function claimAdherenceAlert(alert: { agentId: string; since: string; alertedAt: string; presence: string }): Promise<boolean> {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: AdherenceAlert.item({ ...alert, expiresAtEpoch: Math.floor(Date.parse(alert.alertedAt) / 1000) + 2 * 86_400 }),
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
