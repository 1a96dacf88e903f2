/**
 * Moving an assigned conversation: to a named agent (transfer, reassign) or back to the waiting
 * line (transfer to a skill, handover, re-offer). Each move is ONE transaction that releases the
 * old agent's slot and takes the new one, conditional on both agents' versions and on the
 * conversation still being with the old agent — loads stay exact under concurrent closes.
 */
import { TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { isEligible, type Agent, type Skill } from "../agents/domain.js";
import { agentWriteOps, getAgent, type TransactItem } from "../agents/store.js";
import { dynamo, isTransactionConflict, jitter, tableName } from "../shared/dynamo.js";
import { ConflictError, ContentionError, NotFoundError } from "../shared/errors.js";
import { requestDrain } from "../shared/wake-router.js";
import type { Conversation, HistoryEntry } from "./conversation.js";
import { waitingKey } from "./policy.js";
import { assignmentKey, awaitingReplyPartition, conversationKey, getConversation, waitPartition } from "./store.js";
import { drainWaiting } from "./router.js";
import { releaseSlotOps } from "./lifecycle.js";

const maxAttempts = 12;

export interface MoveRequest {
  conversationId: string;
  actor: string;
  /** Only move if the conversation is currently with this agent (agents move only their own). */
  fromAgentId?: string;
  now: Date;
}

async function loadAssigned(request: MoveRequest): Promise<{ conversation: Conversation; from: Agent | undefined }> {
  const conversation = await getConversation(request.conversationId);
  if (!conversation) throw new NotFoundError(`No conversation "${request.conversationId}".`);
  if (request.fromAgentId && conversation.agentId !== request.fromAgentId) throw new NotFoundError(`No conversation "${request.conversationId}" assigned to you.`);
  if (conversation.status !== "assigned" || !conversation.agentId) throw new ConflictError(`Conversation ${request.conversationId} is ${conversation.status}; only an assigned conversation can be moved.`);
  return { conversation, from: await getAgent(conversation.agentId) };
}

const stillWithAgent = (conversation: Conversation) => ({
  ConditionExpression: "#s = :assigned AND agentId = :from",
  names: { "#s": "status" },
  values: { ":assigned": "assigned", ":from": conversation.agentId },
});

/**
 * To a named agent. Without `force` the target must be eligible (on duty, online, room, skill);
 * with `force` (supervisors only) capacity may be exceeded, and the history says so.
 */
export async function moveToAgent(request: MoveRequest & { toAgentId: string; force: boolean; action: "transferred" | "reassigned" }): Promise<Conversation> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { conversation, from } = await loadAssigned(request);
    if (conversation.agentId === request.toAgentId) throw new ConflictError(`Conversation ${request.conversationId} is already with ${request.toAgentId}.`);
    const to = await getAgent(request.toAgentId);
    if (!to) throw new NotFoundError(`No agent "${request.toAgentId}".`);
    if (!request.force) {
      if (!isEligible(to)) throw new ConflictError(`Agent ${to.agentId} cannot take it: ${!to.onDuty ? "off duty" : to.presence !== "online" ? `presence ${to.presence}` : `full (${to.load}/${to.maxConcurrent})`}.`, { extra: { agent: { agentId: to.agentId, onDuty: to.onDuty, presence: to.presence, load: to.load, maxConcurrent: to.maxConcurrent } } });
      if (conversation.skill !== "any" && !to.skills.includes(conversation.skill)) throw new ConflictError(`Agent ${to.agentId} lacks the skill ${conversation.skill}.`);
    }
    const at = request.now.toISOString();
    const overCapacity = to.load + 1 > to.maxConcurrent;
    const entry: HistoryEntry = { at, action: request.action, actor: request.actor, agentId: to.agentId, detail: `from ${conversation.agentId}${request.force ? (overCapacity ? " (forced over capacity)" : " (forced)") : ""}` };
    const cond = stillWithAgent(conversation);
    const ops: TransactItem[] = [
      ...releaseSlotOps(from, conversation),
      ...agentWriteOps(to, { ...to, load: to.load + 1, lastAssignedAt: at }),
      { Put: { TableName: tableName, Item: { ...assignmentKey(to.agentId, conversation.conversationId), type: "Assignment", conversationId: conversation.conversationId, agentId: to.agentId, assignedAt: at, skill: conversation.skill, priority: conversation.priority } } },
      {
        Update: {
          TableName: tableName,
          Key: conversationKey(conversation.conversationId),
          UpdateExpression: "SET agentId = :to, assignedAt = :at, assignments = assignments + :one, history = list_append(history, :h), gsi2pk = :aw, gsi2sk = :awk REMOVE firstResponseAt",
          ConditionExpression: cond.ConditionExpression,
          ExpressionAttributeNames: cond.names,
          ExpressionAttributeValues: { ...cond.values, ":to": to.agentId, ":at": at, ":one": 1, ":h": [entry], ":aw": awaitingReplyPartition(conversation.conversationId), ":awk": `${at}#${conversation.conversationId}` },
        },
      },
    ];
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: ops }));
      if (from) await requestDrain(from.skills, `conversation ${conversation.conversationId} moved away from ${from.agentId}`);
      return (await getConversation(conversation.conversationId)) ?? conversation;
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      await jitter(attempt);
    }
  }
  throw new ContentionError(`Conversation ${request.conversationId} is changing concurrently; retry.`);
}

/**
 * Back to the waiting line, keeping its original arrival and priority, then routed at once.
 * `exclude` keeps it away from the agent it left (unresponsive, transferred away).
 */
export async function moveToQueue(request: MoveRequest & { skill?: Skill | "any"; exclude: boolean; action: string; detail?: string }): Promise<Conversation> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { conversation, from } = await loadAssigned(request);
    const skill = request.skill ?? conversation.skill;
    const at = request.now.toISOString();
    const excluded = request.exclude && conversation.agentId ? [...new Set([...(conversation.excludeAgentIds ?? []), conversation.agentId])] : (conversation.excludeAgentIds ?? []);
    const entry: HistoryEntry = { at, action: request.action, actor: request.actor, ...(conversation.agentId ? { agentId: conversation.agentId } : {}), ...(request.detail ? { detail: request.detail } : {}) };
    const cond = stillWithAgent(conversation);
    const ops: TransactItem[] = [
      ...releaseSlotOps(from, conversation),
      {
        Update: {
          TableName: tableName,
          Key: conversationKey(conversation.conversationId),
          UpdateExpression: "SET #s = :waiting, skill = :skill, excludeAgentIds = :ex, history = list_append(history, :h), gsi1pk = :wp, gsi1sk = :wk REMOVE agentId, assignedAt, firstResponseAt, gsi2pk, gsi2sk",
          ConditionExpression: cond.ConditionExpression,
          ExpressionAttributeNames: cond.names,
          ExpressionAttributeValues: { ...cond.values, ":waiting": "waiting", ":skill": skill, ":ex": excluded, ":h": [entry], ":wp": waitPartition(skill), ":wk": waitingKey(conversation.priority, conversation.arrivedAt, conversation.conversationId) },
        },
      },
    ];
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: ops }));
      // Serve the line now: this conversation keeps its place by priority and arrival.
      await drainWaiting([skill, ...(from?.skills ?? [])], request.now);
      return (await getConversation(conversation.conversationId)) ?? conversation;
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      await jitter(attempt);
    }
  }
  throw new ContentionError(`Conversation ${request.conversationId} is changing concurrently; retry.`);
}
