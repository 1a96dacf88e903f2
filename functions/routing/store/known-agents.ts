/** The customer's known agent (老客户): written after an assignment when it changes, read by the router. */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { KnownAgent as KnownAgentItem, batchGet, dynamo, tableName, type CapacityMeter } from "../../shared/table/index.js";
import type { KnownAgent } from "../policy.js";

export async function knownAgentOf(customerId: string, meter?: CapacityMeter): Promise<KnownAgent | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: KnownAgentItem.key({ customerId }), ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? KnownAgentItem.parse(result.Item) : undefined;
}

/**
 * The known agents of several customers in one `BatchGetItem` (a batch of route messages):
 * eventually consistent like the single read, so the same 0.5 RRU each, in one call.
 */
export async function knownAgentsOf(customerIds: readonly string[], meter?: CapacityMeter): Promise<Map<string, KnownAgent>> {
  const keys = [...new Set(customerIds)].map((customerId) => ({ customerId, key: KnownAgentItem.key({ customerId }) }));
  const byKey = new Map(keys.map((k) => [k.key.pk, k.customerId]));
  const items = await batchGet(keys.map((k) => k.key), meter ? { meter } : {});
  const known = new Map<string, KnownAgent>();
  // The answer comes in any order: each item is matched to its customer by its key.
  for (const item of items) {
    const customerId = byKey.get(String(item.pk));
    if (customerId !== undefined) known.set(customerId, KnownAgentItem.parse(item));
  }
  return known;
}

/** One unconditional put (1 WRU): the latest assignment wins, as it did inside the transaction. */
export async function recordKnownAgent(record: { customerId: string; agentId: string; servedAt: string }, meter?: CapacityMeter): Promise<void> {
  const result = await dynamo.send(new PutCommand({ TableName: tableName, Item: KnownAgentItem.item(record), ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
}
