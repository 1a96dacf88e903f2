/**
 * In-function bearer-token verification with jose. Only the functions that verify tokens
 * themselves import this module (signature-or-JWT routes through shared/http-signed.ts, the
 * WebSocket `$connect`), so the others do not bundle or load jose.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { baseEnv, perFunction } from "./env.js";
import { UnauthorizedError } from "./errors.js";

/** The issuer's key set, fetched and cached by jose; one per container. */
const keySet = perFunction(() => {
  const { JWKS_URL } = baseEnv();
  if (!JWKS_URL) throw new Error("Invalid environment: JWKS_URL and JWT_ISSUER are required to verify tokens");
  return createRemoteJWKSet(new URL(JWKS_URL));
});

/** Verifies a bearer token inside a function (routes without an API Gateway authorizer); 401 when invalid or expired. */
export async function verifyBearer(token: string): Promise<JWTPayload> {
  const env = baseEnv();
  if (!env.JWT_ISSUER) throw new Error("Invalid environment: JWKS_URL and JWT_ISSUER are required to verify tokens");
  try {
    const { payload } = await jwtVerify(token, keySet(), {
      issuer: env.JWT_ISSUER,
      // Comma-separated: the app client's tokens and the console's (infra/console-stack.ts).
      ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE.split(",") } : {}),
    });
    return payload;
  } catch (error) {
    throw new UnauthorizedError("The bearer token is invalid or expired.", { cause: error });
  }
}
