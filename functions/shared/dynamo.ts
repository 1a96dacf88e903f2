/**
 * DynamoDB adapter plumbing: one document client per container, the table name, and the
 * translation of DynamoDB's conditional failures into something the domain can reason about.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import { baseEnv } from "./env.js";

const env = baseEnv();

export const tableName = env.TABLE_NAME;

export const dynamo = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: env.AWS_REGION,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
    maxAttempts: 5,
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** Reason codes of a cancelled transaction, one per item (`None` for items that passed). */
export function cancellationReasons(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((r) => r.Code ?? "None") ?? [];
}

/** True when the error is a transaction cancelled by a condition or a concurrent transaction. */
export function isTransactionConflict(error: unknown): boolean {
  const reasons = cancellationReasons(error);
  if (reasons) return reasons.some((r) => r === "ConditionalCheckFailed" || r === "TransactionConflict");
  return error instanceof Error && (error.name === "TransactionConflictException" || isConditionalCheckFailed(error));
}

/** Sums consumed capacity units returned with `ReturnConsumedCapacity: "TOTAL"`. */
export function capacityUnits(consumed: { CapacityUnits?: number }[] | { CapacityUnits?: number } | undefined): number {
  if (!consumed) return 0;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

/** Small random back-off between optimistic retries, so contenders do not collide again. */
export function jitter(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Every item of a Query, following `LastEvaluatedKey` page by page. `meter` receives each page's
 * consumed capacity when the input asks for it.
 *
 * @example
 * const agents = await queryAll({ TableName: tableName, IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": "AGENTS" } });
 */
export async function queryAll(
  input: Omit<QueryCommandInput, "TableName"> & { TableName?: string },
  meter?: { add(consumed: QueryCommandOutput["ConsumedCapacity"]): void },
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ TableName: tableName, ...input, ExclusiveStartKey: cursor }));
    meter?.add(page.ConsumedCapacity);
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}
