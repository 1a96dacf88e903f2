/**
 * The local stack's token issuer: an ES256 key pair created on first start and kept with the
 * data, so tokens minted with `npm run token` stay valid across restarts. Tokens carry the
 * same claims a Cognito ID token does (`sub`, `cognito:groups`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload, type CryptoKey } from "jose";

export const localIssuer = "urn:local:shift-queue-routing";
export const localAudience = "shift-queue-routing-local";
const keyId = "local-1";

export interface LocalKeys {
  publicJwk: JWK;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** Where the key pair of a data dir lives. */
export const keyFile = (dataDir: string) => join(dataDir, "jwt-keys.json");

export async function loadOrCreateKeys(dataDir: string): Promise<LocalKeys> {
  const file = keyFile(dataDir);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const pair = await generateKeyPair("ES256", { extractable: true });
    const stored = { privateJwk: await exportJWK(pair.privateKey), publicJwk: await exportJWK(pair.publicKey) };
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  const stored = JSON.parse(readFileSync(file, "utf8")) as { privateJwk: JWK; publicJwk: JWK };
  return {
    publicJwk: { ...stored.publicJwk, kid: keyId, alg: "ES256", use: "sig" },
    privateKey: (await importJWK(stored.privateJwk, "ES256")) as CryptoKey,
    publicKey: (await importJWK(stored.publicJwk, "ES256")) as CryptoKey,
  };
}

export type TokenRole = "supervisor" | "agent";

export async function mintToken(keys: LocalKeys, role: TokenRole, sub: string, ttl = "12h"): Promise<string> {
  return new SignJWT({ "cognito:groups": [role], token_use: "id" })
    .setProtectedHeader({ alg: "ES256", kid: keyId })
    .setIssuer(localIssuer)
    .setAudience(localAudience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(keys.privateKey);
}

/** What the API Gateway JWT authorizer does: verify signature, issuer, audience, expiry. */
export async function verifyLocalToken(keys: LocalKeys, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys.publicKey, { issuer: localIssuer, audience: localAudience });
  return payload;
}
