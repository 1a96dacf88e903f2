/**
 * The chat platform's arrivals (`POST /webhooks/conversations`) with replay protection: every
 * request is recorded by its `eventId` (or, without one, by the signed bytes) in the same write as
 * its effect (on the new conversation itself, or a dedupe record in the effect's transaction), so
 * a replay is acknowledged and changes nothing, and a message for a
 * closed conversation reopens it only when it was written after the close.
 */
import { ContentionError } from "../../shared/errors.js";
import { logger } from "../../shared/logger.js";
import { sendMessage } from "../../shared/sqs.js";
import { jitter, transact, TransactionCancelledError } from "../../shared/table/index.js";
import { writtenAfterClose } from "../../integrations/domain.js";
import { seenBefore, seenOp, recordSeen, type SeenRecord } from "../../integrations/store.js";
import { routingConfig } from "../config.js";
import type { Conversation, IncomingConversation } from "../conversation.js";
import { effectivePriority, type RoutingConfig } from "../policy.js";
import { createConversationOnce, getConversation, reopenOp, requireConversation } from "../store/index.js";

const maxAttempts = 8;

export type ArrivalOutcome = "created" | "reopened" | "duplicate" | "stale";

export interface Arrival {
  /** `event:{eventId}` or `request:{hash of the signed bytes}` (integrations/domain.ts `dedupeKey`). */
  dedupeKey: string;
  /** When the customer wrote: `occurredAt`, else the signature timestamp. */
  occurredAt: Date;
  /** True when `occurredAt` is only the signature's whole second. */
  secondPrecision: boolean;
  now: Date;
  correlationId: string;
}

async function enqueue(conversation: Conversation, correlationId: string): Promise<void> {
  try {
    await sendMessage("conversations", { body: { kind: "route", conversationId: conversation.conversationId, snapshot: conversation }, correlationId });
  } catch (error) {
    // Accepted and durable: the sweeper re-drives `queued` conversations whose message was lost.
    logger.error("Enqueue failed; the sweeper will re-drive", { conversationId: conversation.conversationId, error: error as Error });
  }
}

function newConversation(input: IncomingConversation, at: string, config: RoutingConfig): Conversation {
  return {
    conversationId: input.conversationId,
    customerId: input.customerId,
    channel: input.channel,
    skill: input.skill,
    requestedSkill: input.skill,
    priority: effectivePriority(input, config),
    ...(input.customerTier ? { customerTier: input.customerTier } : {}),
    ...(input.orderAmount !== undefined ? { orderAmount: input.orderAmount } : {}),
    status: "queued",
    arrivedAt: at,
    assignments: 0,
    history: [{ at, action: "received", actor: "system:chat-platform" }],
  };
}

/**
 * Accepts a message from the chat platform.
 *
 * Primary course (a new conversation, the hot path): ONE conditional put records it `queued`
 * with the request's dedupe key on the item, then its route message is enqueued; no read, no
 * separate dedupe record. Otherwise (the put refused: the conversation exists): the request that
 * created it, or one recorded since (same eventId, or the byte-identical signed request), is a
 * duplicate and nothing changes. Known and closed or abandoned, written after the close: reopen it
 * as a new episode (with its dedupe record) and route it afresh. Known and open, or written before
 * the close: recorded and acknowledged, nothing else changes.
 */
export async function acceptConversation(input: IncomingConversation, arrival: Arrival): Promise<{ conversation: Conversation; outcome: ArrivalOutcome }> {
  const at = arrival.now.toISOString();
  const seen = (outcome: ArrivalOutcome): SeenRecord => ({ dedupeKey: arrival.dedupeKey, kind: "arrival", conversationId: input.conversationId, outcome, receivedAt: arrival.now });
  const duplicate = async () => ({ conversation: await requireConversation(input.conversationId), outcome: "duplicate" as const });
  const fresh = newConversation(input, at, await routingConfig());
  const first = await createConversationOnce(fresh, arrival.dedupeKey);
  if (first.created) {
    await enqueue(fresh, arrival.correlationId);
    return { conversation: fresh, outcome: "created" };
  }
  if (first.createdBy === arrival.dedupeKey) return { conversation: first.existing, outcome: "duplicate" };
  if (await seenBefore(arrival.dedupeKey)) return duplicate();
  let existing: Conversation | undefined = first.existing;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    existing ??= await getConversation(input.conversationId);
    if (!existing) throw new ContentionError(`Conversation ${input.conversationId} is changing concurrently; retry.`);
    const ended = existing.status === "closed" || existing.status === "abandoned";
    if (ended && writtenAfterClose(arrival, existing.closedAt)) {
      const { op, reopened } = reopenOp(existing, at, input.skill, arrival.occurredAt.toISOString());
      try {
        await transact([op, seenOp(seen("reopened"))]);
        await enqueue(reopened, arrival.correlationId);
        return { conversation: reopened, outcome: "reopened" };
      } catch (error) {
        if (!(error instanceof TransactionCancelledError)) throw error;
        if (error.conditionFailedAt(1)) return duplicate();
        existing = undefined;
        await jitter(attempt);
        continue;
      }
    }
    // Platforms retry webhooks: a known open conversation is acknowledged, never duplicated; a
    // message written before the close never undoes it.
    const outcome = ended ? "stale" : "duplicate";
    await recordSeen(seen(outcome));
    return { conversation: existing, outcome };
  }
  throw new ContentionError(`Conversation ${input.conversationId} is changing concurrently; retry.`);
}
