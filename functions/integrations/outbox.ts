/**
 * What a move site calls to have its assignment callback delivered: the outbox record goes into
 * the move's own transaction (so a committed move always has its callback, and a cancelled one
 * never does), and the queue message is sent right after the commit. A crash or an SQS failure
 * between the two leaves the record pending; the relay (`CallbackRelay`, every minute) re-sends
 * pending records no attempt has touched for a while. Callbacks off (no URL): nothing at all.
 *
 * @example
 * const callback = assignmentCallback({ conversation, agentId, at, ...assignmentReason(conversation.history) });
 * await transact([...ops, ...callback.ops]);
 * await callback.send();
 */
import { logger } from "../shared/logger.js";
import { sendMessage } from "../shared/sqs.js";
import type { TransactItem } from "../shared/table/index.js";
import type { Conversation } from "../routing/conversation.js";
import { callbackConfig } from "./config.js";
import { callbackEventId, type AssignmentCallback, type MoveReason } from "./domain.js";
import { outboxOp } from "./store.js";

export { assignmentReason } from "./domain.js";

export interface Move {
  /** The conversation as read before the move (its `assignments` count gives the sequence). */
  conversation: Pick<Conversation, "conversationId" | "assignments">;
  agentId: string;
  previousAgentId?: string | null | undefined;
  reason: MoveReason;
  /** The move's instant (the transaction's `at`). */
  at: string;
}

export interface PendingCallback {
  /** Transaction items to commit with the move (empty when callbacks are off). */
  ops: TransactItem[];
  /** After the commit: enqueue the delivery. Never throws (the relay covers a failed send). */
  send(correlationId?: string): Promise<void>;
  payload: AssignmentCallback | undefined;
}

const none: PendingCallback = { ops: [], send: async () => undefined, payload: undefined };

export function assignmentCallback(move: Move): PendingCallback {
  if (!callbackConfig().url) return none;
  const sequence = move.conversation.assignments + 1;
  const payload: AssignmentCallback = {
    eventId: callbackEventId(move.conversation.conversationId, sequence),
    type: "conversation.assigned",
    conversationId: move.conversation.conversationId,
    agentId: move.agentId,
    previousAgentId: move.previousAgentId ?? null,
    reason: move.reason,
    sequence,
    occurredAt: move.at,
  };
  return {
    ops: [outboxOp(payload, move.at)],
    payload,
    send: async (correlationId) => {
      try {
        await sendMessage("callbacks", { body: { eventId: payload.eventId }, correlationId: correlationId ?? `callback-${payload.eventId}` });
      } catch (error) {
        logger.error("Callback enqueue failed; the relay re-sends it", { eventId: payload.eventId, error: error as Error });
      }
    },
  };
}
