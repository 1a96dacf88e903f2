/** Agents HTTP API: profiles and skills (supervisor) and presence (the agent itself or a supervisor). */
import * as z from "zod/mini";
import { actorOf, httpApi, jsonBody, requireSelfOrSupervisor, validate, type HttpRequest } from "../shared/http.js";
import { agentIdSchema, agentView, presenceStatuses, skillSchema } from "./domain.js";
import { agentsApi } from "./functions.js";
import { knownSkillIds, listSkills, saveSkill } from "./skills.js";
import { agentById, allAgents, saveProfile, setPresence, type Actor } from "./use-cases.js";

/** The profile body; each skill must be a known one, reported with the other bad fields (skills are data). */
function profileSchemaFor(knownSkills: readonly string[]) {
  const known = new Set(knownSkills);
  const knownSkill = skillSchema.check(z.refine((k) => known.has(k), { error: (issue) => `unknown skill "${String(issue.input)}"` }));
  return z.strictObject({
      name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
      skills: z.array(knownSkill).check(z.minLength(1), z.maxLength(10), z.refine((s) => new Set(s).size === s.length, "skills must not repeat")),
      maxConcurrent: z.number().check(z.int(), z.minimum(1), z.maximum(50)),
    });
}

const presenceSchema = z.strictObject({ status: z.enum(presenceStatuses) });

const skillBodySchema = z.strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    fallbackSkills: z._default(z.array(skillSchema).check(z.maxLength(10)), []),
  });

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
