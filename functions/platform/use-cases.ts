/**
 * Platform use cases: agent WebSocket connections and the audit trail.
 */
import { onAgentArrival } from "../agents/arrival.js";
import { auditTrailPage, type AuditPage } from "../shared/audit.js";
import { callerFromClaims, verifyBearer } from "../shared/auth.js";
import { forgetConnection, recordConnection } from "./store.js";

export type ConnectOutcome = { accepted: true } | { accepted: false; reason: string };

/**
 * An agent or supervisor opens the WebSocket.
 *
 * Primary course: verify the token (browsers cannot set headers on a WebSocket, so it comes as
 * a query parameter); record the connection under its holder; an agent connecting "arrives"
 * (late-joiner notices are delivered).
 */
export async function connect(connectionId: string, token: string | undefined, nowMs: number): Promise<ConnectOutcome> {
  if (!token) return { accepted: false, reason: "token query parameter required" };
  let caller;
  try {
    caller = callerFromClaims(await verifyBearer(token));
  } catch {
    return { accepted: false, reason: "invalid token" };
  }
  if (caller.kind !== "user") return { accepted: false, reason: "not a user token" };
  await recordConnection(connectionId, caller, nowMs);
  if (caller.role === "agent") await onAgentArrival(caller.sub, new Date(nowMs), "connect");
  return { accepted: true };
}

/** The WebSocket closed: forget exactly that connection. */
export function disconnect(connectionId: string): Promise<void> {
  return forgetConnection(connectionId);
}

/** The audit trail of one entity, oldest first (its first 500 entries). */
export async function auditTrailOf(entity: string, entityId: string): Promise<AuditPage> {
  return auditTrailPage(entity, entityId, { limit: 500 });
}
