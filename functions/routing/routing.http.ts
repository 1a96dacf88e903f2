/**
 * `ConversationsApi`: the chat platform's webhook (HMAC-signed) and the lifecycle routes. The
 * webhook records the conversation durably (status `queued`) BEFORE answering 202, then enqueues
 * it; a lost message is re-driven by the sweeper, so nothing accepted is lost.
 */
import { actorOf, jsonBody, requireSelfOrSupervisor, userOf, validate, type HttpRequest } from "../shared/http.js";
import { httpApi } from "../shared/http-webhook.js";
import { dedupeKey, occurredAtOf } from "../integrations/domain.js";
import { cachedSkillIds } from "../agents/skills.js";
import { ValidationError } from "../shared/errors.js";
import { agentPath, conversationPath } from "./contract.js";
import { conversationView, incomingConversationSchemaFor } from "./conversation.js";
import { conversationsApi } from "./functions.js";
import { acceptConversation, closeConversation, conversationFor, markFirstResponse, openConversationsOf, type Actor } from "./use-cases/index.js";

function conversationIdOf(request: HttpRequest): string {
  return validate(conversationPath, request.params, "path").conversationId;
}

function whoIs(request: HttpRequest): Actor {
  const user = userOf(request);
  return { actor: actorOf(request), ...(user.role === "agent" ? { agentId: user.sub } : {}) };
}

async function arrivalBody(request: HttpRequest) {
  try {
    return jsonBody(request, incomingConversationSchemaFor(await cachedSkillIds()));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return jsonBody(request, incomingConversationSchemaFor(await cachedSkillIds({ fresh: true })));
  }
}

export const handler = httpApi(conversationsApi, {
  "POST /webhooks/conversations": async (request) => {
    // An unknown skill is a 400 like any other bad field. Skills are data, read through a
    // per-container cache: a body refused by it is checked again against a fresh read, so a skill
    // created a moment ago is accepted (skills are never deleted).
    const input = await arrivalBody(request);
    const timestamp = request.headers["x-signature-timestamp"] ?? "";
    const { conversation, outcome } = await acceptConversation(input, {
      dedupeKey: dedupeKey(input.eventId ? { kind: "arrival", eventId: input.eventId } : { timestamp, rawBody: request.rawBody }),
      occurredAt: occurredAtOf(input.occurredAt, timestamp, request.now),
      secondPrecision: input.occurredAt === undefined,
      now: request.now,
      correlationId: request.correlationId,
    });
    const { conversationId, status, priority } = conversation;
    // Acknowledged, nothing changed: a replay, a retry for an open conversation, or a message older than the close.
    if (outcome === "duplicate" || outcome === "stale") return { status: 200, body: { conversationId, status, duplicate: true, ...(outcome === "stale" ? { stale: true } : {}) } };
    return { status: 202, body: { conversationId, status, priority, ...(outcome === "reopened" ? { reopened: true } : {}) } };
  },

  "GET /conversations/{conversationId}": async (request) => {
    const conversation = await conversationFor(conversationIdOf(request), whoIs(request));
    return { status: 200, body: conversationView(conversation, request.now) };
  },

  "POST /conversations/{conversationId}/first-response": async (request) => {
    const conversation = await markFirstResponse(conversationIdOf(request), whoIs(request), request.now);
    return { status: 200, body: conversationView(conversation, request.now) };
  },

  "POST /conversations/{conversationId}/close": async (request) => {
    const conversation = await closeConversation(conversationIdOf(request), whoIs(request), request.now, request.correlationId);
    return { status: 200, body: conversationView(conversation, request.now) };
  },

  "GET /agents/{agentId}/conversations": async (request) => {
    const agentId = validate(agentPath, request.params, "path").agentId;
    requireSelfOrSupervisor(request, agentId);
    const open = await openConversationsOf(agentId);
    return { status: 200, body: { agentId, conversations: open.map((c) => conversationView(c, request.now)) } };
  },
});
