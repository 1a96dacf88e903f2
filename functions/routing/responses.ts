/** Response schemas of the conversations routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { skillSchema } from "../agents/domain.js";
import { instant, named } from "../shared/responses.js";
import { conversationStatuses } from "./conversation.js";
import { priorities } from "./policy.js";

export const historyEntryView = named(
  "HistoryEntry",
  z.strictObject({ at: instant, action: z.string(), actor: z.string(), agentId: z.optional(z.string()), detail: z.optional(z.string()), toSkill: z.optional(z.string()) }),
  "One step of a conversation: arrived, assigned, transferred, reassigned, handed over, re-offered, first response, closed…",
);

export const conversationViewSchema = named(
  "Conversation",
  z.strictObject({
    conversationId: z.string(),
    customerId: z.string(),
    channel: z.string(),
    skill: z.union([skillSchema, z.literal("any")]),
    requestedSkill: skillSchema,
    priority: z.enum(priorities),
    customerTier: z.optional(z.enum(["vip", "regular"])),
    orderAmount: z.optional(z.number()),
    status: z.enum(conversationStatuses),
    agentId: z.optional(z.string()),
    arrivedAt: instant,
    assignedAt: z.optional(instant),
    firstResponseAt: z.optional(instant),
    closedAt: z.optional(instant),
    abandoned: z.optional(z.boolean()),
    closeReason: z.optional(z.string()),
    episodeStartedAt: z.optional(instant),
    excludeAgentIds: z.optional(z.array(z.string())),
    escalated: z.optional(z.boolean()),
    fallbackSkills: z.optional(z.array(skillSchema)),
    assignments: z.number().check(z.int()),
    history: z.array(historyEntryView),
    /** Arrival to assignment (or close), or to now while it waits. */
    waitSeconds: z.number().check(z.int(), z.minimum(0)),
  }),
  "A conversation: status, agent, priority, timestamps, its history and how long it waited.",
);
export type ConversationView = z.output<typeof conversationViewSchema>;

const status = z.enum(conversationStatuses);

export const acceptedConversationSchema = named(
  "AcceptedConversation",
  z.strictObject({ conversationId: z.string(), status, priority: z.enum(priorities), reopened: z.optional(z.literal(true)) }),
  "Recorded (`queued`) and on its way to routing; `reopened` for a message after its close.",
);

export const duplicateConversationSchema = named(
  "DuplicateConversation",
  z.strictObject({ conversationId: z.string(), status, duplicate: z.literal(true), stale: z.optional(z.literal(true)) }),
  "Acknowledged, nothing changed: a replay, a retry for an open conversation, or (`stale`) a message older than its close.",
);

export const agentConversationsSchema = named("AgentConversations", z.strictObject({ agentId: z.string(), conversations: z.array(conversationViewSchema) }), "The agent's open conversations.");

export const platformEventResultSchema = named(
  "PlatformEventResult",
  z.strictObject({
    eventId: z.string(),
    outcome: z.enum(["applied", "duplicate", "stale", "ignored"]),
    conversationId: z.string(),
    status: z.optional(status),
    duplicate: z.optional(z.literal(true)),
  }),
  "What the event did: applied, ignored (already so), stale (older than the current episode) or a duplicate.",
);
