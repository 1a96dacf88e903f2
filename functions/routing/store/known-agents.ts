/** The customer's known agent (老客户): written inside the assignment transaction, read by the router. */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { KnownAgent as KnownAgentItem, dynamo, tableName, type CapacityMeter } from "../../shared/table/index.js";
import type { KnownAgent } from "../policy.js";

export async function knownAgentOf(customerId: string, meter?: CapacityMeter): Promise<KnownAgent | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: KnownAgentItem.key({ customerId }), ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? KnownAgentItem.parse(result.Item) : undefined;
}

