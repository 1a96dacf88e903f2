/** DynamoDB adapter for rota plans (the registry's `RotaPlan`): create, read, replace with its audit record. */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod/mini";
import { ConflictError } from "../shared/errors.js";
import { RotaPlan, dynamo, isWriteConflict, tableName, transact, type rotaPlanSchema } from "../shared/table/index.js";
import { auditOp } from "./store.js";
import type { AuditEntry } from "../shared/audit.js";

export type StoredPlan = z.infer<typeof rotaPlanSchema>;

/** DynamoDB's item limit is 400 KB; plans are bounded well below it, this guards the bound. */
const maxPlanBytes = 380 * 1024;

function itemOf(plan: StoredPlan) {
  const item = RotaPlan.item(plan);
  if (Buffer.byteLength(JSON.stringify(item)) > maxPlanBytes) throw new RangeError(`plan ${plan.planId} is larger than ${maxPlanBytes} bytes`);
  return item;
}

export async function getPlan(planId: string): Promise<StoredPlan | undefined> {
  const out = await dynamo.send(new GetCommand({ TableName: tableName, Key: RotaPlan.key({ planId }), ConsistentRead: true }));
  return out.Item ? RotaPlan.parse(out.Item) : undefined;
}

/** Creates the plan with its audit record. */
export async function createPlan(plan: StoredPlan, audit: AuditEntry): Promise<void> {
  await transact([{ Put: { TableName: tableName, Item: itemOf(plan), ConditionExpression: "attribute_not_exists(pk)" } }, auditOp(audit)]);
}

/** Replaces a draft read at `version` (edit or publish), with its audit record; 409 when it moved or was published meanwhile. */
export async function replacePlan(plan: StoredPlan, readVersion: number, audit: AuditEntry): Promise<void> {
  try {
    await transact([
      { Put: { TableName: tableName, Item: itemOf(plan), ConditionExpression: "#s = :draft AND version = :v", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":draft": "draft", ":v": readVersion } } },
      auditOp(audit),
    ]);
  } catch (error) {
    if (isWriteConflict(error)) throw new ConflictError(`Plan ${plan.planId} was changed or published meanwhile; nothing was changed. Read it again.`);
    throw error;
  }
}
