/**
 * The API's shapes, derived from the backend's own schemas and views (`import type` only: nothing
 * of the backend is bundled; eslint forbids value imports from functions/ and local/ here). When
 * the OpenAPI document is generated from the routes' schemas, these aliases are the one place
 * that switches to its generated types.
 */
import type * as z from "zod/mini";
import type { agentView, presenceStatuses } from "../../../functions/agents/domain.js";
import type { listSkills } from "../../../functions/agents/skills.js";
import type { noticeInputSchema, noticeView, urgencies } from "../../../functions/notices/domain.js";
import type { acknowledge, inbox, receipts } from "../../../functions/notices/use-cases/index.js";
import type { conversationView } from "../../../functions/routing/conversation.js";
import type { RoutingMetrics } from "../../../functions/supervision/domain.js";
import type { liveQueue, routingMetricsBetween } from "../../../functions/supervision/use-cases.js";
import type { ConsoleConfig, LocalTokenRequest, LocalTokenResponse } from "../../../local/console.js";

export type { ConsoleConfig, LocalTokenRequest, LocalTokenResponse, RoutingMetrics };

/** What JSON makes of a server value: dates travel as strings, functions and undefined do not travel. */
export type Json<T> = T extends Date ? string : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

export type Presence = (typeof presenceStatuses)[number];
export type AgentView = Json<ReturnType<typeof agentView>>;
/** `PUT /agents/{id}`: the profile fields of the view. */
export type AgentProfile = Pick<AgentView, "name" | "skills" | "maxConcurrent">;
export type Skill = Json<Awaited<ReturnType<typeof listSkills>>[number]>;

export type Conversation = Json<ReturnType<typeof conversationView>>;
/**
 * A waiting line's entry. liveQueue builds its lines as `Record<string, unknown[]>`, so the entry
 * is named here from the conversation's own fields, as liveQueue picks them; typing liveQueue's
 * map (functions/supervision/use-cases.ts) would let this alias derive it instead.
 */
export type WaitingConversation = Pick<Conversation, "conversationId" | "priority" | "requestedSkill" | "arrivedAt" | "fallbackSkills" | "waitSeconds"> & { escalated: boolean };
type ServerQueue = Json<Awaited<ReturnType<typeof liveQueue>>>;
/**
 * `lines` (per line: how many wait, who is first) comes with the paged `GET /queue`; until then
 * the wall counts the `waiting` lists. Both are read so the wall is right on either.
 */
export interface QueueLine {
  waiting: number;
  head: WaitingConversation | null;
}
export type LiveQueue = Omit<ServerQueue, "waiting"> & { waiting: Record<string, WaitingConversation[]>; lines?: Record<string, QueueLine> };
export type QueueAgent = LiveQueue["agents"][number];
export type Metrics = Json<Awaited<ReturnType<typeof routingMetricsBetween>>>;

export type Urgency = (typeof urgencies)[number];
export type NoticeInput = z.input<typeof noticeInputSchema>;
export type NoticeView = Json<ReturnType<typeof noticeView>>;
export type Inbox = Json<Awaited<ReturnType<typeof inbox>>>;
export type InboxNotice = Inbox["notices"][number];
export type Acknowledgement = Json<Awaited<ReturnType<typeof acknowledge>>>;
export type Receipts = Json<Awaited<ReturnType<typeof receipts>>>;
/** `POST /notices` answers the notice with who published it. */
export type PublishedNotice = NoticeView & { publishedBy: string; replayed?: boolean };

/** `POST /conversations/{id}/reassign`. */
export type ReassignRequest = { toAgentId: string; force?: boolean; reason?: string } | { toSkill: string; reason?: string };

/** What the agents' and supervisors' WebSocket pushes (functions/shared/push.ts callers). */
export type LiveMessage =
  | { type: "assignment"; conversation: Conversation }
  | { type: "notice"; notice: NoticeView; reminder?: boolean }
  | { type: "escalation"; conversationId: string; skill: string; priority: string; waitingSince: string }
  | { type: "pong" };

/** RFC 9457 problem body. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}
