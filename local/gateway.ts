/**
 * The local API Gateway: one HTTP server that
 * - turns requests into API Gateway v2 (HTTP API) events for the handlers of the function list,
 *   verifying bearer tokens on `jwt` routes as the JWT authorizer does;
 * - serves the agent WebSocket at `/ws` ($connect/$disconnect/$default) and the management API
 *   (`POST /@connections/{id}`) that the functions' ApiGatewayManagementApi client calls;
 * - serves `/.well-known/jwks.json` for functions that verify tokens themselves;
 * - exposes `/_local/...` helpers (run a schedule at a given instant) that exist only locally.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { WebSocketServer, type WebSocket } from "ws";
import type { FunctionSpec, HttpTrigger } from "../functions/catalog/types.js";
import { lambdaContext, type LambdaHandler } from "./invoke.js";
import { verifyLocalToken, type LocalKeys } from "./keys.js";

export interface GatewayRoute {
  spec: FunctionSpec;
  trigger: HttpTrigger;
  pattern: RegExp;
  paramNames: string[];
}

export interface GatewayOptions {
  keys: LocalKeys;
  /** Handlers by function name; filled once the environment is ready. */
  handlers: Map<string, LambdaHandler>;
  functions: readonly FunctionSpec[];
  runSchedule: (functionName: string, at: Date) => Promise<unknown>;
  isReady: () => boolean;
  onError: (error: unknown) => void;
}

function compile(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)\+?\\?\}|\{(\w+)\}/g, (_m, a: string | undefined, b: string | undefined) => {
    paramNames.push(a ?? b ?? "");
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}$`), paramNames };
}

function problem(res: ServerResponse, status: number, title: string, detail: string) {
  res.writeHead(status, { "content-type": "application/problem+json" });
  res.end(JSON.stringify({ type: `/problems/${title.toLowerCase().replace(/\s+/g, "-")}`, title, status, detail }));
}

const maxBodyBytes = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** HTTP API passes array claims to Lambda as the string "[a b]"; we do the same for fidelity. */
function httpApiClaims(payload: Record<string, unknown>): Record<string, string | number | boolean> {
  const claims: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(payload)) {
    claims[k] = Array.isArray(v) ? `[${v.join(" ")}]` : typeof v === "object" && v !== null ? JSON.stringify(v) : (v as string | number | boolean);
  }
  return claims;
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
      } catch {
        return problem(res, 401, "Unauthorized", "The bearer token is invalid or expired.");
      }
    }
    const body = await readBody(req);
    if (body === undefined) return problem(res, 413, "Payload too large", `Bodies are limited to ${maxBodyBytes} bytes.`);

    // Local-only controllable clock: tests may pin the request time (API Gateway's timeEpoch).
    const pinned = headers["x-local-time"] ? Date.parse(headers["x-local-time"]) : NaN;
    const timeEpoch = Number.isFinite(pinned) ? pinned : Date.now();
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
    const result = (await handler(event, lambdaContext(route.spec.name))) as APIGatewayProxyStructuredResultV2;
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
      const body = (await readBody(req)) ?? Buffer.alloc(0);
      socket.send(body.toString("utf8"));
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
    const connection = /^\/@connections\/([^/]+)$/.exec(url.pathname);
    if (connection?.[1]) return handleConnections(req, res, decodeURIComponent(connection[1]));
    const schedule = /^\/_local\/schedules\/([^/]+)$/.exec(url.pathname);
    if (schedule?.[1] && req.method === "POST") {
      const body = (await readBody(req))?.toString("utf8") ?? "";
      const at = body ? new Date((JSON.parse(body) as { time?: string }).time ?? Date.now()) : new Date();
      const result = await options.runSchedule(schedule[1], at);
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ result: result ?? null }));
    }
    return handleApi(req, res, url);
  }

  const wss = new WebSocketServer({ noServer: true });

  async function invokeSocket(routeKey: string, connectionId: string, extra: Record<string, unknown> = {}) {
    const handler = socketFunction ? options.handlers.get(socketFunction.name) : undefined;
    if (!handler) return { statusCode: 500 };
    const eventType = routeKey === "$connect" ? "CONNECT" : routeKey === "$disconnect" ? "DISCONNECT" : "MESSAGE";
    return (await handler(
      { requestContext: { connectionId, routeKey, eventType, requestTimeEpoch: Date.now(), stage: "prod", apiId: "local" }, isBase64Encoded: false, ...extra },
      lambdaContext(socketFunction?.name ?? "socket"),
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
