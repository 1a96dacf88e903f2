/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the function list (every http
 * trigger's method, path and auth) and each route's contract (functions/<capability>/contract.ts:
 * request schemas as the entry validates them, response schemas per status). `npm run
 * docs:openapi` writes it to docs/openapi.json, which `GET /openapi.json` serves and the
 * integration tests check every response against (tests/support/contract-check.ts).
 *
 * Not imported by any Lambda bundle: it builds every response schema of the API.
 */
import * as z from "zod/mini";
import { isRawBody, type Contract, type ResponseSpec, type RouteContract, type Schema } from "../shared/contract.js";
import { problemSchema } from "../shared/responses.js";
import { contracts } from "./contracts.js";
import { functionList } from "./index.js";
import type { FunctionSpec, HttpTrigger, RouteAuth } from "./types.js";

type Json = Record<string, unknown>;

export const problemMediaType = "application/problem+json";

/** The problem answers every route may give, by status (components.responses). */
const problemResponses: Record<number, { name: string; description: string }> = {
  400: { name: "BadRequest", description: "Invalid input (path, query, headers or body); `errors` names each invalid field. Nothing was changed." },
  401: { name: "Unauthorized", description: "No valid bearer token or webhook signature." },
  403: { name: "Forbidden", description: "The token's role may not use this route, or an agent named someone else." },
  404: { name: "NotFound", description: "The thing named in the path (or the route) does not exist." },
  409: { name: "Conflict", description: "The change conflicts with the current state (a version, a rule, another writer); nothing was changed." },
  413: { name: "PayloadTooLarge", description: "The body is over API Gateway's 10 MB or the event over Lambda's 6 MB." },
  415: { name: "UnsupportedMediaType", description: "The body is not of the media type the route takes." },
  422: { name: "Unprocessable", description: "Understood but cannot be answered (a forecast no staffing can meet)." },
  500: { name: "InternalError", description: "An unexpected error (logged with the correlation id); the detail says nothing more." },
  503: { name: "Unavailable", description: "A store did not answer or writers contended; nothing was changed. Retry after `Retry-After` seconds." },
};

const securitySchemes = {
  bearer: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A JWT of the Cognito user pool (in AWS) or of the local stack's key (`npm run token`, or the console's sign-in). The role is the token's `cognito:groups` (`supervisor` or `agent`) and the agent id its `sub`; each operation lists the roles it accepts in `x-roles`.",
  },
  webhookSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Signature",
    description: "Machine callers (chat platform, warehouse, order system): `sha256=<hex HMAC-SHA256(secret, timestamp + \".\" + raw body)>` with the webhook secret. Sent with X-Signature-Timestamp.",
  },
  webhookTimestamp: {
    type: "apiKey",
    in: "header",
    name: "X-Signature-Timestamp",
    description: "Unix seconds of the signature; more than 5 minutes off the server's clock is refused (replay).",
  },
} as const;

function securityOf(auth: RouteAuth): { security: Json[]; roles: readonly string[]; words: string } {
  switch (auth.kind) {
    case "public":
      return { security: [], roles: [], words: "No authentication." };
    case "jwt":
      return { security: [{ bearer: [] }], roles: auth.roles, words: `Bearer token with the role ${auth.roles.join(" or ")}.` };
    case "signature":
      return { security: [{ webhookSignature: [], webhookTimestamp: [] }], roles: [], words: "Signed webhook (X-Signature, X-Signature-Timestamp)." };
    case "signature-or-jwt":
      return {
        security: [{ webhookSignature: [], webhookTimestamp: [] }, { bearer: [] }],
        roles: auth.roles,
        words: `Signed webhook (X-Signature, X-Signature-Timestamp), or a bearer token with the role ${auth.roles.join(" or ")}.`,
      };
  }
}

/** `GET /agents/{agentId}/presence` -> `getAgentsAgentIdPresence`. */
export function operationIdOf(method: string, path: string): string {
  const words = path.split("/").filter(Boolean).flatMap((segment) => segment.replace(/[{}]/g, "").split(/[^A-Za-z0-9]+/));
  return method.toLowerCase() + words.map((w) => (w ? w[0]?.toUpperCase() + w.slice(1) : "")).join("");
}

class SchemaConverter {
  readonly components: Record<string, Json> = {};

  /**
   * JSON Schema 2020-12 of a zod schema. Requests as the route parses them (`input`: defaults
   * optional, pipes by what they take), responses as the views write them (`output`). Named
   * schemas (shared/responses.ts `named`) become components, referred to by `$ref`.
   */
  convert(schema: Schema, io: "input" | "output"): Json {
    const json = z.toJSONSchema(schema, {
      target: "draft-2020-12",
      io,
      unrepresentable: "any",
      // Requests inline everything (an input's shape is not a view's); responses name their views.
      ...(io === "input" ? { metadata: this.inputRegistry() } : {}),
    }) as Json;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;
    for (const [id, raw] of Object.entries(defs)) {
      const def = rewriteRefs(raw);
      if (id.startsWith("__")) throw new Error(`An unnamed schema is reused inside a response (${id}); name it with named() in its responses.ts`);
      const known = this.components[id];
      if (known && JSON.stringify(known) !== JSON.stringify(def)) throw new Error(`Two different schemas are named ${id}`);
      this.components[id] = def;
    }
    return rewriteRefs(json);
  }

  /** The global registry's metadata without ids: formats and descriptions, no components. */
  private inputRegistry() {
    // toJSONSchema only calls `get` on its metadata registry.
    return {
      get: (schema: z.core.$ZodType) => {
        const meta = z.globalRegistry.get(schema);
        if (!meta) return undefined;
        const { id: _id, ...rest } = meta;
        return rest;
      },
    } as unknown as z.core.$ZodRegistry<z.core.GlobalMeta>;
  }
}

function rewriteRefs<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, '"#/components/schemas/$1"')) as T;
}

function parametersOf(schema: Schema | undefined, where: "path" | "query" | "header", converter: SchemaConverter): Json[] {
  if (!schema) return [];
  const json = converter.convert(schema, "input");
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

function acceptsNoBody(schema: Schema): boolean {
  return z.safeParse(schema, undefined).success;
}

function responseOf(spec: ResponseSpec, mediaType: string, converter: SchemaConverter): Json {
  return {
    description: spec.description,
    ...(spec.headers
      ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) }
      : {}),
    ...(spec.schema ? { content: { [mediaType]: { schema: converter.convert(spec.schema, "output") } } } : {}),
  };
}

function problemStatusesOf(trigger: HttpTrigger, route: RouteContract): number[] {
  const statuses = new Set<number>([500, 503, ...(route.problems ?? [])]);
  if (route.params || route.query || route.headers || route.body) statuses.add(400);
  if (route.params) statuses.add(404);
  if (route.body) {
    statuses.add(413);
    statuses.add(415);
  }
  if (trigger.auth.kind !== "public") statuses.add(401);
  if (trigger.auth.kind === "jwt" || trigger.auth.kind === "signature-or-jwt") statuses.add(403);
  return [...statuses].sort((a, b) => a - b);
}

function operationOf(spec: FunctionSpec, trigger: HttpTrigger, route: RouteContract, converter: SchemaConverter): Json {
  const { security, roles, words } = securityOf(trigger.auth);
  const tag = spec.entry.split("/")[1] ?? "api";
  const responses: Record<string, Json> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = responseOf(response, Number(status) >= 400 ? problemMediaType : "application/json", converter);
  }
  for (const status of problemStatusesOf(trigger, route)) {
    const problem = problemResponses[status];
    if (!problem) throw new Error(`No shared problem response for ${status}`);
    responses[String(status)] ??= { $ref: `#/components/responses/${problem.name}` };
  }
  let requestBody: Json | undefined;
  if (route.body) {
    requestBody = isRawBody(route.body)
      ? { required: true, description: route.body.description, content: { [route.body.mediaType]: { schema: { type: "string" }, ...(route.body.example ? { example: route.body.example } : {}) } } }
      : { required: !acceptsNoBody(route.body), content: { "application/json": { schema: converter.convert(route.body, "input") } } };
  }
  const parameters = [
    ...parametersOf(route.params, "path", converter),
    ...parametersOf(route.query, "query", converter),
    ...parametersOf(route.headers, "header", converter),
  ];
  return {
    operationId: operationIdOf(trigger.method, trigger.path),
    summary: route.summary,
    description: [route.description, words].filter(Boolean).join("\n\n"),
    tags: [tag],
    "x-function": spec.name,
    ...(roles.length > 0 ? { "x-roles": roles } : {}),
    security,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
  };
}

export interface OpenApiOptions {
  functions?: readonly FunctionSpec[];
  contracts?: Contract;
  version?: string;
}

/** Every http trigger of the function list must have a contract, and every contract a trigger. */
export function buildOpenApi(options: OpenApiOptions = {}): Json {
  const functions = options.functions ?? functionList;
  const routes = options.contracts ?? contracts();
  const converter = new SchemaConverter();
  const paths: Record<string, Record<string, Json>> = {};
  const seen = new Set<string>();
  for (const spec of functions) {
    for (const trigger of spec.triggers) {
      if (trigger.kind !== "http") continue;
      const key = `${trigger.method} ${trigger.path}`;
      const route = routes[key];
      if (!route) throw new Error(`${spec.name}: route "${key}" has no contract (add it to functions/${spec.entry.split("/")[1]}/contract.ts)`);
      seen.add(key);
      (paths[trigger.path] ??= {})[trigger.method.toLowerCase()] = operationOf(spec, trigger, route, converter);
    }
  }
  const orphans = Object.keys(routes).filter((key) => !seen.has(key));
  if (orphans.length > 0) throw new Error(`Contracts for routes not in the function list: ${orphans.join(", ")}`);
  // Named, so converting it puts it among the components (and answers a $ref to it).
  converter.convert(problemSchema, "output");
  const tags = [...new Set(functions.flatMap((f) => (f.triggers.some((t) => t.kind === "http") ? [f.entry.split("/")[1] ?? "api"] : [])))];
  return {
    openapi: "3.1.0",
    info: {
      title: "Shift & queue routing API",
      version: options.version ?? "0.1.0",
      description:
        "Routing of e-commerce customer-service conversations to agents on duty, rota, notices and stock. JSON in and out; instants are ISO-8601 with offset; errors are RFC 9457 problem documents (`application/problem+json`). Generated from the function list and the routes' zod schemas (`npm run docs:openapi`); served at `GET /openapi.json`.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    tags: tags.map((name) => ({ name })),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas: Object.fromEntries(Object.entries(converter.components).sort(([a], [b]) => a.localeCompare(b))),
      responses: Object.fromEntries(
        Object.values(problemResponses).map(({ name, description }) => [name, { description, content: { [problemMediaType]: { schema: { $ref: "#/components/schemas/Problem" } } } }]),
      ),
      securitySchemes,
    },
  };
}

/** The document as written to docs/openapi.json (stable key order, two-space indent). */
export function renderOpenApi(document: Json = buildOpenApi()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
