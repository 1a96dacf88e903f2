/**
 * Platform use cases: health of the stores, agent WebSocket connections and the audit trail.
 */
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { onAgentArrival } from "../agents/arrival.js";
import { isActive } from "../agents/domain.js";
import { getAgent } from "../agents/store.js";
import { auditTrailPage, type AuditPage } from "../shared/audit.js";
import { callerFromClaims } from "../shared/auth.js";
import { verifyBearer } from "../shared/auth-token.js";
import { StoreUnavailableError } from "../shared/errors.js";
import { logger } from "../shared/logger.js";
import { queueUrl, sqs } from "../shared/sqs.js";
import { dynamo, isStoreUnreachable, tableName } from "../shared/table/index.js";
import { forgetConnection, recordConnection } from "./store.js";

export type Part = StoreUnavailableError["part"];
export type PartState = "ok" | "unreachable" | "failing";

/**
 * A probe answers within this time or its part counts as unreachable: a paused store must not
 * hold `/health` (the SDK's own timeouts and retries would take up to 15 s).
 */
export const probeDeadlineMs = 2_500;

export interface Health {
  parts: Record<Part, PartState>;
  /** DynamoDB's table status when it answered (`ACTIVE`). */
  table?: string;
}

async function probe(part: Part, run: (signal: AbortSignal) => Promise<void>): Promise<PartState> {
  try {
    await run(AbortSignal.timeout(probeDeadlineMs));
    return "ok";
  } catch (error) {
    const unreachable = error instanceof StoreUnavailableError || isStoreUnreachable(error);
    logger.error("Health probe failed", { part, unreachable, error: error as Error });
    return unreachable ? "unreachable" : "failing";
  }
}

/**
 * Checks every store this backend depends on.
 *
 * Primary course: describe the table (DynamoDB) and read one attribute of the conversations
 * queue (SQS), both at once, each within `probeDeadlineMs`; report each part's state.
 */
export async function checkHealth(): Promise<Health> {
  let table: string | undefined;
  const [dynamoState, sqsState] = await Promise.all([
    probe("DynamoDB", async (abortSignal) => {
      table = (await dynamo.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal })).Table?.TableStatus;
    }),
    probe("SQS", async (abortSignal) => {
      await sqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl("conversations"), AttributeNames: ["QueueArn"] }), { abortSignal });
    }),
  ]);
  return { parts: { DynamoDB: dynamoState, SQS: sqsState }, ...(table ? { table } : {}) };
}

/** The failing parts of a health report, DynamoDB first. */
export function failingParts(health: Health): Part[] {
  return (Object.keys(health.parts) as Part[]).filter((part) => health.parts[part] !== "ok");
}

export type ConnectOutcome = { accepted: true } | { accepted: false; reason: string; status?: 401 | 403 };

/**
 * An agent or supervisor opens the WebSocket.
 *
 * Primary course: verify the token (browsers cannot set headers on a WebSocket, so it comes as
 * a query parameter); refuse a deactivated agent (403); record the connection under its holder;
 * an agent connecting "arrives" (late-joiner notices are delivered).
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
  if (caller.role === "agent") {
    const agent = await getAgent(caller.sub);
    if (agent && !isActive(agent)) return { accepted: false, reason: "agent deactivated", status: 403 };
  }
  await recordConnection(connectionId, caller, nowMs);
  if (caller.role === "agent") await onAgentArrival(caller.sub, new Date(nowMs), "connect");
  return { accepted: true };
}

/** The WebSocket closed: forget exactly that connection. */
export function disconnect(connectionId: string): Promise<void> {
  return forgetConnection(connectionId);
}

/**
 * One page of an entity's audit trail.
 *
 * Primary course: read `limit` entries after the cursor in time order (oldest first unless
 * `newestFirst`), and a cursor for the next page when more follow.
 */
export function auditTrailOf(entity: string, entityId: string, page: { limit: number; cursor?: string; newestFirst: boolean }): Promise<AuditPage> {
  return auditTrailPage(entity, entityId, page);
}
