/**
 * Agent WebSocket. `$connect` authenticates with `?token=<JWT>` and records the connection under
 * its holder; `$disconnect` removes it. Pushes are nudges; clients re-read the durable state
 * (inbox, conversations) on every connect.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import * as z from "zod/mini";
import { logger } from "../shared/logger.js";
import { connect, disconnect } from "./use-cases.js";

const socketEventSchema = z.object({
  requestContext: z.object({ connectionId: z.string(), routeKey: z.string(), requestTimeEpoch: z.optional(z.number()) }),
  queryStringParameters: z.nullish(z.record(z.string(), z.optional(z.string()))),
  body: z.nullish(z.string()),
});

type SocketResult = { statusCode: number; body?: string };

export const handler = middy<unknown, SocketResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (raw) => {
    const event = socketEventSchema.parse(raw);
    const { connectionId, routeKey } = event.requestContext;
    const nowMs = event.requestContext.requestTimeEpoch ?? Date.now();
    switch (routeKey) {
      case "$connect": {
        const outcome = await connect(connectionId, event.queryStringParameters?.token ?? undefined, nowMs);
        return outcome.accepted ? { statusCode: 200 } : { statusCode: outcome.status ?? 401, body: outcome.reason };
      }
      case "$disconnect":
        await disconnect(connectionId);
        return { statusCode: 200 };
      default:
        // Agents only listen; a ping keeps idle connections alive through proxies.
        return { statusCode: 200, body: JSON.stringify({ type: "pong" }) };
    }
  });
