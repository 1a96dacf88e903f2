/** The conversation record and its schemas (pure). */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import type { ConversationView } from "./responses.js";
import { skillSchema } from "../agents/domain.js";
import { pathIdPattern, pathIdSchema } from "../shared/ids.js";
import { priorities } from "./policy.js";

/**
 * A conversation id as every boundary accepts it (webhook, path, queue message): the one path-id
 * grammar (functions/shared/ids.ts), so an accepted conversation can always be addressed.
 */
export const conversationIdSchema = lazy(() => pathIdSchema("conversationId"));

export const incomingConversationSchema = lazy(() => z.strictObject({
    conversationId: conversationIdSchema,
    customerId: z.string().check(z.minLength(1), z.maxLength(128)),
    channel: z.string().check(z.minLength(1), z.maxLength(32)),
    skill: z._default(skillSchema, "presale"),
    priority: z.optional(z.enum(priorities)),
    customerTier: z.optional(z.enum(["vip", "regular"])),
    orderAmount: z.optional(z.number().check(z.nonnegative(), z.maximum(1e9))),
    /** The platform's delivery id: a second request with it is a replay (docs/integration.md). */
    eventId: z.optional(z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces"))),
    /** When the customer wrote (platform clock); default: the signature timestamp. */
    occurredAt: z.optional(z.iso.datetime({ offset: true })),
  }));

export type IncomingConversation = z.infer<typeof incomingConversationSchema>;

/** The webhook's schema with `skill` checked against the known skills (skills are data: GET /skills). */
export function incomingConversationSchemaFor(knownSkills: readonly string[]) {
  const known = new Set(knownSkills);
  return z.extend(incomingConversationSchema, {
    skill: z._default(skillSchema.check(z.refine((s) => known.has(s), { error: `must be a known skill (${[...known].join(", ")})` })), "presale"),
  });
}

export const conversationStatuses = ["queued", "waiting", "assigned", "closed", "abandoned"] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

export const historyEntrySchema = lazy(() => z.object({
  at: z.string(),
  action: z.string(),
  actor: z.string(),
  agentId: z.optional(z.string()),
  detail: z.optional(z.string()),
  /** A move back to a waiting line (transfer to a skill, handover, re-offer): the skill; `agentId` is then the agent it left. */
  toSkill: z.optional(z.string()),
}));
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** The conversation record as stored; items read back are parsed with it (no casts). */
export const conversationSchema = lazy(() => z.object({
  // The alphabet only: an item stored before dot-only ids were refused still parses, so the
  // rules that scan the table (re-offer, escalation, metrics) do not fail on one legacy item.
  conversationId: z.string().check(z.regex(pathIdPattern)),
  customerId: z.string(),
  channel: z.string(),
  /** Skill it is routed by (a transfer to a skill changes it); `any` only on items escalated before fallback skills. */
  skill: z.union([skillSchema, z.literal("any")]),
  requestedSkill: skillSchema,
  priority: z.enum(priorities),
  customerTier: z.optional(z.enum(["vip", "regular"])),
  orderAmount: z.optional(z.number()),
  status: z.enum(conversationStatuses),
  agentId: z.optional(z.string()),
  /** Arrival: the waiting order keeps it through transfers. */
  arrivedAt: z.string(),
  assignedAt: z.optional(z.string()),
  firstResponseAt: z.optional(z.string()),
  closedAt: z.optional(z.string()),
  /** Closed while waiting (the customer left before anyone answered). */
  abandoned: z.optional(z.boolean()),
  /** Who or what ended it when not its agent or a supervisor: `customer-left`, `platform` (chat-platform events). */
  closeReason: z.optional(z.string()),
  /** Platform time the current episode began (the reopening message's occurredAt): older platform events are stale. */
  episodeStartedAt: z.optional(z.string()),
  /** Agents not to offer this conversation to again (unresponsive, transferred away). */
  excludeAgentIds: z.optional(z.array(z.string())),
  /** Waited past the escalation threshold (supervisors told; per mode, fallbacks allowed). */
  escalated: z.optional(z.boolean()),
  /** Set at escalation in a fallback mode: the skill's fallback skills, whose agents may then take it (invariant 8). */
  fallbackSkills: z.optional(z.array(skillSchema)),
  /** Times an agent was given this conversation (first assignment, transfers, re-offers). */
  assignments: z.number().check(z.int()),
  history: z.array(historyEntrySchema),
}));
export type Conversation = z.infer<typeof conversationSchema>;

/** The fallback skills in force: only while the conversation is escalated (a reopen or a new line clears it). */
export function allowedFallbacks(conversation: Pick<Conversation, "fallbackSkills" | "escalated">): string[] {
  return conversation.escalated ? (conversation.fallbackSkills ?? []) : [];
}

export function conversationView(c: Conversation, now: Date): ConversationView {
  const waitEnd = c.assignedAt ?? c.closedAt;
  return {
    ...c,
    waitSeconds: Math.max(0, Math.round(((waitEnd ? Date.parse(waitEnd) : now.getTime()) - Date.parse(c.arrivedAt)) / 1000)),
  };
}

/**
 * The conversation as the webhook recorded it, carried in the route message so the router need
 * not read it back; the assignment transaction re-checks its status.
 */
export const conversationSnapshotSchema = lazy(() => z.extend(conversationSchema, { status: z.literal("queued") }));
