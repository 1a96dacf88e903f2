/** Response schemas of the supervision routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { agentViewSchema } from "../agents/responses.js";
import { skillSchema } from "../agents/domain.js";
import { priorities } from "../routing/policy.js";
import { instant, named, nextCursor } from "../shared/responses.js";

const count = z.number().check(z.int(), z.minimum(0));
const seconds = z.nullable(z.number());

export const waitingConversationSchema = named(
  "WaitingConversation",
  z.strictObject({
    conversationId: z.string(),
    priority: z.enum(priorities),
    requestedSkill: skillSchema,
    escalated: z.boolean(),
    fallbackSkills: z.optional(z.array(skillSchema)),
    arrivedAt: instant,
    waitSeconds: z.number().check(z.int()),
  }),
  "A conversation in a waiting line, in service order.",
);

export const queueLineSchema = named(
  "QueueLine",
  z.strictObject({ waiting: count, escalated: count, longestWaitSeconds: z.nullable(z.number().check(z.int())), head: z.nullable(waitingConversationSchema) }),
  "A waiting line (a skill's, or `any`): how many wait, how many escalated, the longest wait and who is first.",
);

export const queueAgentSchema = named("QueueAgent", z.strictObject({ ...agentViewSchema.shape, shiftEnd: z.nullable(instant) }), "An agent on duty or still holding work, with its shift's end.");

export const liveQueueSchema = named(
  "LiveQueue",
  z.strictObject({
    at: instant,
    totalWaiting: count,
    lines: z.record(z.string(), queueLineSchema),
    waiting: z.record(z.string(), z.array(waitingConversationSchema)),
    next: nextCursor,
    agents: z.array(queueAgentSchema),
    agentTotals: named(
      "QueueAgentTotals",
      z.strictObject({ onDuty: count, online: count, freeSlots: count, holdingWork: count, listed: count, truncated: z.boolean() }),
      "Every agent on duty or still holding work, counted (`agents` lists at most the busiest 1,000 of them; GET /agents pages through everyone): on duty, of them online, their free slots, agents holding work, how many are listed.",
    ),
  }),
  "Every line's summary, one page of the waiting conversations line after line, and the agents on duty with load/capacity (the busiest 1,000, with totals over all).",
);

const secondsSummary = z.strictObject({ median: seconds, p90: seconds });

export const routingMetricsSchema = named(
  "RoutingMetrics",
  z.strictObject({
    from: instant,
    to: instant,
    received: count,
    assigned: count,
    waiting: count,
    queued: count,
    abandoned: count,
    abandonedByCustomer: count,
    closedWhileWaiting: count,
    closed: count,
    closedByCustomerLeaving: count,
    waitSeconds: z.strictObject({ median: seconds, p90: seconds, max: seconds }),
    firstResponseWithin3MinRate: z.nullable(z.number()),
    perSkill: z.array(z.strictObject({ skill: z.string(), received: count, answered: count, firstResponseSeconds: secondsSummary, firstResponseWithin3MinRate: z.nullable(z.number()) })),
    reoffered: count,
    escalated: count,
    perAgent: z.array(z.strictObject({ agentId: z.string(), assigned: count, closed: count, firstResponses: count, firstResponseWithin3MinRate: z.nullable(z.number()) })),
  }),
  "Routing of the conversations that arrived in [from, to].",
);
