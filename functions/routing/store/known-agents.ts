/** The customer's known agent (老客户): written after an assignment when it changes, read by the router. */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { KnownAgent as KnownAgentItem, dynamo, tableName, type CapacityMeter } from "../../shared/table/index.js";
import type { KnownAgent } from "../policy.js";

export async function knownAgentOf(customerId: string, meter?: CapacityMeter): Promise<KnownAgent | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: KnownAgentItem.key({ customerId }), ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? KnownAgentItem.parse(result.Item) : undefined;
}

/** One unconditional put (1 WRU): the latest assignment wins, as it did inside the transaction. */
export async function recordKnownAgent(record: { customerId: string; agentId: string; servedAt: string }, meter?: CapacityMeter): Promise<void> {
  const result = await dynamo.send(new PutCommand({ TableName: tableName, Item: KnownAgentItem.item(record), ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
}
