/**
 * What the chat platform tells us happened to a conversation (`POST /webhooks/conversation-events`):
 * the agent replied in the platform's workbench, the customer left, the platform closed it. Each
 * event is applied at most once (its eventId is recorded in the transaction of its effect) and
 * never across episodes (an event from before the last reopen is acknowledged and ignored).
 */
import { getAgent } from "../../agents/store.js";
import { ContentionError, NotFoundError } from "../../shared/errors.js";
import { isWriteConflict, jitter, transact, TransactionCancelledError, type TransactItem } from "../../shared/table/index.js";
import { dedupeKey, type PlatformEvent } from "../../integrations/domain.js";
import { recordSeen, seenBefore, seenOp, type SeenRecord } from "../../integrations/store.js";
import type { Conversation, HistoryEntry } from "../conversation.js";
import { endOps, firstResponseOps, getConversation } from "../store/index.js";
import { releaseSlotOps } from "./lifecycle.js";
import { wakeRouter } from "../../shared/wake-router.js";
import { noteQueueChange } from "../../shared/supervisor-push.js";

const maxAttempts = 12;
const actor = "system:chat-platform";

export type EventOutcome = "applied" | "duplicate" | "stale" | "ignored";

export interface EventResult {
  outcome: EventOutcome;
  conversationId: string;
  status?: Conversation["status"];
}

interface Plan {
  ops: TransactItem[];
  status: Conversation["status"];
  /** Skills to drain after the commit (a slot was freed). */
  drain?: readonly string[];
}

/** The effect of `event` on the conversation as read; undefined when it has none (already so). */
async function plan(conversation: Conversation, event: PlatformEvent, now: Date): Promise<Plan | undefined> {
  const at = now.toISOString();
  const open = conversation.status === "queued" || conversation.status === "waiting";
  const assigned = conversation.status === "assigned" && conversation.agentId !== undefined;
  switch (event.type) {
    case "agent-replied": {
      if (!assigned || conversation.firstResponseAt) return undefined;
      // The platform's clock says when; never before the assignment nor after we heard of it.
      const repliedAt = Math.min(now.getTime(), Math.max(Date.parse(event.occurredAt), Date.parse(conversation.assignedAt ?? at)));
      const entry: HistoryEntry = { at: new Date(repliedAt).toISOString(), action: "first-response", actor, ...(conversation.agentId ? { agentId: conversation.agentId } : {}), detail: `platform event ${event.eventId}` };
      return { ops: firstResponseOps(conversation, entry), status: "assigned" };
    }
    case "customer-left":
    case "closed": {
      const reason = event.type === "customer-left" ? "customer-left" : "platform";
      if (open) {
        const status = event.type === "customer-left" ? "abandoned" : "closed";
        const entry: HistoryEntry = { at, action: status === "abandoned" ? "abandoned" : "closed", actor, detail: reason };
        return { ops: endOps(conversation, status, reason, entry), status };
      }
      if (!assigned) return undefined;
      const agent = conversation.agentId ? await getAgent(conversation.agentId) : undefined;
      const entry: HistoryEntry = { at, action: "closed", actor, ...(conversation.agentId ? { agentId: conversation.agentId } : {}), detail: reason };
      return { ops: [...releaseSlotOps(agent, conversation), ...endOps(conversation, "closed", reason, entry)], status: "closed", drain: agent?.skills ?? [] };
    }
  }
}

/**
 * Applies a platform event.
 *
 * Primary course: seen before: a duplicate. Read the conversation (unknown: 404). From before the
 * current episode: recorded as stale, nothing else. Otherwise, in ONE transaction with the
 * event's record: agent-replied sets the episode's first response (off the re-offer list);
 * customer-left abandons a queued or waiting conversation (out of the queue) or closes an assigned
 * one with reason `customer-left`, freeing the slot; closed closes it, freeing the slot. Then the
 * router drains the freed agent's skills. Already in that state: recorded, nothing else.
 */
export async function applyPlatformEvent(event: PlatformEvent, now: Date, correlationId?: string): Promise<EventResult> {
  const key = dedupeKey({ kind: "event", eventId: event.eventId });
  const record = (outcome: EventOutcome): SeenRecord => ({ dedupeKey: key, kind: "event", conversationId: event.conversationId, outcome, receivedAt: now });
  const duplicate = { outcome: "duplicate" as const, conversationId: event.conversationId };
  if (await seenBefore(key)) return duplicate;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const conversation = await getConversation(event.conversationId);
    if (!conversation) throw new NotFoundError(`No conversation "${event.conversationId}".`);
    const stale = conversation.episodeStartedAt !== undefined && Date.parse(event.occurredAt) < Date.parse(conversation.episodeStartedAt);
    const effect = stale ? undefined : await plan(conversation, event, now);
    if (!effect) {
      const outcome = stale ? "stale" : "ignored";
      return (await recordSeen(record(outcome))) ? { outcome, conversationId: conversation.conversationId, status: conversation.status } : duplicate;
    }
    try {
      await transact([...effect.ops, seenOp(record("applied"))]);
      if (effect.status !== conversation.status) noteQueueChange({ conversationId: conversation.conversationId, status: effect.status, skill: conversation.skill, ...(conversation.agentId ? { agentId: conversation.agentId } : {}) });
      // Applied and recorded: the wake-up is best effort, so a retry never sees an error for it.
      if (effect.drain) await wakeRouter(effect.drain, `conversation ${conversation.conversationId} ${event.type}`, correlationId);
      return { outcome: "applied", conversationId: conversation.conversationId, status: effect.status };
    } catch (error) {
      if (error instanceof TransactionCancelledError && error.conditionFailedAt(effect.ops.length)) return duplicate;
      if (!isWriteConflict(error)) throw error;
      await jitter(attempt);
    }
  }
  throw new ContentionError(`Conversation ${event.conversationId} is changing concurrently; retry.`);
}
