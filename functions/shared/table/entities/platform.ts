/**
 * Items the platform capability owns: supervisors' WebSocket connections and the reverse index
 * from a connection id to its owner (API Gateway's `$disconnect` only names the connection).
 */
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { defineEntity } from "../entity.js";
import { connectionSchema } from "./agents.js";

export const SupervisorConnection = defineEntity({
  type: "SupervisorConnection",
  owner: "platform",
  description: "A supervisor's open WebSocket connection (escalations, live views); TTL 2 h",
  schema: connectionSchema,
  pk: "SUPERVISORS",
  sk: "WS#{connectionId}",
  expires: "2 h after connecting",
  patterns: [
    { name: "SupervisorConnection.all", operation: "Query SUPERVISORS, begins_with(sk, WS#), projection connectionId", cost: "0.5 RRU" },
    { name: "SupervisorConnection.record", operation: "TransactWriteItems: Put connection + Put ConnectionOwner", cost: "4 WRU" },
    { name: "SupervisorConnection.forget", operation: "Delete SUPERVISORS / WS#{connectionId} (on $disconnect or a 410 from a push)", cost: "1 WRU" },
  ],
});

export const ConnectionOwner = defineEntity({
  type: "ConnectionOwner",
  owner: "platform",
  description: "Whose a connection is (role and subject), so `$disconnect`, which names only the connection, deletes exactly that one",
  // Items written before the registry also carry `owner` (the partition); it is ignored.
  schema: lazy(() => z.object({ sub: z.string(), role: z.enum(["supervisor", "agent"]), expiresAtEpoch: z.number().check(z.int()) })),
  pk: "WS#{connectionId}",
  sk: "CONNECTION",
  expires: "2 h after connecting",
  patterns: [
    { name: "ConnectionOwner.get", operation: "GetItem WS#{connectionId} / CONNECTION", cost: "0.5 RRU" },
    { name: "ConnectionOwner.forget", operation: "GetItem owner, then BatchWriteItem: Delete connection + Delete owner ($disconnect)", cost: "0.5 RRU + 2 WRU" },
  ],
});
