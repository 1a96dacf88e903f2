/**
 * Agent WebSocket. `$connect` authenticates with `?token=<JWT>` (browsers cannot set headers on
 * a WebSocket) and records the connection under the agent; `$disconnect` removes it. Pushes are
 * nudges; clients re-read the durable state (inbox, conversations) on every connect.
 */
import { DeleteCommand, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import * as z from "zod";
import { callerFromClaims, verifyBearer } from "../shared/auth.js";
import { dynamo, tableName } from "../shared/dynamo.js";
import { logger } from "../shared/logger.js";
import { onAgentArrival } from "../agents/arrival.js";

const socketEventSchema = z.object({
  requestContext: z.object({ connectionId: z.string(), routeKey: z.string(), requestTimeEpoch: z.number().optional() }),
  queryStringParameters: z.record(z.string(), z.string().optional()).nullish(),
  body: z.string().nullish(),
});

type SocketResult = { statusCode: number; body?: string };

/** Connections live under their owner so pushes find them with one query. */
function ownerKey(role: string, sub: string) {
  return role === "supervisor" ? "SUPERVISORS" : `AGENT#${sub}`;
}

async function connect(connectionId: string, token: string | undefined, nowMs: number): Promise<SocketResult> {
  if (!token) return { statusCode: 401, body: "token query parameter required" };
  let caller;
  try {
    caller = callerFromClaims(await verifyBearer(token));
  } catch {
    return { statusCode: 401, body: "invalid token" };
  }
  if (caller.kind !== "user") return { statusCode: 401 };
  const owner = ownerKey(caller.role, caller.sub);
  const connectedAt = new Date(nowMs).toISOString();
  const ttl = Math.floor(nowMs / 1000) + 2 * 60 * 60 + 60; // API Gateway closes connections after 2 h
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tableName, Item: { pk: owner, sk: `WS#${connectionId}`, type: "Connection", connectionId, sub: caller.sub, role: caller.role, connectedAt, expiresAtEpoch: ttl } } },
        { Put: { TableName: tableName, Item: { pk: `WS#${connectionId}`, sk: "CONNECTION", type: "ConnectionOwner", owner, sub: caller.sub, role: caller.role, expiresAtEpoch: ttl } } },
      ],
    }),
  );
  if (caller.role === "agent") await onAgentArrival(caller.sub, new Date(nowMs), "connect");
  return { statusCode: 200 };
}

async function disconnect(connectionId: string): Promise<SocketResult> {
  const owner = await dynamo.send(new GetCommand({ TableName: tableName, Key: { pk: `WS#${connectionId}`, sk: "CONNECTION" } }));
  if (owner.Item) {
    await dynamo.send(new DeleteCommand({ TableName: tableName, Key: { pk: String(owner.Item.owner), sk: `WS#${connectionId}` } }));
    await dynamo.send(new DeleteCommand({ TableName: tableName, Key: { pk: `WS#${connectionId}`, sk: "CONNECTION" } }));
  }
  return { statusCode: 200 };
}

export const handler = middy<unknown, SocketResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (raw) => {
    const event = socketEventSchema.parse(raw);
    const { connectionId, routeKey } = event.requestContext;
    const nowMs = event.requestContext.requestTimeEpoch ?? Date.now();
    switch (routeKey) {
      case "$connect":
        return connect(connectionId, event.queryStringParameters?.token ?? undefined, nowMs);
      case "$disconnect":
        return disconnect(connectionId);
      default:
        // Agents only listen; a ping keeps idle connections alive through proxies.
        return { statusCode: 200, body: JSON.stringify({ type: "pong" }) };
    }
  });
