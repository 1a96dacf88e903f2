/**
 * Agents HTTP API: profiles and skills (supervisor), the agent lifecycle (deactivate, reactivate)
 * and presence (the agent itself or a supervisor).
 */
import * as z from "zod/mini";
import { ValidationError, type FieldError } from "../shared/errors.js";
import { actorOf, fieldErrors, httpApi, jsonBody, requireSelfOrSupervisor, validate, type HttpRequest } from "../shared/http.js";
import { agentIdSchema, agentView, presenceStatuses, skillSchema } from "./domain.js";
import { agentsApi } from "./functions.js";
import { deactivateAgent, reactivateAgent } from "./lifecycle.js";
import { knownSkillIds, listSkills, saveSkill } from "./skills.js";
import { agentById, agentsPage, patchProfile, saveProfile, setPresence, type Actor } from "./use-cases.js";

const nameSchema = z.string().check(z.trim(), z.minLength(1), z.maxLength(100));
const capacitySchema = z.number().check(z.int(), z.minimum(1), z.maximum(50));

/** Skills of a profile: 1-10 known skills (skills are data), no repeats; each unknown one is reported with the other bad fields. */
function skillsSchemaFor(knownSkills: readonly string[]) {
  const known = new Set(knownSkills);
  const knownSkill = skillSchema.check(z.refine((k: string) => known.has(k), { error: (issue) => `unknown skill "${String(issue.input)}"` }));
  return z.array(knownSkill).check(
    z.minLength(1),
    z.maxLength(10),
    z.refine((s) => new Set(s).size === s.length, { error: "skills must not repeat" }),
  );
}

/** The whole profile (`PUT`). */
function profileSchemaFor(knownSkills: readonly string[]) {
  return z.strictObject({ name: nameSchema, skills: skillsSchemaFor(knownSkills), maxConcurrent: capacitySchema });
}

const patchFields = ["name", "skills", "maxConcurrent"] as const;

/**
 * A merge patch of single fields (`PATCH`). None of them can be removed, so a `null` (merge-patch
 * "remove") is a 400 naming the field, like an unknown field or an empty patch.
 */
function patchSchemaFor(knownSkills: readonly string[]) {
  return z.strictObject({ name: z.optional(nameSchema), skills: z.optional(skillsSchemaFor(knownSkills)), maxConcurrent: z.optional(capacitySchema) });
}

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

const presenceSchema = z.strictObject({ status: z.enum(presenceStatuses) });

const skillBodySchema = z.strictObject({
  name: nameSchema,
  fallbackSkills: z._default(z.array(skillSchema).check(z.maxLength(10)), []),
});

export const agentPageSizes = { default: 100, max: 500 } as const;

const listQueryFields = ["limit", "cursor", "active"] as const;

const listQuerySchema = z.strictObject({
  limit: z._default(
    z.pipe(
      z.string().check(z.regex(/^\d{1,4}$/, { error: `must be a whole number from 1 to ${agentPageSizes.max}` })),
      z.pipe(z.transform(Number), z.number().check(z.int(), z.minimum(1, { error: `must be from 1 to ${agentPageSizes.max}` }), z.maximum(agentPageSizes.max, { error: `must be from 1 to ${agentPageSizes.max}` }))),
    ),
    agentPageSizes.default,
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  active: z.optional(z.enum(["true", "false"])),
});

function listQuery(request: HttpRequest) {
  const errors = shapeErrors(request.query, listQueryFields);
  const result = z.safeParse(listQuerySchema, request.query);
  if (!result.success) errors.push(...fieldErrors(result.error.issues).filter((e) => !(e.field === "(body)" && /unrecognized key/i.test(e.message))));
  if (errors.length > 0 || !result.success) throw new ValidationError("The query is invalid.", { errors });
  const { limit, cursor, active } = result.data;
  return { limit, ...(cursor !== undefined ? { cursor } : {}), ...(active !== undefined ? { active: active === "true" } : {}) };
}

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

  "PATCH /agents/{agentId}": async (request) => {
    const agentId = agentIdOf(request);
    const { agent } = await patchProfile(agentId, patchBody(request, await knownSkillIds()), actor(request));
    return { status: 200, body: agentView(agent) };
  },

  "DELETE /agents/{agentId}": async (request) => {
    const { agent, changed, handedOver, rota, disconnected } = await deactivateAgent(agentIdOf(request), actor(request));
    return { status: 200, body: { ...agentView(agent), deactivated: { changed, handedOver, rota, disconnected } } };
  },

  "POST /agents/{agentId}/reactivate": async (request) => {
    const { agent } = await reactivateAgent(agentIdOf(request), actor(request));
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
