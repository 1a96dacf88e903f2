/**
 * Agents use cases: profiles (supervisor) and presence (the agent itself or a supervisor).
 * Every change commits with its audit record; changes that free capacity wake the router.
 */
import { auditPut } from "../shared/audit.js";
import { NotFoundError } from "../shared/errors.js";
import { requestDrain } from "../shared/wake-router.js";
import { onAgentArrival } from "./arrival.js";
import { isEligible, newAgent, type Agent, type Presence, type Skill } from "./domain.js";
import { requireKnownSkills } from "./skills.js";
import { getAgent, listAgents, mutateAgent } from "./store.js";

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

/** Wake the router when a change can let waiting conversations through. */
async function wakeIfCapacityFreed(before: Agent | undefined, after: Agent, correlationId: string) {
  const gained = isEligible(after) && (!before || !isEligible(before) || after.maxConcurrent > before.maxConcurrent);
  if (gained) await requestDrain(after.skills, `agent ${after.agentId} gained capacity`, correlationId);
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
    const after: Agent = current ? { ...current, ...profile, updatedAt: at, updatedBy: by.actor } : newAgent({ agentId, ...profile }, by.actor, by.now);
    return { after, extra: [auditPut({ entity: "agent", entityId: agentId, action: current ? "agent.updated" : "agent.created", actor: by.actor, at, details: { ...profile } })] };
  });
  if (!change) throw new Error("unreachable: a profile change always writes");
  await wakeIfCapacityFreed(change.before, change.after, by.correlationId);
  return { created: !change.before, agent: change.after };
}

/** Every agent (supervisor view). */
export function allAgents(): Promise<Agent[]> {
  return listAgents();
}

/** One agent, or a 404 naming it. */
export async function agentById(agentId: string): Promise<Agent> {
  const agent = await getAgent(agentId);
  if (!agent) throw new NotFoundError(`No agent "${agentId}". Create it with PUT /agents/${agentId}.`);
  return agent;
}

/**
 * Sets an agent's presence.
 *
 * Primary course: read the agent (404 if unknown); if the presence changes, commit it with an
 * audit record, wake the router if the agent can now take work, and on `online` deliver what an
 * arriving agent is owed (late-joiner notices). Setting the current presence again changes nothing.
 */
export async function setPresence(agentId: string, status: Presence, by: Actor): Promise<Agent> {
  const at = by.now.toISOString();
  // The read inside mutateAgent tells us whether the agent exists: no separate look-up.
  let seen: Agent | undefined;
  const change = await mutateAgent(agentId, (current) => {
    seen = current;
    if (!current || current.presence === status) return undefined;
    return {
      after: { ...current, presence: status, updatedAt: at, updatedBy: by.actor },
      extra: [auditPut({ entity: "agent", entityId: agentId, action: "agent.presence", actor: by.actor, at, details: { from: current.presence, to: status } })],
    };
  });
  const agent = change?.after ?? seen;
  if (!agent) throw new NotFoundError(`No agent "${agentId}". Create it with PUT /agents/${agentId}.`);
  if (change) await wakeIfCapacityFreed(change.before, change.after, by.correlationId);
  if (change && status === "online") await onAgentArrival(agentId, by.now, "online");
  return agent;
}
