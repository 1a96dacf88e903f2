/**
 * `SupervisionApi`: transfer (the agent itself, or a supervisor), reassign (supervisor, to an
 * agent — `force` may exceed its capacity — or to a skill), the live queue and routing metrics.
 */
import * as z from "zod/mini";
import { agentIdSchema, skillSchema } from "../agents/domain.js";
import { ValidationError } from "../shared/errors.js";
import { actorOf, httpApi, jsonBody, userOf, validate, type HttpRequest } from "../shared/http.js";
import { requireKnownSkills } from "../agents/skills.js";
import { conversationIdSchema, conversationView } from "../routing/conversation.js";
import { moveToAgent, moveToQueue } from "../routing/use-cases/index.js";
import { supervisionApi } from "./functions.js";
import { queueQuery } from "./contract.js";
import { liveQueue, routingMetricsBetween } from "./use-cases.js";

/** Exactly one target: an agent, or a skill's waiting line. Each wrong shape says what to send. */
const transferSchema = z.strictObject({ toAgentId: z.optional(agentIdSchema), toSkill: z.optional(skillSchema), note: z.optional(z.string().check(z.maxLength(500))) }).check(z.superRefine((body, ctx) => {
    if (body.toAgentId !== undefined && body.toSkill !== undefined) {
      const message = "give either toAgentId (to that agent) or toSkill (back to that skill's queue), not both";
      for (const field of ["toAgentId", "toSkill"]) ctx.addIssue({ code: "custom", path: [field], message });
    } else if (body.toAgentId === undefined && body.toSkill === undefined) {
      ctx.addIssue({ code: "custom", path: ["toAgentId"], message: "give toAgentId (to that agent) or toSkill (back to that skill's queue)" });
    }
  }));

/** A supervisor's reallocation: to an agent (`force` may exceed its capacity, nothing else) or to a skill's line. */
const reassignSchema = z.strictObject({ toAgentId: z.optional(agentIdSchema), toSkill: z.optional(skillSchema), force: z._default(z.boolean(), false), reason: z.optional(z.string().check(z.maxLength(500))) }).check(z.superRefine((body, ctx) => {
    if (body.toAgentId !== undefined && body.toSkill !== undefined) {
      const message = "give either toAgentId (to that agent) or toSkill (back to that skill's queue), not both";
      for (const field of ["toAgentId", "toSkill"]) ctx.addIssue({ code: "custom", path: [field], message });
    } else if (body.toAgentId === undefined && body.toSkill === undefined) {
      ctx.addIssue({ code: "custom", path: ["toAgentId"], message: "give toAgentId (to that agent) or toSkill (back to that skill's queue)" });
    } else if (body.toSkill !== undefined && body.force) {
      ctx.addIssue({ code: "custom", path: ["force"], message: "force applies to a named agent's capacity; a skill's queue is served by routing" });
    }
  }));

const rangeSchema = z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).check(z.refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: "from must be before to", path: ["to"] }), z.refine((r) => Date.parse(r.to) - Date.parse(r.from) <= 31 * 24 * 3_600_000, { message: "the range may span at most 31 days", path: ["to"] }));

function conversationIdOf(request: HttpRequest): string {
  return validate(z.object({ conversationId: conversationIdSchema }), request.params, "path").conversationId;
}

export const handler = httpApi(supervisionApi, {
  "POST /conversations/{conversationId}/transfer": async (request) => {
    const conversationId = conversationIdOf(request);
    const body = jsonBody(request, transferSchema);
    const user = userOf(request);
    // An agent moves only its own conversations; a supervisor moves any.
    const base = { conversationId, actor: actorOf(request), ...(user.role === "agent" ? { fromAgentId: user.sub } : {}), now: request.now };
    if (body.toSkill !== undefined) await requireKnownSkills([body.toSkill], "toSkill");
    const moved =
      body.toAgentId !== undefined
        ? await moveToAgent({ ...base, toAgentId: body.toAgentId, force: false, action: "transferred" })
        : await moveToQueue({ ...base, ...(body.toSkill ? { skill: body.toSkill } : {}), exclude: true, action: "transferred", detail: `to skill ${body.toSkill}${body.note ? `: ${body.note}` : ""}` });
    return { status: 200, body: conversationView(moved, request.now) };
  },

  "POST /conversations/{conversationId}/reassign": async (request) => {
    const conversationId = conversationIdOf(request);
    const body = jsonBody(request, reassignSchema);
    const base = { conversationId, actor: actorOf(request), now: request.now };
    if (body.toSkill !== undefined) await requireKnownSkills([body.toSkill], "toSkill");
    const moved =
      body.toAgentId !== undefined
        ? await moveToAgent({ ...base, toAgentId: body.toAgentId, force: body.force, action: "reassigned" })
        : await moveToQueue({ ...base, ...(body.toSkill ? { skill: body.toSkill } : {}), exclude: true, action: "reassigned", detail: `to skill ${body.toSkill}${body.reason ? `: ${body.reason}` : ""}` });
    return { status: 200, body: conversationView(moved, request.now) };
  },

  "GET /queue": async (request) => {
    const { limit, cursor, skill } = validate(queueQuery, request.query, "query");
    if (skill !== undefined && skill !== "any") await requireKnownSkills([skill], "skill");
    return { status: 200, body: await liveQueue(request.now, { limit, cursor, skill }) };
  },

  "GET /metrics/routing": async (request) => {
    const range = validate(rangeSchema, request.query, "query");
    const from = new Date(range.from);
    const to = new Date(range.to);
    if (Number.isNaN(from.getTime())) throw new ValidationError("from is not a date", { errors: [{ field: "from", message: "invalid" }] });
    return { status: 200, body: await routingMetricsBetween(from, to, request.now) };
  },
});
