/** Agents HTTP API: profiles and skills (supervisor) and presence (the agent itself or a supervisor). */
import * as z from "zod";
import { actorOf, httpApi, jsonBody, requireSelfOrSupervisor, validate, type HttpRequest } from "../shared/http.js";
import { agentIdSchema, agentView, presenceStatuses, skillSchema } from "./domain.js";
import { agentsApi } from "./functions.js";
import { knownSkillIds, listSkills, saveSkill } from "./skills.js";
import { agentById, allAgents, saveProfile, setPresence, type Actor } from "./use-cases.js";

/** The profile body; each skill must be a known one, reported with the other bad fields (skills are data). */
function profileSchemaFor(knownSkills: readonly string[]) {
  const known = new Set(knownSkills);
  const knownSkill = skillSchema.refine((k) => known.has(k), { error: (issue) => `unknown skill "${String(issue.input)}"` });
  return z
    .object({
      name: z.string().trim().min(1).max(100),
      skills: z.array(knownSkill).min(1).max(10).refine((s) => new Set(s).size === s.length, "skills must not repeat"),
      maxConcurrent: z.number().int().min(1).max(50),
    })
    .strict();
}

const presenceSchema = z.object({ status: z.enum(presenceStatuses) }).strict();

const skillBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    fallbackSkills: z.array(skillSchema).max(10).default([]),
  })
  .strict();

function agentIdOf(request: HttpRequest): string {
  return validate(z.object({ agentId: agentIdSchema }), request.params, "path").agentId;
}

const actor = (request: HttpRequest): Actor => ({ actor: actorOf(request), now: request.now, correlationId: request.correlationId });

export const handler = httpApi(agentsApi, {
  "PUT /agents/{agentId}": async (request) => {
    const agentId = agentIdOf(request);
    const { created, agent } = await saveProfile(agentId, jsonBody(request, profileSchemaFor(await knownSkillIds())), actor(request));
    return { status: created ? 201 : 200, body: agentView(agent) };
  },

  "GET /agents": async () => ({ status: 200, body: { agents: (await allAgents()).map(agentView) } }),

  "GET /agents/{agentId}": async (request) => ({ status: 200, body: agentView(await agentById(agentIdOf(request))) }),

  "GET /skills": async () => ({ status: 200, body: { skills: await listSkills() } }),

  "PUT /skills/{skillId}": async (request) => {
    const skillId = validate(z.object({ skillId: skillSchema }), request.params, "path").skillId;
    const { created, skill } = await saveSkill(skillId, jsonBody(request, skillBodySchema), { actor: actorOf(request), now: request.now });
    return { status: created ? 201 : 200, body: skill };
  },

  "PUT /agents/{agentId}/presence": async (request) => {
    const agentId = agentIdOf(request);
    requireSelfOrSupervisor(request, agentId);
    const { status } = jsonBody(request, presenceSchema);
    return { status: 200, body: agentView(await setPresence(agentId, status, actor(request))) };
  },
});
