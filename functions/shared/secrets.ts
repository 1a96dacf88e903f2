/**
 * The webhook secret: the variable locally, Secrets Manager in AWS. Only the functions that verify
 * signatures import this module (through shared/http-signed.ts), so the others do not bundle or
 * load the Secrets Manager client. The secret is fetched once per container; a failed fetch is not
 * kept, so the next request tries again instead of failing for the container's life.
 */
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { baseEnv, functionEnv, functionName, perFunction } from "./env.js";

// Built on the first fetch, not at cold start (building an SDK client resolves its whole
// configuration; a secret is fetched once per container anyway).
const client = perFunction(() => new SecretsManagerClient({ region: baseEnv().AWS_REGION }));

const fetched = perFunction(() => new Map<string, Promise<string>>());

async function fetchSecret(secretId: string): Promise<string> {
  const result = await client().send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!result.SecretString) throw new Error(`The secret ${secretId} has no string value`);
  return result.SecretString;
}

/** The secret's string value, cached per container once fetched. */
function secretString(secretId: string): Promise<string> {
  const cache = fetched();
  const cached = cache.get(secretId);
  if (cached) return cached;
  const value = fetchSecret(secretId);
  cache.set(secretId, value);
  value.catch(() => {
    if (cache.get(secretId) === value) cache.delete(secretId);
  });
  return value;
}

/** The webhook secret this function verifies signatures with; only functions that declare it get one. */
export async function webhookSecret(): Promise<string> {
  const env = baseEnv();
  if (env.WEBHOOK_SECRET) return env.WEBHOOK_SECRET;
  if (!env.WEBHOOK_SECRET_ARN) {
    throw new Error(
      `Invalid environment: neither WEBHOOK_SECRET (local) nor WEBHOOK_SECRET_ARN (AWS) is set, so ${functionName()} cannot verify webhook signatures. ` +
        "Give it a signature route or declare access.webhookSecret in its entry in functions/*/functions.ts.",
    );
  }
  return secretString(env.WEBHOOK_SECRET_ARN);
}

/**
 * The secret assignment callbacks are signed with: `CALLBACK_SECRET` locally (the local stack
 * defaults it to the webhook secret), the Secrets Manager secret `CALLBACK_SECRET_ARN` in AWS.
 * Only the function declaring `assignmentCallbacks: "deliver"` gets either.
 */
export async function callbackSecret(): Promise<string> {
  const env = functionEnv();
  if (env.CALLBACK_SECRET) return env.CALLBACK_SECRET;
  if (!env.CALLBACK_SECRET_ARN) {
    throw new Error(`Invalid environment: neither CALLBACK_SECRET (local) nor CALLBACK_SECRET_ARN (AWS) is set, so ${functionName()} cannot sign assignment callbacks. Declare access.assignmentCallbacks: "deliver" in its entry in functions/*/functions.ts.`);
  }
  return secretString(env.CALLBACK_SECRET_ARN);
}
