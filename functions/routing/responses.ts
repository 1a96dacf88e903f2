/** Response schemas of the conversations routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { instant, named } from "../shared/responses.js";
import { conversationSchema, conversationStatuses, historyEntrySchema } from "./conversation.js";
import { priorities } from "./policy.js";

// The views are the stored shapes (./conversation.ts) with their instants marked as such and the
// wait computed on read: derived from the stored schemas so a new field cannot be left out of one.
export const historyEntryView = named(
  "HistoryEntry",
  z.strictObject({ ...historyEntrySchema.shape, at: instant }),
  "One step of a conversation: arrived, assigned, transferred, reassigned, handed over, re-offered, first response, closed…",
);

export const conversationViewSchema = named(
  "Conversation",
  z.strictObject({
    ...conversationSchema.shape,
    arrivedAt: instant,
    assignedAt: z.optional(instant),
    firstResponseAt: z.optional(instant),
    closedAt: z.optional(instant),
    episodeStartedAt: z.optional(instant),
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
