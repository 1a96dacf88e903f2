/**
 * Caller identity. Users carry a JWT (Cognito in AWS, the local key locally) whose
 * `cognito:groups` claim names their role; machine callers sign the raw body with HMAC-SHA256.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Role } from "../catalog/types.js";
import { UnauthorizedError } from "./errors.js";

export type Caller =
  | { kind: "user"; sub: string; role: Role }
  | { kind: "machine" }
  | { kind: "anonymous" };

/** Maximum clock difference accepted on a webhook signature (replay window). */
export const signatureToleranceSeconds = 300;

/**
 * Reads the role from claims. HTTP API passes array claims as the string `[a b]`; tokens
 * verified in-function carry a real array. A user in both groups acts as supervisor.
 */
export function roleFromClaims(claims: Record<string, unknown>): Role | undefined {
  const raw = claims["cognito:groups"];
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === "string"
      ? raw.replace(/^\[|\]$/g, "").split(/[\s,]+/).filter(Boolean)
      : [];
  if (groups.includes("supervisor")) return "supervisor";
  if (groups.includes("agent")) return "agent";
  return undefined;
}

/**
 * The user a verified token names. API Gateway hands array claims over flattened, so the groups
 * `["agent supervisor"]` and `["agent", "supervisor"]` both arrive as `"[agent supervisor]"`.
 * Given `bearer` — the `Authorization` header whose token the authorizer verified — the groups
 * are read from the token itself, exactly: only a group named `supervisor` makes a supervisor.
 */
export function callerFromClaims(claims: Record<string, unknown>, bearer?: string): Caller {
  const sub = claims.sub;
  let groupsFrom = claims;
  if (bearer !== undefined && typeof claims["cognito:groups"] === "string") {
    const payloadPart = /^Bearer\s+[\w-]+\.([\w-]+)\.[\w-]*$/i.exec(bearer)?.[1];
    let payload: unknown;
    try {
      payload = payloadPart ? JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8")) : undefined;
    } catch {
      payload = undefined;
    }
    if (typeof payload !== "object" || payload === null || (payload as { sub?: unknown }).sub !== sub) {
      throw new UnauthorizedError("The bearer token does not match the claims the authorizer verified.");
    }
    groupsFrom = payload as Record<string, unknown>;
  }
  const role = roleFromClaims(groupsFrom);
  if (typeof sub !== "string" || sub.length === 0 || !role) {
    throw new UnauthorizedError("The token carries no subject or no supervisor/agent group.");
  }
  return { kind: "user", sub, role };
}

/** `sha256=<hex>` over `timestamp + "." + rawBody`, the design's webhook convention. */
export function signBody(secretValue: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secretValue).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

/**
 * Checks a webhook signature; throws 401 with the reason when missing, stale or wrong.
 * Constant-time comparison so the signature cannot be guessed byte by byte.
 */
export function verifySignature(
  secretValue: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  nowMs: number,
): void {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) throw new UnauthorizedError("Missing X-Signature-Timestamp or X-Signature header.");
  if (!/^\d{1,12}$/.test(timestamp)) throw new UnauthorizedError(`X-Signature-Timestamp must be unix seconds, got "${timestamp}".`);
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > signatureToleranceSeconds) {
    throw new UnauthorizedError(`Signature timestamp is ${Math.round(skew)} s away from now (more than ${signatureToleranceSeconds} s): rejected as a possible replay.`);
  }
  if (!/^sha256=[0-9a-f]{64}$/i.test(signature)) {
    throw new UnauthorizedError('X-Signature must be "sha256=" followed by 64 hex digits (HMAC-SHA256 of timestamp + "." + raw body).');
  }
  const expected = Buffer.from(signBody(secretValue, timestamp, rawBody));
  const given = Buffer.from(signature.toLowerCase());
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new UnauthorizedError("The webhook signature does not match the body.");
  }
}
