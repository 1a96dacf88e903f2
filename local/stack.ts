/**
 * The whole backend on one machine, driven by the same function list as the CDK app:
 * DynamoDB Local + fauxqs + the local API Gateway (HTTP + WebSocket) + SQS pollers + schedules.
 * Used by `npm start`, the integration tests and the benchmark.
 */
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from "./dynamodb.js";
import { apiGatewayLimits, createGateway, type GatewayLimits } from "./gateway.js";
import { contextFor, lambdaContext, runAsInvocation, type LambdaHandler } from "./invoke.js";
import { createConsoleRoutes } from "./console.js";
import { keyFile, loadOrCreateKeys, localAudience, localIssuer, mintToken, type TokenRole } from "./keys.js";
import { startPollers } from "./pollers.js";
import { freePort } from "./ports.js";
import { sqsClient, startLocalQueues } from "./sqs.js";
import { startStreamConsumer, type StreamConsumer } from "./streams.js";
import type { QueueName } from "../functions/catalog/resources.js";
import { settingsSchema } from "../functions/catalog/settings.js";
import type { FunctionSpec } from "../functions/catalog/types.js";
import { runAsFunction } from "../functions/shared/env.js";
import { isPerFunctionVariable, localFunctionEnv, type LocalResources } from "./function-env.js";

export const defaultWebhookSecret = "local-dev-webhook-secret-change-me";

export interface LocalStackOptions {
  /** HTTP/WebSocket port; 0 picks a free one. */
  port: number;
  /** Keys and (unless `dynamoEndpoint` is given) DynamoDB data live here. */
  dataDir: string;
  /** Use an already running DynamoDB Local (tests share one JVM) instead of starting one. */
  dynamoEndpoint?: string;
  /** Prefix of the table and queue names (tests use a unique one per file). */
  prefix: string;
  /** `auto` runs schedules on timers; `manual` only when asked (tests drive the clock). */
  schedules: "auto" | "manual";
  webhookSecret?: string;
  /** Extra environment for the functions (thresholds and policies). */
  env?: Record<string, string>;
  /**
   * Test mode: `X-Local-Time` and `POST /_local/schedules/*` exist, and need the returned
   * `adminToken` (header `X-Local-Admin-Token`). Off by default, as in AWS where they do not exist.
   */
  testMode?: boolean;
  /** Serve the built console from this folder at `/console/` (local/console-build.ts builds it). */
  consoleDir?: string;
  /**
   * Run the table's change stream and the functions reading it (default true). DynamoDB Local's
   * stream costs it about half its write throughput under concurrent writers (six integration
   * files: 74 s without, 163 s with), so the integration tests turn it on only in the files that
   * read what the stream feeds (whole-hour metrics, arrival counts); `streamsSettled` fails
   * without it rather than let a reader see nothing.
   */
  tableStream?: boolean;
  /** API Gateway / Lambda limits to mirror (tests lower them); defaults to the real ones. */
  limits?: Partial<GatewayLimits>;
  log?: (line: string) => void;
}

export interface LocalStack {
  url: string;
  wsUrl: string;
  /** The console's URL when `consoleDir` was given. */
  consoleUrl: string | undefined;
  /** The file holding the key this stack signs and verifies tokens with. */
  keyFile: string;
  tableName: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  queueUrls: Record<QueueName, string>;
  dlqUrls: Record<QueueName, string>;
  webhookSecret: string;
  /** Test mode only: the token that unlocks the local-only helpers (header `X-Local-Admin-Token`). */
  adminToken: string | undefined;
  token(role: TokenRole, sub: string): Promise<string>;
  /** Runs a schedule function now, as if EventBridge fired at `at`. */
  runSchedule(functionName: string, at?: Date): Promise<unknown>;
  /** Invokes any function directly with a raw event (tests, tools). */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  /** Calls `listener` after every invocation of any function (pollers, schedules, routes): the benchmark times each part's invocation. Returns the unsubscribe. */
  onInvocation(listener: (invocation: InvocationRecord) => void): () => void;
  /** Runs `fn` as the function `functionName`, with only its declared environment (tests, benchmarks calling function code directly). */
  runAs<T>(functionName: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Resolves once the table stream's consumers have taken every write made before the call
   * (local/streams.ts): whole-hour metrics and arrival counts are then up to date.
   */
  streamsSettled(timeoutMs?: number): Promise<void>;
  dropSocket(connectionId: string): void;
  connectionIds(): string[];
  stop(): Promise<void>;
}

export interface InvocationRecord {
  functionName: string;
  ms: number;
  /** The handler threw (a thrown queue handler fails its whole batch). */
  threw: boolean;
  /** A queue handler's partial batch failures. */
  failedRecords: number;
  /** Records in the event (an SQS batch's size; 0 for HTTP and schedules). */
  records: number;
}

function listen(server: import("node:http").Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(new Error(`Port ${port} is already in use. Stop whatever uses it or choose another with PORT=<port>.`));
      else reject(error);
    });
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolvePort(typeof address === "object" && address ? address.port : port);
    });
  });
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const root = resolve(import.meta.dirname, "..");
  const keys = await loadOrCreateKeys(options.dataDir);
  const webhookSecret = options.webhookSecret ?? defaultWebhookSecret;
  const { functionList } = await import("../functions/catalog/index.js");
  const handlers = new Map<string, LambdaHandler>();
  const environments = new Map<string, Record<string, string>>();
  const specs = new Map<string, FunctionSpec>(functionList.map((f) => [f.name, f]));
  let ready = false;
  const running = new Map<string, Promise<unknown>>();
  const listeners = new Set<(invocation: InvocationRecord) => void>();
  const observed = (name: string, handler: LambdaHandler): LambdaHandler => async (event, context) => {
    if (listeners.size === 0) return runAsInvocation(context.awsRequestId, () => handler(event, context));
    const started = performance.now();
    let threw = false;
    let response: unknown;
    try {
      response = await runAsInvocation(context.awsRequestId, () => handler(event, context));
      return response;
    } catch (error) {
      threw = true;
      throw error;
    } finally {
      const failures = (response as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
      const records = (event as { Records?: unknown[] } | undefined)?.Records;
      const record = { functionName: name, ms: performance.now() - started, threw, failedRecords: Array.isArray(failures) ? failures.length : 0, records: Array.isArray(records) ? records.length : 0 };
      for (const listener of listeners) listener(record);
    }
  };

  const invoke = async (name: string, event: unknown) => {
    const handler = handlers.get(name);
    if (!handler) throw new Error(`No function named ${name}; known: ${[...handlers.keys()].join(", ")}`);
    const spec = specs.get(name);
    return handler(event, spec ? contextFor(spec) : lambdaContext(name));
  };

  const runSchedule = async (name: string, at: Date = new Date()) => {
    const spec = specs.get(name);
    if (!spec?.triggers.some((t) => t.kind === "schedule")) throw new Error(`${name} is not a scheduled function`);
    // One run at a time per schedule, as EventBridge + a reserved concurrency of 1 would give.
    const previous = running.get(name) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => invoke(name, { source: "aws.events", "detail-type": "Scheduled Event", time: at.toISOString(), detail: {} }));
    running.set(name, run);
    return run;
  };

  // The shop's zone for the console's times; set once the functions' environment is known.
  let shopTimeZone = "Asia/Shanghai";
  const consoleRoutes = createConsoleRoutes({
    keys,
    dir: options.consoleDir,
    config: () => ({ apiUrl: "", wsUrl: `${url.replace(/^http/, "ws")}/ws`, signIn: { kind: "local" }, shopTimeZone }),
  });
  const adminToken = options.testMode ? randomBytes(24).toString("base64url") : undefined;
  // The management API's stage path is a secret of the functions' WS_ENDPOINT: no other local caller can push or close sockets.
  const managementStage = `/_connections/${randomBytes(18).toString("base64url")}`;
  const gateway = createGateway({
    keys,
    limits: { ...apiGatewayLimits, ...(options.limits ?? {}) },
    managementStage,
    adminToken,
    handlers,
    functions: functionList,
    runSchedule,
    isReady: () => ready,
    onError: (error) => log(`[gateway] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    keySource: keyFile(options.dataDir),
    localRoutes: consoleRoutes,
  });
  const port = await listen(gateway.server, options.port);
  const url = `http://127.0.0.1:${port}`;

  let dynamo: DynamoDbLocal | undefined;
  const stops: (() => Promise<void>)[] = [];
  try {
    const dynamoEndpoint = options.dynamoEndpoint ?? (dynamo = await startDynamoDbLocal({ port: await freePort(), dataPath: join(options.dataDir, "dynamodb") })).endpoint;
    const tableName = `${options.prefix}-app`;
    const tableStream = options.tableStream ?? true;
    await ensureTable(dynamoEndpoint, tableName, { stream: tableStream });
    const sqs = await startLocalQueues({ port: 0, prefix: options.prefix });
    // Last of `stops` (pollers and timers are unshifted before it): stop() relies on that order.
    stops.push(sqs.stop);

    // What every function gets. Each function then runs with its own environment on top of this
    // (its plan's queue URLs, secret, push endpoint: local/function-env.ts), scoped to its
    // invocations by runAsFunction (functions/shared/env.ts). The per-function variables stay out
    // of process.env, so code reading them at module load fails here as it would in AWS.
    const shared: Record<string, string> = {
      AWS_REGION: process.env.AWS_REGION ?? "us-east-1",
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "local",
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "local",
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      SQS_ENDPOINT: sqs.endpoint,
      JWT_ISSUER: localIssuer,
      JWT_AUDIENCE: localAudience,
      JWKS_URL: `${url}/.well-known/jwks.json`,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN",
      POWERTOOLS_METRICS_NAMESPACE: "ShiftQueueRouting",
      // EMF lines are for CloudWatch; locally they would drown the log. LOCAL_METRICS=1 shows them.
      POWERTOOLS_METRICS_DISABLED: process.env.LOCAL_METRICS ? "false" : "true",
      POWERTOOLS_SERVICE_NAME: "shift-queue-routing",
      ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && e[0] in settingsSchema.shape)),
      ...(options.env ?? {}),
    };
    // Read before the per-function variables leave process.env: only the functions declaring
    // assignmentCallbacks get them (local/function-env.ts).
    const callbackUrl = options.env?.ASSIGNMENT_CALLBACK_URL ?? process.env.ASSIGNMENT_CALLBACK_URL ?? "";
    const callbackSecret = options.env?.CALLBACK_SECRET ?? process.env.CALLBACK_SECRET ?? webhookSecret;
    shopTimeZone = shared.SHOP_TIME_ZONE ?? shopTimeZone;
    for (const name of Object.keys(process.env)) if (isPerFunctionVariable(name)) delete process.env[name];
    Object.assign(process.env, Object.fromEntries(Object.entries(shared).filter(([name]) => !isPerFunctionVariable(name))));
    const resources: LocalResources = { tableName, queueUrls: sqs.urls, gatewayUrl: url, managementEndpoint: `${url}${managementStage}`, webhookSecret, assignmentCallbackUrl: callbackUrl, callbackSecret, jwtIssuer: localIssuer, jwtAudience: localAudience };

    for (const spec of functionList) {
      const module = (await import(pathToFileURL(join(root, spec.entry)).href)) as Record<string, unknown>;
      const handler = module[spec.handler];
      if (typeof handler !== "function") throw new Error(`${spec.entry} does not export a function "${spec.handler}" (function list entry ${spec.name})`);
      const env = localFunctionEnv(spec, resources, shared);
      environments.set(spec.name, env);
      handlers.set(spec.name, observed(spec.name, (event, context) => runAsFunction(env, () => (handler as LambdaHandler)(event, context))));
    }

    const client = sqsClient(sqs.endpoint);
    const retryDelaySeconds = Number(process.env.LOCAL_RETRY_DELAY_SECONDS ?? "1");
    for (const spec of functionList) {
      for (const trigger of spec.triggers) {
        if (trigger.kind !== "queue") continue;
        const pollers = startPollers({
          client,
          queueUrl: sqs.urls[trigger.queue],
          spec,
          trigger,
          handler: (event, context) => (handlers.get(spec.name) as LambdaHandler)(event, context),
          retryDelaySeconds,
          onError: (error) => log(`[poller ${spec.name}] ${error instanceof Error ? error.message : String(error)}`),
        });
        stops.unshift(pollers.stop);
      }
    }

    const streamConsumers: StreamConsumer[] = [];
    const streamWindowSeconds = Number(process.env.LOCAL_STREAM_WINDOW_SECONDS ?? "1");
    for (const spec of functionList) {
      for (const trigger of spec.triggers) {
        if (trigger.kind !== "stream" || !tableStream) continue;
        const consumer = startStreamConsumer({
          endpoint: dynamoEndpoint,
          tableName,
          spec,
          trigger,
          handler: (event, context) => (handlers.get(spec.name) as LambdaHandler)(event, context),
          windowSeconds: streamWindowSeconds,
          retryDelayMs: retryDelaySeconds * 1000,
          onError: (error) => log(`[stream ${spec.name}] ${error instanceof Error ? error.message : String(error)}`),
        });
        streamConsumers.push(consumer);
        stops.unshift(consumer.stop);
      }
    }

    if (options.schedules === "auto") {
      for (const spec of functionList) {
        for (const trigger of spec.triggers) {
          if (trigger.kind !== "schedule") continue;
          const timer = setInterval(() => {
            runSchedule(spec.name).catch((error: unknown) => log(`[schedule ${spec.name}] ${error instanceof Error ? error.message : String(error)}`));
          }, trigger.everyMinutes * 60_000);
          stops.unshift(async () => clearInterval(timer));
          // Catch up at boot, as after an outage: a restart must not wait a whole period before
          // the sweeper re-drives what the in-memory queues lost or the duty clock moves.
          const catchUp = setTimeout(() => {
            runSchedule(spec.name).catch((error: unknown) => log(`[schedule ${spec.name}] ${error instanceof Error ? error.message : String(error)}`));
          }, 0);
          stops.unshift(async () => clearTimeout(catchUp));
        }
      }
    }

    ready = true;
    return {
      url,
      wsUrl: `${url.replace(/^http/, "ws")}/ws`,
      consoleUrl: options.consoleDir ? `${url}/console/` : undefined,
      keyFile: keyFile(options.dataDir),
      tableName,
      dynamoEndpoint,
      sqsEndpoint: sqs.endpoint,
      queueUrls: sqs.urls,
      dlqUrls: sqs.dlqUrls,
      webhookSecret,
      adminToken,
      token: (role, sub) => mintToken(keys, role, sub),
      runSchedule,
      invoke,
      onInvocation: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      runAs: (name, fn) => {
        const env = environments.get(name);
        if (!env) throw new Error(`No function named ${name}; known: ${[...environments.keys()].join(", ")}`);
        return runAsFunction(env, fn);
      },
      streamsSettled: async (timeoutMs) => {
        if (!tableStream) throw new Error("This local stack runs without the table's stream (tableStream: false): nothing feeds the hourly aggregates or arrival counts");
        await Promise.all(streamConsumers.map((c) => c.settled(timeoutMs)));
      },
      dropSocket: gateway.dropSocket,
      connectionIds: gateway.connectionIds,
      stop: async () => {
        ready = false;
        // Pollers and timers first, all at once (each poller may be in a 1 s long poll), then the queues.
        await Promise.all(stops.slice(0, -1).map((stop) => stop()));
        await stops[stops.length - 1]?.();
        await Promise.allSettled(running.values());
        await gateway.close();
        await dynamo?.stop();
      },
    };
  } catch (error) {
    for (const stop of stops) await stop().catch(() => undefined);
    await gateway.close().catch(() => undefined);
    await dynamo?.stop().catch(() => undefined);
    throw error;
  }
}
