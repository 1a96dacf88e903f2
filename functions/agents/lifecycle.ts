/**
 * An agent's end and return: deactivation (`DELETE /agents/{id}`, a leaver kept for history and
 * audit) and explicit reactivation (`POST /agents/{id}/reactivate`). Deactivation is the one
 * agents use case that reaches into other capabilities — routing hands the open conversations
 * over, the rota drops the future entries — through their exported use cases.
 */
import { openAssignments } from "../routing/store/index.js";
import { moveToQueue } from "../routing/use-cases/index.js";
import { recomputeDuty } from "../rota/duty.js";
import { removeFutureRota, type RotaRemoval } from "../rota/use-cases/leavers.js";
import { auditPut } from "../shared/audit.js";
import { ConflictError, ContentionError, NotFoundError } from "../shared/errors.js";
import { logger } from "../shared/logger.js";
import { disconnectAgent } from "../shared/push.js";
import { isActive, type Agent } from "./domain.js";
import { getAgent, mutateAgent, presenceChangePut } from "./store.js";
import type { Actor } from "./use-cases.js";

export interface HandoverResult {
  conversationId: string;
  /** `handed-over`: back in line (and routed to someone else if anyone had room); `gone`: closed or moved meanwhile; `failed`: left to the supervision clock. */
  outcome: "handed-over" | "gone" | "failed";
  status?: string;
  agentId?: string;
}

export interface Deactivation {
  agent: Agent;
  /** False when the agent was already deactivated (the call finished what a previous one left). */
  changed: boolean;
  handedOver: HandoverResult[];
  rota: RotaRemoval;
  /** WebSocket connections closed. */
  disconnected: number;
}

const unknownAgent = (agentId: string) => new NotFoundError(`No agent "${agentId}".`);

/** Lost races while handing over: the conversation closed, moved or kept changing. Nothing is lost. */
const lostRace = (error: unknown) => error instanceof ConflictError || error instanceof NotFoundError || error instanceof ContentionError;

/**
 * Hands every open conversation of the (deactivated) agent over by the normal handover move:
 * back to its line with its arrival and priority, away from this agent, routed at once to whoever
 * has room. One that cannot move now stays for the supervision clock, whose handover rule takes
 * a deactivated agent's work too.
 */
async function handOverAll(agentId: string, by: Actor): Promise<HandoverResult[]> {
  const results: HandoverResult[] = [];
  for (const open of await openAssignments(agentId)) {
    try {
      const moved = await moveToQueue({ conversationId: open.conversationId, actor: by.actor, fromAgentId: agentId, now: by.now, exclude: true, action: "handed-over", detail: "agent deactivated" });
      results.push({ conversationId: moved.conversationId, outcome: "handed-over", status: moved.status, ...(moved.agentId ? { agentId: moved.agentId } : {}) });
    } catch (error) {
      if (lostRace(error)) {
        results.push({ conversationId: open.conversationId, outcome: "gone" });
        continue;
      }
      logger.error("Handover of a deactivated agent's conversation failed; the supervision clock retries it", { agentId, conversationId: open.conversationId, error: error as Error });
      results.push({ conversationId: open.conversationId, outcome: "failed" });
    }
  }
  return results;
}

/**
 * Deactivates an agent (a leaver), keeping it for history.
 *
 * Primary course: read the agent (404 unknown); in ONE transaction mark it deactivated (presence
 * offline), take every seat out of the pool and write the audit record — conditional on the
 * version read, so an assignment committed first makes us read again and see its conversation,
 * and every assignment after it is refused by the condition that the agent is not deactivated;
 * then hand each open conversation over (re-queued, routed to others), remove the future rota
 * (the rota's own change, audited), and close the agent's WebSocket connections. Deactivating a
 * deactivated agent changes nothing and finishes any step a previous call left undone.
 *
 * @throws ConflictError (409) when the rota is held by another change: the agent is deactivated
 * and its work handed over; DELETE again to remove the rota.
 */
export async function deactivateAgent(agentId: string, by: Actor): Promise<Deactivation> {
  const at = by.now.toISOString();
  let seen: Agent | undefined;
  const change = await mutateAgent(agentId, (current) => {
    if (!current) throw unknownAgent(agentId);
    seen = current;
    if (!isActive(current)) return undefined;
    const after: Agent = { ...current, deactivatedAt: at, deactivatedBy: by.actor, presence: "offline", updatedAt: at, updatedBy: by.actor };
    const details = { presence: current.presence, load: current.load, onDuty: current.onDuty, skills: current.skills, maxConcurrent: current.maxConcurrent };
    const presence = current.presence === "offline" ? [] : [presenceChangePut({ agentId, at, presence: "offline", previous: current.presence, by: by.actor })];
    return { after, extra: [auditPut({ entity: "agent", entityId: agentId, action: "agent.deactivated", actor: by.actor, at, details }), ...presence] };
  });
  const agent = change?.after ?? seen;
  if (!agent) throw unknownAgent(agentId);

  const handedOver = await handOverAll(agentId, by);
  let rota: RotaRemoval;
  try {
    rota = await removeFutureRota(agentId, by);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    throw new ConflictError(`Agent ${agentId} is deactivated and its open conversations were handed over, but its future rota was not removed: ${error.message} DELETE /agents/${agentId} again to finish.`, {
      extra: { agentId, active: false, handedOver },
    });
  }
  const disconnected = await disconnectAgent(agentId);
  // Load and duty moved since the deactivation committed (handover, rota): answer with the profile as stored.
  return { agent: (await getAgent(agentId)) ?? agent, changed: change !== undefined, handedOver, rota, disconnected };
}

/**
 * Reactivates a deactivated agent (explicit: `PUT` never does it).
 *
 * Primary course: read the agent (404 unknown); remove the deactivation in one transaction with
 * the audit record; recompute its duty from the rota (entries added since are honoured). It comes
 * back offline and takes work once it (or a supervisor) sets it online while on duty.
 * Reactivating an active agent changes nothing.
 */
export async function reactivateAgent(agentId: string, by: Actor): Promise<{ agent: Agent; changed: boolean }> {
  const at = by.now.toISOString();
  let seen: Agent | undefined;
  const change = await mutateAgent(agentId, (current) => {
    if (!current) throw unknownAgent(agentId);
    seen = current;
    if (isActive(current)) return undefined;
    const { deactivatedAt, deactivatedBy, ...rest } = current;
    const after: Agent = { ...rest, updatedAt: at, updatedBy: by.actor };
    return { after, extra: [auditPut({ entity: "agent", entityId: agentId, action: "agent.reactivated", actor: by.actor, at, details: { deactivatedAt, deactivatedBy } })] };
  });
  if (!change) {
    if (!seen) throw unknownAgent(agentId);
    return { agent: seen, changed: false };
  }
  await recomputeDuty(by.now, [agentId]);
  // Duty may have changed just now: answer with the profile as stored.
  return { agent: (await getAgent(agentId)) ?? change.after, changed: true };
}
