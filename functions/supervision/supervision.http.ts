/**
 * `SupervisionApi`: transfer (the agent itself, or a supervisor), reassign (supervisor, to an
 * agent — `force` may exceed its capacity — or to a skill), the live queue and routing metrics.
 */
import { ValidationError } from "../shared/errors.js";
import { actorOf, httpApi, jsonBody, userOf, validate, type HttpRequest } from "../shared/http.js";
import { requireKnownSkills } from "../agents/skills.js";
import { conversationView } from "../routing/conversation.js";
import { moveToAgent, moveToQueue } from "../routing/use-cases/index.js";
import { supervisionApi } from "./functions.js";
import { conversationPath, queueQuery, rangeSchema, reassignSchema, transferSchema } from "./contract.js";
import { liveQueue, routingMetricsBetween } from "./use-cases.js";


function conversationIdOf(request: HttpRequest): string {
  return validate(conversationPath, request.params, "path").conversationId;
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
