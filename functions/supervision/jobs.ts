/**
 * Time-driven supervision rules, run every minute by `SupervisionClock` with the event time as
 * the clock: shift handover, away handover, unresponsive re-offer, wait escalation. Load
 * reconciliation runs on its own schedule (`LoadReconciler`).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { skills } from "../agents/domain.js";
import { getAgent, listAgents, mutateAgent } from "../agents/store.js";
import { dynamo, isConditionalCheckFailed, tableName } from "../shared/dynamo.js";
import { logger } from "../shared/logger.js";
import { emitCount } from "../shared/metrics.js";
import { pushToSupervisors } from "../shared/push.js";
import type { Conversation } from "../routing/conversation.js";
import { moveToQueue } from "../routing/moves.js";
import { drainWaiting } from "../routing/router.js";
import { awaitingReplySince, conversationKey, getConversation, openAssignments, waitingConversations, waitPartition } from "../routing/store.js";
import { orderCandidates } from "../routing/policy.js";
import { supervisionConfig } from "./config.js";
import { handoverReason } from "./rules.js";

const system = "system:supervision";

export async function handOver(now: Date) {
  let handedOver = 0;
  for (const agent of await listAgents()) {
    const reason = handoverReason(agent, now, supervisionConfig());
    if (!reason) continue;
    for (const open of await openAssignments(agent.agentId)) {
      try {
        await moveToQueue({ conversationId: open.conversationId, actor: system, fromAgentId: agent.agentId, now, exclude: true, action: "handed-over", detail: reason });
        handedOver++;
      } catch (error) {
        logger.warn("Handover skipped", { conversationId: open.conversationId, error: error as Error });
      }
    }
  }
  return handedOver;
}

/** Is there someone else who could take this conversation right now? */
async function anotherEligible(conversation: Conversation, now: Date): Promise<boolean> {
  const agents = await listAgents();
  const others = agents.filter((a) => a.agentId !== conversation.agentId && !(conversation.excludeAgentIds ?? []).includes(a.agentId));
  return orderCandidates(others, conversation.skill, undefined, now).length > 0;
}

export async function reofferUnanswered(now: Date) {
  const { firstResponseTimeoutMs } = supervisionConfig();
  const before = new Date(now.getTime() - firstResponseTimeoutMs).toISOString();
  let reoffered = 0;
  for (const conversation of await awaitingReplySince(before)) {
    // Re-offering only helps if someone else can take it; otherwise it stays where it is.
    if (!(await anotherEligible(conversation, now))) continue;
    try {
      await moveToQueue({ conversationId: conversation.conversationId, actor: system, now, exclude: true, action: "reoffered", detail: `no first response from ${conversation.agentId} within ${firstResponseTimeoutMs / 1000} s` });
      reoffered++;
    } catch (error) {
      logger.warn("Re-offer skipped", { conversationId: conversation.conversationId, error: error as Error });
    }
  }
  return reoffered;
}

export async function escalateWaiting(now: Date) {
  const { escalateAfterMs, escalationMode } = supervisionConfig();
  let escalated = 0;
  for (const skill of skills) {
    for (const conversation of await waitingConversations(skill)) {
      if (conversation.escalated || now.getTime() - Date.parse(conversation.arrivedAt) < escalateAfterMs) continue;
      const at = now.toISOString();
      const widen = escalationMode !== "notify";
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: tableName,
            Key: conversationKey(conversation.conversationId),
            UpdateExpression: `SET escalated = :t, history = list_append(history, :h)${widen ? ", skill = :any, gsi1pk = :wp" : ""}`,
            ConditionExpression: "#s = :waiting AND attribute_not_exists(escalated)",
            ExpressionAttributeNames: { "#s": "status" },
            ExpressionAttributeValues: {
              ":t": true,
              ":waiting": "waiting",
              ":h": [{ at, action: "escalated", actor: system, detail: widen ? `waited over ${escalateAfterMs / 1000} s: ${skill} -> any` : `waited over ${escalateAfterMs / 1000} s` }],
              ...(widen ? { ":any": "any", ":wp": waitPartition("any") } : {}),
            },
          }),
        );
        escalated++;
        if (escalationMode !== "widen") {
          await pushToSupervisors({ type: "escalation", conversationId: conversation.conversationId, skill, priority: conversation.priority, waitingSince: conversation.arrivedAt });
        }
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
  }
  // runSupervisionClock drains every queue (the widened `any` one included) right after this.
  return escalated;
}

export async function runSupervisionClock(now: Date) {
  const handedOver = await handOver(now);
  const reoffered = await reofferUnanswered(now);
  const escalated = await escalateWaiting(now);
  const drained = await drainWaiting([...skills], now);
  emitCount("ConversationsHandedOver", handedOver);
  emitCount("ConversationsReoffered", reoffered);
  emitCount("ConversationsEscalated", escalated);
  return { handedOver, reoffered, escalated, drained };
}

/**
 * Recomputes each agent's load from its open assignment records and repairs drift. The agent is
 * read before the records are counted and written back conditional on that version, so an
 * assignment racing with the repair makes the repair retry instead of undoing it.
 */
export async function reconcileLoads(_now: Date) {
  const repairs: { agentId: string; from: number; to: number }[] = [];
  for (const listed of await listAgents()) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const agent = await getAgent(listed.agentId);
      if (!agent) break;
      const open = await openAssignments(agent.agentId);
      // Records whose conversation is no longer assigned to this agent are leftovers.
      const real = (await Promise.all(open.map((o) => getConversation(o.conversationId)))).filter((c) => c?.status === "assigned" && c.agentId === agent.agentId).length;
      if (real === agent.load) break;
      try {
        const change = await mutateAgent(agent.agentId, (current) => (current && current.version === agent.version ? { after: { ...current, load: real } } : undefined), 1);
        if (change) {
          repairs.push({ agentId: agent.agentId, from: agent.load, to: real });
          break;
        }
      } catch {
        // Changed under us: count again.
      }
    }
  }
  emitCount("LoadDriftRepaired", repairs.length);
  if (repairs.length > 0) logger.warn("Load drift repaired", { repaired: repairs.length, repairs });
  else logger.info("No load drift");
  return { checked: true, repaired: repairs.length, repairs };
}
