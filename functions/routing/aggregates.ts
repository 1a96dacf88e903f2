/**
 * The aggregates the conversation writes feed, as the table's change stream delivers them to
 * `RoutingAggregates` (aggregates.stream.ts): the hourly routing metrics (`RoutingHour`, the
 * counters of routing/metrics.ts) and the forecast's arrival counts (`ArrivalCount`). Pure: the
 * state a tumbling window carries from one invocation to the next, what a batch of changes adds
 * to it, and the mark each write of it is conditioned on.
 *
 * Why a stream and not the conversation's own transaction (where the RoutingHour ADDs were): an
 * item inside a transaction bills 2 WRU per KB, and the aggregate of an agent's hour was written
 * by every assignment, first response and close of that agent. A window sums a shard's changes
 * into one ADD per item, outside any transaction: 1 WRU per item and window, however many
 * conversations it saw; the first-response write no longer needs a transaction at all.
 */
import * as z from "zod/mini";
import { arrivalSlot } from "../shared/table/entities/routing.js";
import { stableHash } from "../shared/table/shard.js";
import type { Conversation } from "./conversation.js";
import { metricsDelta, type Counters } from "./metrics.js";

/** One write of a conversation item: its images before and after (absent: created / deleted). */
export interface ConversationChange {
  /** The stream record's sequence number within its shard. */
  sequence: string;
  before: Conversation | undefined;
  after: Conversation | undefined;
}

export type AggregateTarget = { entity: "RoutingHour"; hour: string; owner: string } | { entity: "ArrivalCount"; day: string; slot: string; skill: string };

const targetSchema = z.union([
  z.object({ entity: z.literal("RoutingHour"), hour: z.string(), owner: z.string() }),
  z.object({ entity: z.literal("ArrivalCount"), day: z.string(), slot: z.string(), skill: z.string() }),
]);

/**
 * What a window has gathered so far for one shard: the counter additions per aggregate item, and
 * the last sequence number taken (comparable form): a record Lambda hands over again is not
 * counted twice, and the state is written with it as its mark.
 */
export const windowStateSchema = z.object({
  lastSequence: z.optional(z.string()),
  items: z.array(z.object({ target: targetSchema, counters: z.record(z.string(), z.number()) })),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export const emptyWindowState = (): WindowState => ({ items: [] });

const targetId = (t: AggregateTarget) => (t.entity === "RoutingHour" ? `RoutingHour|${t.hour}|${t.owner}` : `ArrivalCount|${t.day}|${t.slot}|${t.skill}`);

/**
 * The arrival a write records for the forecast: a conversation created, or reopened (a new
 * episode: its arrival moved). A replayed webhook writes nothing, so it never counts.
 */
export function arrivalOf(change: Pick<ConversationChange, "before" | "after">): { target: AggregateTarget; counters: Counters } | undefined {
  const { before, after } = change;
  if (!after || (before && before.arrivedAt === after.arrivedAt)) return undefined;
  const { day, slot } = arrivalSlot(new Date(after.arrivedAt));
  return { target: { entity: "ArrivalCount", day, slot, skill: after.requestedSkill }, counters: before ? { arrivals: 1, reopened: 1 } : { arrivals: 1 } };
}

/**
 * A sequence number as it compares: left-padded to 40 digits (DynamoDB's are 21 to 40 digits
 * long), so string order is numeric order within a shard.
 */
export const comparableSequence = (sequence: string) => sequence.padStart(40, "0");

/**
 * The state after `changes` (in stream order): each change's metrics difference and arrival added
 * to its items. A change at or before the state's last sequence is skipped (already counted).
 */
export function addChanges(state: WindowState, changes: readonly ConversationChange[]): WindowState {
  const items = new Map(state.items.map((i) => [targetId(i.target), { target: i.target, counters: { ...i.counters } }]));
  let lastSequence = state.lastSequence;
  const add = (target: AggregateTarget, counters: Counters) => {
    const id = targetId(target);
    const item = items.get(id) ?? { target, counters: {} };
    for (const [name, n] of Object.entries(counters)) item.counters[name] = (item.counters[name] ?? 0) + n;
    items.set(id, item);
  };
  for (const change of changes) {
    const sequence = comparableSequence(change.sequence);
    if (lastSequence !== undefined && sequence <= lastSequence) continue;
    lastSequence = sequence;
    for (const { hour, owner, counters } of metricsDelta(change.before, change.after)) add({ entity: "RoutingHour", hour, owner }, counters);
    const arrival = arrivalOf(change);
    if (arrival) add(arrival.target, arrival.counters);
  }
  const kept = [...items.values()]
    .map((i) => ({ target: i.target, counters: Object.fromEntries(Object.entries(i.counters).filter(([, n]) => n !== 0)) }))
    .filter((i) => Object.keys(i.counters).length > 0);
  return { ...(lastSequence !== undefined ? { lastSequence } : {}), items: kept };
}

/**
 * The mark a state is written with on each of its items, under the shard's attribute: the last
 * sequence number it took. Sequence numbers grow within a shard, so every later state (the next
 * part of a window, the next window) carries a greater mark, and a write that Lambda retries (a
 * final invocation that failed after some items were written) carries the same one: the items it
 * already reached refuse it, so each state counts once.
 */
export const markOf = (state: WindowState): string | undefined => state.lastSequence;

/** The name of a shard's mark on an aggregate item: short (it is on every item the shard writes). */
export const shardMarkAttribute = (shardId: string): string => `w.${stableHash(shardId).toString(36)}`;

/**
 * State is carried between invocations by Lambda as a map of strings, at most 1 MB per shard:
 * serialized as one JSON string, and written out early (as a part) past this size.
 */
export const stateKey = "aggregates";
export const maxStateBytes = 512 * 1024;

export function encodeState(state: WindowState): Record<string, string> {
  return { [stateKey]: JSON.stringify(state) };
}

export function decodeState(raw: unknown): WindowState {
  const text = raw && typeof raw === "object" ? (raw as Record<string, unknown>)[stateKey] : undefined;
  if (typeof text !== "string") return emptyWindowState();
  return z.parse(windowStateSchema, JSON.parse(text));
}
