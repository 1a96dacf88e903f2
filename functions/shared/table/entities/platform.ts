/**
 * Items the platform capability owns: supervisors' WebSocket connections and the reverse index
 * from a connection id to its owner (API Gateway's `$disconnect` only names the connection).
 */
import * as z from "zod";
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
  patterns: [{ name: "SupervisorConnection.all", operation: "Query SUPERVISORS, begins_with(sk, WS#)", cost: "0.5 RRU" }],
});

export const ConnectionOwner = defineEntity({
  type: "ConnectionOwner",
  owner: "platform",
  description: "Which partition holds a connection, so `$disconnect` deletes exactly that one",
  schema: z.object({ owner: z.string(), sub: z.string(), role: z.enum(["supervisor", "agent"]), expiresAtEpoch: z.number().int() }),
  pk: "WS#{connectionId}",
  sk: "CONNECTION",
  expires: "2 h after connecting",
  patterns: [{ name: "ConnectionOwner.get", operation: "GetItem WS#{connectionId} / CONNECTION", cost: "0.5 RRU" }],
});
