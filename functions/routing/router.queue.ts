/**
 * `Router`: consumes the `conversations` queue. Two kinds of message: `route` (a new
 * conversation) and `drain` (capacity freed somewhere). Both are idempotent: a redelivered
 * route finds the conversation already assigned or waiting and stops.
 */
import * as z from "zod/mini";
import { skillSchema } from "../agents/domain.js";
import { logger } from "../shared/logger.js";
import { noteDrained } from "../shared/supervisor-push.js";
import { queueConsumer } from "../shared/queue-consumer.js";
import { conversationIdSchema, conversationSnapshotSchema, type Conversation } from "./conversation.js";
import { decisionClock } from "./config.js";
import { drainWaiting, routeConversation } from "./use-cases/index.js";

const messageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("route"), conversationId: conversationIdSchema, snapshot: z.optional(conversationSnapshotSchema), at: z.optional(z.iso.datetime({ offset: true })) }),
  z.object({ kind: z.literal("drain"), skills: z.array(z.union([skillSchema, z.literal("any")])), reason: z.string(), at: z.optional(z.iso.datetime({ offset: true })) }),
]);

export const handler = queueConsumer(async (body, context) => {
  const message = messageSchema.parse(body);
  // The decision's clock: the time the message asks for (a route's request time, the snapshot's
  // arrival; a drain's instant) or now, whichever is later (routing/config.ts).
  const now = decisionClock(message.at ?? (message.kind === "route" ? message.snapshot?.arrivedAt : undefined));
  if (message.kind === "route") {
    // A snapshot naming another conversation is ignored rather than trusted.
    const snapshot: Conversation | undefined = message.snapshot?.conversationId === message.conversationId ? message.snapshot : undefined;
    const result = await routeConversation(message.conversationId, now, snapshot ? { snapshot } : {});
    if (result.outcome === "missing") logger.warn("Route message for an unknown conversation dropped", { conversationId: message.conversationId, correlationId: context.correlationId });
  } else {
    await drainWaiting(message.skills, now);
    // Asked for because capacity freed (a close, presence, capacity, a shift): the wall's loads moved.
    noteDrained(message.skills);
  }
});
