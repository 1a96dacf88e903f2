/**
 * Routing decisions per SQS batch.
 *
 * Primary course: the route messages of one batch that need the same pool (same skill, no
 * fallback widening) are planned together: ONE pool query per skill for the group (a window of
 * 20 + the group's size) and ONE `BatchGetItem` of the customers' known agents for the batch;
 * then, in waiting-line order (priority, then arrival), a returning customer gets its known agent
 * when that agent's seat is in the window with room, and every other conversation the best seat
 * nobody else of the batch was given (the policy order within a slice of the agents tied at the
 * best ratio, rotated per batch as single decisions are per conversation, so concurrent batches
 * do not all start at the same agent). Each conversation still commits its own conditional
 * transaction through `routeConversation` — capacity, duty, skills and presence are conditions
 * of that write, never of this shared read — and on a conflict falls back to the single path,
 * which re-reads the pool. Conversations left without a seat wait until the planned ones have
 * committed, then take the single path: they cannot take an agent an earlier conversation of the
 * batch was given, and they wait in the line (FIFO) when nobody is left.
 *
 * A batch with fewer than two such messages is not planned: it behaves exactly as before.
 */
import { isEligibleAt, windowCovers, type Skill } from "../../agents/domain.js";
import { CapacityMeter } from "../../shared/table/index.js";
import { routingConfig } from "../config.js";
import type { Conversation } from "../conversation.js";
import { spreadWindow, waitingKey, type KnownAgent } from "../policy.js";
import { knownAgentsOf, poolHead } from "../store/index.js";
import { agentFromSeat, maxPoolPages, poolsOf, poolWindow, type PoolEntry, type Prefetched } from "./route.js";

/** One route message of the batch: its message id, the conversation as its snapshot carries it, its decision clock. */
export interface RouteRequest {
  messageId: string;
  conversation: Conversation;
  now: Date;
}

/** What one record of a planned batch does. */
export interface BatchedRoute {
  /** Reads the batch already made for it (absent: it reads as a single decision). */
  prefetched?: Prefetched;
  /** Start only once the planned decisions of the batch have finished (it was given no seat, or repeats one). */
  afterPlanned: boolean;
}

/** The plan of one batch, shared by its records (functions/shared/queue-consumer.ts `prepare`). */
export class RouteBatch {
  readonly routes = new Map<string, BatchedRoute>();
  /** Message ids given a seat: they run first. */
  readonly planned = new Set<string>();
  /** Pool queries the plan made (one per planned skill, more only when seats off duty fill a page). */
  poolReads = 0;
  private readonly unsettled = new Set<string>();
  private release: () => void = () => undefined;
  private readonly done = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  plan(messageId: string, route: BatchedRoute): void {
    this.routes.set(messageId, route);
    if (route.prefetched?.pool) {
      this.planned.add(messageId);
      this.unsettled.add(messageId);
    }
  }

  /** Resolves once every planned record has finished (committed, fallen back, or failed). */
  async turnOf(messageId: string): Promise<void> {
    if (this.routes.get(messageId)?.afterPlanned && this.unsettled.size > 0) await this.done;
  }

  /** A record finished, however: called from a `finally`, so a failing record never blocks the others. */
  settle(messageId: string): void {
    if (this.unsettled.delete(messageId) && this.unsettled.size === 0) this.release();
  }
}

interface Member extends RouteRequest {
  excluded: ReadonlySet<string>;
  order: string;
}

/** Seats with room at the decision's clock, as the single decision counts them (seats without a window pass). */
function usableAt(entry: PoolEntry, now: Date): boolean {
  return entry.seat.dutyFrom === undefined || windowCovers(entry.seat, now);
}

/** The group's window of one pool: 20 + the group's size usable seats, in pool order, a bounded number of pages. */
async function groupWindow(skill: Skill, members: readonly Member[], meter: CapacityMeter): Promise<{ entries: PoolEntry[]; reads: number }> {
  const limit = poolWindow + members.length;
  const entries: PoolEntry[] = [];
  let cursor: Record<string, unknown> | undefined;
  let reads = 0;
  for (let page = 0; page < maxPoolPages; page++) {
    const head = await poolHead(skill, limit, meter, cursor);
    reads++;
    for (const { seat, rank } of head.seats) {
      const entry = { agentId: seat.agentId, rank, seat };
      if (members.some((m) => usableAt(entry, m.now))) entries.push(entry);
    }
    cursor = head.next;
    if (entries.length >= members.length || !cursor) break;
  }
  return { entries, reads };
}

function canTake(member: Member, entry: PoolEntry): boolean {
  return !member.excluded.has(entry.agentId) && usableAt(entry, member.now) && isEligibleAt(agentFromSeat(entry.seat), member.now);
}

/**
 * Hands out the window's seats to a group, one conversation per agent: known agents first, then
 * the others in line order, each the best seat left for it.
 */
function assignSeats(members: readonly Member[], entries: readonly PoolEntry[], known: ReadonlyMap<string, KnownAgent>, knownWindowMs: number): Map<string, PoolEntry> {
  const given = new Map<string, PoolEntry>();
  const taken = new Set<string>();
  const byAgent = new Map(entries.map((e) => [e.agentId, e]));
  for (const member of members) {
    const k = known.get(member.conversation.customerId);
    const seat = k && member.now.getTime() - Date.parse(k.servedAt) <= knownWindowMs ? byAgent.get(k.agentId) : undefined;
    if (seat && !taken.has(seat.agentId) && canTake(member, seat)) {
      given.set(member.messageId, seat);
      taken.add(seat.agentId);
    }
  }
  const rest = members.filter((m) => !given.has(m.messageId));
  if (rest.length === 0) return given;
  // Like a single decision's slice of the tied agents, rotated by the batch (its first
  // conversation): concurrent batches start at different agents. The slice is then handed out
  // in the policy's order (ratio, then longest idle), the earliest conversation first.
  const free = entries.filter((e) => !taken.has(e.agentId));
  const spread = spreadWindow(free.map((e) => e.agentId), free, rest[0]?.conversation.conversationId ?? "");
  const inSpread = spread.map((id) => byAgent.get(id)).filter((e): e is PoolEntry => e !== undefined);
  const byRank = (a: PoolEntry, b: PoolEntry) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0);
  const order = [...inSpread.slice(0, rest.length).sort(byRank), ...inSpread.slice(rest.length).sort(byRank)];
  for (const member of rest) {
    const seat = order.find((e) => !taken.has(e.agentId) && canTake(member, e));
    if (!seat) continue;
    given.set(member.messageId, seat);
    taken.add(seat.agentId);
  }
  return given;
}

/**
 * Plans a batch's route messages (see the module's comment). Messages that are not planned get
 * no entry, or (a repeat of a conversation planned in the same batch) wait for the planned ones.
 */
export async function planRouteBatch(requests: readonly RouteRequest[]): Promise<RouteBatch> {
  const batch = new RouteBatch();
  const groups = new Map<Skill, Member[]>();
  const seen = new Set<string>();
  const repeats: string[] = [];
  for (const request of requests) {
    const c = request.conversation;
    if (c.status !== "queued" && c.status !== "waiting") continue;
    if (seen.has(c.conversationId)) {
      repeats.push(request.messageId);
      continue;
    }
    seen.add(c.conversationId);
    const pools = await poolsOf(c);
    const [skill] = pools;
    // Widened (escalated with fallbacks) or legacy `any`: several pools, left to the single path.
    if (pools.length !== 1 || skill === undefined) continue;
    const members = groups.get(skill) ?? [];
    members.push({ ...request, excluded: new Set(c.excludeAgentIds ?? []), order: waitingKey(c.priority, c.arrivedAt, c.conversationId) });
    groups.set(skill, members);
  }
  for (const [skill, members] of groups) if (members.length < 2) groups.delete(skill);
  if (groups.size === 0) return batch;

  const everyone = [...groups.values()].flat();
  const knownMeter = new CapacityMeter();
  const [known, windows, config] = await Promise.all([
    knownAgentsOf(
      everyone.map((m) => m.conversation.customerId),
      knownMeter,
    ),
    Promise.all(
      [...groups].map(async ([skill, members]) => {
        const meter = new CapacityMeter();
        return { members, meter, ...(await groupWindow(skill, members, meter)) };
      }),
    ),
    routingConfig(),
  ]);
  const knownShare = knownMeter.units / everyone.length;
  for (const { members, meter, entries, reads } of windows) {
    batch.poolReads += reads;
    members.sort((a, b) => (a.order < b.order ? -1 : 1));
    const given = assignSeats(members, entries, known, config.knownAgentWindowMs);
    const sharedUnits = meter.units / members.length + knownShare;
    for (const member of members) {
      const seat = given.get(member.messageId);
      const free = entries.filter((e) => usableAt(e, member.now) && isEligibleAt(agentFromSeat(e.seat), member.now)).length;
      const prefetched: Prefetched = { known: known.get(member.conversation.customerId), sharedUnits, ...(seat ? { pool: Object.assign([seat], { free }) } : {}) };
      batch.plan(member.messageId, { prefetched, afterPlanned: !seat });
    }
  }
  for (const messageId of repeats) batch.plan(messageId, { afterPlanned: true });
  return batch;
}
