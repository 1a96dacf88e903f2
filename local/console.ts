/**
 * The console in the local stack (issue 16):
 * - `POST /local/token` `{ role, sub }` → `{ token, role, sub, expiresAt }`: the local sign-in,
 *   signed with this stack's key. It exists only here: the AWS build has no such route (the
 *   console signs in with Cognito there; tests/infra/local-only.test.ts checks it). It asks for
 *   `Content-Type: application/json`, so a page of another origin cannot call it without a CORS
 *   preflight, which this server never grants.
 * - `GET /console/config.json`: where the console finds the API and the WebSocket, and how it signs in.
 * - `GET /console/*`: the built console (console/dist), `index.html` for every path that is not
 *   a file (the SPA's own routes); `/` and `/console` redirect to `/console/`.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import * as z from "zod/mini";
import { agentIdSchema } from "../functions/agents/domain.js";
import { mintToken, type LocalKeys } from "./keys.js";

/** How long a console sign-in lasts by default (a working day; tokens live in the page's memory only). */
export const consoleTokenTtlSeconds = 12 * 3600;

export const localTokenRequestSchema = z.strictObject({
  role: z.enum(["supervisor", "agent"]),
  sub: agentIdSchema,
  /** 1 minute to 7 days (`npm run token -- --ttl`). */
  ttlSeconds: z.optional(z.number().check(z.int(), z.minimum(60), z.maximum(7 * 86_400))),
});
export type LocalTokenRequest = z.infer<typeof localTokenRequestSchema>;

export interface LocalTokenResponse {
  token: string;
  role: LocalTokenRequest["role"];
  sub: string;
  expiresAt: string;
}

/** What the console reads at start (`/console/config.json`); in AWS the deployment writes it beside the files. */
export interface ConsoleConfig {
  /** Base URL of the HTTP API; "" is the console's own origin. */
  apiUrl: string;
  /** The WebSocket URL (the token goes in its `token` query parameter). */
  wsUrl: string;
  /**
   * `local`: the Role / User ID form backed by `POST /local/token`; `cognito` (the AWS build's
   * config.json, infra/build-app.ts): the managed login with authorization code + PKCE.
   */
  signIn: { kind: "local" } | { kind: "cognito"; domain: string; clientId: string; redirectUri: string; logoutUri: string; scopes: string[] };
  /** The shop's IANA time zone: shift ends and notice times are shown in it. */
  shopTimeZone: string;
  /**
   * Seconds between the supervisor's safety re-reads of the wall and receipts, besides the pushes
   * and the re-read on each reconnect (default 60; the browser tests set it very long to prove
   * the pushes alone move the wall).
   */
  safetyRefreshSeconds?: number;
}

export interface ConsoleRoutesOptions {
  keys: LocalKeys;
  /** console/dist, or undefined when the console is not served (the API-only test stacks). */
  dir: string | undefined;
  config: () => ConsoleConfig;
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** What CloudFront's response-headers policy will add in AWS, kept the same here. */
const securityHeaders = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": status >= 400 ? "application/problem+json" : "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

function problem(res: ServerResponse, status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
  json(res, status, { type: `/problems/${title.toLowerCase().replace(/\s+/g, "-")}`, title, status, detail, ...extra });
}

async function readJson(req: IncomingMessage, limit = 4096): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new SyntaxError("body too large");
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
}

async function issueToken(req: IncomingMessage, res: ServerResponse, keys: LocalKeys) {
  if (req.method !== "POST") return problem(res, 405, "Method not allowed", "/local/token accepts POST { role, sub }.");
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    return problem(res, 415, "Unsupported media type", 'Send Content-Type: application/json with { "role": "supervisor" | "agent", "sub": "<user id>" }.');
  }
  let body: unknown;
  try {
    body = await readJson(req);
  } catch {
    return problem(res, 400, "Invalid request", 'The body must be JSON: { "role": "supervisor" | "agent", "sub": "<user id>" }.');
  }
  const parsed = z.safeParse(localTokenRequestSchema, body);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
    return problem(res, 400, "Invalid request", `The body is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}.`, { errors });
  }
  const { role, sub, ttlSeconds = consoleTokenTtlSeconds } = parsed.data;
  const token = await mintToken(keys, role, sub, `${ttlSeconds}s`);
  const response: LocalTokenResponse = { token, role, sub, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
  json(res, 200, response);
}

function serveFile(res: ServerResponse, file: string, immutable: boolean, head: boolean) {
  res.writeHead(200, {
    "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
    "content-length": String(statSync(file).size),
    // Vite names assets by content hash; index.html must always be fresh to point at them.
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    ...securityHeaders,
  });
  if (head) return res.end();
  createReadStream(file).pipe(res);
}

/**
 * The console's routes; returns false for any other path (the API's, handled by the gateway).
 *
 * @example
 * const consoleRoutes = createConsoleRoutes({ keys, dir: "console/dist", config: () => ({ ... }) });
 * if (await consoleRoutes(req, res, url)) return;
 */
export function createConsoleRoutes(options: ConsoleRoutesOptions) {
  const root = options.dir ? resolve(options.dir) : undefined;
  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path === "/local/token") {
      await issueToken(req, res, options.keys);
      return true;
    }
    if (path !== "/" && path !== "/console" && !path.startsWith("/console/")) return false;
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") {
      problem(res, 405, "Method not allowed", `${path} accepts GET.`);
      return true;
    }
    if (path === "/" || path === "/console") {
      if (path === "/" && !root) return false;
      res.writeHead(302, { location: `/console/${url.search}` });
      res.end();
      return true;
    }
    if (path === "/console/config.json") {
      json(res, 200, options.config());
      return true;
    }
    if (!root || !existsSync(join(root, "index.html"))) {
      problem(res, 404, "Not found", "The console is not built. `npm start` builds it (console/dist).");
      return true;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(path.slice("/console/".length));
    } catch {
      problem(res, 400, "Invalid request", "Malformed percent-encoding in the path.");
      return true;
    }
    const file = resolve(root, relative);
    const inside = file === root || file.startsWith(root + sep);
    if (inside && relative !== "" && existsSync(file) && statSync(file).isFile()) {
      serveFile(res, file, relative.startsWith("assets/"), method === "HEAD");
      return true;
    }
    if (relative.startsWith("assets/")) {
      problem(res, 404, "Not found", `No console asset ${relative}.`);
      return true;
    }
    serveFile(res, join(root, "index.html"), false, method === "HEAD");
    return true;
  };
}
