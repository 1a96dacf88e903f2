/**
 * Conversations HTTP API: the chat platform's webhook (HMAC-signed) and the lifecycle routes.
 * The webhook records the conversation durably (status `queued`) BEFORE answering 202, then
 * enqueues it; a lost message is re-driven by the sweeper, so nothing accepted is lost.
 */
import * as z from "zod";
import { agentIdSchema } from "../agents/domain.js";
import { NotFoundError } from "../shared/errors.js";
import { actorOf, httpApi, jsonBody, requireSelfOrSupervisor, userOf, validate, type HttpRequest } from "../shared/http.js";
import { logger } from "../shared/logger.js";
import { sendMessage } from "../shared/sqs.js";
import { routingConfig } from "./config.js";
import { conversationIdSchema, conversationView, incomingConversationSchema, type Conversation } from "./conversation.js";
import { conversationsApi } from "./functions.js";
import { closeConversation, markFirstResponse, type Actor } from "./lifecycle.js";
import { effectivePriority } from "./policy.js";
import { createConversation, getConversation, openAssignments, reopenConversation, requireConversation } from "./store.js";

function conversationIdOf(request: HttpRequest): string {
  return validate(z.object({ conversationId: conversationIdSchema }), request.params, "path").conversationId;
}

function whoIs(request: HttpRequest): Actor {
  const user = userOf(request);
  return { actor: actorOf(request), ...(user.role === "agent" ? { agentId: user.sub } : {}) };
}

/** Agents see only their own conversations; to them others do not exist. */
function visibleTo(request: HttpRequest, conversation: Conversation): void {
  const user = userOf(request);
  if (user.role === "agent" && conversation.agentId !== user.sub) throw new NotFoundError(`No conversation "${conversation.conversationId}" assigned to you.`);
}

async function enqueue(conversation: Conversation, correlationId: string): Promise<void> {
  try {
    await sendMessage("conversations", { body: { kind: "route", conversationId: conversation.conversationId, snapshot: conversation }, correlationId });
  } catch (error) {
    // Accepted and durable: the sweeper re-drives `queued` conversations whose message was lost.
    logger.error("Enqueue failed; the sweeper will re-drive", { conversationId: conversation.conversationId, error: error as Error });
  }
}

export const handler = httpApi(conversationsApi, {
  "POST /webhooks/conversations": async (request) => {
    const input = jsonBody(request, incomingConversationSchema);
    const at = request.now.toISOString();
    const conversation: Conversation = {
      conversationId: input.conversationId,
      customerId: input.customerId,
      channel: input.channel,
      skill: input.skill,
      requestedSkill: input.skill,
      priority: effectivePriority(input, routingConfig()),
      ...(input.customerTier ? { customerTier: input.customerTier } : {}),
      ...(input.orderAmount !== undefined ? { orderAmount: input.orderAmount } : {}),
      status: "queued",
      arrivedAt: at,
      assignments: 0,
      history: [{ at, action: "received", actor: "system:chat-platform" }],
    };
    const created = await createConversation(conversation);
    if (!created) {
      const existing = await requireConversation(input.conversationId);
      // The customer wrote again after it was closed: route it afresh (never silently to the old agent).
      const reopened = existing.status === "closed" ? await reopenConversation(existing.conversationId, at, input.skill) : undefined;
      if (reopened) {
        await enqueue(reopened, request.correlationId);
        return { status: 202, body: { conversationId: reopened.conversationId, status: reopened.status, priority: reopened.priority, reopened: true } };
      }
      // Platforms retry webhooks: the same conversation is acknowledged, never duplicated.
      return { status: 202, body: { conversationId: existing.conversationId, status: existing.status, duplicate: true } };
    }
    await enqueue(conversation, request.correlationId);
    return { status: 202, body: { conversationId: conversation.conversationId, status: conversation.status, priority: conversation.priority } };
  },

  "GET /conversations/{conversationId}": async (request) => {
    const conversation = await requireConversation(conversationIdOf(request));
    visibleTo(request, conversation);
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
    const agentId = validate(z.object({ agentId: agentIdSchema }), request.params, "path").agentId;
    requireSelfOrSupervisor(request, agentId);
    const open = await openAssignments(agentId);
    const conversations = await Promise.all(open.map((o) => getConversation(o.conversationId)));
    const visible = conversations.filter((c): c is Conversation => c !== undefined && c.agentId === agentId && c.status === "assigned");
    if (visible.length !== open.length) logger.warn("Assignment records disagree with conversations", { agentId, records: open.length, assigned: visible.length });
    return { status: 200, body: { agentId, conversations: visible.map((c) => conversationView(c, request.now)) } };
  },
});

