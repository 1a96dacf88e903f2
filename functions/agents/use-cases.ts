/**
 * Agents use cases: profiles (supervisor) and presence (the agent itself or a supervisor).
 * Every change commits with its audit record; changes that free capacity wake the router.
 * Deactivation and reactivation, which reach into routing and the rota, are in lifecycle.ts.
 */
import { auditPut } from "../shared/audit.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import { wakeRouter } from "../shared/wake-router.js";
import { onAgentArrival } from "./arrival.js";
import { isActive, isEligible, newAgent, patchChanges, type Agent, type Presence, type ProfilePatch, type Skill } from "./domain.js";
import { requireKnownSkills } from "./skills.js";
import { getAgent, listAgentsPage, mutateAgent, presenceChangePut, type AgentPage } from "./store.js";

/** Who acts, when, and the request's correlation id (for the router wake-up). */
export interface Actor {
  actor: string;
  now: Date;
  correlationId: string;
}

export type Profile = {
  name: string;
  skills: Skill[];
  maxConcurrent: number;
};

/** Wake the router when a committed change can let waiting conversations through (more room, or a new skill); never throws. */
export async function wakeIfCapacityFreed(before: Agent | undefined, after: Agent, correlationId: string) {
  const newSkill = before !== undefined && after.skills.some((s) => !before.skills.includes(s));
  const gained = isEligible(after) && (!before || !isEligible(before) || after.maxConcurrent > before.maxConcurrent || newSkill);
  if (gained) await wakeRouter(after.skills, `agent ${after.agentId} gained capacity`, correlationId);
}

const unknownAgent = (agentId: string) => new NotFoundError(`No agent "${agentId}". Create it with PUT /agents/${agentId}.`);

/** A deactivated agent is kept for history only: changing it needs an explicit reactivation first. */
export function deactivatedConflict(agent: Agent, what: string): ConflictError {
  return new ConflictError(`Agent ${agent.agentId} is deactivated (since ${agent.deactivatedAt ?? "?"}); ${what}. Reactivate it first with POST /agents/${agent.agentId}/reactivate.`, {
    extra: { agentId: agent.agentId, active: false, deactivatedAt: agent.deactivatedAt },
  });
}

/**
 * Creates or updates an agent's profile.
 *
 * Primary course: check the skills are known (400 naming each unknown one); read the agent;
 * create it (offline, off duty) or replace name, skills and
 * capacity; commit with an audit record; wake the router if capacity grew. A capacity below the
 * current load is accepted: the agent takes no new work until the load falls below it.
 */
export async function saveProfile(agentId: string, profile: Profile, by: Actor): Promise<{ created: boolean; agent: Agent }> {
  await requireKnownSkills(profile.skills, "skills");
  const at = by.now.toISOString();
  const change = await mutateAgent(agentId, (current) => {
    if (current && !isActive(current)) throw deactivatedConflict(current, "its profile cannot be replaced");
    const after: Agent = current ? { ...current, ...profile, updatedAt: at, updatedBy: by.actor } : newAgent({ agentId, ...profile }, by.actor, by.now);
    return { after, extra: [auditPut({ entity: "agent", entityId: agentId, action: current ? "agent.updated" : "agent.created", actor: by.actor, at, details: { ...profile } })] };
  });
  if (!change) throw new Error("unreachable: a profile change always writes");
  await wakeIfCapacityFreed(change.before, change.after, by.correlationId);
  return { created: !change.before, agent: change.after };
}

/**
 * Changes single profile fields (`PATCH /agents/{id}`, merge-patch semantics).
 *
 * Primary course: check new skills are known (400 naming each unknown one); read the agent (404
 * unknown, 409 deactivated); keep only the fields whose value changes; commit them with an audit
 * record of each `from → to`, the seats rewritten in the same transaction (a dropped skill's seat
 * deleted, a new one added, every seat in or out of the pool as the new capacity says); wake the
 * router when the agent gained room or a skill. Nothing differs: no write, no audit record.
 * A capacity below the current load is accepted: the agent takes no new work until the load
 * falls below it, and its view shows `overCapacityBy`.
 */
export async function patchProfile(agentId: string, patch: ProfilePatch, by: Actor): Promise<{ agent: Agent; changed: boolean }> {
  if (patch.skills !== undefined) await requireKnownSkills(patch.skills, "skills");
  const at = by.now.toISOString();
  let seen: Agent | undefined;
  const change = await mutateAgent(agentId, (current) => {
    if (!current) throw unknownAgent(agentId);
    if (!isActive(current)) throw deactivatedConflict(current, "its profile cannot be changed");
    seen = current;
    const changes = patchChanges(current, patch);
    if (Object.keys(changes).length === 0) return undefined;
    const after: Agent = { ...current, ...patch, updatedAt: at, updatedBy: by.actor };
    return { after, extra: [auditPut({ entity: "agent", entityId: agentId, action: "agent.updated", actor: by.actor, at, details: { changes } })] };
  });
  if (!change) {
    if (!seen) throw unknownAgent(agentId);
    return { agent: seen, changed: false };
  }
  await wakeIfCapacityFreed(change.before, change.after, by.correlationId);
  return { agent: change.after, changed: true };
}

/** One page of agents in id order (supervisor view), optionally only active or deactivated ones. */
export function agentsPage(options: { limit: number; cursor?: string; active?: boolean }): Promise<AgentPage> {
  return listAgentsPage(options);
}

/** One agent (deactivated ones too, for history), or a 404 naming it. */
export async function agentById(agentId: string): Promise<Agent> {
  const agent = await getAgent(agentId);
  if (!agent) throw unknownAgent(agentId);
  return agent;
}

/**
 * Sets an agent's presence.
 *
 * Primary course: read the agent (404 if unknown, 409 if deactivated); if the presence changes,
 * commit it with an audit record naming who set it (the agent itself, or the supervisor who
 * paused or resumed it), wake the router if the agent can now take work, and on `online` deliver
 * what an arriving agent is owed (late-joiner notices). Setting the current presence again
 * changes nothing.
 */
export async function setPresence(agentId: string, status: Presence, by: Actor): Promise<Agent> {
  const at = by.now.toISOString();
  // The read inside mutateAgent tells us whether the agent exists: no separate look-up.
  let seen: Agent | undefined;
  const change = await mutateAgent(agentId, (current) => {
    seen = current;
    if (current && !isActive(current)) throw deactivatedConflict(current, "its presence cannot be set");
    if (!current || current.presence === status) return undefined;
    return {
      after: { ...current, presence: status, updatedAt: at, updatedBy: by.actor },
      extra: [
        auditPut({ entity: "agent", entityId: agentId, action: "agent.presence", actor: by.actor, at, details: { from: current.presence, to: status } }),
        presenceChangePut({ agentId, at, presence: status, previous: current.presence, by: by.actor }),
      ],
    };
  });
  const agent = change?.after ?? seen;
  if (!agent) throw unknownAgent(agentId);
  if (change) await wakeIfCapacityFreed(change.before, change.after, by.correlationId);
  if (change && status === "online") await onAgentArrival(agentId, by.now, "online");
  return agent;
}
