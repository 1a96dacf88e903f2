/**
 * Pushes to agents over the WebSocket API. The push is a nudge: the durable record (inbox,
 * assignment) is the source of truth. A connection that is gone (410) is deleted — exactly that
 * connection id — and never fails the caller.
 *
 * An agent's connection ids are read once per {@link connectionCacheMs} per container (a routed
 * conversation pushes to its agent: a 0.5 RRU query, and one of the router's calls, every time).
 * The supervisors' are read on every push: some of what they are sent exists nowhere else
 * (adherence alerts, escalations), so a wall opened beside another must get it at once. What a
 * cached agent list can miss and why that is safe (every agent push is a nudge about a durable
 * record: an assignment, an inbox entry):
 * - a connection gone since: its post answers 410, which drops the cached list and reads it
 *   again, so a reconnected console (the usual way a connection changes) gets this very push;
 * - a connection opened since, beside one still open (a second tab): it misses pushes for at
 *   most the cache's age; it read its state when it opened and re-reads it on its safety timer;
 * - an empty list is never cached: a holder's first connection is found on the next push.
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

/** How long a container reuses an agent's connection ids it read (see the module's comment). */
export const connectionCacheMs = 5_000;

/** Lists kept at most; past it, expired ones are dropped (a container pushes to a few hundred agents a minute at most). */
const connectionCacheEntries = 2_000;

/** Per agent id: the connection ids read and until when they may be reused. */
const recentConnections = perFunction(() => new Map<string, { ids: readonly string[]; until: number }>());

/** The holder's connection ids: an agent's list read within the last {@link connectionCacheMs}, or a fresh read. */
async function connectionTargets(holder: ConnectionHolder): Promise<{ ids: readonly string[]; cached: boolean }> {
  if (holder.role === "supervisor") return { ids: await connectionIdsOf(holder), cached: false };
  const cache = recentConnections();
  const started = Date.now();
  const hit = cache.get(holder.agentId);
  if (hit && started < hit.until) return { ids: hit.ids, cached: true };
  const ids = await connectionIdsOf(holder);
  if (ids.length === 0) cache.delete(holder.agentId);
  else {
    if (cache.size >= connectionCacheEntries) for (const [k, v] of cache) if (v.until <= started) cache.delete(k);
    // Counted from the read's start, so a slow read never makes a list look younger.
    cache.set(holder.agentId, { ids, until: started + connectionCacheMs });
  }
  return { ids, cached: false };
}

/** Forgets an agent's cached connection ids (one was gone, or the agent was signed out). */
function dropCachedConnections(holder: ConnectionHolder): void {
  if (holder.role === "agent") recentConnections().delete(holder.agentId);
}

async function pushTo(holder: ConnectionHolder, message: unknown): Promise<PushOutcome> {
  const outcome: PushOutcome = { delivered: 0, gone: 0, failed: 0 };
  const client = managementClient();
  const data = Buffer.from(JSON.stringify(message));
  const tried = new Set<string>();
  const send = async (ids: readonly string[]) => {
    for (const connectionId of ids) {
      if (tried.has(connectionId)) continue;
      tried.add(connectionId);
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
  };
  const targets = await connectionTargets(holder);
  await send(targets.ids);
  if (outcome.gone > 0) {
    dropCachedConnections(holder);
    // A cached list with a gone connection: the console has most likely reconnected since.
    if (targets.cached) await send((await connectionTargets(holder)).ids);
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
  dropCachedConnections(holder);
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
