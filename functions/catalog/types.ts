/**
 * The one function list: a typed description of every Lambda function, its triggers and the
 * resources it touches. `infra/` turns it into CDK constructs, `local/` into an HTTP gateway,
 * SQS pollers and timers, so the two runtimes cannot drift apart.
 */
import type { QueueName } from "./resources.js";

export type Role = "supervisor" | "agent";

/** How an HTTP route authenticates its caller. */
export type RouteAuth =
  /** Bearer JWT (Cognito authorizer in AWS, local key locally) with one of these roles. */
  | { kind: "jwt"; roles: readonly Role[] }
  /** Machine caller: HMAC-SHA256 webhook signature, no JWT authorizer on the route. */
  | { kind: "signature" }
  /** Either a webhook signature (order system) or a JWT with one of these roles. */
  | { kind: "signature-or-jwt"; roles: readonly Role[] }
  /** No authentication (health). */
  | { kind: "public" };

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "PATCH";

export interface HttpTrigger {
  kind: "http";
  method: HttpMethod;
  /** API Gateway route path, e.g. `/agents/{agentId}`. */
  path: string;
  auth: RouteAuth;
}

export interface QueueTrigger {
  kind: "queue";
  queue: QueueName;
  batchSize: number;
  /** Always reported with `ReportBatchItemFailures`; kept explicit so the list documents it. */
  reportBatchItemFailures: true;
  /** Local stack: how many pollers run this queue at once (real concurrency). */
  localConcurrency?: number;
  /** AWS: the event source mapping's maximum concurrency (2-1000; absent: as many as Lambda scales to). */
  maxConcurrency?: number;
}

export interface ScheduleTrigger {
  kind: "schedule";
  /** Rate in minutes (EventBridge `rate(n minutes)`). */
  everyMinutes: number;
}

/**
 * The application table's change stream (DynamoDB Streams, old and new images) in tumbling
 * windows: what Lambda's event source mapping does in AWS, local/streams.ts locally. Within a
 * window the invocations of a shard carry the state the previous one returned; the window's last
 * invocation (`isFinalInvokeForWindow`) gets it whole, with the shard's id, so a consumer can
 * write its aggregates once per shard and window. A failing invocation is retried with the same
 * records and state; after `retryAttempts` the window's records go to the failure queue.
 */
export interface StreamTrigger {
  kind: "stream";
  /** The consumer sees only items whose partition key starts with one of these (an event filter in AWS). */
  keyPrefixes: readonly string[];
  batchSize: number;
  /** The window's length: how often a shard's aggregates are written, and how stale they may be. */
  tumblingWindowSeconds: number;
  /**
   * Retries of a failing invocation before its records are given up (sent to the stream failure
   * queue), or {@link retryUntilTrimmed}. The shard waits while a batch is retried: nothing after
   * it is read, so a consumer whose writes carry a high-water mark per shard must not give up,
   * or a later window's mark makes the lost one impossible to replay.
   */
  retryAttempts: number;
}

/** Lambda's -1: retry a stream batch until the stream trims its records (24 h), never skipping it. */
export const retryUntilTrimmed = -1;

export interface WebSocketTrigger {
  kind: "websocket";
  route: "$connect" | "$disconnect" | "$default";
}

export type Trigger = HttpTrigger | QueueTrigger | ScheduleTrigger | StreamTrigger | WebSocketTrigger;

export interface FunctionAccess {
  /** Access to the single application table. */
  table: "read" | "write" | "none";
  /** Queues this function sends to. */
  sends?: readonly QueueName[];
  /** Can push to agents and supervisors over the WebSocket API (execute-api:ManageConnections). */
  pushesToAgents?: boolean;
  /** Verifies webhook signatures (reads the webhook secret). */
  webhookSecret?: boolean;
  /**
   * Assignment callbacks to the chat platform (functions/integrations): `enqueue` for functions
   * that move conversations (they write the callback with the move and send it to the `callbacks`
   * queue; they get ASSIGNMENT_CALLBACK_URL to know whether callbacks are on), `deliver` for the
   * function that POSTs them (it also reads the callback secret).
   */
  assignmentCallbacks?: "enqueue" | "deliver";
}

export interface FunctionSpec {
  /** Stable logical name; also the construct id in CDK. PascalCase. */
  name: string;
  /** Module path from the repository root, e.g. `functions/agents/api.ts`. */
  entry: string;
  /** Exported handler name in that module. */
  handler: string;
  description: string;
  triggers: readonly Trigger[];
  access: FunctionAccess;
  memoryMb?: number;
  timeoutSeconds?: number;
  /** Files (repository paths) copied next to the bundled entry, e.g. a wasm module loaded at run time. */
  bundleFiles?: readonly string[];
}
