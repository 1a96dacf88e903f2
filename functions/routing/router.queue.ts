/**
 * `Router`: consumes the `conversations` queue. Two kinds of message: `route` (a new
 * conversation) and `drain` (capacity freed somewhere). Both are idempotent: a redelivered
 * route finds the conversation already assigned or waiting and stops. A batch's route messages
 * are planned together first (use-cases/route-batch.ts: one pool read per skill, distinct
 * agents); each record still decides, commits and fails on its own.
 */
import * as z from "zod/mini";
import { skillSchema } from "../agents/domain.js";
import { logger } from "../shared/logger.js";
import { noteDrained } from "../shared/supervisor-push.js";
import { queueConsumer } from "../shared/queue-consumer.js";
import { conversationIdSchema, conversationSnapshotSchema, type Conversation } from "./conversation.js";
import { decisionClock } from "./config.js";
import { drainWaiting, planRouteBatch, routeConversation, type RouteBatch, type RouteRequest } from "./use-cases/index.js";

const messageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("route"), conversationId: conversationIdSchema, snapshot: z.optional(conversationSnapshotSchema), at: z.optional(z.iso.datetime({ offset: true })) }),
  z.object({ kind: z.literal("drain"), skills: z.array(z.union([skillSchema, z.literal("any")])), reason: z.string(), at: z.optional(z.iso.datetime({ offset: true })) }),
]);
type Message = z.infer<typeof messageSchema>;

/**
 * The decision's clock: the time the message asks for (a route's request time, the snapshot's
 * arrival; a drain's instant) or now, whichever is later (routing/config.ts).
 */
const clockOf = (message: Message) => decisionClock(message.at ?? (message.kind === "route" ? message.snapshot?.arrivedAt : undefined));

/** A snapshot naming another conversation is ignored rather than trusted. */
const snapshotOf = (message: Message & { kind: "route" }): Conversation | undefined => (message.snapshot?.conversationId === message.conversationId ? message.snapshot : undefined);

/** The batch's route messages that carry their conversation: planned together when there are several. */
async function prepare(records: readonly { messageId: string; body: unknown }[]) {
  const routes: RouteRequest[] = [];
  for (const record of records) {
    const parsed = z.safeParse(messageSchema, record.body);
    if (!parsed.success || parsed.data.kind !== "route") continue;
    const snapshot = snapshotOf(parsed.data);
    if (snapshot) routes.push({ messageId: record.messageId, conversation: snapshot, now: clockOf(parsed.data) });
  }
  if (routes.length < 2) return undefined;
  const batch = await planRouteBatch(routes);
  return { shared: batch, runFirst: batch.planned };
}

export const handler = queueConsumer<RouteBatch>(
  async (body, context, batch) => {
    try {
      const message = messageSchema.parse(body);
      if (message.kind === "route") {
        const planned = batch?.routes.get(context.messageId);
        if (planned) await batch?.turnOf(context.messageId);
        const now = clockOf(message);
        const snapshot = snapshotOf(message);
        const result = await routeConversation(message.conversationId, now, { ...(snapshot ? { snapshot } : {}), ...(planned?.prefetched ? { prefetched: planned.prefetched } : {}) });
        if (result.outcome === "missing") logger.warn("Route message for an unknown conversation dropped", { conversationId: message.conversationId, correlationId: context.correlationId });
      } else {
        await drainWaiting(message.skills, clockOf(message));
        // Asked for because capacity freed (a close, presence, capacity, a shift): the wall's loads moved.
        noteDrained(message.skills);
      }
    } finally {
      batch?.settle(context.messageId);
    }
  },
  { prepare },
);
