/**
 * Agents HTTP API: profiles and skills (supervisor) and presence (the agent itself or a
 * supervisor). The lifecycle (deactivate, reactivate) is lifecycle.http.ts.
 */
import * as z from "zod/mini";
import { ValidationError, type FieldError } from "../shared/errors.js";
import { actorOf, fieldErrors, httpApi, jsonBody, requireSelfOrSupervisor, validate, type HttpRequest } from "../shared/http.js";
import { listQueryFields, listQuerySchema, patchFields, patchSchemaFor, presenceSchema, profileSchemaFor, skillBodySchema, skillPath } from "./contract.js";
import { agentView } from "./domain.js";
import { agentsApi } from "./functions.js";
import { actor, agentIdOf } from "./http-request.js";
import { knownSkillIds, listSkills, saveSkill } from "./skills.js";
import { agentById, agentsPage, patchProfile, saveProfile, setPresence } from "./use-cases.js";

/** Field errors a strict schema would fold into one "(body)" issue: each unknown key and each `null`, by name. */
function shapeErrors(value: unknown, known: readonly string[], nullMeans?: string): FieldError[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, v]): FieldError[] => {
    if (!known.includes(key)) return [{ field: key, message: `unknown field (known: ${known.join(", ")})` }];
    if (v === null && nullMeans) return [{ field: key, message: nullMeans }];
    return [];
  });
}

function patchBody(request: HttpRequest, knownSkills: readonly string[]) {
  const raw: unknown = jsonBody(request, z.unknown());
  const errors = shapeErrors(raw, patchFields, "cannot be removed: a merge patch's null deletes a field, and every agent has one; send a value");
  const named = new Set(errors.map((e) => e.field));
  const result = z.safeParse(patchSchemaFor(knownSkills), raw);
  if (!result.success) errors.push(...fieldErrors(result.error.issues).filter((e) => !named.has(e.field) && !(e.field === "(body)" && /unrecognized key/i.test(e.message))));
  if (errors.length > 0 || !result.success) throw new ValidationError("The patch is invalid; nothing was changed.", { errors });
  if (Object.keys(result.data).length === 0) throw new ValidationError("The patch changes nothing; nothing was changed.", { errors: [{ field: "(body)", message: `give at least one of ${patchFields.join(", ")}` }] });
  return result.data;
}

function listQuery(request: HttpRequest) {
  const errors = shapeErrors(request.query, listQueryFields);
  const result = z.safeParse(listQuerySchema, request.query);
  if (!result.success) errors.push(...fieldErrors(result.error.issues).filter((e) => !(e.field === "(body)" && /unrecognized key/i.test(e.message))));
  if (errors.length > 0 || !result.success) throw new ValidationError("The query is invalid.", { errors });
  const { limit, cursor, active } = result.data;
  return { limit, ...(cursor !== undefined ? { cursor } : {}), ...(active !== undefined ? { active: active === "true" } : {}) };
}


export const handler = httpApi(agentsApi, {
  "PUT /agents/{agentId}": async (request) => {
    const agentId = agentIdOf(request);
    const { created, agent } = await saveProfile(agentId, jsonBody(request, profileSchemaFor(await knownSkillIds())), actor(request));
    return { status: created ? 201 : 200, body: agentView(agent) };
  },

  "PATCH /agents/{agentId}": async (request) => {
    const agentId = agentIdOf(request);
    const { agent } = await patchProfile(agentId, patchBody(request, await knownSkillIds()), actor(request));
    return { status: 200, body: agentView(agent) };
  },

  "GET /agents": async (request) => {
    const page = await agentsPage(listQuery(request));
    return { status: 200, body: { agents: page.agents.map(agentView), ...(page.next ? { next: page.next } : {}) } };
  },

  "GET /agents/{agentId}": async (request) => {
    const agentId = agentIdOf(request);
    requireSelfOrSupervisor(request, agentId);
    return { status: 200, body: agentView(await agentById(agentId)) };
  },

  "GET /skills": async () => ({ status: 200, body: { skills: await listSkills() } }),

  "PUT /skills/{skillId}": async (request) => {
    const skillId = validate(skillPath, request.params, "path").skillId;
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
