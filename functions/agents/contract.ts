/**
 * The agents routes' contract: the request schemas AgentsApi validates with (built here, at
 * module level, for the entry) and, in `contract()`, each route's responses for the OpenAPI
 * document (./responses.ts; only the generator calls it, so no bundle builds them).
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import type { Contract } from "../shared/contract.js";
import { agentIdSchema, presenceStatuses, skillSchema } from "./domain.js";
import { agentPageSchema, agentViewSchema, deactivatedAgentSchema, skillListSchema, skillViewSchema } from "./responses.js";

const nameSchema = lazy(() => z.string().check(z.trim(), z.minLength(1), z.maxLength(100)));
const capacitySchema = lazy(() => z.number().check(z.int(), z.minimum(1), z.maximum(50)));

export const agentPath = lazy(() => z.object({ agentId: agentIdSchema }));
export const skillPath = lazy(() => z.object({ skillId: skillSchema }));

/** Skills of a profile: 1-10 known skills (skills are data), no repeats; each unknown one is reported with the other bad fields. */
function skillsSchemaFor(knownSkills: readonly string[] | undefined) {
  const known = new Set(knownSkills);
  const knownSkill = knownSkills === undefined ? skillSchema : skillSchema.check(z.refine((k: string) => known.has(k), { error: (issue) => `unknown skill "${String(issue.input)}"` }));
  return z.array(knownSkill).check(
    z.minLength(1),
    z.maxLength(10),
    z.refine((s) => new Set(s).size === s.length, { error: "skills must not repeat" }),
  );
}

/** The whole profile (`PUT`); `knownSkills` undefined: any skill id (the document's view). */
export function profileSchemaFor(knownSkills?: readonly string[]) {
  return z.strictObject({ name: nameSchema, skills: skillsSchemaFor(knownSkills), maxConcurrent: capacitySchema });
}

export const patchFields = ["name", "skills", "maxConcurrent"] as const;

/**
 * A merge patch of single fields (`PATCH`). None of them can be removed, so a `null` (merge-patch
 * "remove") is a 400 naming the field, like an unknown field or an empty patch.
 */
export function patchSchemaFor(knownSkills?: readonly string[]) {
  return z.strictObject({ name: z.optional(nameSchema), skills: z.optional(skillsSchemaFor(knownSkills)), maxConcurrent: z.optional(capacitySchema) });
}

export const presenceSchema = lazy(() => z.strictObject({ status: z.enum(presenceStatuses) }));

export const skillBodySchema = lazy(() => z.strictObject({
  name: nameSchema,
  fallbackSkills: z._default(z.array(skillSchema).check(z.maxLength(10)), []),
}));

export const agentPageSizes = { default: 100, max: 500 } as const;

export const listQueryFields = ["limit", "cursor", "active"] as const;

export const listQuerySchema = lazy(() => z.strictObject({
  limit: z._default(
    z.pipe(
      z.string().check(z.regex(/^\d{1,4}$/, { error: `must be a whole number from 1 to ${agentPageSizes.max}` })),
      z.pipe(z.transform(Number), z.number().check(z.int(), z.minimum(1, { error: `must be from 1 to ${agentPageSizes.max}` }), z.maximum(agentPageSizes.max, { error: `must be from 1 to ${agentPageSizes.max}` }))),
    ),
    agentPageSizes.default,
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  active: z.optional(z.enum(["true", "false"])),
}));

export function contract(): Contract {
  const agent = { description: "The agent.", schema: agentViewSchema };
  return {
    "PUT /agents/{agentId}": {
      summary: "Create or replace an agent's profile",
      description: "`name`, `skills` (known skills, 1-10, no repeats) and `maxConcurrent` (1-50). 201 when created.",
      params: agentPath,
      body: profileSchemaFor(),
      responses: { 200: { description: "Updated.", schema: agentViewSchema }, 201: { description: "Created.", schema: agentViewSchema } },
      problems: [409],
    },
    "PATCH /agents/{agentId}": {
      summary: "Change single fields of a profile (merge patch)",
      description: "Any of `name`, `skills`, `maxConcurrent`; `null`, an unknown field or an empty patch is a 400. Audited from -> to.",
      params: agentPath,
      body: patchSchemaFor(),
      responses: { 200: agent },
      problems: [409],
    },
    "DELETE /agents/{agentId}": {
      summary: "Deactivate an agent (kept for history)",
      description: "Out of every pool, its open conversations handed over, its future rota removed, its sockets closed. Repeating it finishes what a previous call left undone.",
      params: agentPath,
      responses: { 200: { description: "Deactivated, and what was done.", schema: deactivatedAgentSchema } },
      problems: [409],
    },
    "POST /agents/{agentId}/reactivate": {
      summary: "Reactivate a deactivated agent",
      params: agentPath,
      responses: { 200: agent },
      problems: [409],
    },
    "GET /agents": {
      summary: "List agents, a page at a time in id order",
      description: "`?active=true|false` filters; `next` is the cursor of the following page.",
      query: listQuerySchema,
      responses: { 200: { description: "A page of agents.", schema: agentPageSchema } },
    },
    "GET /agents/{agentId}": { summary: "Read an agent: profile, presence, load, duty", params: agentPath, responses: { 200: agent } },
    "PUT /agents/{agentId}/presence": {
      summary: "Set an agent's presence",
      description: "`online`, `paused` (挂起: keeps its conversations, gets no new ones), `away`, `offline`. An agent sets only its own.",
      params: agentPath,
      body: presenceSchema,
      responses: { 200: agent },
      problems: [409],
    },
    "GET /skills": { summary: "List the known skills with their fallbacks", responses: { 200: { description: "Every skill, by id.", schema: skillListSchema } } },
    "PUT /skills/{skillId}": {
      summary: "Create or replace a skill",
      params: skillPath,
      body: skillBodySchema,
      responses: { 200: { description: "Updated.", schema: skillViewSchema }, 201: { description: "Created.", schema: skillViewSchema } },
      problems: [409],
    },
  };
}
