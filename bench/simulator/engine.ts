/**
 * The discrete-event core of the Double-11 simulator, on a virtual clock (milliseconds since
 * the epoch, nothing real waits). It drives the router's own policy:
 * - an arriving conversation goes to the first agent `orderCandidates` returns (on duty,
 *   online, a free slot, the skill; lowest load ratio, then longest idle); nobody: it waits in
 *   its skill's line, ordered by `waitingKey` (priority, then arrival);
 * - when a slot frees (a chat ends) or an agent comes on duty, the waiting lines of that
 *   agent's skills are drained best head first, exactly as `drainWaiting` does, until nobody
 *   eligible is left. So nobody waits while an eligible slot is free (tests assert this).
 *
 * Model choices (docs/simulator.md): one chat slot serves one conversation for its handle time,
 * independent of the agent's other chats; agents are online for their whole duty; at duty end
 * an agent takes nothing new but finishes open chats (no handover); customers wait forever
 * unless a patience distribution is given. All random draws of a conversation (gap, skill,
 * priority, handle time, patience) happen at its arrival, in arrival order, so two rotas run
 * with the same seed meet exactly the same customers (common random numbers).
 *
 * @example
 * const result = simulate({ start, arrivalsEnd, stopAt, agents, arrivals, seed: 1,
 *   handleSeconds: (rng) => rng.exponential(1 / 300), draw: () => ({ skill: "presale", priority: "normal" }) });
 */
import { newAgent, type Agent, type Skill } from "../../functions/agents/domain.js";
import { defaultRoutingConfig, orderCandidates, waitingKey, type Priority, type RoutingConfig } from "../../functions/routing/policy.js";
import { Heap } from "./heap.js";
import { Rng } from "./rng.js";

export interface SimAgentInput {
  agentId: string;
  skills: Skill[];
  maxConcurrent: number;
  /** On-duty intervals in epoch ms, half-open [from, to); may overlap. */
  duty: readonly { from: number; to: number }[];
}

/** Poisson arrivals at a constant rate over [from, to). */
export interface RateSegment {
  from: number;
  to: number;
  perSecond: number;
}

export interface ConversationDraw {
  skill: Skill;
  priority: Priority;
}

export interface EngineInput {
  /** Virtual clock start (epoch ms). */
  start: number;
  /** No arrivals at or after this instant. */
  arrivalsEnd: number;
  /** Hard stop: the run ends here even if some conversations still wait. */
  stopAt: number;
  agents: readonly SimAgentInput[];
  arrivals: readonly RateSegment[];
  seed: number;
  handleSeconds: (rng: Rng) => number;
  draw: (rng: Rng) => ConversationDraw;
  /**
   * Handle time multiplier for a chat assigned to an agent who then holds `load` chats (its
   * own included): handle time growing with concurrency. Absent = 1 (independent of load).
   */
  handleScale?: ((load: number) => number) | undefined;
  /** Customer patience; absent = nobody abandons. */
  patienceSeconds?: ((rng: Rng) => number) | undefined;
  /** Width of the occupancy / queue buckets; default one minute. */
  bucketMs?: number;
  routing?: RoutingConfig;
  progressEveryMs?: number;
  onProgress?: (now: number, state: { arrivals: number; waiting: number; busySlots: number; staffedSlots: number }) => void;
  /** Called after every event has been fully processed (including the drain it caused). */
  afterEvent?: (view: EngineView) => void;
}

export interface EngineView {
  now: number;
  kind: EventKind;
  agents: readonly Agent[];
  /** Conversations waiting per skill right now. */
  waiting: ReadonlyMap<Skill, number>;
}

export interface SimConversation {
  /** Position in arrival order. */
  index: number;
  id: string;
  skill: Skill;
  priority: Priority;
  arrivedAt: number;
  /** `waitingKey` of the conversation: its place in line. */
  key: string;
  handleMs: number;
  patienceMs?: number;
  /** Found nobody eligible on arrival (the Erlang C event). */
  waited: boolean;
  assignedAt?: number;
  agentId?: string;
  abandonedAt?: number;
}

/** Time integrals per bucket (slot-milliseconds etc.), for occupancy and queue charts. */
export interface Buckets {
  start: number;
  bucketMs: number;
  /** Open conversations of on-duty agents × time. */
  busy: Float64Array;
  /** Chat slots of on-duty agents × time. */
  staffed: Float64Array;
  /** Waiting conversations × time. */
  queue: Float64Array;
  /** Agents on duty × time. */
  onDuty: Float64Array;
  /** Longest waiting line seen in the bucket. */
  queueMax: Float64Array;
}

export interface SimResult {
  conversations: SimConversation[];
  agents: Agent[];
  buckets: Buckets;
  /** When the run stopped (≤ stopAt: it stops early once arrivals are over and nobody waits). */
  endedAt: number;
  events: number;
}

export type EventKind = "done" | "dutyStart" | "dutyEnd" | "arrival" | "abandon";

/** Same-instant order: freed slots and new duty first, so a simultaneous arrival can use them. */
const kindOrder: Record<EventKind, number> = { done: 0, dutyStart: 1, dutyEnd: 2, arrival: 3, abandon: 4 };

interface SimEvent {
  t: number;
  seq: number;
  kind: EventKind;
  /** Conversation index (done, abandon) or agent index (duty). */
  ref: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function simulate(input: EngineInput): SimResult {
  const rng = new Rng(input.seed);
  const routing = input.routing ?? defaultRoutingConfig;
  const bucketMs = input.bucketMs ?? 60_000;
  const bucketCount = Math.max(1, Math.ceil((input.stopAt - input.start) / bucketMs));
  const buckets: Buckets = {
    start: input.start,
    bucketMs,
    busy: new Float64Array(bucketCount),
    staffed: new Float64Array(bucketCount),
    queue: new Float64Array(bucketCount),
    onDuty: new Float64Array(bucketCount),
    queueMax: new Float64Array(bucketCount),
  };

  const agents: Agent[] = input.agents.map((a) => ({
    ...newAgent({ agentId: a.agentId, name: a.agentId, skills: a.skills, maxConcurrent: a.maxConcurrent }, "simulator", new Date(input.start)),
    presence: "online",
  }));
  const dutyDepth = new Int32Array(agents.length);
  const agentIndex = new Map(agents.map((a, i) => [a.agentId, i]));
  // The pool handed to the policy: on-duty agents, as the router's availability pool holds
  // only agents on duty. The policy still applies its full eligibility test to each.
  let pool: Agent[] = [];
  const rebuildPool = () => {
    pool = agents.filter((a) => a.onDuty);
  };

  const conversations: SimConversation[] = [];
  const lines = new Map<Skill, Heap<SimConversation>>();
  const waitingBySkill = new Map<Skill, number>();
  const lineOf = (skill: Skill) => {
    let line = lines.get(skill);
    if (!line) lines.set(skill, (line = new Heap<SimConversation>((a, b) => a.key < b.key)));
    return line;
  };

  const events = new Heap<SimEvent>((a, b) => (a.t !== b.t ? a.t < b.t : a.kind !== b.kind ? kindOrder[a.kind] < kindOrder[b.kind] : a.seq < b.seq));
  let seq = 0;
  const schedule = (t: number, kind: EventKind, ref: number) => events.push({ t, seq: seq++, kind, ref });

  input.agents.forEach((a, i) => {
    for (const d of a.duty) {
      if (d.to <= d.from || d.to <= input.start || d.from >= input.stopAt) continue;
      schedule(Math.max(d.from, input.start), "dutyStart", i);
      if (d.to < input.stopAt) schedule(d.to, "dutyEnd", i);
    }
  });

  // State integrated over time.
  let clock = input.start;
  let busy = 0;
  let staffed = 0;
  let waiting = 0;
  let onDutyCount = 0;
  const advance = (to: number) => {
    while (clock < to) {
      const b = Math.min(bucketCount - 1, Math.floor((clock - input.start) / bucketMs));
      const step = Math.min(to, input.start + (b + 1) * bucketMs) - clock;
      if (step <= 0) {
        clock = to;
        break;
      }
      buckets.busy[b] = (buckets.busy[b] ?? 0) + busy * step;
      buckets.staffed[b] = (buckets.staffed[b] ?? 0) + staffed * step;
      buckets.queue[b] = (buckets.queue[b] ?? 0) + waiting * step;
      buckets.onDuty[b] = (buckets.onDuty[b] ?? 0) + onDutyCount * step;
      if (waiting > (buckets.queueMax[b] ?? 0)) buckets.queueMax[b] = waiting;
      clock += step;
    }
  };
  const noteQueue = (now: number) => {
    const b = Math.min(bucketCount - 1, Math.floor((now - input.start) / bucketMs));
    if (waiting > (buckets.queueMax[b] ?? 0)) buckets.queueMax[b] = waiting;
  };

  // Arrivals: a piecewise-constant Poisson process, drawn lazily. Exponential gaps are
  // memoryless, so at a segment boundary we simply start drawing with the next rate.
  const segments = [...input.arrivals].filter((s) => s.to > s.from && s.perSecond > 0).sort((a, b) => a.from - b.from);
  let segmentIndex = 0;
  let arrivalCursor = input.start;
  const scheduleNextArrival = () => {
    while (segmentIndex < segments.length) {
      const s = segments[segmentIndex];
      if (!s) break;
      const from = Math.max(arrivalCursor, s.from, input.start);
      const to = Math.min(s.to, input.arrivalsEnd);
      if (from < to) {
        const at = from + rng.exponential(s.perSecond) * 1000;
        if (at < to) {
          arrivalCursor = at;
          schedule(at, "arrival", -1);
          return;
        }
      }
      arrivalCursor = Math.max(arrivalCursor, s.to);
      segmentIndex++;
    }
  };
  scheduleNextArrival();

  const assign = (c: SimConversation, agent: Agent, now: number) => {
    agent.load += 1;
    agent.lastAssignedAt = iso(now);
    c.assignedAt = now;
    c.agentId = agent.agentId;
    busy += 1;
    if (input.handleScale) c.handleMs *= input.handleScale(agent.load);
    schedule(now + c.handleMs, "done", c.index);
  };

  const headOf = (skill: Skill): SimConversation | undefined => {
    const line = lines.get(skill);
    if (!line) return undefined;
    for (let head = line.peek(); head; head = line.peek()) {
      if (head.abandonedAt === undefined) return head;
      line.pop();
    }
    return undefined;
  };

  /** `drainWaiting` on the virtual clock: best head of the given skills first, until nobody fits. */
  const drain = (skillsToDrain: readonly Skill[], now: number) => {
    const active = new Set(skillsToDrain);
    const nowDate = new Date(now);
    while (active.size > 0) {
      let best: { skill: Skill; conversation: SimConversation } | undefined;
      for (const skill of active) {
        const head = headOf(skill);
        if (!head) active.delete(skill);
        else if (!best || head.key < best.conversation.key) best = { skill, conversation: head };
      }
      if (!best) return;
      const [agent] = orderCandidates(pool, best.skill, undefined, nowDate, routing);
      if (!agent) {
        active.delete(best.skill);
        continue;
      }
      lineOf(best.skill).pop();
      waiting -= 1;
      waitingBySkill.set(best.skill, (waitingBySkill.get(best.skill) ?? 0) - 1);
      assign(best.conversation, agent, now);
    }
  };

  const arrive = (now: number) => {
    const id = conversations.length;
    const { skill, priority } = input.draw(rng);
    const handleMs = Math.max(1, input.handleSeconds(rng) * 1000);
    const patienceMs = input.patienceSeconds ? input.patienceSeconds(rng) * 1000 : undefined;
    const conversationId = `c${String(id).padStart(8, "0")}`;
    const c: SimConversation = { index: id, id: conversationId, skill, priority, arrivedAt: now, key: waitingKey(priority, iso(now), conversationId), handleMs, waited: false };
    if (patienceMs !== undefined) c.patienceMs = patienceMs;
    conversations.push(c);
    const [agent] = orderCandidates(pool, skill, undefined, new Date(now), routing);
    if (agent) {
      assign(c, agent, now);
    } else {
      c.waited = true;
      lineOf(skill).push(c);
      waiting += 1;
      waitingBySkill.set(skill, (waitingBySkill.get(skill) ?? 0) + 1);
      noteQueue(now);
      if (patienceMs !== undefined) schedule(now + patienceMs, "abandon", id);
    }
    scheduleNextArrival();
  };

  const progressEvery = input.progressEveryMs;
  let nextProgress = progressEvery ? input.start + progressEvery : Number.POSITIVE_INFINITY;
  let processed = 0;
  let endedAt = input.stopAt;

  for (let event = events.pop(); event; event = events.pop()) {
    if (event.t > input.stopAt) break;
    if (event.t >= input.arrivalsEnd && waiting === 0 && segmentIndex >= segments.length) {
      endedAt = Math.max(event.t, input.arrivalsEnd);
      advance(endedAt);
      break;
    }
    while (nextProgress <= event.t) {
      advance(nextProgress);
      input.onProgress?.(nextProgress, { arrivals: conversations.length, waiting, busySlots: busy, staffedSlots: staffed });
      nextProgress += progressEvery ?? Number.POSITIVE_INFINITY;
    }
    advance(event.t);
    processed++;
    const now = event.t;
    switch (event.kind) {
      case "arrival":
        arrive(now);
        break;
      case "done": {
        const c = conversations[event.ref];
        const index = c?.agentId === undefined ? undefined : agentIndex.get(c.agentId);
        const agent = index === undefined ? undefined : agents[index];
        if (!agent) break;
        agent.load -= 1;
        if (agent.onDuty) {
          busy -= 1;
          drain(agent.skills, now);
        }
        break;
      }
      case "dutyStart": {
        const agent = agents[event.ref];
        if (!agent) break;
        dutyDepth[event.ref] = (dutyDepth[event.ref] ?? 0) + 1;
        if (!agent.onDuty) {
          agent.onDuty = true;
          agent.dutyChangedAt = iso(now);
          staffed += agent.maxConcurrent;
          busy += agent.load;
          onDutyCount += 1;
          rebuildPool();
          drain(agent.skills, now);
        }
        break;
      }
      case "dutyEnd": {
        const agent = agents[event.ref];
        if (!agent) break;
        const depth = (dutyDepth[event.ref] ?? 0) - 1;
        dutyDepth[event.ref] = depth;
        if (depth <= 0 && agent.onDuty) {
          agent.onDuty = false;
          agent.dutyChangedAt = iso(now);
          staffed -= agent.maxConcurrent;
          busy -= agent.load;
          onDutyCount -= 1;
          rebuildPool();
        }
        break;
      }
      case "abandon": {
        const c = conversations[event.ref];
        if (!c || c.assignedAt !== undefined || c.abandonedAt !== undefined) break;
        c.abandonedAt = now;
        waiting -= 1;
        waitingBySkill.set(c.skill, (waitingBySkill.get(c.skill) ?? 0) - 1);
        break;
      }
    }
    input.afterEvent?.({ now, kind: event.kind, agents, waiting: waitingBySkill });
  }
  if (endedAt === input.stopAt) advance(input.stopAt);
  return { conversations, agents, buckets, endedAt, events: processed };
}
