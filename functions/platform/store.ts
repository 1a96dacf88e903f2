/**
 * DynamoDB adapter for WebSocket connections. A connection lives under whoever holds it — an
 * agent's under the agent (`AgentConnection`), supervisors' in one partition
 * (`SupervisorConnection`) — so a push finds them with one query; a `ConnectionOwner` record
 * maps the connection id back to its holder, because `$disconnect` names only the connection.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { AgentConnection, ConnectionOwner, SupervisorConnection, batchWrite, dynamo, queryAll, tableName, transact } from "../shared/table/index.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";

/** Whose connections: one agent's, or every supervisor's. */
export type ConnectionHolder = { role: "agent"; agentId: string } | { role: "supervisor" };

/** API Gateway closes a WebSocket connection after 2 h; the records expire a minute later. */
const connectionLifetimeSeconds = 2 * 60 * 60 + 60;

function connectionKey(holder: ConnectionHolder, connectionId: string) {
  return holder.role === "agent" ? AgentConnection.key({ agentId: holder.agentId, connectionId }) : SupervisorConnection.key({ connectionId });
}

/**
 * Records a new connection and its owner in one transaction.
 *
 * @example
 * await recordConnection("abc=", { role: "agent", sub: "li.na" }, Date.now());
 */
export async function recordConnection(connectionId: string, user: { role: "agent" | "supervisor"; sub: string }, nowMs: number): Promise<void> {
  const value = { connectionId, sub: user.sub, role: user.role, connectedAt: new Date(nowMs).toISOString(), expiresAtEpoch: Math.floor(nowMs / 1000) + connectionLifetimeSeconds };
  const connection = user.role === "agent" ? AgentConnection.item({ ...value, agentId: user.sub }) : SupervisorConnection.item(value);
  await transact([
    { Put: { TableName: tableName, Item: connection } },
    { Put: { TableName: tableName, Item: ConnectionOwner.item({ connectionId, sub: user.sub, role: user.role, expiresAtEpoch: value.expiresAtEpoch }) } },
  ]);
}

/** Forgets a closed connection: its record under the holder and the owner record. Idempotent. */
export async function forgetConnection(connectionId: string): Promise<void> {
  const ownerKey = ConnectionOwner.key({ connectionId });
  const found = await dynamo.send(new GetCommand({ TableName: tableName, Key: ownerKey }));
  if (!found.Item) return;
  const owner = ConnectionOwner.parse(found.Item);
  const holder: ConnectionHolder = owner.role === "agent" ? { role: "agent", agentId: owner.sub } : { role: "supervisor" };
  await batchWrite([{ DeleteRequest: { Key: connectionKey(holder, connectionId) } }, { DeleteRequest: { Key: ownerKey } }]);
}

const connectionIdOnly = lazy(() => z.object({ connectionId: z.string() }));

/** The open connection ids of a holder (the push targets). */
export async function connectionIdsOf(holder: ConnectionHolder): Promise<string[]> {
  const [entity, partition] = holder.role === "agent" ? [AgentConnection, AgentConnection.partition({ agentId: holder.agentId })] : [SupervisorConnection, SupervisorConnection.partition({})];
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :ws)",
    ExpressionAttributeValues: { ":pk": partition, ":ws": entity.sortPrefix },
    ProjectionExpression: "pk, sk, connectionId",
  });
  return items.map((item) => entity.parseAs(connectionIdOnly, item).connectionId);
}

/** Deletes one connection record of a holder (the push found it gone); the owner record expires. */
export async function forgetConnectionOf(holder: ConnectionHolder, connectionId: string): Promise<void> {
  await batchWrite([{ DeleteRequest: { Key: connectionKey(holder, connectionId) } }]);
}
