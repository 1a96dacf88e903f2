/** The conversation record and its schemas (pure). */
import { z } from "zod";
import { skillSchema, type Skill } from "../agents/domain.js";
import { priorities, type Priority } from "./policy.js";

export const conversationIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "must be 1-128 letters, digits or . _ : -");

export const incomingConversationSchema = z
  .object({
    conversationId: conversationIdSchema,
    customerId: z.string().min(1).max(128),
    channel: z.string().min(1).max(32),
    skill: skillSchema.default("presale"),
    priority: z.enum(priorities).optional(),
    customerTier: z.enum(["vip", "regular"]).optional(),
    orderAmount: z.number().nonnegative().max(1e9).optional(),
  })
  .strict();

export type IncomingConversation = z.infer<typeof incomingConversationSchema>;

export const conversationStatuses = ["queued", "waiting", "assigned", "closed"] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

export interface HistoryEntry {
  at: string;
  action: string;
  actor: string;
  agentId?: string;
  detail?: string;
}

export interface Conversation {
  conversationId: string;
  customerId: string;
  channel: string;
  /** Skill asked for; `any` once escalated. */
  skill: Skill | "any";
  requestedSkill: Skill;
  priority: Priority;
  customerTier?: "vip" | "regular";
  orderAmount?: number;
  status: ConversationStatus;
  agentId?: string;
  /** Arrival: the waiting order keeps it through transfers. */
  arrivedAt: string;
  assignedAt?: string;
  firstResponseAt?: string;
  closedAt?: string;
  /** Closed while waiting (the customer left before anyone answered). */
  abandoned?: boolean;
  /** Agents not to offer this conversation to again (unresponsive, transferred away). */
  excludeAgentIds?: string[];
  /** Waited past the escalation threshold: eligible skills widened to any. */
  escalated?: boolean;
  /** Times an agent was given this conversation (first assignment, transfers, re-offers). */
  assignments: number;
  history: HistoryEntry[];
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
 * not read it back. Only fields the router uses are required; the transaction re-checks status.
 */
export const conversationSnapshotSchema = z
  .object({
    conversationId: conversationIdSchema,
    customerId: z.string(),
    channel: z.string(),
    skill: z.union([skillSchema, z.literal("any")]),
    requestedSkill: skillSchema,
    priority: z.enum(priorities),
    customerTier: z.enum(["vip", "regular"]).optional(),
    orderAmount: z.number().optional(),
    status: z.literal("queued"),
    arrivedAt: z.string(),
    assignments: z.number().int(),
    history: z.array(z.object({ at: z.string(), action: z.string(), actor: z.string(), agentId: z.string().optional(), detail: z.string().optional() })),
  })
  .passthrough();
