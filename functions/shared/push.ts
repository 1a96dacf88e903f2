/**
 * Pushes to agents over the WebSocket API. The push is a nudge: the durable record (inbox,
 * assignment) is the source of truth. A connection that is gone (410) is deleted — exactly that
 * connection id — and never fails the caller.
 */
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { DeleteCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { baseEnv, perFunction, pushEndpoint } from "./env.js";
import { dynamo, tableName } from "./dynamo.js";
import { logger } from "./logger.js";

/** One client per container; a function without `pushesToAgents` has no endpoint and fails loudly. */
const managementClient = perFunction(() => new ApiGatewayManagementApiClient({ region: baseEnv().AWS_REGION, endpoint: pushEndpoint() }));

async function connectionsUnder(owner: string): Promise<string[]> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :ws)",
      ExpressionAttributeValues: { ":pk": owner, ":ws": "WS#" },
      ProjectionExpression: "connectionId",
    }),
  );
  return (result.Items ?? []).map((i) => String(i.connectionId));
}

export interface PushOutcome {
  delivered: number;
  gone: number;
  failed: number;
}

export const connectionsOf = (agentId: string) => connectionsUnder(`AGENT#${agentId}`);

/** Sends `message` to every open connection of the agent; returns how many took it. */
export function pushToAgent(agentId: string, message: unknown): Promise<PushOutcome> {
  return pushToOwner(`AGENT#${agentId}`, message);
}

/** Sends `message` to every connected supervisor (escalations). */
export function pushToSupervisors(message: unknown): Promise<PushOutcome> {
  return pushToOwner("SUPERVISORS", message);
}

async function pushToOwner(owner: string, message: unknown): Promise<PushOutcome> {
  const outcome: PushOutcome = { delivered: 0, gone: 0, failed: 0 };
  const client = managementClient();
  const data = Buffer.from(JSON.stringify(message));
  for (const connectionId of await connectionsUnder(owner)) {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      outcome.delivered++;
    } catch (error) {
      if (error instanceof Error && (error.name === "GoneException" || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410)) {
        outcome.gone++;
        await dynamo.send(new DeleteCommand({ TableName: tableName, Key: { pk: owner, sk: `WS#${connectionId}` } }));
      } else {
        outcome.failed++;
        logger.warn("Push failed", { owner, connectionId, error: error as Error });
      }
    }
  }
  return outcome;
}
