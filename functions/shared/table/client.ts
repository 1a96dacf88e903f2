/**
 * The one path to DynamoDB: a document client per container with timeouts and the throttling
 * retry policy, one `transact()` that turns cancellation reasons into typed errors, one
 * `batchGet`/`batchWrite` that retries unprocessed keys with capped back-off and then fails
 * loudly, and one paginated query. No capability keeps its own loop.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchWriteCommandInput,
  type QueryCommandInput,
  type QueryCommandOutput,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { baseEnv } from "../env.js";
import { StoreUnavailableError, ValidationError } from "../errors.js";
import { inLanes } from "../lanes.js";

const env = baseEnv();

export const tableName = env.TABLE_NAME;

/**
 * Timeouts: a paused or partitioned store must not hold a request for the gateway's 30 s. The
 * SDK's standard retry mode backs off throttling, timeouts and 5xx (3 attempts, jittered: a dead
 * store answers within ~7 s); after that `storeUnavailable` below makes it a 503 with Retry-After.
 */
export const sdkRequestTimeoutMs = 2_000;
export const sdkConnectionTimeoutMs = 1_000;

export const dynamo = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: env.AWS_REGION,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
    maxAttempts: 3,
    retryMode: "standard",
    // throwOnRequestTimeout: without it, this SDK version only logs a warning and keeps waiting.
    requestHandler: { requestTimeout: env.DYNAMODB_REQUEST_TIMEOUT_MS ?? sdkRequestTimeoutMs, connectionTimeout: sdkConnectionTimeoutMs, throwOnRequestTimeout: true },
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

const unreachableCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/** True for a store that cannot be reached (network, timeout, 5xx after retries), not for a refused request. */
export function isStoreUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: string }).code;
  if (code && unreachableCodes.has(code)) return true;
  if (error.name === "TimeoutError" || error.name === "RequestTimeout" || error.name === "AbortError") return true;
  const status = (error as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500 && error.name !== "TransactionCanceledException") return true;
  return error.cause !== undefined && isStoreUnreachable(error.cause);
}

// After the SDK's own retries: an unreachable store becomes a typed 503, everything else passes.
dynamo.middlewareStack.add(
  (next) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      if (isStoreUnreachable(error)) throw new StoreUnavailableError("DynamoDB", { cause: error });
      throw error;
    }
  },
  { step: "initialize", name: "storeUnavailable" },
);

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** DynamoDB's limit on items in one TransactWriteItems call. */
export const maxTransactItems = 100;

/**
 * A transaction DynamoDB cancelled. `reasons` has one code per item in request order (`None` for
 * items that passed), so a caller can tell which condition failed.
 */
export class TransactionCancelledError extends Error {
  constructor(
    readonly reasons: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Transaction cancelled: ${reasons.join(", ")}`, options);
    this.name = "TransactionCancelledError";
  }
  /** A condition failed or a concurrent transaction touched an item: re-read and retry may succeed. */
  get isConflict(): boolean {
    return this.reasons.some((r) => r === "ConditionalCheckFailed" || r === "TransactionConflict");
  }
  /** True when the condition on item `index` (request order) failed. */
  conditionFailedAt(index: number): boolean {
    return this.reasons[index] === "ConditionalCheckFailed";
  }
}

function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((r) => r.Code ?? "None") ?? [];
}

export interface TransactOptions {
  /** Idempotency token (10 minutes in DynamoDB): a retried call with the same token is a no-op. */
  token?: string;
  /** Maps a cancellation to a domain error (e.g. which condition means "sold out"). */
  onCancelled?: (error: TransactionCancelledError) => Error | undefined;
  meter?: CapacityMeter;
}

/**
 * Writes all items or none.
 *
 * @example
 * await transact([Agent.putOp(after, before)], { onCancelled: (e) => e.conditionFailedAt(0) ? new ConflictError("changed") : undefined });
 */
/**
 * A transaction of one Put, Update or Delete sent as that plain conditional write: the same
 * condition and effect at half the units (a transaction bills each item twice), and no conflict
 * with a concurrent transaction on the item (the write waits its turn instead). Its refusal is
 * reported as the transaction's would be, so callers cannot tell the difference.
 */
async function writeOne(item: TransactItem, options: TransactOptions): Promise<boolean> {
  if (options.token) return false;
  const capacity = options.meter ? { ReturnConsumedCapacity: "TOTAL" as const } : {};
  const command = item.Put ? new PutCommand({ ...item.Put, ...capacity }) : item.Update ? new UpdateCommand({ ...item.Update, ...capacity }) : item.Delete ? new DeleteCommand({ ...item.Delete, ...capacity }) : undefined;
  if (!command) return false;
  try {
    const result = await dynamo.send(command as PutCommand);
    options.meter?.add(result.ConsumedCapacity);
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    const cancelled = new TransactionCancelledError(["ConditionalCheckFailed"], { cause: error });
    throw options.onCancelled?.(cancelled) ?? cancelled;
  }
  return true;
}

export async function transact(items: readonly TransactItem[], options: TransactOptions = {}): Promise<void> {
  if (items.length === 0) return;
  const [only] = items;
  if (items.length === 1 && only && (await writeOne(only, options))) return;
  if (items.length > maxTransactItems) throw new Error(`A transaction holds at most ${maxTransactItems} items, got ${items.length}; split the change or run it as a job`);
  try {
    const result = await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [...items],
        ...(options.token ? { ClientRequestToken: options.token } : {}),
        ...(options.meter ? { ReturnConsumedCapacity: "TOTAL" } : {}),
      }),
    );
    options.meter?.add(result.ConsumedCapacity);
  } catch (error) {
    const codes = cancellationCodes(error);
    if (!codes) {
      if (error instanceof Error && error.name === "TransactionConflictException") throw new TransactionCancelledError(["TransactionConflict"], { cause: error });
      throw error;
    }
    const cancelled = new TransactionCancelledError(codes, { cause: error });
    throw options.onCancelled?.(cancelled) ?? cancelled;
  }
}

/** True when a write lost to a condition or a concurrent transaction (re-read, then retry). */
export function isWriteConflict(error: unknown): boolean {
  if (error instanceof TransactionCancelledError) return error.isConflict;
  return error instanceof Error && (error.name === "ConditionalCheckFailedException" || error.name === "TransactionConflictException");
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** Sums consumed capacity units returned with `ReturnConsumedCapacity: "TOTAL"`. */
export function capacityUnits(consumed: { CapacityUnits?: number }[] | { CapacityUnits?: number } | undefined): number {
  if (!consumed) return 0;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

/** Accumulates consumed capacity across calls (a routing decision, a fan-out page). */
export class CapacityMeter {
  units = 0;
  add(consumed: Parameters<typeof capacityUnits>[0]) {
    this.units += capacityUnits(consumed);
  }
}

/** Optimistic-retry pause: a small random back-off so contenders do not collide again. */
export function jitter(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Unprocessed batch entries: retried this many times with capped exponential back-off. */
export const batchRetryPolicy = { attempts: 10, baseMs: 25, capMs: 1_000 } as const;

function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(batchRetryPolicy.capMs, batchRetryPolicy.baseMs * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A batch call that left entries unprocessed after every retry: never a silent partial result. */
export class UnprocessedItemsError extends Error {
  constructor(
    readonly operation: "BatchGetItem" | "BatchWriteItem",
    readonly remaining: number,
  ) {
    super(`${operation} left ${remaining} entries unprocessed after ${batchRetryPolicy.attempts} attempts (throttled); retry the request`);
    this.name = "UnprocessedItemsError";
  }
}

type Key = Record<string, unknown>;

/**
 * Every item of these keys (100 a call), unprocessed keys retried, in no particular order;
 * missing items are simply absent.
 */
export async function batchGet(keys: readonly Key[], options: { consistent?: boolean; projection?: string; names?: Record<string, string>; meter?: CapacityMeter; lanes?: number } = {}): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const chunks: Key[][] = [];
  for (let start = 0; start < keys.length; start += 100) chunks.push(keys.slice(start, start + 100));
  // `lanes`: calls of 100 keys in flight at once (default one after another).
  await inLanes(chunks, options.lanes ?? 1, async (chunk) => {
    let pending: Key[] = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= batchRetryPolicy.attempts) throw new UnprocessedItemsError("BatchGetItem", pending.length);
      if (attempt > 0) await backoff(attempt);
      const result = await dynamo.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ...(options.consistent ? { ConsistentRead: true } : {}),
              ...(options.projection ? { ProjectionExpression: options.projection } : {}),
              ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
            },
          },
          ...(options.meter ? { ReturnConsumedCapacity: "TOTAL" } : {}),
        }),
      );
      options.meter?.add(result.ConsumedCapacity);
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  });
  return items;
}

export type WriteRequest = NonNullable<BatchWriteCommandInput["RequestItems"]>[string][number];

/** Blind puts and deletes, 25 a call, unprocessed ones retried; not atomic (use `transact` for that). */
export async function batchWrite(requests: readonly WriteRequest[], options: { meter?: CapacityMeter } = {}): Promise<void> {
  for (let start = 0; start < requests.length; start += 25) {
    let pending: WriteRequest[] = requests.slice(start, start + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= batchRetryPolicy.attempts) throw new UnprocessedItemsError("BatchWriteItem", pending.length);
      if (attempt > 0) await backoff(attempt);
      const result = await dynamo.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending }, ...(options.meter ? { ReturnConsumedCapacity: "TOTAL" } : {}) }));
      options.meter?.add(result.ConsumedCapacity);
      pending = result.UnprocessedItems?.[tableName] ?? [];
    }
  }
}

export type QueryInput = Omit<QueryCommandInput, "TableName"> & { TableName?: string };

/**
 * Every item of a Query, following `LastEvaluatedKey` page by page.
 *
 * @example
 * const items = await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": Agent.index.all.partition({}) } });
 */
export async function queryAll(input: QueryInput, meter?: { add(consumed: QueryCommandOutput["ConsumedCapacity"]): void }): Promise<Record<string, unknown>[]> {
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

/** One page of a Query, with an opaque cursor for the next (lists that can grow). */
export async function queryPage(input: QueryInput & { Limit: number }, cursor?: string): Promise<{ items: Record<string, unknown>[]; next?: string }> {
  const page = await dynamo.send(new QueryCommand({ TableName: tableName, ...input, ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}) }));
  return { items: page.Items ?? [], ...(page.LastEvaluatedKey ? { next: encodeCursor(page.LastEvaluatedKey) } : {}) };
}

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** A cursor a client sent back; anything that is not one of ours is a 400, not a 500. */
export function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (value && typeof value === "object" && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string")) return value as Record<string, unknown>;
  } catch {
    // fall through to the typed error below: a bad cursor is the caller's input
  }
  throw new ValidationError("The cursor is not one this API issued; start again without it.", { errors: [{ field: "cursor", message: "not a cursor this API issued" }] });
}
