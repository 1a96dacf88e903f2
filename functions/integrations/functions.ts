import type { FunctionSpec } from "../catalog/types.js";

const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;

export const platformEventsApi: FunctionSpec = {
  name: "PlatformEventsApi",
  entry: "functions/integrations/events.http.ts",
  handler: "handler",
  description: "Chat-platform events: agent replied, customer left, platform closed",
  triggers: [{ kind: "http", method: "POST", path: "/webhooks/conversation-events", auth: { kind: "signature" } }],
  // Pushes to supervisors: a customer leaving or a platform close moves the wall (shared/supervisor-push.ts).
  access: { table: "write", sends: ["conversations"], webhookSecret: true, pushesToAgents: true },
};

export const integrationsApi: FunctionSpec = {
  name: "IntegrationsApi",
  entry: "functions/integrations/integrations.http.ts",
  handler: "handler",
  description: "Assignment-callback deliveries: failed list and redrive",
  triggers: [
    { kind: "http", method: "GET", path: "/integrations/deliveries", auth: supervisor },
    { kind: "http", method: "POST", path: "/integrations/deliveries/{eventId}/redrive", auth: supervisor },
  ],
  access: { table: "write", sends: ["callbacks"] },
};

export const callbackDeliverer: FunctionSpec = {
  name: "CallbackDeliverer",
  entry: "functions/integrations/deliver.queue.ts",
  handler: "handler",
  description: "POSTs signed assignment callbacks to the chat platform; retried with back-off, then dead-lettered",
  triggers: [{ kind: "queue", queue: "callbacks", batchSize: 10, reportBatchItemFailures: true, localConcurrency: 2 }],
  access: { table: "write", assignmentCallbacks: "deliver" },
  // Ten records at once, each at most the 5 s POST timeout plus two small writes.
  timeoutSeconds: 30,
};

export const callbackRelay: FunctionSpec = {
  name: "CallbackRelay",
  entry: "functions/integrations/relay.schedule.ts",
  handler: "handler",
  description: "Re-sends pending assignment callbacks whose queue message was lost (marks them skipped while callbacks are off)",
  triggers: [{ kind: "schedule", everyMinutes: 1 }],
  // `enqueue`: it reads ASSIGNMENT_CALLBACK_URL to know whether callbacks are on.
  access: { table: "write", sends: ["callbacks"], assignmentCallbacks: "enqueue" },
  timeoutSeconds: 50,
};

export const integrationFunctions: FunctionSpec[] = [platformEventsApi, integrationsApi, callbackDeliverer, callbackRelay];
