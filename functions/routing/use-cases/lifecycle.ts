/**
 * Conversation lifecycle around routing: the first response, closing, and an agent's own list
 * (the platform's webhook is accepted in arrivals.ts). Closing frees capacity in the same
 * transaction that closes the conversation, then wakes the router to drain the queue.
 */
import { agentWriteOps, getAgent } from "../../agents/store.js";
import type { Agent } from "../../agents/domain.js";
import { ConflictError, ContentionError, NotFoundError } from "../../shared/errors.js";
import { logger } from "../../shared/logger.js";
import { isWriteConflict, jitter, transact, type TransactItem } from "../../shared/table/index.js";
import type { Conversation, HistoryEntry } from "../conversation.js";
import { assignmentDelete, closeOps, getConversation, openAssignments, recordFirstResponse } from "../store/index.js";
import { wakeRouter } from "../../shared/wake-router.js";
import { noteQueueChange } from "../../shared/supervisor-push.js";

const maxAttempts = 12;

export interface Actor {
  actor: string;
  /** For agents: the only conversations they may touch are their own. */
  agentId?: string;
}

/**
 * The conversation as `who` may see it. Agents see only their own; to them someone else's does
 * not exist, and the answer is exactly the one for a missing id (no hint that it exists).
 */
export async function conversationFor(conversationId: string, who: Actor): Promise<Conversation> {
  const conversation = await getConversation(conversationId);
  if (!conversation || (who.agentId && conversation.agentId !== who.agentId)) throw new NotFoundError(`No conversation "${conversationId}".`);
  return conversation;
}

/**
 * Ops that take an assigned conversation away from its agent (load - 1, seats, assignment record
 * deleted). The caller's conversation item carries the condition that it is still with that
 * agent, so load stays exact under any interleaving. Shared by close, transfer, reassign, handover.
 */
export function releaseSlotOps(agent: Agent | undefined, conversation: Conversation): TransactItem[] {
  if (!conversation.agentId) return [];
  const ops: TransactItem[] = [assignmentDelete(conversation.agentId, conversation.conversationId)];
  if (agent) ops.unshift(...agentWriteOps(agent, { ...agent, load: Math.max(0, agent.load - 1) }));
  return ops;
}

/**
 * Closes a conversation (an abandoned one if nobody had it yet).
 *
 * Primary course: read it; in ONE transaction set it closed (conditional on the state read),
 * release the agent's slot and delete the assignment record; then ask the router to drain the
 * agent's skills. A concurrent change cancels the transaction and we retry with jitter.
 */
export async function closeConversation(conversationId: string, who: Actor, now: Date, correlationId?: string): Promise<Conversation> {
  const at = now.toISOString();
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const conversation = await conversationFor(conversationId, who);
    if (conversation.status === "closed" || conversation.status === "abandoned") return conversation;
    const entry: HistoryEntry = { at, action: conversation.status === "assigned" ? "closed" : "abandoned", actor: who.actor, ...(conversation.agentId ? { agentId: conversation.agentId } : {}) };
    const agent = conversation.status === "assigned" && conversation.agentId ? await getAgent(conversation.agentId) : undefined;
    const release = conversation.status === "assigned" ? releaseSlotOps(agent, conversation) : [];
    try {
      await transact([...release, ...closeOps(conversation, entry)]);
      noteQueueChange({ conversationId, status: entry.action, skill: conversation.skill, ...(conversation.agentId ? { agentId: conversation.agentId } : {}) });
      // Committed: the wake-up is best effort (the sweeper drains within a minute).
      if (agent) await wakeRouter(agent.skills, `conversation ${conversationId} closed`, correlationId);
      // Exactly what the transaction wrote: no read-back on the close path.
      return { ...conversation, status: "closed", closedAt: at, abandoned: conversation.status !== "assigned", history: [...conversation.history, entry] };
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      await jitter(attempt);
    }
  }
  throw new ContentionError(`Conversation ${conversationId} is changing concurrently; retry.`);
}

/**
 * Records the agent's first reply.
 *
 * Primary course: read it; if assigned and not yet answered, set `firstResponseAt` conditional on
 * it still being with that agent (which also takes it off the re-offer list). Already answered:
 * the earlier answer stands.
 */
export async function markFirstResponse(conversationId: string, who: Actor, now: Date): Promise<Conversation> {
  const conversation = await conversationFor(conversationId, who);
  if (conversation.firstResponseAt) return conversation;
  if (conversation.status !== "assigned" || !conversation.agentId) throw new ConflictError(`Conversation ${conversationId} is ${conversation.status}; only an assigned conversation can get a first response.`);
  const at = now.toISOString();
  const recorded = await recordFirstResponse(conversation, conversation.agentId, { at, action: "first-response", actor: who.actor, agentId: conversation.agentId });
  // Undefined: someone else recorded it (or the conversation moved); report the current state.
  return recorded ?? (await getConversation(conversationId)) ?? conversation;
}

/**
 * An agent's open conversations.
 *
 * Primary course: read the agent's assignment records and the conversations they name; only
 * those still assigned to the agent are shown (a record the reconciler has yet to clean is logged).
 */
export async function openConversationsOf(agentId: string): Promise<Conversation[]> {
  const open = await openAssignments(agentId);
  const conversations = await Promise.all(open.map((o) => getConversation(o.conversationId)));
  const visible = conversations.filter((c): c is Conversation => c !== undefined && c.agentId === agentId && c.status === "assigned");
  if (visible.length !== open.length) logger.warn("Assignment records disagree with conversations", { agentId, records: open.length, assigned: visible.length });
  return visible;
}
