/**
 * The standard HTTP chain: every HTTP function is `httpApi(spec, routes)`. middy runs
 * context injection, correlation id, authentication/role checks (taken from the function list,
 * so the route's roles are written once) and the problem+json error handler.
 */
import { randomUUID } from "node:crypto";
import middy from "@middy/core";
import { atInvocationEnd } from "./invocation.js";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import * as z from "zod/mini";
import type { FunctionSpec, HttpTrigger, RouteAuth } from "../catalog/types.js";
import { callerFromClaims, verifySignature, type Caller } from "./auth.js";
import { AppError, ForbiddenError, StoreUnavailableError, UnauthorizedError, UnsupportedMediaTypeError, ValidationError, toProblem, type FieldError } from "./errors.js";
import { logger, withLogKeys } from "./logger.js";

export interface HttpRequest {
  routeKey: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  rawBody: string;
  caller: Caller;
  /** Request time from API Gateway; the one clock a request sees. */
  now: Date;
  correlationId: string;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: HttpRequest) => Promise<HttpResult>;

type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

function lowerCaseHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function rawBodyOf(event: HttpEvent): string {
  if (!event.body) return "";
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

function requireRole(caller: Caller, roles: readonly string[]): Caller {
  if (caller.kind !== "user") throw new UnauthorizedError("A bearer token is required.");
  if (!roles.includes(caller.role)) {
    throw new ForbiddenError(`This route needs the role ${roles.join(" or ")}; the token's role is ${caller.role}.`);
  }
  return caller;
}

/**
 * How a function checks machine callers and tokens it verifies itself. Only functions with such
 * routes get one, so the others bundle neither jose nor Secrets Manager: shared/http-signed.ts
 * (signatures and bearer tokens) or shared/http-webhook.ts (signatures only, no jose).
 */
export interface RequestVerifiers {
  webhookSecret(): Promise<string>;
  /** Only for `signature-or-jwt` routes. */
  verifyBearer?(token: string): Promise<Record<string, unknown>>;
}

/** What a route needs verified in the function: nothing, a signature, or a signature or a bearer token. */
function needsVerifiers(auth: RouteAuth, verifiers: RequestVerifiers | undefined): boolean {
  if (auth.kind === "signature") return !verifiers;
  if (auth.kind === "signature-or-jwt") return !verifiers?.verifyBearer;
  return false;
}

async function authenticate(auth: RouteAuth, event: HttpEvent, headers: Record<string, string | undefined>, rawBody: string, nowMs: number, verifiers: RequestVerifiers | undefined): Promise<Caller> {
  switch (auth.kind) {
    case "public":
      return { kind: "anonymous" };
    case "jwt": {
      // The API Gateway JWT authorizer (or the local gateway) has already verified the token.
      const claims = event.requestContext.authorizer?.jwt?.claims;
      if (!claims) throw new UnauthorizedError("A bearer token is required.");
      return requireRole(callerFromClaims(claims, headers.authorization), auth.roles);
    }
    case "signature": {
      if (!verifiers) throw new Error("A signature route needs the verifiers of shared/http-signed.ts");
      verifySignature(await verifiers.webhookSecret(), { timestamp: headers["x-signature-timestamp"], signature: headers["x-signature"] }, rawBody, nowMs);
      return { kind: "machine" };
    }
    case "signature-or-jwt": {
      if (!verifiers?.verifyBearer) throw new Error("A signature-or-jwt route needs the verifiers of shared/http-signed.ts");
      const authorization = headers.authorization;
      if (authorization) {
        const match = /^Bearer\s+(.+)$/i.exec(authorization);
        if (!match?.[1]) throw new UnauthorizedError("Authorization must be `Bearer <token>`.");
        return requireRole(callerFromClaims(await verifiers.verifyBearer(match[1])), auth.roles);
      }
      verifySignature(await verifiers.webhookSecret(), { timestamp: headers["x-signature-timestamp"], signature: headers["x-signature"] }, rawBody, nowMs);
      return { kind: "machine" };
    }
  }
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}, contentType = "application/json"): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { "content-type": contentType, ...headers },
    body: body === undefined ? "" : JSON.stringify(body),
  };
}

/** Errors already logged inside their request's log scope (with its correlation id). */
const logged = new WeakSet<object>();

function logRejection(error: unknown): void {
  const problem = toProblem(error);
  if (problem.status >= 500) logger.error("Unhandled error", { error: error as Error });
  else logger.info("Request rejected", { status: problem.status, detail: problem.detail });
  if (typeof error === "object" && error !== null) logged.add(error);
}

/** Builds the Lambda handler for an HTTP function from its function-list entry and route table. */
export function httpApi(spec: FunctionSpec, routes: Record<string, RouteHandler>, verifiers?: RequestVerifiers) {
  const triggers = new Map<string, HttpTrigger>();
  for (const t of spec.triggers) if (t.kind === "http") triggers.set(`${t.method} ${t.path}`, t);
  // Fail fast at cold start if the route table and the function list disagree.
  for (const key of Object.keys(routes)) if (!triggers.has(key)) throw new Error(`${spec.name}: route "${key}" has a handler but is not in the function list`);
  for (const key of triggers.keys()) if (!routes[key]) throw new Error(`${spec.name}: route "${key}" is in the function list but has no handler`);
  const unverified = [...triggers.entries()].filter(([, t]) => needsVerifiers(t.auth, verifiers)).map(([key]) => key);
  if (unverified.length > 0) {
    throw new Error(`${spec.name}: routes ${unverified.join(", ")} verify signatures or tokens in the function; build it with httpApi from shared/http-signed.ts (or shared/http-webhook.ts when every such route is a signature alone)`);
  }

  const dispatch = async (event: HttpEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const routeKey = event.routeKey;
    const headers = lowerCaseHeaders(event.headers);
    const correlationId = headers["x-correlation-id"] ?? event.requestContext.requestId ?? randomUUID();
    // The request's own logger: the local stack serves concurrent requests in one process.
    return withLogKeys({ correlationId, routeKey }, async () => {
      try {
        const trigger = triggers.get(routeKey);
        const route = routes[routeKey];
        if (!trigger || !route) throw new Error(`${spec.name} received unknown route ${routeKey}`);
        const rawBody = rawBodyOf(event);
        const nowMs = event.requestContext.timeEpoch;
        const caller = await authenticate(trigger.auth, event, headers, rawBody, nowMs, verifiers);
        const result = await route({
          routeKey,
          params: decodePathParameters(event.pathParameters ?? {}),
          query: event.queryStringParameters ?? {},
          headers,
          rawBody,
          caller,
          now: new Date(nowMs),
          correlationId,
        });
        return jsonResponse(result.status, result.body, { "x-correlation-id": correlationId, ...(result.headers ?? {}) });
      } catch (error) {
        logRejection(error);
        throw error;
      }
    }, context);
  };

  return middy<HttpEvent, APIGatewayProxyStructuredResultV2>()
    .use({
      // Registered first so its onError runs last: every error ends as problem+json.
      onError: (request) => {
        const error = request.error;
        const problem = toProblem(error);
        if (!error || !logged.has(error)) {
          // Thrown outside the route (e.g. middy's timeout): still logged with this request's keys and context.
          const correlationId = lowerCaseHeaders(request.event.headers)["x-correlation-id"] ?? request.event.requestContext?.requestId ?? "";
          withLogKeys({ correlationId, routeKey: request.event.routeKey }, () => logRejection(error), request.context);
        }
        const retryAfter: Record<string, string> = error instanceof StoreUnavailableError ? { "retry-after": String(error.retryAfterSeconds) } : {};
        request.response = jsonResponse(problem.status, problem, retryAfter, "application/problem+json");
      },
    })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    // What the request noted for the supervisors' wall goes out once, before the answer.
    .use(atInvocationEnd())
    .handler(dispatch);
}

/** Path parameters, percent-decoded; malformed encoding (`%E0%A4%A`, a lone `%`) is the caller's 400. */
function decodePathParameters(raw: Record<string, string | undefined>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      params[name] = decodeURIComponent(value ?? "");
    } catch {
      throw new ValidationError(`The path parameter ${name} is not valid percent-encoding.`, { errors: [{ field: name, message: "malformed percent-encoding" }] });
    }
  }
  return params;
}

/** Turns zod issues into the problem document's `errors` list. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((issue) => ({ field: issue.path.map(String).join(".") || "(body)", message: issue.message }));
}

/** Validates `value` with `schema`; a failure is a 400 naming every invalid field. */
export function validate<S extends z.core.$ZodType>(schema: S, value: unknown, what = "request body"): z.infer<S> {
  const result = z.safeParse(schema, value);
  if (!result.success) throw new ValidationError(`The ${what} is invalid.`, { errors: fieldErrors(result.error.issues) });
  return result.data;
}

/** `application/json` or a `+json` type, with any parameters (`; charset=utf-8`). */
function isJsonMediaType(contentType: string): boolean {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type);
}

/**
 * Parses a JSON body and validates it. A body declared as another media type (`text/plain`, a
 * form) is a 415; a body without a Content-Type is read as JSON.
 */
export function jsonBody<S extends z.core.$ZodType>(request: HttpRequest, schema: S): z.infer<S> {
  const contentType = request.headers["content-type"];
  if (request.rawBody !== "" && contentType !== undefined && !isJsonMediaType(contentType)) {
    throw new UnsupportedMediaTypeError(`This route takes a JSON body (Content-Type: application/json), got Content-Type "${contentType}".`);
  }
  let parsed: unknown;
  try {
    parsed = request.rawBody === "" ? undefined : JSON.parse(request.rawBody);
  } catch {
    throw new ValidationError("The request body is not valid JSON.", { errors: [{ field: "(body)", message: "malformed JSON" }] });
  }
  return validate(schema, parsed);
}

/** The calling user, or 401. */
export function userOf(request: HttpRequest): Extract<Caller, { kind: "user" }> {
  if (request.caller.kind !== "user") throw new UnauthorizedError("A bearer token is required.");
  return request.caller;
}

/** Actor name for audit records: the user's id and role, or `system:<source>` for machine callers. */
export function actorOf(request: HttpRequest, machineName = "webhook"): string {
  return request.caller.kind === "user" ? `${request.caller.role}:${request.caller.sub}` : `system:${machineName}`;
}

/** Agents may act only as themselves; supervisors act for anyone. */
export function requireSelfOrSupervisor(request: HttpRequest, agentId: string): void {
  const user = userOf(request);
  if (user.role === "agent" && user.sub !== agentId) throw new ForbiddenError(`An agent may act only as itself (token is for ${user.sub}, path names ${agentId}).`);
}

export { AppError };
