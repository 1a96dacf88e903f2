/**
 * Conversation lifecycle after routing: first response and close. Closing frees capacity in
 * the same transaction that closes the conversation, then wakes the router to drain the queue.
 */
import { TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { agentWriteOps, getAgent } from "../agents/store.js";
import type { TransactItem } from "../agents/store.js";
import type { Agent } from "../agents/domain.js";
import { dynamo, isConditionalCheckFailed, isTransactionConflict, jitter, tableName } from "../shared/dynamo.js";
import { ConflictError, ContentionError, NotFoundError } from "../shared/errors.js";
import { requestDrain } from "../shared/wake-router.js";
import type { Conversation, HistoryEntry } from "./conversation.js";
import { assignmentKey, conversationFromItem, conversationKey, getConversation } from "./store.js";

const maxAttempts = 12;

/**
 * Ops that take an assigned conversation away from its agent (load - 1, seats, assignment record
 * deleted) conditional on the conversation still being assigned to that agent. Shared by close,
 * transfer, reassign and handover so load stays exact under any interleaving.
 */
export function releaseSlotOps(agent: Agent | undefined, conversation: Conversation): TransactItem[] {
  const ops: TransactItem[] = [{ Delete: { TableName: tableName, Key: assignmentKey(conversation.agentId ?? "", conversation.conversationId) } }];
  if (agent) ops.unshift(...agentWriteOps(agent, { ...agent, load: Math.max(0, agent.load - 1) }));
  return ops;
}

async function releaseOps(conversation: Conversation): Promise<{ ops: TransactItem[]; skills: string[] } | undefined> {
  if (conversation.status !== "assigned" || !conversation.agentId) return undefined;
  const agent = await getAgent(conversation.agentId);
  return { ops: releaseSlotOps(agent, conversation), skills: agent?.skills ?? [] };
}

export interface Actor {
  actor: string;
  /** For agents: the only conversations they may touch are their own. */
  agentId?: string;
}

export async function closeConversation(conversationId: string, who: Actor, now: Date, correlationId?: string): Promise<Conversation> {
  const at = now.toISOString();
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const conversation = await getConversation(conversationId);
    if (!conversation) throw new NotFoundError(`No conversation "${conversationId}".`);
    if (who.agentId && conversation.agentId !== who.agentId) throw new NotFoundError(`No conversation "${conversationId}" assigned to you.`);
    if (conversation.status === "closed") return conversation;
    const entry: HistoryEntry = { at, action: conversation.status === "assigned" ? "closed" : "abandoned", actor: who.actor, ...(conversation.agentId ? { agentId: conversation.agentId } : {}) };
    const release = await releaseOps(conversation);
    const closeOp: TransactItem = {
      Update: {
        TableName: tableName,
        Key: conversationKey(conversationId),
        UpdateExpression: "SET #s = :closed, closedAt = :at, abandoned = :ab, history = list_append(history, :h) REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk",
        ConditionExpression: "#s = :current" + (conversation.agentId ? " AND agentId = :agent" : ""),
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: {
          ":closed": "closed",
          ":at": at,
          ":ab": conversation.status !== "assigned",
          ":h": [entry],
          ":current": conversation.status,
          ...(conversation.agentId ? { ":agent": conversation.agentId } : {}),
        },
      },
    };
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: [...(release?.ops ?? []), closeOp] }));
      if (release && release.skills.length > 0) await requestDrain(release.skills, `conversation ${conversationId} closed`, correlationId);
      // Exactly what the transaction wrote: no read-back on the close path.
      return { ...conversation, status: "closed", closedAt: at, abandoned: conversation.status !== "assigned", history: [...conversation.history, entry] };
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      await jitter(attempt);
    }
  }
  throw new ContentionError(`Conversation ${conversationId} is changing concurrently; retry.`);
}

export async function markFirstResponse(conversationId: string, who: Actor, now: Date): Promise<Conversation> {
  const conversation = await getConversation(conversationId);
  if (!conversation) throw new NotFoundError(`No conversation "${conversationId}".`);
  if (who.agentId && conversation.agentId !== who.agentId) throw new NotFoundError(`No conversation "${conversationId}" assigned to you.`);
  if (conversation.firstResponseAt) return conversation;
  if (conversation.status !== "assigned") throw new ConflictError(`Conversation ${conversationId} is ${conversation.status}; only an assigned conversation can get a first response.`);
  const at = now.toISOString();
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: conversationKey(conversationId),
        ReturnValues: "ALL_NEW",
        UpdateExpression: "SET firstResponseAt = :at, history = list_append(history, :h) REMOVE gsi2pk, gsi2sk",
        ConditionExpression: "#s = :assigned AND agentId = :agent AND attribute_not_exists(firstResponseAt)",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":at": at, ":assigned": "assigned", ":agent": conversation.agentId, ":h": [{ at, action: "first-response", actor: who.actor, agentId: conversation.agentId }] },
      }),
    );
    if (result.Attributes) return conversationFromItem(result.Attributes);
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // Someone else recorded it (or the conversation moved): report the current state.
  }
  return (await getConversation(conversationId)) ?? conversation;
}
