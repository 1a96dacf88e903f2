/**
 * What one conversation contributes to the routing metrics (`GET /metrics/routing`), as counters
 * that add up: the endpoint sums them over the conversations that arrived in its range, and the
 * hourly aggregates (`RoutingHour`) hold the same sums, kept by ADDing the difference each write
 * makes (`stored(after) − stored(before)`), summed per tumbling window from the table's change
 * stream (routing/aggregates.ts).
 *
 * Counters live in the aggregate item of the conversation's arrival hour and an owner: its
 * skill-level figures (`s.<skill>.<code>`) with the agent first given it in the episode (`~<n>`,
 * one of a few shards, when nobody was), each credited agent's own (`a.<code>`) with that agent.
 * Codes: r received, a assigned, q queued, u waiting, b abandoned by the customer, v closed while
 * waiting, c closed, l closed by the customer leaving, t first response within 3 minutes, n
 * answered, o re-offered, e escalated, w<d> a wait of d deciseconds, f<d> a first response after
 * d deciseconds; per agent a assigned, c closed, f first responses, g given while unanswered, t of
 * those answered within 3 minutes.
 *
 * Queued and waiting conversations are "live": their wait grows with the clock, so they are
 * never stored; the endpoint reads them from the waiting lines and the queued list instead.
 */
import type { Conversation } from "./conversation.js";

export type Counters = Record<string, number>;

/** Owner of the counters of conversations nobody was given: one of these shards (no hot item). */
export const unassignedShards = 16;
export const unassignedOwnerPrefix = "~";

/** History actions that give the conversation to the entry's agent (a move to a named agent). */
const givingActions = new Set(["assigned", "transferred", "reassigned"]);

/**
 * The moves of the current episode (since its arrival or reopen) that gave the conversation to an
 * agent, in order. A move back to a line (transfer to a skill, handover, re-offer: `toSkill`, or
 * legacy "to skill …" details) names the agent it LEFT, so it credits nobody.
 */
export function assignmentMoves(c: Conversation): { agentId: string; at: string }[] {
  const out: { agentId: string; at: string }[] = [];
  for (const h of c.history) {
    if (!h.agentId || !givingActions.has(h.action) || h.at < c.arrivedAt) continue;
    if (h.toSkill !== undefined || (h.action !== "assigned" && h.detail?.startsWith("to skill"))) continue;
    out.push({ agentId: h.agentId, at: h.at });
  }
  return out;
}

export const isLive = (c: Pick<Conversation, "status">) => c.status === "queued" || c.status === "waiting";

/** Deciseconds as the endpoint reports them (rounded to 0.1 s). */
const deciseconds = (seconds: number) => Math.round(seconds * 10);

/**
 * The bucket an aggregate keeps a duration in (deciseconds, the bucket's lower bound): exact below
 * 10 s, then two significant digits (1 s steps to 100 s, 10 s to 1,000 s…), so an hour's item stays
 * small and a percentile read from it is at most 10 % (and never more than one step) low.
 */
export function bucketOf(ds: number): number {
  if (ds < 100) return Math.max(0, ds);
  const step = 10 ** (Math.floor(Math.log10(ds)) - 1);
  return Math.floor(ds / step) * step;
}

function shardOf(conversationId: string): number {
  let h = 0;
  for (const ch of conversationId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % unassignedShards;
}

const within3Min = (seconds: number | undefined) => seconds !== undefined && seconds <= 180;

function add(target: Map<string, Counters>, owner: string, name: string, n = 1): void {
  if (n === 0) return;
  const counters = target.get(owner) ?? {};
  counters[name] = (counters[name] ?? 0) + n;
  target.set(owner, counters);
}

/**
 * The counters of one conversation per owner. `precise`: durations in exact deciseconds (read
 * from the conversation itself) rather than aggregate buckets.
 */
export function contributions(c: Conversation, now: Date, precise: boolean): Map<string, Counters> {
  const out = new Map<string, Counters>();
  const d = (seconds: number) => (precise ? deciseconds(seconds) : bucketOf(deciseconds(seconds)));
  const moves = assignmentMoves(c);
  const assignedAt = moves[0]?.at;
  const owner = moves[0]?.agentId ?? `${unassignedOwnerPrefix}${shardOf(c.conversationId)}`;
  const s = (code: string, n = 1) => add(out, owner, `s.${c.requestedSkill}.${code}`, n);
  const ended = c.status === "closed" || c.status === "abandoned";
  s("r");
  if (assignedAt) s("a");
  if (c.status === "queued") s("q");
  if (c.status === "waiting") s("u");
  if (c.status === "abandoned") s("b");
  if (c.status === "closed" && c.abandoned) s("v");
  if (c.status === "closed") s("c");
  if (c.status === "closed" && c.closeReason === "customer-left") s("l");
  if (c.history.some((h) => h.action === "reoffered")) s("o");
  if (c.escalated) s("e");
  if (assignedAt || isLive(c)) {
    const waitEnd = assignedAt ?? (ended ? c.closedAt : undefined) ?? now.toISOString();
    s(`w${d((Date.parse(waitEnd) - Date.parse(c.arrivedAt)) / 1000)}`);
  }
  const seconds = c.firstResponseAt ? (Date.parse(c.firstResponseAt) - Date.parse(c.arrivedAt)) / 1000 : undefined;
  if (seconds !== undefined) {
    s("n");
    s(`f${d(seconds)}`);
  }
  if (within3Min(seconds)) s("t");
  const given = new Set<string>();
  for (const move of moves) {
    add(out, move.agentId, "a.a");
    if (!c.firstResponseAt || move.at <= c.firstResponseAt) given.add(move.agentId);
  }
  for (const agentId of given) add(out, agentId, "a.g");
  // Who answered: the agent holding it when the first response was recorded.
  const answeredBy = c.firstResponseAt ? moves.filter((m) => m.at <= (c.firstResponseAt ?? "")).at(-1)?.agentId : undefined;
  if (answeredBy) {
    add(out, answeredBy, "a.f");
    if (within3Min(seconds)) add(out, answeredBy, "a.t");
  }
  for (const h of c.history) if (h.agentId && h.action === "closed" && h.at >= c.arrivedAt) add(out, h.agentId, "a.c");
  return out;
}

/** What the aggregates hold for a conversation in this state: nothing while it is live. */
export function stored(c: Conversation | undefined): Map<string, Counters> {
  return c && !isLive(c) ? contributions(c, new Date(0), false) : new Map();
}

/** The arrival hour an aggregate item is keyed by: `2026-11-11T00`. */
export const metricsHour = (arrivedAt: string) => arrivedAt.slice(0, 13);

/**
 * Per (arrival hour, owner), the non-zero counter changes a write makes from `before` to `after`
 * (the stream record's old and new images): what it adds to the aggregates.
 */
export function metricsDelta(before: Conversation | undefined, after: Conversation | undefined): { hour: string; owner: string; counters: Counters }[] {
  const out = new Map<string, { hour: string; owner: string; counters: Counters }>();
  const apply = (c: Conversation | undefined, sign: number) => {
    if (!c) return;
    const hour = metricsHour(c.arrivedAt);
    for (const [owner, counters] of stored(c)) {
      const key = `${hour}|${owner}`;
      const entry = out.get(key) ?? { hour, owner, counters: {} };
      for (const [name, n] of Object.entries(counters)) entry.counters[name] = (entry.counters[name] ?? 0) + sign * n;
      out.set(key, entry);
    }
  };
  apply(before, -1);
  apply(after, 1);
  return [...out.values()]
    .map((e) => ({ ...e, counters: Object.fromEntries(Object.entries(e.counters).filter(([, n]) => n !== 0)) }))
    .filter((e) => Object.keys(e.counters).length > 0);
}

/** Sums counters into `target` (per owner). */
export function mergeCounters(target: Map<string, Counters>, source: Iterable<[string, Counters]>): void {
  for (const [owner, counters] of source) for (const [name, n] of Object.entries(counters)) add(target, owner, name, n);
}
