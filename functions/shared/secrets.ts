/**
 * Secrets Manager, loaded only by the functions that read a secret (through `webhookSecret` in
 * auth.ts). A secret is fetched once per container; a failed fetch is not cached, so the next
 * request tries again instead of failing for the container's life.
 */
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { baseEnv, perFunction } from "./env.js";

const client = new SecretsManagerClient({ region: baseEnv().AWS_REGION });

const fetched = perFunction(() => new Map<string, Promise<string>>());

async function fetchSecret(secretId: string): Promise<string> {
  const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!result.SecretString) throw new Error(`The secret ${secretId} has no string value`);
  return result.SecretString;
}

/** The secret's string value, cached per container once fetched. */
export function secretString(secretId: string): Promise<string> {
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
