/**
 * Moving an assigned conversation: to a named agent (transfer, reassign) or back to the waiting
 * line (transfer to a skill, handover, re-offer). Each move is ONE transaction that releases the
 * old agent's slot and takes the new one, conditional on both agents' versions and on the
 * conversation still being with the old agent — loads stay exact under concurrent closes.
 */
import { canServe, unavailableReason, type Agent, type Skill } from "../../agents/domain.js";
import { agentWriteOps, getAgent } from "../../agents/store.js";
import { assignmentCallback } from "../../integrations/outbox.js";
import { auditPut } from "../../shared/audit.js";
import { ConflictError, ContentionError, NotFoundError } from "../../shared/errors.js";
import { isWriteConflict, jitter, transact } from "../../shared/table/index.js";
import { allowedFallbacks, type Conversation, type HistoryEntry } from "../conversation.js";
import { getConversation, moveToAgentOps, moveToQueueOps } from "../store/index.js";
import { decisionClock } from "../config.js";
import { conversationFor, releaseSlotOps } from "./lifecycle.js";
import { drainWaiting } from "./route.js";
import { wakeRouter } from "../../shared/wake-router.js";
import { noteQueueChange } from "../../shared/supervisor-push.js";
import { drainAfterCommit, readBack } from "./wake.js";

const maxAttempts = 12;

/** Whether the conversation shows this call's own write (a commit whose answer was lost). */
async function committed(conversationId: string, mine: (c: Conversation) => boolean): Promise<boolean> {
  const current = await getConversation(conversationId);
  return current !== undefined && mine(current);
}

export interface MoveRequest {
  conversationId: string;
  actor: string;
  /** Only move if the conversation is currently with this agent (agents move only their own). */
  fromAgentId?: string;
  now: Date;
}

async function loadAssigned(request: MoveRequest): Promise<{ conversation: Conversation; from: Agent | undefined }> {
  const conversation = await conversationFor(request.conversationId, request.fromAgentId ? { actor: request.actor, agentId: request.fromAgentId } : { actor: request.actor });
  if (conversation.status !== "assigned" || !conversation.agentId) throw new ConflictError(`Conversation ${request.conversationId} is ${conversation.status}; only an assigned conversation can be moved.`);
  return { conversation, from: await getAgent(conversation.agentId) };
}

/**
 * To a named agent (transfer by its agent, reassign by a supervisor).
 *
 * Primary course: read the conversation and both agents; the target must be on duty at this
 * instant, online (not paused, away or offline) and have the conversation's skill (or, escalated,
 * a fallback skill) — `force` (supervisors only) overrides capacity and nothing else, and the
 * history says so; commit release + take + records in one transaction, conditional on the
 * target's duty window covering the clock, then ask the router to drain the old agent's skills.
 */
export async function moveToAgent(request: MoveRequest & { toAgentId: string; force: boolean; action: "transferred" | "reassigned" }): Promise<Conversation> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { conversation, from } = await loadAssigned(request);
    if (conversation.agentId === request.toAgentId) throw new ConflictError(`Conversation ${request.conversationId} is already with ${request.toAgentId}.`);
    const to = await getAgent(request.toAgentId);
    if (!to) throw new NotFoundError(`No agent "${request.toAgentId}".`);
    const now = decisionClock(request.now);
    const facts = { extra: { agent: { agentId: to.agentId, onDuty: to.onDuty, shift: to.shift, presence: to.presence, load: to.load, maxConcurrent: to.maxConcurrent } } };
    // `force` overrides capacity only: never duty, presence or skill.
    const unavailable = unavailableReason(to, now);
    if (unavailable) throw new ConflictError(`Agent ${to.agentId} cannot take it: ${unavailable}${request.force ? " (force overrides capacity only)" : ""}.`, facts);
    if (!request.force && to.load >= to.maxConcurrent) throw new ConflictError(`Agent ${to.agentId} cannot take it: full (${to.load}/${to.maxConcurrent}).`, facts);
    if (!canServe(to, conversation.skill, allowedFallbacks(conversation))) throw new ConflictError(`Agent ${to.agentId} lacks the skill ${conversation.skill}.`, facts);
    const at = now.toISOString();
    const overCapacity = to.load + 1 > to.maxConcurrent;
    const entry: HistoryEntry = { at, action: request.action, actor: request.actor, agentId: to.agentId, detail: `from ${conversation.agentId}${request.force ? (overCapacity ? " (forced over capacity)" : " (forced)") : ""}` };
    const callback = assignmentCallback({ conversation, agentId: to.agentId, previousAgentId: conversation.agentId, reason: request.action, at });
    try {
      // Audited with its actor in the same transaction (invariant 6), beside the conversation's history.
      const audit = auditPut({ entity: "conversation", entityId: conversation.conversationId, action: `conversation.${request.action}`, actor: request.actor, at, details: { from: conversation.agentId, to: to.agentId, force: request.force, overCapacity } });
      await transact([...releaseSlotOps(from, conversation), ...agentWriteOps(to, { ...to, load: to.load + 1, lastAssignedAt: at }, { onDutyAt: at }), ...moveToAgentOps(conversation, to.agentId, entry), ...callback.ops, audit]);
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      // Refused — unless by a retry of this very call after it committed (its answer lost): then
      // the conversation is with the target at this instant, and the move is done.
      if (!(await committed(conversation.conversationId, (c) => c.status === "assigned" && c.agentId === to.agentId && c.assignedAt === at))) {
        await jitter(attempt);
        continue;
      }
    }
    // Committed: what follows only speeds things up and never fails the move (wake.ts).
    noteQueueChange({ conversationId: conversation.conversationId, status: "assigned", skill: conversation.skill, agentId: to.agentId });
    await callback.send();
    if (from) await wakeRouter(from.skills, `conversation ${conversation.conversationId} moved away from ${from.agentId}`);
    const moved: Conversation = { ...conversation, agentId: to.agentId, assignedAt: at, assignments: conversation.assignments + 1, history: [...conversation.history, entry] };
    return readBack(() => getConversation(conversation.conversationId), moved);
  }
  throw new ContentionError(`Conversation ${request.conversationId} is changing concurrently; retry.`);
}

/**
 * Back to the waiting line (transfer to a skill, handover, re-offer).
 *
 * Primary course: read the conversation and its agent; in one transaction release the slot and
 * put the conversation back in the skill's line with its original arrival and priority
 * (`exclude` keeps it away from the agent it left); then drain, so it is routed at once.
 */
export async function moveToQueue(request: MoveRequest & { skill?: Skill | "any"; exclude: boolean; action: string; detail?: string }): Promise<Conversation> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { conversation, from } = await loadAssigned(request);
    const skill = request.skill ?? conversation.skill;
    const at = request.now.toISOString();
    const excluded = request.exclude && conversation.agentId ? [...new Set([...(conversation.excludeAgentIds ?? []), conversation.agentId])] : (conversation.excludeAgentIds ?? []);
    // `agentId` is the agent it left, `toSkill` the line it went to: nobody is credited with an assignment.
    const entry: HistoryEntry = { at, action: request.action, actor: request.actor, ...(conversation.agentId ? { agentId: conversation.agentId } : {}), toSkill: skill, ...(request.detail ? { detail: request.detail } : {}) };
    try {
      const audit = auditPut({ entity: "conversation", entityId: conversation.conversationId, action: `conversation.${request.action}`, actor: request.actor, at, details: { from: conversation.agentId, toSkill: skill, ...(request.detail ? { detail: request.detail } : {}) } });
      await transact([...releaseSlotOps(from, conversation), ...moveToQueueOps(conversation, skill, excluded, entry), audit]);
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      // Refused — unless by a retry of this very call after it committed (see moveToAgent).
      if (!(await committed(conversation.conversationId, (c) => c.history.some((h) => h.at === at && h.action === entry.action && h.toSkill === skill && h.agentId === entry.agentId)))) {
        await jitter(attempt);
        continue;
      }
    }
    noteQueueChange({ conversationId: conversation.conversationId, status: "waiting", skill });
    // Serve the line now: this conversation keeps its place by priority and arrival. Committed:
    // a failing drain is left to the router (wake.ts), never reported as a failed move.
    const skills = [skill, ...(from?.skills ?? [])];
    await drainAfterCommit(skills, `conversation ${conversation.conversationId} back to ${skill}`, () => drainWaiting(skills, decisionClock(request.now)));
    const { agentId: _left, assignedAt: _at, ...rest } = conversation;
    const queued: Conversation = { ...rest, status: "waiting", skill, excludeAgentIds: excluded, history: [...conversation.history, entry] };
    return readBack(() => getConversation(conversation.conversationId), queued);
  }
  throw new ContentionError(`Conversation ${request.conversationId} is changing concurrently; retry.`);
}
