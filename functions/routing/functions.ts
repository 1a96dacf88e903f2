import { retryUntilTrimmed, type FunctionSpec } from "../catalog/types.js";
import { Conversation } from "../shared/table/entities/routing.js";

const agentOrSupervisor = { kind: "jwt", roles: ["supervisor", "agent"] } as const;

export const conversationsApi: FunctionSpec = {
  name: "ConversationsApi",
  entry: "functions/routing/routing.http.ts",
  handler: "handler",
  description: "Chat-platform webhook and conversation lifecycle",
  triggers: [
    { kind: "http", method: "POST", path: "/webhooks/conversations", auth: { kind: "signature" } },
    { kind: "http", method: "GET", path: "/conversations/{conversationId}", auth: agentOrSupervisor },
    { kind: "http", method: "POST", path: "/conversations/{conversationId}/first-response", auth: { kind: "jwt", roles: ["agent"] } },
    { kind: "http", method: "POST", path: "/conversations/{conversationId}/close", auth: agentOrSupervisor },
    { kind: "http", method: "GET", path: "/agents/{agentId}/conversations", auth: agentOrSupervisor },
  ],
  // Pushes to supervisors: a close moves the wall (functions/shared/supervisor-push.ts).
  access: { table: "write", sends: ["conversations"], webhookSecret: true, pushesToAgents: true },
};

export const router: FunctionSpec = {
  name: "Router",
  entry: "functions/routing/router.queue.ts",
  handler: "handler",
  description: "Routes conversations to eligible agents and drains waiting queues",
  triggers: [{ kind: "queue", queue: "conversations", batchSize: 10, reportBatchItemFailures: true, localConcurrency: 4 }],
  access: { table: "write", sends: ["conversations", "callbacks"], pushesToAgents: true, assignmentCallbacks: "enqueue" },
  timeoutSeconds: 25,
};

export const routingSweeper: FunctionSpec = {
  name: "RoutingSweeper",
  entry: "functions/routing/sweeper.schedule.ts",
  handler: "handler",
  description: "Re-drives conversations stuck in queued; drains waiting queues as a backstop",
  triggers: [{ kind: "schedule", everyMinutes: 1 }],
  access: { table: "write", sends: ["conversations", "callbacks"], pushesToAgents: true, assignmentCallbacks: "enqueue" },
  timeoutSeconds: 50,
};

export const routingAggregates: FunctionSpec = {
  name: "RoutingAggregates",
  entry: "functions/routing/aggregates.stream.ts",
  handler: "handler",
  description: "Sums conversation changes from the table's stream into the hourly routing metrics and the forecast's arrival counts",
  // 30 s windows: whole-hour metrics and arrival counts are at most that (plus the stream's own
  // lag) behind; every conversation write of a window costs its aggregate items one ADD together.
  // A failing window is retried until it succeeds (or the stream trims it after 24 h): its items'
  // shard marks would refuse a replay once a later window has written them, so none is skipped.
  triggers: [{ kind: "stream", keyPrefixes: [Conversation.partitionPrefix], batchSize: 1000, tumblingWindowSeconds: 30, retryAttempts: retryUntilTrimmed }],
  access: { table: "write" },
  timeoutSeconds: 60,
};

export const routingFunctions: FunctionSpec[] = [conversationsApi, router, routingSweeper, routingAggregates];
