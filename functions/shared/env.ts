/**
 * Environment, parsed once at cold start with zod so a misconfigured function fails fast
 * with a message naming the variable, instead of misbehaving on its first request.
 *
 * Whose environment: in Lambda a process runs one function, so it is `process.env`. The local
 * stack runs every function in one process, and a module-level copy of `process.env` would hold
 * the union of what all functions get, so a function that forgot to declare a queue or a push in
 * its function-list entry would pass every local test and fail only in AWS. So the local stack
 * runs each invocation inside {@link runAsFunction} with that function's own environment (built
 * from its deployment plan), and everything here that reads a function's own values — `baseEnv`,
 * `settings`, `queueUrl` (sqs.ts), the webhook secret (secrets.ts), the push endpoint — reads
 * {@link functionEnv}; caches of such values are kept per environment ({@link perFunction}), so
 * one function's cached secret or client is never another's. (Loading each function in its own
 * module instance or worker would load the SDK seventeen times and serialise every event; an
 * AsyncLocalStorage scope keeps one module graph.) Code that runs at module load sees
 * `process.env`, which the local stack limits to what every function gets.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as z from "zod/mini";
import { en } from "zod/locales";
import { parseSettings, type FunctionSettings } from "../catalog/settings.js";

const scope = new AsyncLocalStorage<NodeJS.ProcessEnv>();

/** The environment of the function running now: its local scope, or `process.env` (Lambda). */
export function functionEnv(): NodeJS.ProcessEnv {
  return scope.getStore() ?? process.env;
}

/**
 * Runs `fn` (a handler invocation and everything it awaits) as the function whose environment is `env`.
 * The local stack's runtime calls this; Lambda code never needs it.
 *
 * @example
 * await runAsFunction({ TABLE_NAME: "t", AWS_LAMBDA_FUNCTION_NAME: "Router" }, () => handler(event, context));
 */
export function runAsFunction<T>(env: NodeJS.ProcessEnv, fn: () => T): T {
  return scope.run(env, fn);
}

/** The running function's name, for error messages. */
export function functionName(): string {
  return functionEnv().AWS_LAMBDA_FUNCTION_NAME ?? "this function";
}

/**
 * A value created once per function environment (once per container in Lambda). A `create` that
 * throws caches nothing, so the next call tries again.
 */
export function perFunction<T>(create: () => T): () => T {
  const cache = new WeakMap<object, { value: T }>();
  return () => {
    const env = functionEnv();
    let entry = cache.get(env);
    if (!entry) {
      entry = { value: create() };
      cache.set(env, entry);
    }
    return entry.value;
  };
}

/**
 * zod/mini loads no locale, so every message would read "Invalid input". The English messages
 * ("Too small: expected string to have >=1 characters") are part of the HTTP contract (the 400's
 * `errors[].message`) and of stored-item and environment errors. Every function loads this module
 * (settings and the table client read it), so setting it here sets it before any parse.
 */
z.config(en());

const baseEnvSchema = z.object({
  AWS_REGION: z._default(z.string(), "us-east-1"),
  TABLE_NAME: z.string().check(z.minLength(1)),
  /** Local stack only: DynamoDB Local / fauxqs endpoints. Absent in AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  SQS_ENDPOINT: z.optional(z.url()),
  /**
   * Local stack only: the DynamoDB client's per-attempt request timeout, ms (default 2,000, the
   * deployed value). The scale bench raises it: DynamoDB Local takes seconds for a 1 MB page of a
   * 20,000-agent table on a busy 2-core machine, where AWS answers in tens of milliseconds.
   */
  DYNAMODB_REQUEST_TIMEOUT_MS: z.optional(z.pipe(z.string().check(z.regex(/^[1-9][0-9]{2,5}$/, "must be 100-999999 (ms)")), z.transform(Number))),
  /** WebSocket management API endpoint (https://{api}.execute-api.{region}.amazonaws.com/{stage}); only for `pushesToAgents`. */
  WS_ENDPOINT: z.optional(z.url()),
  /** Local: the secret itself. AWS: the Secrets Manager ARN, read once at cold start. Only for functions that verify signatures. */
  WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(16))),
  WEBHOOK_SECRET_ARN: z.optional(z.string()),
  /** Verifying bearer tokens inside a function (routes that accept signature or JWT, WebSocket $connect). */
  JWT_ISSUER: z.optional(z.string()),
  JWKS_URL: z.optional(z.url()),
  JWT_AUDIENCE: z.optional(z.string()),
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;

/** Parses `source` against `schema`, throwing one readable error listing every bad variable. */
export function parseEnv<T extends z.core.$ZodType>(schema: T, source: NodeJS.ProcessEnv = functionEnv()): z.infer<T> {
  const result = z.safeParse(schema, source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`Invalid environment for this function:\n${lines.join("\n")}\nSet these variables (see README, "Configuration").`);
  }
  return result.data;
}

/**
 * The thresholds of functions/catalog/settings.ts as this function's environment sets them,
 * parsed once per container with their ranges and defaults. `baseEnv()` parses them too, so a bad
 * value fails the function at cold start. These are only the defaults: a supervisor may have
 * changed any of them live, so use cases read `currentSettings()` (functions/settings/current.ts).
 *
 * @example
 * const deployed = settings().HANDOVER_GRACE_MINUTES; // the default; in force: (await currentSettings()).HANDOVER_GRACE_MINUTES
 */
export const settings: () => FunctionSettings = perFunction(() => parseSettings(functionEnv(), `environment of ${functionName()}`));

/** The variables every function shares; parsed on first use (at module load) and cached for the container's life. */
export const baseEnv: () => BaseEnv = perFunction(() => {
  settings();
  return parseEnv(baseEnvSchema);
});

/** The WebSocket management endpoint; only functions that declare `pushesToAgents` have one. */
export function pushEndpoint(): string {
  const endpoint = baseEnv().WS_ENDPOINT;
  if (!endpoint) {
    throw new Error(`Invalid environment: WS_ENDPOINT is not set, so ${functionName()} cannot push to agents. Declare access.pushesToAgents in its entry in functions/*/functions.ts.`);
  }
  return endpoint;
}
