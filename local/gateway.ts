/**
 * The local API Gateway: one HTTP server that
 * - turns requests into API Gateway v2 (HTTP API) events for the handlers of the function list,
 *   verifying bearer tokens on `jwt` routes as the JWT authorizer does;
 * - serves the agent WebSocket at `/ws` ($connect/$disconnect/$default) and the management API
 *   (`POST|DELETE <stage>/@connections/{id}`) that the functions' ApiGatewayManagementApi client
 *   calls; its stage path carries a random token only the functions' WS_ENDPOINT knows (in AWS
 *   the API takes IAM-signed calls only), so no other local caller can push to or close a socket;
 * - serves `/.well-known/jwks.json` for functions that verify tokens themselves;
 * - in front of the API, the local-only routes it is given (the console and its sign-in, local/console.ts);
 * - answers a token signed by another key with a 401 naming this stack's key file;
 * - mirrors API Gateway's limits: a request body over 10 MB is a 413, an event over Lambda's 6 MB
 *   payload a 413, a body still arriving after 30 s a 408 (all problem+json, answered before the
 *   connection closes);
 * - in test mode only, and only with the local admin token (header `X-Local-Admin-Token`), honours
 *   `X-Local-Time` (the request clock, API Gateway's timeEpoch) and `POST /_local/schedules/{name}`
 *   (run a schedule at an instant). Without test mode neither exists, as in AWS.
 */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { WebSocketServer, type WebSocket } from "ws";
import * as z from "zod/mini";
import type { FunctionSpec, HttpTrigger } from "../functions/catalog/types.js";
import { contextFor, lambdaContext, type LambdaHandler } from "./invoke.js";
import { verifyLocalToken, type LocalKeys } from "./keys.js";

export interface GatewayRoute {
  spec: FunctionSpec;
  trigger: HttpTrigger;
  pattern: RegExp;
  paramNames: string[];
}

/** API Gateway HTTP API and Lambda limits the gateway mirrors; tests lower them. */
export interface GatewayLimits {
  /** HTTP API payload limit: 10 MB. */
  maxRequestBytes: number;
  /** Lambda's synchronous invocation payload limit: 6 MB (the whole event, body included). */
  maxEventBytes: number;
  /** A body still arriving after this is cut (API Gateway's 30 s). */
  bodyTimeoutMs: number;
}

export const apiGatewayLimits: GatewayLimits = { maxRequestBytes: 10 * 1024 * 1024, maxEventBytes: 6 * 1024 * 1024, bodyTimeoutMs: 30_000 };

export interface GatewayOptions {
  keys: LocalKeys;
  limits: GatewayLimits;
  /** Stage path of the WebSocket management API (`/_connections/<random>`), known only to the functions. */
  managementStage: string;
  /** Test mode: the token that unlocks `X-Local-Time` and `/_local/schedules/*`. Absent: they do not exist. */
  adminToken: string | undefined;
  /** Handlers by function name; filled once the environment is ready. */
  handlers: Map<string, LambdaHandler>;
  functions: readonly FunctionSpec[];
  runSchedule: (functionName: string, at: Date) => Promise<unknown>;
  isReady: () => boolean;
  onError: (error: unknown) => void;
  /** Where the signing key lives (e.g. `/tmp/x/jwt-keys.json`): a 401 for a token signed by another key names it. */
  keySource?: string;
  /** Local-only routes tried before the API's (the console and its sign-in: local/console.ts). */
  localRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

function compile(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)\+?\\?\}|\{(\w+)\}/g, (_m, a: string | undefined, b: string | undefined) => {
    paramNames.push(a ?? b ?? "");
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}$`), paramNames };
}

function problem(res: ServerResponse, status: number, title: string, detail: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/problem+json", ...headers });
  res.end(JSON.stringify({ type: `/problems/${title.toLowerCase().replace(/\s+/g, "-")}`, title, status, detail }));
}

type BodyRead = { kind: "body"; body: Buffer } | { kind: "too-large" } | { kind: "too-slow" };

/**
 * Reads a request body within the limits. Past the size limit the rest is read and dropped (not
 * kept), so the client finishes sending and gets the 413 instead of a connection reset.
 */
function readBody(req: IncomingMessage, limits: GatewayLimits): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    const chunks: Buffer[] = [];
    let size = 0;
    let outcome: BodyRead | undefined;
    const timer = setTimeout(() => {
      outcome = { kind: "too-slow" };
      resolve(outcome);
    }, limits.bodyTimeoutMs);
    if (declared > limits.maxRequestBytes) {
      outcome = { kind: "too-large" };
      resolve(outcome);
    }
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (outcome) return;
      if (size > limits.maxRequestBytes) {
        outcome = { kind: "too-large" };
        chunks.length = 0;
        resolve(outcome);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      clearTimeout(timer);
      if (!outcome) resolve({ kind: "body", body: Buffer.concat(chunks) });
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      if (!outcome) reject(error);
    });
  });
}

/**
 * Answers an over-limit or too-slow body as API Gateway would, then closes the connection. An
 * oversized body is still drained (for at most the body timeout) so the client, still sending,
 * reads the 413 instead of a reset; a body too slow to arrive is cut once the 408 is out.
 */
function refuseBody(req: IncomingMessage, res: ServerResponse, read: Exclude<BodyRead, { kind: "body" }>, limits: GatewayLimits) {
  const cut = () => {
    if (!req.complete) req.socket.destroy();
  };
  if (read.kind === "too-large") {
    res.on("finish", () => setTimeout(cut, limits.bodyTimeoutMs).unref());
    return problem(res, 413, "Payload too large", `Request bodies are limited to ${limits.maxRequestBytes} bytes (API Gateway HTTP API's limit).`, { connection: "close" });
  }
  res.on("finish", cut);
  return problem(res, 408, "Request timeout", `The request body did not arrive within ${limits.bodyTimeoutMs / 1000} s (API Gateway's limit).`, { connection: "close" });
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const scheduleRunSchema = z.strictObject({ time: z.optional(z.iso.datetime({ offset: true })) });

/** HTTP API passes array claims to Lambda as the string "[a b]"; we do the same for fidelity. */
function httpApiClaims(payload: Record<string, unknown>): Record<string, string | number | boolean> {
  const claims: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(payload)) {
    claims[k] = Array.isArray(v) ? `[${v.join(" ")}]` : typeof v === "object" && v !== null ? JSON.stringify(v) : (v as string | number | boolean);
  }
  return claims;
}

/** Why the local stack refused a bearer token, in words that lead to the fix. */
function tokenRejection(error: unknown, keySource: string): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
    return `The token was signed with another key than this local stack's (${keySource}), e.g. by \`npm run token\` reading another DATA_DIR. Mint one for this stack: \`PORT=<its port> npm run token -- ...\` asks the running stack, or sign in at /console/.`;
  }
  if (code === "ERR_JWT_EXPIRED") return "The bearer token has expired; mint a new one (`npm run token`, or sign in again).";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return "The bearer token's issuer or audience is not this local stack's; mint one with `npm run token`.";
  return "The bearer token is not a valid JWT (three base64url parts, ES256); mint one with `npm run token`.";
}

export function createGateway(options: GatewayOptions) {
  const routes: GatewayRoute[] = [];
  let socketFunction: FunctionSpec | undefined;
  for (const spec of options.functions) {
    for (const trigger of spec.triggers) {
      if (trigger.kind === "http") routes.push({ spec, trigger, ...compile(trigger.path) });
      if (trigger.kind === "websocket") socketFunction = spec;
    }
  }
  const scheduled = new Set(options.functions.filter((f) => f.triggers.some((t) => t.kind === "schedule")).map((f) => f.name));
  const sockets = new Map<string, WebSocket>();
  /** Connections dropped without a $disconnect (a phone that went away): pushes to them get 410. */
  const vanished = new Set<string>();

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL) {
    const method = req.method ?? "GET";
    // As API Gateway does, a literal segment beats a path parameter (`/stock/drift` before `/stock/{sku}`).
    const candidates = routes.filter((r) => r.pattern.test(url.pathname)).sort((a, b) => a.paramNames.length - b.paramNames.length);
    if (candidates.length === 0) return problem(res, 404, "Not found", `No route for ${method} ${url.pathname}.`);
    const route = candidates.find((r) => r.trigger.method === method);
    if (!route) return problem(res, 405, "Method not allowed", `${url.pathname} does not accept ${method}; it accepts ${candidates.map((c) => c.trigger.method).join(", ")}.`);
    const handler = options.handlers.get(route.spec.name);
    if (!handler || !options.isReady()) return problem(res, 503, "Starting", "The local stack is still starting.");

    const match = route.pattern.exec(url.pathname);
    const pathParameters = Object.fromEntries(route.paramNames.map((n, i) => [n, match?.[i + 1] ?? ""]));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;

    let authorizer: { jwt: { claims: Record<string, string | number | boolean>; scopes: null } } | undefined;
    if (route.trigger.auth.kind === "jwt") {
      const token = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
      if (!token) return problem(res, 401, "Unauthorized", "A bearer token is required (Authorization: Bearer <JWT>). Mint one with `npm run token`.");
      try {
        authorizer = { jwt: { claims: httpApiClaims(await verifyLocalToken(options.keys, token)), scopes: null } };
      } catch (error) {
        return problem(res, 401, "Unauthorized", tokenRejection(error, options.keySource ?? "its data dir's jwt-keys.json"));
      }
    }
    const read = await readBody(req, options.limits);
    if (read.kind !== "body") return refuseBody(req, res, read, options.limits);
    const body = read.body;

    // Test mode only: a test may pin the request time (API Gateway's timeEpoch) with the admin
    // token. Otherwise the header is just a header, as it would be in AWS.
    let timeEpoch = Date.now();
    const localTime = headers["x-local-time"];
    if (localTime !== undefined && options.adminToken !== undefined) {
      if (!sameToken(headers["x-local-admin-token"], options.adminToken)) {
        return problem(res, 403, "Forbidden", "X-Local-Time needs the local admin token (X-Local-Admin-Token) this test-mode stack was started with.");
      }
      const pinned = Date.parse(localTime);
      if (!Number.isFinite(pinned)) return problem(res, 400, "Invalid request", `X-Local-Time must be an ISO-8601 instant, got "${localTime}".`);
      timeEpoch = pinned;
    }
    delete headers["x-local-admin-token"];
    const query = Object.fromEntries(url.searchParams.entries());
    const event = {
      version: "2.0",
      routeKey: `${route.trigger.method} ${route.trigger.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ""),
      headers,
      queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
      pathParameters: route.paramNames.length > 0 ? pathParameters : undefined,
      requestContext: {
        accountId: "000000000000",
        apiId: "local",
        domainName: headers.host ?? "localhost",
        domainPrefix: "local",
        http: { method, path: url.pathname, protocol: "HTTP/1.1", sourceIp: req.socket.remoteAddress ?? "127.0.0.1", userAgent: headers["user-agent"] ?? "" },
        requestId: randomUUID(),
        routeKey: `${route.trigger.method} ${route.trigger.path}`,
        stage: "$default",
        time: new Date(timeEpoch).toISOString(),
        timeEpoch,
        ...(authorizer ? { authorizer } : {}),
      },
      body: body.length > 0 ? body.toString("utf8") : undefined,
      isBase64Encoded: false,
    };
    const eventBytes = Buffer.byteLength(JSON.stringify(event));
    if (eventBytes > options.limits.maxEventBytes) {
      return problem(res, 413, "Payload too large", `The request makes a Lambda event of ${eventBytes} bytes; Lambda accepts at most ${options.limits.maxEventBytes} (its invocation payload limit).`);
    }
    const result = (await handler(event, contextFor(route.spec))) as APIGatewayProxyStructuredResultV2;
    res.writeHead(result.statusCode ?? 200, { ...(result.headers ?? {}) } as Record<string, string>);
    res.end(result.body ?? "");
  }

  /** The WebSocket management API, enough of it for PostToConnection / DeleteConnection. */
  async function handleConnections(req: IncomingMessage, res: ServerResponse, connectionId: string) {
    const socket = sockets.get(connectionId);
    if (!socket) {
      res.writeHead(410, { "content-type": "application/json", "x-amzn-errortype": "GoneException" });
      res.end(JSON.stringify({ message: "Gone" }));
      return;
    }
    if (req.method === "POST") {
      const read = await readBody(req, options.limits);
      if (read.kind !== "body") return refuseBody(req, res, read, options.limits);
      socket.send(read.body.toString("utf8"));
    } else if (req.method === "DELETE") {
      socket.close();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/.well-known/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ keys: [options.keys.publicJwk] }));
    }
    if (url.pathname.startsWith(`${options.managementStage}/@connections/`)) {
      const connectionId = url.pathname.slice(`${options.managementStage}/@connections/`.length);
      if (connectionId && !connectionId.includes("/")) return handleConnections(req, res, decodeURIComponent(connectionId));
    }
    if (options.localRoutes && (await options.localRoutes(req, res, url))) return;
    const schedule = /^\/_local\/schedules\/([^/]+)$/.exec(url.pathname);
    if (schedule?.[1] && options.adminToken !== undefined) return handleScheduleRun(req, res, decodeURIComponent(schedule[1]), options.adminToken);
    return handleApi(req, res, url);
  }

  /** Test mode: `POST /_local/schedules/{name}` with `{ "time"?: ISO instant }` runs a schedule as EventBridge would at that instant. */
  async function handleScheduleRun(req: IncomingMessage, res: ServerResponse, name: string, adminToken: string) {
    if (req.method !== "POST") return problem(res, 405, "Method not allowed", `/_local/schedules/${name} accepts POST.`);
    const header = req.headers["x-local-admin-token"];
    if (!sameToken(Array.isArray(header) ? header[0] : header, adminToken)) {
      return problem(res, 401, "Unauthorized", "Local schedule runs need the local admin token (X-Local-Admin-Token) this test-mode stack was started with.");
    }
    const read = await readBody(req, options.limits);
    if (read.kind !== "body") return refuseBody(req, res, read, options.limits);
    const text = read.body.toString("utf8");
    let input: unknown = {};
    if (text.trim() !== "") {
      try {
        input = JSON.parse(text);
      } catch {
        return problem(res, 400, "Invalid request", "The body must be JSON: {} or { \"time\": \"<ISO-8601 instant with offset>\" }.");
      }
    }
    const parsed = scheduleRunSchema.safeParse(input);
    if (!parsed.success) {
      return problem(res, 400, "Invalid request", `The body is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}.`);
    }
    if (!scheduled.has(name)) return problem(res, 404, "Not found", `No scheduled function named ${name}; known: ${[...scheduled].join(", ")}.`);
    const result = await options.runSchedule(name, parsed.data.time ? new Date(parsed.data.time) : new Date());
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ result: result ?? null }));
  }

  // API Gateway WebSocket messages are at most 128 KB.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 128 * 1024 });

  async function invokeSocket(routeKey: string, connectionId: string, extra: Record<string, unknown> = {}) {
    const handler = socketFunction ? options.handlers.get(socketFunction.name) : undefined;
    if (!handler) return { statusCode: 500 };
    const eventType = routeKey === "$connect" ? "CONNECT" : routeKey === "$disconnect" ? "DISCONNECT" : "MESSAGE";
    return (await handler(
      { requestContext: { connectionId, routeKey, eventType, requestTimeEpoch: Date.now(), stage: "prod", apiId: "local" }, isBase64Encoded: false, ...extra },
      socketFunction ? contextFor(socketFunction) : lambdaContext("socket"),
    )) as { statusCode?: number; body?: string };
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError(error);
      if (!res.headersSent) problem(res, 500, "Internal server error", "The local gateway failed; see its log.");
      else res.end();
    });
  });

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/ws" || !options.isReady()) {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    const connectionId = randomBytes(12).toString("base64url");
    invokeSocket("$connect", connectionId, { queryStringParameters: Object.fromEntries(url.searchParams.entries()) })
      .then((result) => {
        if ((result.statusCode ?? 200) !== 200) {
          socket.end(`HTTP/1.1 ${result.statusCode === 401 ? "401 Unauthorized" : "403 Forbidden"}\r\n\r\n`);
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          sockets.set(connectionId, ws);
          ws.on("message", (data: Buffer) => {
            invokeSocket("$default", connectionId, { body: data.toString("utf8") })
              .then((r) => r.body && ws.send(r.body))
              .catch(options.onError);
          });
          ws.on("close", () => {
            sockets.delete(connectionId);
            if (vanished.delete(connectionId)) return;
            invokeSocket("$disconnect", connectionId).catch(options.onError);
          });
        });
      })
      .catch((error: unknown) => {
        options.onError(error);
        socket.end("HTTP/1.1 500 Internal Server Error\r\n\r\n");
      });
  });

  return {
    server,
    /** Closes every WebSocket (used by tests to simulate a phone going away without a $disconnect). */
    dropSocket(connectionId: string) {
      vanished.add(connectionId);
      sockets.get(connectionId)?.terminate();
      sockets.delete(connectionId);
    },
    connectionIds: () => [...sockets.keys()],
    async close() {
      for (const ws of sockets.values()) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
