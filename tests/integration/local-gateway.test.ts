/**
 * The local gateway on its own (fake functions, no AWS emulators): local-only helpers exist only
 * in test mode and only with the admin token; body limits answer problem+json like API Gateway
 * instead of resetting the connection.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionSpec } from "../../functions/catalog/types.js";
import { apiGatewayLimits, createGateway, type GatewayLimits } from "../../local/gateway.js";
import type { LambdaHandler } from "../../local/invoke.js";
import { loadOrCreateKeys } from "../../local/keys.js";

const echo: FunctionSpec = {
  name: "EchoApi",
  entry: "tests/fake.ts",
  handler: "handler",
  description: "echoes the request time and body size",
  triggers: [{ kind: "http", method: "POST", path: "/echo", auth: { kind: "public" } }],
  access: { table: "none" },
};
const job: FunctionSpec = { name: "Job", entry: "tests/fake.ts", handler: "handler", description: "a schedule", triggers: [{ kind: "schedule", everyMinutes: 1 }], access: { table: "none" } };

interface Running {
  url: string;
  runs: Date[];
  close(): Promise<void>;
}

const dirs: string[] = [];
async function start(options: { adminToken?: string; limits?: Partial<GatewayLimits> } = {}): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "sqr-gw-"));
  dirs.push(dir);
  const runs: Date[] = [];
  const handler: LambdaHandler = async (event) => {
    const e = event as { requestContext: { timeEpoch: number }; body?: string; headers: Record<string, string> };
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ timeEpoch: e.requestContext.timeEpoch, bytes: e.body?.length ?? 0, headers: e.headers }) };
  };
  const gateway = createGateway({
    keys: await loadOrCreateKeys(dir),
    limits: { ...apiGatewayLimits, ...(options.limits ?? {}) },
    managementStage: "/_connections/stage-secret",
    adminToken: options.adminToken,
    handlers: new Map([["EchoApi", handler]]),
    functions: [echo, job],
    runSchedule: async (_name, at) => {
      runs.push(at);
      return { ok: true };
    },
    isReady: () => true,
    onError: () => undefined,
  });
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = gateway.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, runs, close: () => gateway.close() };
}

async function call(base: Running, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const response = await fetch(`${base.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Sends `head` of a body that declares `declared` bytes, then stops; resolves with the status the gateway answers. */
function slowBody(base: Running, declared: number, head: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base.url}/echo`, { method: "POST", headers: { "content-type": "application/json", "content-length": String(declared) } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.write(head);
  });
}

const hourAgo = new Date(Date.now() - 3_600_000).toISOString();

let plain: Running;
let testMode: Running;
beforeAll(async () => {
  plain = await start();
  testMode = await start({ adminToken: "admin-token-for-tests", limits: { maxRequestBytes: 4096, maxEventBytes: 3072, bodyTimeoutMs: 300 } });
});
afterAll(async () => {
  await plain.close();
  await testMode.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("local-only helpers", () => {
  it("outside test mode, X-Local-Time is an ordinary header and the schedule trigger does not exist", async () => {
    const echoed = await call(plain, "POST", "/echo", { "x-local-time": hourAgo }, "{}");
    expect(Math.abs(Number(echoed.body.timeEpoch) - Date.now())).toBeLessThan(60_000);
    const schedule = await call(plain, "POST", "/_local/schedules/Job", { "x-local-admin-token": "admin-token-for-tests" }, "{}");
    expect(schedule.status).toBe(404);
    expect(plain.runs).toEqual([]);
  });

  it("in test mode, X-Local-Time needs the admin token", async () => {
    const refused = await call(testMode, "POST", "/echo", { "x-local-time": hourAgo }, "{}");
    expect(refused).toMatchObject({ status: 403, type: "application/problem+json" });
    expect(String(refused.body.detail)).toContain("X-Local-Admin-Token");
    expect((await call(testMode, "POST", "/echo", { "x-local-time": hourAgo, "x-local-admin-token": "wrong-token-of-same-size" }, "{}")).status).toBe(403);
    const pinned = await call(testMode, "POST", "/echo", { "x-local-time": hourAgo, "x-local-admin-token": "admin-token-for-tests" }, "{}");
    expect(pinned.body.timeEpoch).toBe(Date.parse(hourAgo));
    expect(pinned.body.headers).not.toHaveProperty("x-local-admin-token");
    expect((await call(testMode, "POST", "/echo", { "x-local-time": "soon", "x-local-admin-token": "admin-token-for-tests" }, "{}")).status).toBe(400);
  });

  it("in test mode, schedule runs need the admin token, and bad bodies are 400s, not 500s", async () => {
    const admin = { "x-local-admin-token": "admin-token-for-tests", "content-type": "application/json" };
    expect((await call(testMode, "POST", "/_local/schedules/Job", {}, "{}")).status).toBe(401);
    for (const bad of ["{nope", '{"time":"2099"}', '{"time":"2099-01-01T00:00:00"}', '{"time":5}', '{"at":"2099-01-01T00:00:00Z"}', "[]"]) {
      const answer = await call(testMode, "POST", "/_local/schedules/Job", admin, bad);
      expect(answer, bad).toMatchObject({ status: 400, type: "application/problem+json" });
    }
    expect((await call(testMode, "POST", "/_local/schedules/NoSuchJob", admin, "{}")).status).toBe(404);
    expect(testMode.runs).toEqual([]);
    const ran = await call(testMode, "POST", "/_local/schedules/Job", admin, '{"time":"2030-05-01T08:00:00+08:00"}');
    expect(ran).toMatchObject({ status: 200, body: { result: { ok: true } } });
    expect(testMode.runs).toEqual([new Date("2030-05-01T00:00:00Z")]);
  });

  it("the WebSocket management API answers only under the functions' secret stage path", async () => {
    expect((await call(plain, "POST", "/@connections/some-connection", {}, "hello")).status).toBe(404);
    expect((await call(plain, "DELETE", "/@connections/some-connection")).status).toBe(404);
    // Under the stage path the API is there: an unknown connection is Gone, as in AWS.
    expect((await call(plain, "POST", "/_connections/stage-secret/@connections/some-connection", {}, "hello")).status).toBe(410);
  });
});

describe("body limits", () => {
  it("a body over the request limit is a 413 problem, not a connection reset", async () => {
    const answer = await call(testMode, "POST", "/echo", { "content-type": "application/json" }, JSON.stringify({ pad: "x".repeat(10_000) }));
    expect(answer).toMatchObject({ status: 413, type: "application/problem+json" });
    expect(String(answer.body.detail)).toContain("4096 bytes");
  });

  it("with the real limits, an 11 MB body is answered 413 (it was a connection reset past 1 MiB)", async () => {
    const answer = await call(plain, "POST", "/echo", { "content-type": "application/json" }, JSON.stringify({ pad: "x".repeat(11 * 1024 * 1024) }));
    expect(answer).toMatchObject({ status: 413, type: "application/problem+json" });
    const lambdaLimit = await call(plain, "POST", "/echo", { "content-type": "application/json" }, JSON.stringify({ pad: "x".repeat(7 * 1024 * 1024) }));
    expect(lambdaLimit).toMatchObject({ status: 413 });
    expect(String(lambdaLimit.body.detail)).toContain("Lambda accepts at most 6291456");
    expect((await call(plain, "POST", "/echo", { "content-type": "application/json" }, JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }))).body.bytes).toBeGreaterThan(2 * 1024 * 1024);
  });

  it("an event over Lambda's payload limit is a 413 naming that limit", async () => {
    const answer = await call(testMode, "POST", "/echo", { "content-type": "application/json" }, JSON.stringify({ pad: "x".repeat(3500) }));
    expect(answer).toMatchObject({ status: 413, type: "application/problem+json" });
    expect(String(answer.body.detail)).toMatch(/Lambda accepts at most 3072/);
    expect((await call(testMode, "POST", "/echo", { "content-type": "application/json" }, JSON.stringify({ pad: "x".repeat(100) }))).status).toBe(200);
  });

  it("a body still arriving after the body timeout is cut with a 408 problem", async () => {
    const answer = await slowBody(testMode, 2000, '{"pad":"');
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 408, title: "Request timeout" });
  });

  it("mirrors API Gateway's real limits by default", () => {
    expect(apiGatewayLimits).toEqual({ maxRequestBytes: 10 * 1024 * 1024, maxEventBytes: 6 * 1024 * 1024, bodyTimeoutMs: 30_000 });
  });
});
