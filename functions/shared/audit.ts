/**
 * Audit trail: who did what, when. Records are written in the same transaction as the change
 * they describe where possible, so a change without its audit record cannot exist.
 */
import { randomUUID } from "node:crypto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { dynamo, tableName } from "./dynamo.js";

export interface AuditEntry {
  entity: string;
  entityId: string;
  action: string;
  actor: string;
  at: string;
  details?: Record<string, unknown>;
}

export function auditKey(entity: string, entityId: string) {
  return `AUDIT#${entity}#${entityId}`;
}

/** A `Put` for `TransactWriteItems`, so the audit record commits with the change. */
export function auditPut(entry: AuditEntry) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        pk: auditKey(entry.entity, entry.entityId),
        sk: `${entry.at}#${randomUUID()}`,
        type: "Audit",
        ...entry,
      },
    },
  };
}

/** The audit trail of one entity, oldest first. */
export async function auditTrail(entity: string, entityId: string, limit = 200): Promise<AuditEntry[]> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": auditKey(entity, entityId) },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((i) => ({
    entity: String(i.entity),
    entityId: String(i.entityId),
    action: String(i.action),
    actor: String(i.actor),
    at: String(i.at),
    ...(i.details ? { details: i.details as Record<string, unknown> } : {}),
  }));
}
