/**
 * The supervision routes' contract: request schemas SupervisionApi validates with (module level)
 * and, in `contract()`, each route's responses (./responses.ts; generator only).
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { agentIdSchema, skillSchema } from "../agents/domain.js";
import { conversationIdSchema } from "../routing/conversation.js";
import { conversationViewSchema } from "../routing/responses.js";
import type { Contract } from "../shared/contract.js";
import { pageQuery } from "../shared/table/page-query.js";
import { liveQueueSchema, routingMetricsSchema } from "./responses.js";

export const conversationPath = lazy(() => z.object({ conversationId: conversationIdSchema }));

/** Exactly one target: an agent, or a skill's waiting line. Each wrong shape says what to send. */
export const transferSchema = lazy(() => z.strictObject({ toAgentId: z.optional(agentIdSchema), toSkill: z.optional(skillSchema), note: z.optional(z.string().check(z.maxLength(500))) }).check(z.superRefine((body, ctx) => {
    if (body.toAgentId !== undefined && body.toSkill !== undefined) {
      const message = "give either toAgentId (to that agent) or toSkill (back to that skill's queue), not both";
      for (const field of ["toAgentId", "toSkill"]) ctx.addIssue({ code: "custom", path: [field], message });
    } else if (body.toAgentId === undefined && body.toSkill === undefined) {
      ctx.addIssue({ code: "custom", path: ["toAgentId"], message: "give toAgentId (to that agent) or toSkill (back to that skill's queue)" });
    }
  })));

/** A supervisor's reallocation: to an agent (`force` may exceed its capacity, nothing else) or to a skill's line. */
export const reassignSchema = lazy(() => z.strictObject({ toAgentId: z.optional(agentIdSchema), toSkill: z.optional(skillSchema), force: z._default(z.boolean(), false), reason: z.optional(z.string().check(z.maxLength(500))) }).check(z.superRefine((body, ctx) => {
    if (body.toAgentId !== undefined && body.toSkill !== undefined) {
      const message = "give either toAgentId (to that agent) or toSkill (back to that skill's queue), not both";
      for (const field of ["toAgentId", "toSkill"]) ctx.addIssue({ code: "custom", path: [field], message });
    } else if (body.toAgentId === undefined && body.toSkill === undefined) {
      ctx.addIssue({ code: "custom", path: ["toAgentId"], message: "give toAgentId (to that agent) or toSkill (back to that skill's queue)" });
    } else if (body.toSkill !== undefined && body.force) {
      ctx.addIssue({ code: "custom", path: ["force"], message: "force applies to a named agent's capacity; a skill's queue is served by routing" });
    }
  })));

/** `GET /queue`'s waiting list: page sizes. */
export const queuePageSizes = { default: 100, max: 500 } as const;

/** `?limit=&cursor=` pages the waiting list; `?skill=` (or `any`) shows one line. */
export const queueQuery = lazy(() => z.strictObject({ ...pageQuery(queuePageSizes), skill: z.optional(z.union([z.literal("any"), skillSchema])) }));

export const rangeSchema = lazy(() => z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).check(z.refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: "from must be before to", path: ["to"] }), z.refine((r) => Date.parse(r.to) - Date.parse(r.from) <= 31 * 24 * 3_600_000, { message: "the range may span at most 31 days", path: ["to"] })));

export function contract(): Contract {
  const moved = { description: "The conversation after the move.", schema: conversationViewSchema };
  return {
    "POST /conversations/{conversationId}/transfer": {
      summary: "Transfer a conversation to an agent or back to a skill's line (its agent, or a supervisor)",
      description: "Exactly one of `toAgentId` (who must be available with room) and `toSkill`.",
      params: conversationPath,
      body: transferSchema,
      responses: { 200: moved },
      problems: [409],
    },
    "POST /conversations/{conversationId}/reassign": {
      summary: "Reassign a conversation (主账号调配): to an agent, `force` past its capacity, or to a skill's line",
      params: conversationPath,
      body: reassignSchema,
      responses: { 200: moved },
      problems: [409],
    },
    "GET /queue": {
      summary: "The live queue: waiting per skill with wait times, agents with load/capacity",
      description: "`?limit=&cursor=` pages the waiting conversations line after line; `?skill=` (or `any`) shows one line.",
      query: queueQuery,
      responses: { 200: { description: "The queue now.", schema: liveQueueSchema } },
    },
    "GET /metrics/routing": {
      summary: "Routing metrics of the conversations that arrived in [from, to] (at most 31 days)",
      query: rangeSchema,
      responses: { 200: { description: "Assigned, waits (median, p90), first-response-within-3-min rate, abandoned, per skill and per agent.", schema: routingMetricsSchema } },
    },
  };
}
