/**
 * The stack the benchmark measures: an in-memory DynamoDB Local (its own JVM) and the local
 * stack (fauxqs, gateway, pollers, every function in this process), schedules manual so no
 * timer job runs in the middle of a measurement. Function logs are silenced.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signBody } from "../../functions/shared/auth.js";
import { startDynamoDbLocal } from "../../local/dynamodb.js";
import { freePort } from "../../local/ports.js";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { sqsClient } from "../../local/sqs.js";
import { startLocalStack, type LocalStack } from "../../local/stack.js";

export interface BenchStack {
  stack: LocalStack;
  /** HTTP call to the stack; `signed` applies the webhook HMAC, `as` a bearer token. */
  api(method: string, path: string, options?: { as?: string; body?: unknown; signed?: boolean }): Promise<{ status: number; body: unknown }>;
  /** Every finished handler invocation so far, in order (the local stack's `onInvocation`); `at` is when it ended. */
  invocations: { functionName: string; ms: number; failed: boolean; at: number }[];
  /**
   * Resolves true once every queue of the stack is empty (nothing visible, nothing in flight) and no
   * handler invocation has ended for `quietMs`; false when that has not happened within `timeoutMs`.
   */
  idle(quietMs: number, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** A chat platform's callback endpoint that takes every assignment callback (200), so deliveries succeed. */
async function startCallbackSink(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks` };
}

/**
 * The functions' log level under `DEBUG_STACK`: unset silences them (their output would skew the
 * figures), a level name (`WARN`, `ERROR`) shows that level up (the scale bench's failed
 * invocations without 20,000 agents' INFO lines), anything else shows INFO.
 */
export function debugLogLevel(setting: string | undefined): string {
  if (!setting) return "SILENT";
  const level = setting.toUpperCase();
  return ["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"].includes(level) ? level : "INFO";
}

/**
 * `callbacks`: assignment callbacks on, delivered to a local endpoint that answers 200.
 * `dynamoRequestTimeoutMs`: the functions' DynamoDB request timeout (DYNAMODB_REQUEST_TIMEOUT_MS), for the scale bench.
 */
export async function startBenchStack(options: { callbacks?: boolean; dynamoRequestTimeoutMs?: number } = {}): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "sqr-bench-"));
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const sink = options.callbacks ? await startCallbackSink() : undefined;
  let stack: LocalStack;
  const invocations: BenchStack["invocations"] = [];
  try {
    stack = await startLocalStack({
      port: 0,
      dataDir,
      dynamoEndpoint: dynamo.endpoint,
      prefix: `bench${randomUUID().slice(0, 6)}`,
      schedules: "manual",
      env: {
        POWERTOOLS_LOG_LEVEL: debugLogLevel(process.env.DEBUG_STACK),
        ...(sink ? { ASSIGNMENT_CALLBACK_URL: sink.url } : {}),
        ...(options.dynamoRequestTimeoutMs ? { DYNAMODB_REQUEST_TIMEOUT_MS: String(options.dynamoRequestTimeoutMs) } : {}),
      },
      log: (line) => {
        if (process.env.DEBUG_STACK) process.stderr.write(`${line}\n`);
      },
    });
  } catch (error) {
    await dynamo.stop();
    sink?.server.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  stack.onInvocation((i) => invocations.push({ functionName: i.functionName, ms: i.ms, failed: i.threw || i.failedRecords > 0, at: Date.now() }));
  const api: BenchStack["api"] = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body !== undefined) headers["content-type"] = "application/json";
    if (options.as) headers.authorization = `Bearer ${options.as}`;
    if (options.signed) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      headers["x-signature-timestamp"] = timestamp;
      headers["x-signature"] = signBody(stack.webhookSecret, timestamp, body ?? "");
    }
    const response = await fetch(`${stack.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  };
  const queues = sqsClient(stack.sqsEndpoint);
  const queueDepth = async (url: string) => {
    const { Attributes } = await queues.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  };
  const idle = async (quietMs: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const lastEnded = invocations.at(-1)?.at ?? 0;
      if (Date.now() - lastEnded >= quietMs) {
        const depths = await Promise.all(Object.values(stack.queueUrls).map(queueDepth));
        if (depths.every((n) => n === 0)) return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  };
  return {
    stack,
    api,
    invocations,
    idle,
    stop: async () => {
      queues.destroy();
      await stack.stop();
      await dynamo.stop();
      await new Promise<void>((resolve) => (sink ? sink.server.close(() => resolve()) : resolve()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
