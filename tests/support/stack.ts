/**
 * Integration-test harness: starts the real local stack (DynamoDB Local from the global setup,
 * fauxqs, gateway, pollers) in this test file's process, and gives typed helpers to call it.
 *
 * @example
 * const stack = useLocalStack();
 * it("creates an agent", async () => {
 *   const res = await stack().api("PUT", "/agents/a1", { as: await stack().supervisor(), body: {...} });
 * });
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import WebSocket from "ws";
import { signBody } from "../../functions/shared/auth.js";
import { startLocalStack, type LocalStack } from "../../local/stack.js";
import { contractChecker } from "./contract-check.js";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  /** Bearer token. */
  as?: string;
  body?: unknown;
  /** Raw body (e.g. CSV); sent as-is. */
  raw?: string;
  headers?: Record<string, string>;
  /** Sign the body as a webhook (design's HMAC convention). */
  signed?: boolean | { timestamp?: number; secret?: string };
  /** Pin the request time (local gateway only): a controllable clock for tests. */
  at?: Date;
}

export interface TestStack extends LocalStack {
  api<T = any>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  supervisor(sub?: string): Promise<string>;
  agentToken(agentId: string): Promise<string>;
  /** A unique id for this file's entities, e.g. `uid("agent")`. */
  uid(prefix: string): string;
  /** Opens an agent WebSocket and collects the messages it receives. */
  connect(token: string): Promise<{ socket: WebSocket; messages: unknown[]; close(): Promise<void>; waitFor(predicate: (m: any) => boolean, timeoutMs?: number): Promise<any> }>;
  /** Polls `probe` until it returns a truthy value (for asynchronous SQS effects). */
  eventually<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
}

export function useLocalStack(
  options: {
    env?: Record<string, string>;
    /** A DynamoDB Local of the file's own (outage tests pause it). */ dynamoEndpoint?: () => string;
    /** Serve the built console from this folder (browser tests). */ consoleDir?: string;
    /**
     * Run the table's change stream (local/stack.ts `tableStream`): only files that read what it
     * feeds (whole-hour metrics, arrival counts) turn it on, since it halves DynamoDB Local's writes.
     */
    tableStream?: boolean;
  } = {},
): () => TestStack {
  let stack: TestStack | undefined;
  let dataDir = "";
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "sqr-test-"));
    const local = await startLocalStack({
      port: 0,
      dataDir,
      dynamoEndpoint: options.dynamoEndpoint?.() ?? inject("dynamoEndpoint"),
      prefix: `t${randomUUID().slice(0, 8)}`,
      schedules: "manual",
      tableStream: options.tableStream ?? false,
      ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
      // X-Local-Time and the schedule triggers exist only in test mode, with the admin token.
      testMode: true,
      // Function logs are silent unless DEBUG_STACK is set (expected failures, e.g. poison messages, are noisy).
      env: { POWERTOOLS_LOG_LEVEL: process.env.DEBUG_STACK ? "INFO" : "SILENT", ...(options.env ?? {}) },
      log: (line) => {
        if (process.env.DEBUG_STACK) console.error(line);
      },
    });
    const api: TestStack["api"] = async (method, path, call = {}) => {
      const headers: Record<string, string> = { ...(call.headers ?? {}) };
      const body = call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
      if (call.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
      if (call.as) headers.authorization = `Bearer ${call.as}`;
      if (call.at) {
        headers["x-local-time"] = call.at.toISOString();
        headers["x-local-admin-token"] = local.adminToken ?? "";
      }
      if (call.signed) {
        const opts = typeof call.signed === "object" ? call.signed : {};
        const timestamp = String(opts.timestamp ?? Math.floor((call.at?.getTime() ?? Date.now()) / 1000));
        headers["x-signature-timestamp"] = timestamp;
        headers["x-signature"] = signBody(opts.secret ?? local.webhookSecret, timestamp, body ?? "");
      }
      const response = await fetch(`${local.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      // Every response is checked against the published contract (docs/openapi.json, built from the code).
      const broken = contractChecker().check(method, path, response.status, response.headers.get("content-type"), parsed);
      if (broken.length > 0) throw new Error(`The response breaks the API contract (docs/openapi.json):\n  ${broken.join("\n  ")}\nbody: ${JSON.stringify(parsed).slice(0, 500)}`);
      return { status: response.status, body: parsed as never, headers: response.headers };
    };
    const eventually: TestStack["eventually"] = async (probe, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    stack = {
      ...local,
      api,
      eventually,
      supervisor: (sub = "sup-test") => local.token("supervisor", sub),
      agentToken: (agentId) => local.token("agent", agentId),
      uid: (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`,
      connect: async (token) => {
        const socket = new WebSocket(`${local.wsUrl}?token=${encodeURIComponent(token)}`);
        const messages: unknown[] = [];
        const waiters: { predicate: (m: any) => boolean; resolve: (m: unknown) => void }[] = [];
        socket.on("message", (data: Buffer) => {
          const message: unknown = JSON.parse(data.toString("utf8"));
          messages.push(message);
          for (const w of [...waiters]) if (w.predicate(message)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(message);
          }
        });
        await new Promise<void>((resolve, reject) => {
          socket.once("open", () => resolve());
          socket.once("error", reject);
          socket.once("unexpected-response", (_req, res) => reject(new Error(`WebSocket refused: ${res.statusCode}`)));
        });
        return {
          socket,
          messages,
          close: () => new Promise<void>((resolve) => {
            socket.once("close", () => resolve());
            socket.close();
          }),
          waitFor: (predicate, timeoutMs = 10_000) => {
            const found = messages.find(predicate);
            if (found) return Promise.resolve(found);
            return new Promise((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error("no matching WebSocket message in time")), timeoutMs);
              waiters.push({ predicate, resolve: (m) => { clearTimeout(timer); resolve(m); } });
            });
          },
        };
      },
    };
  });
  afterAll(async () => {
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return () => {
    if (!stack) throw new Error("local stack not started (use inside tests, after beforeAll)");
    return stack;
  };
}
