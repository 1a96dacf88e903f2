/** The conversation record and its schemas (pure). */
import * as z from "zod";
import { skillSchema } from "../agents/domain.js";
import { pathIdPattern, pathIdSchema } from "../shared/ids.js";
import { priorities } from "./policy.js";

/**
 * A conversation id as every boundary accepts it (webhook, path, queue message): the one path-id
 * grammar (functions/shared/ids.ts), so an accepted conversation can always be addressed.
 */
export const conversationIdSchema = pathIdSchema("conversationId");

export const incomingConversationSchema = z
  .object({
    conversationId: conversationIdSchema,
    customerId: z.string().min(1).max(128),
    channel: z.string().min(1).max(32),
    skill: skillSchema.default("presale"),
    priority: z.enum(priorities).optional(),
    customerTier: z.enum(["vip", "regular"]).optional(),
    orderAmount: z.number().nonnegative().max(1e9).optional(),
    /** The platform's delivery id: a second request with it is a replay (docs/integration.md). */
    eventId: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces").optional(),
    /** When the customer wrote (platform clock); default: the signature timestamp. */
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export type IncomingConversation = z.infer<typeof incomingConversationSchema>;

/** The webhook's schema with `skill` checked against the known skills (skills are data: GET /skills). */
export function incomingConversationSchemaFor(knownSkills: readonly string[]) {
  const known = new Set(knownSkills);
  return incomingConversationSchema.extend({
    skill: skillSchema.refine((s) => known.has(s), { error: `must be a known skill (${[...known].join(", ")})` }).default("presale"),
  });
}

export const conversationStatuses = ["queued", "waiting", "assigned", "closed", "abandoned"] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

export const historyEntrySchema = z.object({
  at: z.string(),
  action: z.string(),
  actor: z.string(),
  agentId: z.string().optional(),
  detail: z.string().optional(),
  /** A move back to a waiting line (transfer to a skill, handover, re-offer): the skill; `agentId` is then the agent it left. */
  toSkill: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** The conversation record as stored; items read back are parsed with it (no casts). */
export const conversationSchema = z.object({
  // The alphabet only: an item stored before dot-only ids were refused still parses, so the
  // rules that scan the table (re-offer, escalation, metrics) do not fail on one legacy item.
  conversationId: z.string().regex(pathIdPattern),
  customerId: z.string(),
  channel: z.string(),
  /** Skill it is routed by (a transfer to a skill changes it); `any` only on items escalated before fallback skills. */
  skill: z.union([skillSchema, z.literal("any")]),
  requestedSkill: skillSchema,
  priority: z.enum(priorities),
  customerTier: z.enum(["vip", "regular"]).optional(),
  orderAmount: z.number().optional(),
  status: z.enum(conversationStatuses),
  agentId: z.string().optional(),
  /** Arrival: the waiting order keeps it through transfers. */
  arrivedAt: z.string(),
  assignedAt: z.string().optional(),
  firstResponseAt: z.string().optional(),
  closedAt: z.string().optional(),
  /** Closed while waiting (the customer left before anyone answered). */
  abandoned: z.boolean().optional(),
  /** Who or what ended it when not its agent or a supervisor: `customer-left`, `platform` (chat-platform events). */
  closeReason: z.string().optional(),
  /** Platform time the current episode began (the reopening message's occurredAt): older platform events are stale. */
  episodeStartedAt: z.string().optional(),
  /** Agents not to offer this conversation to again (unresponsive, transferred away). */
  excludeAgentIds: z.array(z.string()).optional(),
  /** Waited past the escalation threshold (supervisors told; per mode, fallbacks allowed). */
  escalated: z.boolean().optional(),
  /** Set at escalation in a fallback mode: the skill's fallback skills, whose agents may then take it (invariant 8). */
  fallbackSkills: z.array(skillSchema).optional(),
  /** Times an agent was given this conversation (first assignment, transfers, re-offers). */
  assignments: z.number().int(),
  history: z.array(historyEntrySchema),
});
export type Conversation = z.infer<typeof conversationSchema>;

/** The fallback skills in force: only while the conversation is escalated (a reopen or a new line clears it). */
export function allowedFallbacks(conversation: Pick<Conversation, "fallbackSkills" | "escalated">): string[] {
  return conversation.escalated ? (conversation.fallbackSkills ?? []) : [];
}

export function conversationView(c: Conversation, now: Date) {
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
export const conversationSnapshotSchema = conversationSchema.extend({ status: z.literal("queued") });
