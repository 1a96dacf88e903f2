/**
 * Turns a {@link FunctionSpec} from the one function list into a deployment plan: which
 * environment variables it gets, which grants, which triggers. Pure (no CDK), so the rules —
 * least privilege, which routes carry the JWT authorizer, consumer timeouts below the queue's
 * visibility timeout — are unit-tested without synthesizing a stack, and the stateless stack
 * only translates the plan into constructs.
 */
import { retryUntilTrimmed, type FunctionSpec, type HttpTrigger, type RouteAuth } from "../functions/catalog/types.js";
import { queues, queueUrlEnvName, type QueueName } from "../functions/catalog/resources.js";

export const defaultMemoryMb = 512;
export const defaultTimeoutSeconds = 10;
export const powertoolsServiceName = "shift-queue-routing";

/** Where an environment variable's value comes from; the stack resolves each to a token. */
export type EnvSource =
  | { kind: "literal"; value: string }
  | { kind: "tableName" }
  | { kind: "queueUrl"; queue: QueueName }
  | { kind: "webSocketEndpoint" }
  | { kind: "webhookSecretArn" }
  /** The chat platform's assignment-callback URL (CDK context `assignmentCallbackUrl`; empty: callbacks off). */
  | { kind: "assignmentCallbackUrl" }
  /** The Secrets Manager secret assignment callbacks are signed with. */
  | { kind: "callbackSecretArn" }
  | { kind: "jwtIssuer" }
  | { kind: "jwksUrl" }
  | { kind: "jwtAudience" };

export interface HttpRoutePlan {
  method: HttpTrigger["method"];
  path: string;
  /** `jwt`: the API Gateway JWT authorizer checks the token; `none`: the function authenticates (HMAC or in-function JWT) or the route is public. */
  authorizer: "jwt" | "none";
  auth: RouteAuth;
}

export interface FunctionPlan {
  name: string;
  entry: string;
  handler: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Repository files copied next to the bundle (see FunctionSpec.bundleFiles). */
  bundleFiles: readonly string[];
  environment: Record<string, EnvSource>;
  grants: {
    /** `read` → grantReadData, `readWrite` → grantReadWriteData. */
    table: "read" | "readWrite" | "none";
    sendsTo: QueueName[];
    readsWebhookSecret: boolean;
    readsCallbackSecret: boolean;
    managesWebSocketConnections: boolean;
  };
  httpRoutes: HttpRoutePlan[];
  queueSources: { queue: QueueName; batchSize: number; maxConcurrency?: number }[];
  schedules: { everyMinutes: number }[];
  /** The table's change stream in tumbling windows (an event source mapping each, with a failure queue). */
  streamSources: { keyPrefixes: readonly string[]; batchSize: number; tumblingWindowSeconds: number; retryAttempts: number }[];
  webSocketRoutes: ("$connect" | "$disconnect" | "$default")[];
}

/** Thrown when the function list describes something that cannot be deployed as written. */
export class FunctionSpecError extends Error {
  override name = "FunctionSpecError";
}

function needsWebhookSecret(spec: FunctionSpec): boolean {
  return (
    spec.access.webhookSecret === true ||
    spec.triggers.some((t) => t.kind === "http" && (t.auth.kind === "signature" || t.auth.kind === "signature-or-jwt"))
  );
}

/**
 * The deployment plan of one function.
 *
 * @throws FunctionSpecError when a queue consumer's timeout is not below the queue's
 *   visibility timeout (a slow batch would be redelivered while still running).
 * @example
 * const plan = planFunction(agentsApi);
 * plan.grants.table; // "readWrite"
 * plan.environment["QUEUE_URL_CONVERSATIONS"]; // { kind: "queueUrl", queue: "conversations" }
 */
export function planFunction(spec: FunctionSpec): FunctionPlan {
  const memoryMb = spec.memoryMb ?? defaultMemoryMb;
  const timeoutSeconds = spec.timeoutSeconds ?? defaultTimeoutSeconds;
  if (!/^[A-Z][A-Za-z0-9]*$/.test(spec.name)) {
    throw new FunctionSpecError(`Function name "${spec.name}" must be PascalCase letters and digits: it is the CDK construct id.`);
  }

  const queueSources: FunctionPlan["queueSources"] = [];
  const httpRoutes: HttpRoutePlan[] = [];
  const schedules: FunctionPlan["schedules"] = [];
  const streamSources: FunctionPlan["streamSources"] = [];
  const webSocketRoutes: FunctionPlan["webSocketRoutes"] = [];
  for (const trigger of spec.triggers) {
    switch (trigger.kind) {
      case "http":
        httpRoutes.push({ method: trigger.method, path: trigger.path, auth: trigger.auth, authorizer: trigger.auth.kind === "jwt" ? "jwt" : "none" });
        break;
      case "queue": {
        const visibility = queues[trigger.queue].visibilityTimeoutSeconds;
        if (timeoutSeconds >= visibility) {
          throw new FunctionSpecError(
            `Function ${spec.name} consumes queue "${trigger.queue}" with a ${timeoutSeconds} s timeout, but the queue's visibility timeout is ${visibility} s: ` +
              `a batch still running would be delivered again. Lower timeoutSeconds below ${visibility} or raise visibilityTimeoutSeconds in functions/catalog/resources.ts.`,
          );
        }
        if (trigger.maxConcurrency !== undefined && (!Number.isInteger(trigger.maxConcurrency) || trigger.maxConcurrency < 2 || trigger.maxConcurrency > 1000)) {
          throw new FunctionSpecError(`Function ${spec.name} consumes queue "${trigger.queue}" with maxConcurrency ${trigger.maxConcurrency}; SQS event sources take a whole number from 2 to 1000.`);
        }
        queueSources.push({ queue: trigger.queue, batchSize: trigger.batchSize, ...(trigger.maxConcurrency !== undefined ? { maxConcurrency: trigger.maxConcurrency } : {}) });
        break;
      }
      case "schedule":
        if (!Number.isInteger(trigger.everyMinutes) || trigger.everyMinutes < 1) {
          throw new FunctionSpecError(`Function ${spec.name} has a schedule of ${trigger.everyMinutes} minutes; EventBridge rates are whole minutes, 1 or more.`);
        }
        schedules.push({ everyMinutes: trigger.everyMinutes });
        break;
      case "stream":
        if (!Number.isInteger(trigger.tumblingWindowSeconds) || trigger.tumblingWindowSeconds < 1 || trigger.tumblingWindowSeconds > 900) {
          throw new FunctionSpecError(`Function ${spec.name} reads the table's stream in windows of ${trigger.tumblingWindowSeconds} s; Lambda's tumbling windows are 1 to 900 whole seconds.`);
        }
        if (!Number.isInteger(trigger.batchSize) || trigger.batchSize < 1 || trigger.batchSize > 10_000) {
          throw new FunctionSpecError(`Function ${spec.name} reads the table's stream in batches of ${trigger.batchSize}; DynamoDB stream event sources take 1 to 10,000.`);
        }
        if (!Number.isInteger(trigger.retryAttempts) || (trigger.retryAttempts !== retryUntilTrimmed && (trigger.retryAttempts < 0 || trigger.retryAttempts > 10_000))) {
          throw new FunctionSpecError(`Function ${spec.name} retries a stream batch ${trigger.retryAttempts} times; Lambda takes 0 to 10,000, or -1 (retryUntilTrimmed).`);
        }
        if (trigger.keyPrefixes.length === 0) throw new FunctionSpecError(`Function ${spec.name} reads the table's stream without a key prefix: it would be invoked for every write of every item.`);
        if (spec.access.table !== "write") throw new FunctionSpecError(`Function ${spec.name} reads the table's stream to write aggregates, but its table access is "${spec.access.table}".`);
        streamSources.push({ keyPrefixes: trigger.keyPrefixes, batchSize: trigger.batchSize, tumblingWindowSeconds: trigger.tumblingWindowSeconds, retryAttempts: trigger.retryAttempts });
        break;
      case "websocket":
        webSocketRoutes.push(trigger.route);
        break;
    }
  }

  const callbacks = spec.access.assignmentCallbacks;
  const sendsTo = [...new Set(spec.access.sends ?? [])];
  if (callbacks === "enqueue" && !sendsTo.includes("callbacks")) {
    throw new FunctionSpecError(`Function ${spec.name} enqueues assignment callbacks but does not send to the "callbacks" queue. Add "callbacks" to access.sends of its entry in functions/*/functions.ts.`);
  }
  const readsCallbackSecret = callbacks === "deliver";
  const readsWebhookSecret = needsWebhookSecret(spec);
  const managesWebSocketConnections = spec.access.pushesToAgents === true;

  // TABLE_NAME goes to every function: the shared env parser requires it even where the
  // function has no table grant, and a name alone grants nothing.
  const environment: Record<string, EnvSource> = {
    TABLE_NAME: { kind: "tableName" },
    POWERTOOLS_SERVICE_NAME: { kind: "literal", value: powertoolsServiceName },
    NODE_OPTIONS: { kind: "literal", value: "--enable-source-maps" },
    JWT_ISSUER: { kind: "jwtIssuer" },
    JWKS_URL: { kind: "jwksUrl" },
    JWT_AUDIENCE: { kind: "jwtAudience" },
  };
  for (const queue of sendsTo) environment[queueUrlEnvName(queue)] = { kind: "queueUrl", queue };
  if (managesWebSocketConnections) environment.WS_ENDPOINT = { kind: "webSocketEndpoint" };
  if (readsWebhookSecret) environment.WEBHOOK_SECRET_ARN = { kind: "webhookSecretArn" };
  if (callbacks) environment.ASSIGNMENT_CALLBACK_URL = { kind: "assignmentCallbackUrl" };
  if (readsCallbackSecret) environment.CALLBACK_SECRET_ARN = { kind: "callbackSecretArn" };

  return {
    name: spec.name,
    entry: spec.entry,
    handler: spec.handler,
    description: spec.description,
    memoryMb,
    timeoutSeconds,
    bundleFiles: spec.bundleFiles ?? [],
    environment,
    grants: {
      table: spec.access.table === "write" ? "readWrite" : spec.access.table,
      sendsTo,
      readsWebhookSecret,
      readsCallbackSecret,
      managesWebSocketConnections,
    },
    httpRoutes,
    queueSources,
    schedules,
    streamSources,
    webSocketRoutes,
  };
}

/**
 * Plans the whole list and checks what only the whole list can break: duplicate names,
 * two functions on one HTTP route or one WebSocket route.
 */
export function planFunctions(specs: readonly FunctionSpec[]): FunctionPlan[] {
  const plans = specs.map(planFunction);
  const names = new Map<string, string>();
  const routes = new Map<string, string>();
  for (const plan of plans) {
    const previous = names.get(plan.name);
    if (previous) throw new FunctionSpecError(`Two functions are named ${plan.name} (entries ${previous} and ${plan.entry}); names must be unique.`);
    names.set(plan.name, plan.entry);
    const keys = [...plan.httpRoutes.map((r) => `${r.method} ${r.path}`), ...plan.webSocketRoutes.map((r) => `websocket ${r}`)];
    for (const key of keys) {
      const owner = routes.get(key);
      if (owner) throw new FunctionSpecError(`Route "${key}" is claimed by both ${owner} and ${plan.name}; each route has one function.`);
      routes.set(key, plan.name);
    }
  }
  return plans;
}
