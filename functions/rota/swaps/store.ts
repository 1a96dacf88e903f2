/** Swap requests in DynamoDB (SwapRequest in the registry): conditional on the state read, with audit records. */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { SwapRequestItem, dynamo, tableName, type TransactItem } from "../../shared/table/index.js";
import type { SwapRequest, SwapStatus } from "./domain.js";

export async function getSwapRequest(requestId: string): Promise<SwapRequest | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: SwapRequestItem.key({ requestId }), ConsistentRead: true }));
  return result.Item ? SwapRequestItem.parse(result.Item) : undefined;
}

/** A Put of the new request (it must not exist). */
export function swapCreatePut(request: SwapRequest): TransactItem {
  return { Put: { TableName: tableName, Item: SwapRequestItem.item(request), ConditionExpression: "attribute_not_exists(pk)" } };
}

/** A Put of the request's next state, only if it is still in the state read (two deciders: one wins). */
export function swapStepPut(next: SwapRequest, from: SwapStatus): TransactItem {
  return { Put: { TableName: tableName, Item: SwapRequestItem.item(next), ConditionExpression: "#s = :from", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":from": from } } };
}
