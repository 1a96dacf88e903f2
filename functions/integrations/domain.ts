/**
 * The chat-platform contract both ways, as pure rules (no I/O, unit tested): the assignment
 * callback's payload and its stable event id, the platform's events, the dedupe keys of what the
 * platform sends, and which move an assignment is. docs/integration.md is the prose of this file.
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import type { HistoryEntry } from "../routing/conversation.js";

/** Why a conversation got (another) agent, as the callback's `reason` says it. */
export const moveReasons = ["assigned", "transferred", "reassigned", "handed-over", "reoffered"] as const;
export type MoveReason = (typeof moveReasons)[number];

/** The body POSTed to the platform's callback URL, one per move. */
export const assignmentCallbackSchema = lazy(() => z.object({
  /** Stable per move: `{conversationId}:{sequence}`. Every retry of this move carries the same id. */
  eventId: z.string(),
  type: z.literal("conversation.assigned"),
  conversationId: z.string(),
  agentId: z.string(),
  /** The agent who had it just before in this episode; null for the episode's first assignment. */
  previousAgentId: z.nullable(z.string()),
  reason: z.enum(moveReasons),
  /** 1, 2, 3… per conversation over its whole life: the platform applies the highest it has seen. */
  sequence: z.number().check(z.int(), z.minimum(1)),
  occurredAt: z.string(),
}));
export type AssignmentCallback = z.infer<typeof assignmentCallbackSchema>;

/**
 * The move's event id: the conversation and the move's sequence number (the conversation's
 * `assignments` count after the move). The count is written in the move's own transaction, so a
 * redelivered routing message or a retried delivery names the same move with the same id.
 *
 * @example
 * callbackEventId("c-1", 3); // "c-1:3"
 */
export function callbackEventId(conversationId: string, sequence: number): string {
  return `${conversationId}:${sequence}`;
}

const moveActions: ReadonlySet<string> = new Set<MoveReason>(["transferred", "handed-over", "reoffered"]);
/** History actions that start an episode (no previous agent). */
const episodeStarts: ReadonlySet<string> = new Set(["received", "reopened", "closed", "abandoned"]);

/**
 * What an assignment from the waiting line is, read from the conversation's history: after a
 * transfer to a skill, a handover or a re-offer it is that move, from the agent it left; otherwise
 * the episode's first assignment. Entries that do not move it (waiting, escalated…) are skipped.
 */
export function assignmentReason(history: readonly HistoryEntry[]): { reason: MoveReason; previousAgentId: string | null } {
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (!entry) continue;
    // A move back to a waiting line: one of those actions, or any entry naming the skill it went to.
    if (moveActions.has(entry.action) || Object.hasOwn(entry, "toSkill")) {
      const reason = moveReasons.find((r) => r === entry.action) ?? "assigned";
      return { reason, previousAgentId: entry.agentId ?? null };
    }
    if (episodeStarts.has(entry.action) || entry.action === "assigned") break;
  }
  return { reason: "assigned", previousAgentId: null };
}

/** Event ids the platform sends: its own delivery ids, kept short enough for a key and a path. */
export const platformEventIdSchema = lazy(() => z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")));

export const platformEventTypes = ["agent-replied", "customer-left", "closed"] as const;
export type PlatformEventType = (typeof platformEventTypes)[number];

/** `POST /webhooks/conversation-events`. */
export const platformEventSchema = lazy(() => z.strictObject({
  eventId: platformEventIdSchema,
  conversationId: z.string().check(z.minLength(1), z.maxLength(128)),
  type: z.enum(platformEventTypes),
  occurredAt: z.iso.datetime({ offset: true }),
  agentId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
}));
export type PlatformEvent = z.infer<typeof platformEventSchema>;

/**
 * The dedupe key of something the platform sent: its `eventId` when it gave one (per endpoint: an
 * arrival's id never shadows an event's), else the signed request itself (timestamp and body, the
 * bytes the signature covers), so a byte-identical replay is recognised and a new request with
 * the same body is not.
 *
 * @example
 * dedupeKey({ kind: "event", eventId: "e1" }); // "event:e1"
 * dedupeKey({ kind: "arrival", eventId: "e1" }); // "arrival:e1"
 * dedupeKey({ timestamp: "1764600000", rawBody: "{}" }); // "request:<sha-256 hex>"
 */
export function dedupeKey(source: { kind: "arrival" | "event"; eventId: string } | { timestamp: string; rawBody: string }): string {
  if ("eventId" in source) return `${source.kind}:${source.eventId}`;
  return `request:${createHash("sha256").update(`${source.timestamp}.${source.rawBody}`).digest("hex")}`;
}

/** Dedupe records live this long: far beyond any platform's retry window. */
export const dedupeRetentionSeconds = 7 * 24 * 3600;
/** Delivered callbacks are kept this long for support questions, then expire. */
export const deliveredRetentionSeconds = 30 * 24 * 3600;

/**
 * When the platform says something happened: `occurredAt` when given, else the signature
 * timestamp (unix seconds), else the time we received it.
 */
export function occurredAtOf(occurredAt: string | undefined, signatureTimestamp: string | undefined, receivedAt: Date): Date {
  if (occurredAt) return new Date(occurredAt);
  if (signatureTimestamp && /^\d{1,12}$/.test(signatureTimestamp)) return new Date(Number(signatureTimestamp) * 1000);
  return receivedAt;
}

/**
 * Was the message written after the conversation ended? With only the signature's second to go
 * by, that whole second counts as "after": the message may have been written in any part of it.
 */
export function writtenAfterClose(arrival: { occurredAt: Date; secondPrecision: boolean }, closedAt: string | undefined): boolean {
  if (!closedAt) return true;
  const closed = Date.parse(closedAt);
  return arrival.secondPrecision ? arrival.occurredAt.getTime() + 1000 > closed : arrival.occurredAt.getTime() > closed;
}

/** The delivery outcome of one POST: 2xx delivered; anything else (or no answer in time) retried. */
export function isDelivered(status: number): boolean {
  return status >= 200 && status < 300;
}
