/**
 * The conversations routes' contract: request schemas ConversationsApi validates with (module
 * level) and, in `contract()`, each route's responses (./responses.ts; generator only).
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { agentIdSchema } from "../agents/domain.js";
import type { Contract } from "../shared/contract.js";
import { conversationIdSchema, incomingConversationSchema } from "./conversation.js";
import { acceptedConversationSchema, agentConversationsSchema, conversationViewSchema, duplicateConversationSchema } from "./responses.js";

export const conversationPath = lazy(() => z.object({ conversationId: conversationIdSchema }));
export const agentPath = lazy(() => z.object({ agentId: agentIdSchema }));

export function contract(): Contract {
  const conversation = { description: "The conversation.", schema: conversationViewSchema };
  return {
    "POST /webhooks/conversations": {
      summary: "A customer wrote: record the conversation and route it (chat platform)",
      description:
        "Recorded durably before the 202, then routed. `skill` must be a known skill (default `presale`). The same `eventId` again, or without one a byte-identical signed request, is acknowledged with 200 `duplicate` and changes nothing; a message after the close reopens it only when `occurredAt` is later.",
      body: incomingConversationSchema,
      responses: {
        200: { description: "Acknowledged, nothing changed.", schema: duplicateConversationSchema },
        202: { description: "Accepted for routing.", schema: acceptedConversationSchema },
      },
      problems: [409],
    },
    "GET /conversations/{conversationId}": { summary: "Read a conversation (a supervisor, or its agent)", params: conversationPath, responses: { 200: conversation } },
    "POST /conversations/{conversationId}/first-response": {
      summary: "Mark the first reply of the current episode (its agent)",
      params: conversationPath,
      responses: { 200: conversation },
      problems: [409],
    },
    "POST /conversations/{conversationId}/close": {
      summary: "Close a conversation, freeing its agent's slot (its agent or a supervisor)",
      params: conversationPath,
      responses: { 200: conversation },
      problems: [409],
    },
    "GET /agents/{agentId}/conversations": {
      summary: "An agent's open conversations (the agent itself or a supervisor)",
      params: agentPath,
      responses: { 200: { description: "Open conversations, with waiting times.", schema: agentConversationsSchema } },
    },
  };
}
