/**
 * Pushes to agents over the WebSocket API. The push is a nudge: the durable record (inbox,
 * assignment) is the source of truth. A connection that is gone (410) is deleted — exactly that
 * connection id — and never fails the caller.
 */
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { connectionIdsOf, forgetConnectionOf, type ConnectionHolder } from "../platform/store.js";
import { baseEnv, perFunction, pushEndpoint } from "./env.js";
import { logger } from "./logger.js";

/** One client per container; a function without `pushesToAgents` has no endpoint and fails loudly. */
const managementClient = perFunction(() => new ApiGatewayManagementApiClient({ region: baseEnv().AWS_REGION, endpoint: pushEndpoint() }));

export interface PushOutcome {
  delivered: number;
  gone: number;
  failed: number;
}

/** The agent's open connection ids. */
export const connectionsOf = (agentId: string) => connectionIdsOf({ role: "agent", agentId });

/** Sends `message` to every open connection of the agent; returns how many took it. */
export function pushToAgent(agentId: string, message: unknown): Promise<PushOutcome> {
  return pushTo({ role: "agent", agentId }, message);
}

/** Sends `message` to every connected supervisor (escalations). */
export function pushToSupervisors(message: unknown): Promise<PushOutcome> {
  return pushTo({ role: "supervisor" }, message);
}

function isGone(error: unknown): boolean {
  return error instanceof Error && (error.name === "GoneException" || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410);
}

async function pushTo(holder: ConnectionHolder, message: unknown): Promise<PushOutcome> {
  const outcome: PushOutcome = { delivered: 0, gone: 0, failed: 0 };
  const client = managementClient();
  const data = Buffer.from(JSON.stringify(message));
  for (const connectionId of await connectionIdsOf(holder)) {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      outcome.delivered++;
    } catch (error) {
      if (isGone(error)) {
        outcome.gone++;
        await forgetConnectionOf(holder, connectionId);
      } else {
        outcome.failed++;
        logger.warn("Push failed", { holder, connectionId, error: error as Error });
      }
    }
  }
  return outcome;
}

/**
 * Closes every open connection of the agent (a deactivated agent is signed out); the closed
 * sockets' `$disconnect` forgets them, and a connection already gone is forgotten here. Never
 * throws: returns how many were closed.
 */
export async function disconnectAgent(agentId: string): Promise<number> {
  const holder: ConnectionHolder = { role: "agent", agentId };
  const client = managementClient();
  let closed = 0;
  for (const connectionId of await connectionIdsOf(holder)) {
    try {
      await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      closed++;
    } catch (error) {
      if (isGone(error)) await forgetConnectionOf(holder, connectionId);
      else logger.warn("Disconnect failed", { holder, connectionId, error: error as Error });
    }
  }
  return closed;
}
