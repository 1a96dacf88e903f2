/**
 * Environment, parsed once at cold start with zod so a misconfigured function fails fast
 * with a message naming the variable, instead of misbehaving on its first request.
 */
import * as z from "zod";

const baseEnvSchema = z.object({
  AWS_REGION: z.string().default("us-east-1"),
  TABLE_NAME: z.string().min(1),
  /** Local stack only: DynamoDB Local / fauxqs endpoints. Absent in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  SQS_ENDPOINT: z.url().optional(),
  /** WebSocket management API endpoint (https://{api}.execute-api.{region}.amazonaws.com/{stage}). */
  WS_ENDPOINT: z.url().optional(),
  /** Local: the secret itself. AWS: the Secrets Manager ARN, read once at cold start. */
  WEBHOOK_SECRET: z.string().min(16).optional(),
  WEBHOOK_SECRET_ARN: z.string().optional(),
  /** Verifying bearer tokens inside a function (routes that accept signature or JWT, WebSocket $connect). */
  JWT_ISSUER: z.string().optional(),
  JWKS_URL: z.url().optional(),
  JWT_AUDIENCE: z.string().optional(),
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;

/** Parses `source` against `schema`, throwing one readable error listing every bad variable. */
export function parseEnv<T extends z.ZodType>(schema: T, source: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`Invalid environment for this function:\n${lines.join("\n")}\nSet these variables (see README, "Configuration").`);
  }
  return result.data;
}

let cached: BaseEnv | undefined;

/** The variables every function shares; parsed on first use and cached for the container's life. */
export function baseEnv(): BaseEnv {
  cached ??= parseEnv(baseEnvSchema);
  return cached;
}

/** Integer configuration with a default, e.g. thresholds settable per environment. */
export function intSetting(name: string, fallback: number, source: NodeJS.ProcessEnv = process.env): number {
  const raw = source[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`Invalid environment: ${name} must be a number, got "${raw}"`);
  return value;
}
