/**
 * Agents HTTP API: profiles (supervisor) and presence (the agent itself or a supervisor).
 * Every change commits with its audit record; changes that free capacity wake the router.
 */
import * as z from "zod";
import { auditPut } from "../shared/audit.js";
import { NotFoundError } from "../shared/errors.js";
import { actorOf, httpApi, jsonBody, requireSelfOrSupervisor, validate, type HttpRequest } from "../shared/http.js";
import { agentIdSchema, agentView, isEligible, newAgent, presenceStatuses, skillSchema, type Agent } from "./domain.js";
import { agentsApi } from "./functions.js";
import { listAgents, mutateAgent, requireAgent } from "./store.js";
import { requestDrain } from "../shared/wake-router.js";
import { onAgentArrival } from "./arrival.js";

const profileSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    skills: z.array(skillSchema).min(1).max(10).refine((s) => new Set(s).size === s.length, "skills must not repeat"),
    maxConcurrent: z.number().int().min(1).max(50),
  })
  .strict();

const presenceSchema = z.object({ status: z.enum(presenceStatuses) }).strict();

function agentIdOf(request: HttpRequest): string {
  return validate(z.object({ agentId: agentIdSchema }), request.params, "path").agentId;
}

/** Wake the router when a change can let waiting conversations through. */
async function wakeIfCapacityFreed(before: Agent | undefined, after: Agent, correlationId: string) {
  const gained = isEligible(after) && (!before || !isEligible(before) || after.maxConcurrent > before.maxConcurrent);
  if (gained) await requestDrain(after.skills, `agent ${after.agentId} gained capacity`, correlationId);
}

export const handler = httpApi(agentsApi, {
  "PUT /agents/{agentId}": async (request) => {
    const agentId = agentIdOf(request);
    const profile = jsonBody(request, profileSchema);
    const actor = actorOf(request);
    const at = request.now.toISOString();
    const change = await mutateAgent(agentId, (current) => {
      const after: Agent = current
        ? { ...current, ...profile, updatedAt: at, updatedBy: actor }
        : newAgent({ agentId, ...profile }, actor, request.now);
      return { after, extra: [auditPut({ entity: "agent", entityId: agentId, action: current ? "agent.updated" : "agent.created", actor, at, details: profile })] };
    });
    if (!change) throw new Error("unreachable: profile change always writes");
    await wakeIfCapacityFreed(change.before, change.after, request.correlationId);
    return { status: change.before ? 200 : 201, body: agentView(change.after) };
  },

  "GET /agents": async () => {
    const agents = await listAgents();
    return { status: 200, body: { agents: agents.map(agentView) } };
  },

  "GET /agents/{agentId}": async (request) => {
    return { status: 200, body: agentView(await requireAgent(agentIdOf(request))) };
  },

  "PUT /agents/{agentId}/presence": async (request) => {
    const agentId = agentIdOf(request);
    requireSelfOrSupervisor(request, agentId);
    const { status } = jsonBody(request, presenceSchema);
    const actor = actorOf(request);
    const at = request.now.toISOString();
    // The read inside mutateAgent tells us whether the agent exists: no separate look-up.
    let seen: Agent | undefined;
    const change = await mutateAgent(agentId, (current) => {
      seen = current;
      if (!current) return undefined;
      if (current.presence === status) return undefined;
      return {
        after: { ...current, presence: status, updatedAt: at, updatedBy: actor },
        extra: [auditPut({ entity: "agent", entityId: agentId, action: "agent.presence", actor, at, details: { from: current.presence, to: status } })],
      };
    });
    const agent = change?.after ?? seen;
    if (!agent) throw new NotFoundError(`No agent "${agentId}". Create it with PUT /agents/${agentId}.`);
    if (change) await wakeIfCapacityFreed(change.before, change.after, request.correlationId);
    if (change && status === "online") await onAgentArrival(agentId, request.now, "online");
    return { status: 200, body: agentView(agent) };
  },
});
