/**
 * Issue 13's done-when: a rush driven through the chat-platform contract both ways, on the local
 * stack, with real concurrency.
 *
 * The test plays the chat platform. It sends ~150 signed arrivals at once (platform retries with
 * the same eventId, byte-identical replays, some racing their original), and reacts to each
 * assignment callback it accepts the way a platform's workbench would: the agent replies
 * (`agent-replied`, a few only after 4 minutes), transfers to a colleague or back to a skill's
 * line, a supervisor reassigns (主账号调配), the customer leaves (from the queue and from an agent),
 * the platform closes, a few customers write again after the close (a new episode) and a late
 * event of the old episode arrives. After each end it replays what it sent before (same eventId,
 * the same signed bytes, a message written before the close). Its callback endpoint fails the
 * first attempts of every delivery (a 5xx, an answer slower than the deliverer's timeout, or both),
 * verifies every signature and applies a callback once per eventId. Meanwhile the supervision
 * clock escalates every waiting conversation (threshold 0 s: every queue is past it), one agent
 * is paused for a while, and the callback relay runs as if five minutes had passed (duplicates).
 *
 * Then it checks, against what it sent and received:
 * - invariants: no agent ever over capacity (sampled throughout, and the reconciler finds no
 *   drift); no assignment to an agent without the skill or, escalated, a fallback skill; none to a
 *   paused, offline, away, off-duty or out-of-window agent; no closed or abandoned conversation
 *   reopened or routed by a replay; the queue purged of ended conversations;
 * - callbacks: every move delivered, in the conversation's order of moves, signed with the
 *   callback secret, duplicates only of the same eventId with the same bytes, nothing lost or
 *   left pending after the failures;
 * - `GET /metrics/routing`: assigned per agent, abandoned by customer vs closed, the first
 *   response per episode, the 3-minute rates, waits — each against figures computed here.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallbackReceiver, type AssignmentCallbackBody } from "../support/callbacks.js";
import { conversation, inParallel, makeAgent, seeded, sendConversation, sendEvent, setDuty } from "../support/routing.js";
import { useLocalStack, type ApiResponse } from "../support/stack.js";

const callbackSecret = "rush-callback-secret-0123456789abcdef";
const hash = (text: string) => createHash("sha1").update(text).digest().readUInt32BE(0);

/** Every delivery fails at first: a 5xx, no answer within the timeout, or a 5xx and then no answer. */
function failFirst(eventId: string, attempt: number): number | "slow" {
  const patterns: (number | "slow")[][] = [[503], ["slow"], [500], [502, "slow"]];
  return patterns[hash(eventId) % patterns.length]?.[attempt - 1] ?? 200;
}

const receiver = new CallbackReceiver(callbackSecret, failFirst);
const env: Record<string, string> = {
  CALLBACK_SECRET: callbackSecret,
  CALLBACK_TIMEOUT_MS: "300",
  // Every waiting conversation is past the threshold at the clock's next run.
  ESCALATE_AFTER_SECONDS: "0",
  ESCALATION_MODE: "fallback-and-notify",
  FIRST_RESPONSE_TIMEOUT_SECONDS: "3600",
  AWAY_HANDOVER_MINUTES: "30",
  HANDOVER_GRACE_MINUTES: "5",
  // The sweeper re-drives a conversation whose route message a queue timeout lost after 2 s.
  REQUEUE_AFTER_SECONDS: "2",
};
beforeAll(async () => {
  env.ASSIGNMENT_CALLBACK_URL = await receiver.start();
});
// Registered after the receiver's hook, so the stack starts with its URL.
const stack = useLocalStack({ env });
afterAll(() => receiver.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Role = "serves" | "unskilled" | "paused" | "offline" | "away" | "off-duty" | "ended" | "future";
interface AgentInfo {
  id: string;
  key: string;
  skills: string[];
  max: number;
  role: Role;
}

type Step =
  | { kind: "assigned" }
  | { kind: "leave-now" }
  | { kind: "lone"; ms: number; then: "customer-left" | "closed" | "stay" }
  | { kind: "move"; how: "transfer-agent" | "transfer-skill" | "reassign-agent" | "reassign-skill" | "supervisor-transfer-skill" }
  | { kind: "bad-move" }
  | { kind: "reply"; late: boolean; retry: boolean }
  | { kind: "close"; by: "platform" | "customer-left" | "agent"; retry: boolean }
  | { kind: "keep-open" }
  | { kind: "reopen" }
  | { kind: "stale-event" };

interface Episode {
  sentAt: number;
  answeredAt: number;
  /** The sequence of the episode's first move (callbacks before it belong to earlier episodes). */
  fromSequence: number;
  /** The occurredAt (or its default) of the message that began it. */
  writtenAt: string;
}

interface End {
  status: "closed" | "abandoned";
  by: "customer-left" | "platform" | "agent";
  whileAssigned: boolean;
}

/** The platform's view of one conversation: what it sent, what it was told, what it expects. */
interface Plat {
  id: string;
  index: number;
  requestedSkill: string;
  /** The skill it is routed by now (transfers to a skill change it). */
  skill: string;
  body: Record<string, unknown>;
  timestamp: number;
  withEventId: boolean;
  steps: Step[];
  highest: number;
  callbacks: Map<number, AssignmentCallbackBody>;
  waiters: { sequence: number; resolve: () => void; reject: (error: Error) => void }[];
  episodes: Episode[];
  reply?: { occurredAt: string; agentId: string; late: boolean } | undefined;
  end?: End | undefined;
  reopens: number;
  stays: boolean;
  /** Agents it left for a line: routing never offers it to them again. */
  excluded: Set<string>;
  trace: string[];
}

describe("a rush through the chat-platform contract, both ways", () => {
  it("keeps the invariants, delivers every move in order through failures, and reports true metrics", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const rand = seeded(20261111);
    const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(rand() * list.length)];
    const problems: string[] = [];
    const tokens = new Map<string, Promise<string>>();
    const tokenOf = (agentId: string) => tokens.get(agentId) ?? (tokens.set(agentId, s.agentToken(agentId)), tokens.get(agentId) as Promise<string>);
    const from = new Date(Date.now() - 60_000);
    /** 5xx answers the platform retried (the store or the queue timed out on this loaded machine). */
    let retried5xx = 0;

    /**
     * A platform (or a console) retries a 5xx answer with back-off, as the contract asks: every
     * call it retries here is idempotent (the same eventId, the same signed bytes, a close).
     */
    const persist = async (send: () => Promise<ApiResponse>): Promise<ApiResponse & { retried: boolean }> => {
      let retried = false;
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await send();
          if (res.status < 500 || attempt === 8) return { ...res, retried };
        } catch (error) {
          // The connection itself failed (reset under load): as unknown as a 5xx.
          if (attempt === 8) throw error;
        }
        retried = true;
        retried5xx++;
        await sleep(250 * attempt);
      }
    };

    // Skills as data, with fallbacks. `log` has no agents of its own: served only once escalated,
    // by presale agents. `lone`: nobody, no fallback. `xtra`: agents only, nobody's fallback.
    const sk = { pre: s.uid("pre"), aft: s.uid("aft"), cmp: s.uid("cmp"), vip: s.uid("vip"), log: s.uid("log"), lone: s.uid("lone"), xtra: s.uid("xtra") };
    const fallbacks: Record<string, string[]> = { [sk.aft]: [], [sk.vip]: [], [sk.lone]: [], [sk.xtra]: [], [sk.pre]: [sk.aft], [sk.cmp]: [sk.vip], [sk.log]: [sk.pre] };
    for (const id of [sk.aft, sk.vip, sk.lone, sk.xtra, sk.pre, sk.cmp, sk.log]) {
      expect((await persist(() => s.api("PUT", `/skills/${id}`, { as: sup, body: { name: id, fallbackSkills: fallbacks[id] } }))).status).toBeLessThan(300);
    }

    // 19 agents: 11 who serve (capacities 3-8, 51 in all, some with two skills), 2 with a skill nobody asks
    // for, and 6 who must never get new work.
    const specs: { key: string; skills: string[]; max: number; role: Role }[] = [
      { key: "P1", skills: [sk.pre], max: 5, role: "serves" },
      { key: "P2", skills: [sk.pre], max: 6, role: "serves" },
      { key: "P3", skills: [sk.pre], max: 3, role: "serves" },
      { key: "P4", skills: [sk.pre], max: 5, role: "serves" },
      { key: "A1", skills: [sk.aft], max: 5, role: "serves" },
      { key: "A2", skills: [sk.aft], max: 3, role: "serves" },
      { key: "A3", skills: [sk.aft], max: 6, role: "serves" },
      { key: "PA", skills: [sk.pre, sk.aft], max: 8, role: "serves" },
      { key: "C1", skills: [sk.cmp], max: 3, role: "serves" },
      { key: "V1", skills: [sk.vip], max: 3, role: "serves" },
      { key: "V2", skills: [sk.vip, sk.cmp], max: 4, role: "serves" },
      { key: "X1", skills: [sk.xtra], max: 5, role: "unskilled" },
      { key: "X2", skills: [sk.xtra], max: 4, role: "unskilled" },
      { key: "PZ", skills: [sk.pre], max: 3, role: "paused" },
      { key: "OFF", skills: [sk.pre, sk.aft], max: 5, role: "offline" },
      { key: "AW", skills: [sk.aft], max: 3, role: "away" },
      { key: "OD", skills: [sk.pre, sk.aft], max: 4, role: "off-duty" },
      { key: "END", skills: [sk.pre], max: 4, role: "ended" },
      { key: "FUT", skills: [sk.aft], max: 4, role: "future" },
    ];
    const agents: AgentInfo[] = [];
    for (const spec of specs) agents.push({ ...spec, id: await makeAgent(s, { skills: spec.skills, maxConcurrent: spec.max, presence: "offline", onDuty: spec.role !== "off-duty" }) });
    const byKey = new Map(agents.map((a) => [a.key, a]));
    const byId = new Map(agents.map((a) => [a.id, a]));
    const agentOf = (key: string) => byKey.get(key) as AgentInfo;
    const now0 = Date.now();
    // The duty flag says on duty, but the window has ended / not begun: routing goes by the window.
    await setDuty(agentOf("END").id, true, { from: new Date(now0 - 2 * 3_600_000), to: new Date(now0 - 60_000) });
    await setDuty(agentOf("FUT").id, true, { from: new Date(now0 + 3_600_000), to: new Date(now0 + 9 * 3_600_000) });
    const presence = (id: string, status: string) => persist(() => s.api("PUT", `/agents/${id}/presence`, { as: sup, body: { status } }));

    // ---- The platform's side ----
    const plats: Plat[] = [];
    const platById = new Map<string, Plat>();
    receiver.onAccepted = (body) => {
      const c = platById.get(body.conversationId);
      if (!c) return;
      c.callbacks.set(body.sequence, body);
      c.trace.push(`cb ${body.sequence} ${body.reason} -> ${byId.get(body.agentId)?.key ?? body.agentId}`);
      // The platform keeps the highest sequence it applied; the current agent is that one's.
      if (body.sequence > c.highest) c.highest = body.sequence;
      for (const w of [...c.waiters]) if (c.highest >= w.sequence) {
        c.waiters.splice(c.waiters.indexOf(w), 1);
        w.resolve();
      }
      progressed();
    };
    // A watchdog, not a stopwatch: the rush fails when nothing moves for a minute (a lost message
    // never recovered, a deadlock), however slowly a loaded machine lets it move otherwise.
    const rushStarted = Date.now();
    let lastProgress = rushStarted;
    const progressed = () => {
      lastProgress = Date.now();
    };
    const stallMs = 60_000;
    const watchdog = setInterval(() => {
      const stalled = Date.now() - lastProgress > stallMs;
      const tooLong = Date.now() - rushStarted > 420_000;
      if (!stalled && !tooLong) return;
      for (const c of plats) for (const w of c.waiters.splice(0)) w.reject(new Error(`${c.id}: callback ${w.sequence} never accepted (${stalled ? `nothing moved for ${stallMs / 1000} s` : "the rush ran 7 minutes"}); trace: ${c.trace.join(" | ")}`));
    }, 1_000);
    const until = (c: Plat, sequence: number) =>
      c.highest >= sequence ? Promise.resolve() : new Promise<void>((resolve, reject) => c.waiters.push({ sequence, resolve, reject }));
    const current = (c: Plat) => c.callbacks.get(c.highest)?.agentId ?? "";
    const episode = (c: Plat) => c.episodes[c.episodes.length - 1] as Episode;
    const read = async (c: Plat) => (await persist(() => s.api("GET", `/conversations/${c.id}`, { as: sup }))).body as { status: string; agentId?: string; assignments: number; firstResponseAt?: string };
    const expectStatus = (what: string, res: ApiResponse, status: number, body?: Record<string, unknown>) => {
      if (res.status !== status || (body && Object.entries(body).some(([k, v]) => res.body?.[k] !== v))) problems.push(`${what}: expected ${status} ${JSON.stringify(body ?? {})}, got ${res.status} ${JSON.stringify(res.body)}`);
    };

    const newPlat = (index: number, skill: string, steps: Step[]): Plat => {
      const id = s.uid(`rush${index}`);
      const withEventId = index % 10 < 7;
      const body: Record<string, unknown> = {
        conversationId: id,
        customerId: `buyer-${index % 100}`,
        channel: pick(["tmall", "taobao", "jd"]) ?? "tmall",
        skill,
        ...(index % 7 === 0 ? { priority: "high" } : index % 23 === 0 ? { priority: "urgent" } : {}),
        ...(index % 13 === 0 ? { customerTier: "vip" } : {}),
        ...(index % 17 === 0 ? { orderAmount: 8800 } : {}),
      };
      const c: Plat = { id, index, requestedSkill: skill, skill, body, timestamp: 0, withEventId, steps, highest: 0, callbacks: new Map(), waiters: [], episodes: [], reopens: 0, stays: false, excluded: new Set(), trace: [] };
      plats.push(c);
      platById.set(id, c);
      return c;
    };

    /** The arrival, with the platform's retries and replays; one of them creates it, the rest are duplicates. */
    const arrive = async (c: Plat) => {
      const sentAt = Date.now();
      c.timestamp = Math.floor(sentAt / 1000);
      const occurredAt = new Date(sentAt).toISOString();
      const body = c.withEventId ? { ...c.body, eventId: `${c.id}:m1`, occurredAt } : c.body;
      const once = () => persist(() => s.api("POST", "/webhooks/conversations", { body, signed: { timestamp: c.timestamp } }));
      // Another delivery of the same message: the same eventId, signed again a second later.
      const retry = () => persist(() => s.api("POST", "/webhooks/conversations", { body, signed: { timestamp: c.timestamp + 1 } }));
      const mode = c.index % 10;
      // Modes 0-1: a retry racing the original; 2: a retry after it; 7: the same signed bytes twice at once; 8: again after.
      const answers = mode < 2 ? await Promise.all([once(), retry()]) : mode === 7 ? await Promise.all([once(), once()]) : [await once()];
      if (mode === 2) answers.push(await retry());
      if (mode === 8) answers.push(await once());
      const answeredAt = Date.now();
      const created = answers.filter((a) => a.status === 202);
      // One creates it; a first try that timed out after committing makes its retry a duplicate.
      const createdByRetry = created.length === 0 && answers.some((a) => a.retried);
      if (!(created.length === 1 && created[0]?.body.status === "queued") && !createdByRetry) problems.push(`${c.id}: ${created.length} arrivals created it: ${JSON.stringify(answers.map((a) => [a.status, a.body]))}`);
      for (const a of answers.filter((x) => x.status !== 202)) expectStatus(`${c.id} arrival retry`, a, 200, { duplicate: true });
      c.episodes.push({ sentAt, answeredAt, fromSequence: 1, writtenAt: c.withEventId ? occurredAt : new Date(c.timestamp * 1000).toISOString() });
      c.trace.push(`arrived (${answers.length} requests)`);
    };

    /** After an end: the platform's late retries and replays; none may reopen or route it. */
    const replays = async (c: Plat, lastEvent: ReturnType<typeof event> | undefined) => {
      const first = c.episodes[0] as Episode;
      const what = (w: string) => `${c.id} ${w} (${c.trace.join(" | ")})`;
      const sends: Promise<void>[] = [];
      if (c.withEventId) {
        const body = { ...c.body, eventId: `${c.id}:m1`, occurredAt: first.writtenAt };
        sends.push(persist(() => s.api("POST", "/webhooks/conversations", { body, signed: true })).then((r) => expectStatus(what("late retry"), r, 200, { duplicate: true })));
      } else {
        // The very same signed bytes again.
        sends.push(persist(() => s.api("POST", "/webhooks/conversations", { body: c.body, signed: { timestamp: c.timestamp } })).then((r) => expectStatus(what("byte-identical replay"), r, 200, { duplicate: true })));
      }
      // A message written before the close, delivered late under a new id.
      const stale = { ...c.body, eventId: `${c.id}:late${c.reopens}`, occurredAt: episode(c).writtenAt };
      // (A retry of it after a timeout is a plain duplicate: the first try recorded it.)
      sends.push(persist(() => s.api("POST", "/webhooks/conversations", { body: stale, signed: true })).then((r) => expectStatus(what("stale message"), r, 200, r.retried ? { duplicate: true } : { duplicate: true, stale: true })));
      if (lastEvent) sends.push(persist(() => sendEvent(s, lastEvent)).then((r) => expectStatus(what("event replay"), r, 200, { outcome: "duplicate" })));
      await Promise.all(sends);
    };

    const routable = [sk.pre, sk.aft, sk.cmp, sk.vip, sk.log];
    const servers = (skill: string, except: string) => agents.filter((a) => a.role === "serves" && a.skills.includes(skill) && a.id !== except);
    /** Lines a conversation may still be served from: someone with the skill or a fallback it has not left. */
    const lines = (c: Plat, leaving: string) =>
      routable.filter((k) => agents.some((a) => a.role === "serves" && a.id !== leaving && !c.excluded.has(a.id) && (a.skills.includes(k) || (fallbacks[k] ?? []).some((f) => a.skills.includes(f)))));

    const event = (c: Plat, type: "agent-replied" | "customer-left" | "closed", suffix: string, occurredAt = new Date().toISOString(), agentId?: string) => ({
      eventId: `${c.id}:${suffix}`,
      conversationId: c.id,
      type,
      occurredAt,
      ...(agentId ? { agentId } : {}),
    });

    /**
     * Sends an event (twice at once when `retry`), retrying 5xx: one application, the rest
     * duplicates. Returns what it did; a duplicate after a 5xx (the first try committed, then
     * timed out) is resolved by looking at the conversation.
     */
    const deliverEvent = async (c: Plat, body: ReturnType<typeof event>, retry: boolean, at?: Date) => {
      const answers = await Promise.all((retry ? [0, 1] : [0]).map(() => persist(() => sendEvent(s, body, at))));
      for (const a of answers) if (a.status !== 200) problems.push(`${c.id} ${body.type}: ${a.status} ${JSON.stringify(a.body)}`);
      const applied = answers.filter((a) => a.body?.outcome !== "duplicate");
      if (applied.length === 1) return applied[0]?.body as { outcome: string; status: string };
      if (applied.length === 0 && answers.some((a) => a.retried)) {
        const f = await read(c);
        return { outcome: "applied", status: f.status };
      }
      problems.push(`${c.id} ${body.type}: ${applied.length} non-duplicate answers ${JSON.stringify(answers.map((a) => a.body))}`);
      return undefined;
    };

    /**
     * One move; true when it happened. Not a 200 (the target filled up, or a timeout after the
     * commit): the conversation itself says whether it moved.
     */
    const move = async (c: Plat, how: Extract<Step, { kind: "move" }>["how"]): Promise<boolean> => {
      const holder = current(c);
      const target = pick(servers(c.skill, holder));
      const open = lines(c, holder);
      const toLine = how === "transfer-skill" || how === "reassign-skill" || how === "supervisor-transfer-skill" || !target;
      const toSkill = toLine ? (how === "transfer-agent" || how === "reassign-agent" ? (open.includes(c.skill) ? c.skill : undefined) : pick(open)) : undefined;
      // Nowhere it could still be served: the platform's agent would not send it there.
      if (toLine && !toSkill) return false;
      const send = async () =>
        how === "transfer-agent" ? s.api("POST", `/conversations/${c.id}/transfer`, { as: await tokenOf(holder), body: target ? { toAgentId: target.id } : { toSkill } })
        : how === "transfer-skill" ? s.api("POST", `/conversations/${c.id}/transfer`, { as: await tokenOf(holder), body: { toSkill, note: "rush" } })
        : how === "supervisor-transfer-skill" ? s.api("POST", `/conversations/${c.id}/transfer`, { as: sup, body: { toSkill } })
        : how === "reassign-agent" ? s.api("POST", `/conversations/${c.id}/reassign`, { as: sup, body: target ? { toAgentId: target.id } : { toSkill } })
        : s.api("POST", `/conversations/${c.id}/reassign`, { as: sup, body: { toSkill, reason: "rush" } });
      // A connection that fails has an unknown outcome, like a 5xx: the conversation tells.
      const res = await send().catch((): ApiResponse => ({ status: 599, body: "connection failed", headers: new Headers() }));
      c.trace.push(`${how} -> ${res.status}`);
      let moved = res.status === 200;
      if (!moved) {
        if (res.status >= 500) retried5xx++;
        else if (res.status !== 409) problems.push(`${c.id} ${how}: ${res.status} ${JSON.stringify(res.body)}`);
        const f = await read(c);
        moved = !(f.status === "assigned" && f.agentId === holder && f.assignments === c.highest);
      }
      if (moved && toLine) {
        c.skill = toSkill as string;
        c.excluded.add(holder);
      }
      return moved;
    };

    /** Moves that must be refused: to a paused, off-duty, offline, out-of-window or unskilled agent. */
    const badMove = async (c: Plat) => {
      const holder = current(c);
      const target = pick([agentOf("PZ"), agentOf("OD"), agentOf("OFF"), agentOf("X1"), agentOf("END"), agentOf("FUT")]) as AgentInfo;
      // `force` overrides capacity only, never presence, duty or skill.
      const res = await persist(() =>
        rand() < 0.5 ? tokenOf(holder).then((as) => s.api("POST", `/conversations/${c.id}/transfer`, { as, body: { toAgentId: target.id } })) : s.api("POST", `/conversations/${c.id}/reassign`, { as: sup, body: { toAgentId: target.id, force: true } }),
      );
      c.trace.push(`bad move to ${target.key} -> ${res.status}`);
      expectStatus(`${c.id} move to ${target.key}`, res, 409);
    };

    const play = async (c: Plat, arrived: Promise<void>) => {
      await arrived;
      let lastEvent: ReturnType<typeof event> | undefined;
      for (const step of c.steps) {
        progressed();
        switch (step.kind) {
          case "assigned":
            await until(c, episode(c).fromSequence);
            break;
          case "leave-now": {
            // Right after the arrival, racing its routing: abandoned, or closed if an agent had it.
            const e = event(c, "customer-left", "left");
            const result = await deliverEvent(c, e, false);
            if (result?.status === "abandoned") c.end = { status: "abandoned", by: "customer-left", whileAssigned: false };
            else if (result?.status === "closed") c.end = { status: "closed", by: "customer-left", whileAssigned: true };
            else problems.push(`${c.id} left at once: ${JSON.stringify(result)}`);
            lastEvent = e;
            break;
          }
          case "lone": {
            await sleep(step.ms);
            if (step.then === "stay") {
              c.stays = true;
              break;
            }
            const e = event(c, step.then, "lone");
            const result = await deliverEvent(c, e, false);
            const expected = step.then === "customer-left" ? "abandoned" : "closed";
            if (result?.outcome !== "applied" || result.status !== expected) problems.push(`${c.id} lone ${step.then}: ${JSON.stringify(result)}`);
            c.end = { status: expected, by: step.then === "closed" ? "platform" : "customer-left", whileAssigned: false };
            lastEvent = e;
            break;
          }
          case "move": {
            const next = c.highest + 1;
            if (await move(c, step.how)) await until(c, next);
            break;
          }
          case "bad-move":
            await badMove(c);
            break;
          case "reply": {
            const agentId = current(c);
            // A late reply: the platform's clock says 4 minutes after the arrival (the request is
            // pinned there too), so it does not count as answered within 3 minutes.
            const at = step.late ? new Date(episode(c).answeredAt + 241_000) : undefined;
            const occurredAt = (at ?? new Date()).toISOString();
            const result = await deliverEvent(c, event(c, "agent-replied", `reply${c.reopens}`, occurredAt, agentId), step.retry, at);
            const recorded = result?.outcome === "applied" && (result.status === "assigned" || (await read(c)).firstResponseAt === occurredAt);
            if (recorded) c.reply = { occurredAt, agentId, late: step.late };
            else problems.push(`${c.id} reply: ${JSON.stringify(result)}`);
            break;
          }
          case "close": {
            const whileWith = current(c);
            if (step.by === "agent") {
              const res = await persist(async () => s.api("POST", `/conversations/${c.id}/close`, { as: await tokenOf(whileWith) }));
              expectStatus(`${c.id} agent close`, res, 200, { status: "closed" });
              lastEvent = undefined;
            } else {
              const e = event(c, step.by === "platform" ? "closed" : "customer-left", `end${c.reopens}`);
              const result = await deliverEvent(c, e, step.retry);
              if (result?.outcome !== "applied" || result.status !== "closed") {
                const f = (await persist(() => s.api("GET", `/conversations/${c.id}`, { as: sup }))).body;
                problems.push(`${c.id} ${step.by} close: ${JSON.stringify(result)}; trace ${c.trace.join(" | ")}; history ${JSON.stringify(f.history)}`);
              }
              lastEvent = e;
            }
            c.end = { status: "closed", by: step.by, whileAssigned: true };
            c.trace.push(`closed by ${step.by}`);
            break;
          }
          case "keep-open":
            break;
          case "reopen": {
            // The customer writes again after the close: a new episode, routed afresh.
            await replays(c, lastEvent);
            c.reopens++;
            const sentAt = Date.now();
            const writtenAt = new Date(sentAt + 5).toISOString();
            const body = { ...c.body, eventId: `${c.id}:m${c.reopens + 1}`, occurredAt: writtenAt };
            const answers = await Promise.all([0, 1].map(() => persist(() => s.api("POST", "/webhooks/conversations", { body, signed: true }))));
            const reopened = answers.filter((a) => a.status === 202);
            if (!(reopened.length === 1 && reopened[0]?.body.reopened === true) && !(reopened.length === 0 && answers.some((a) => a.retried))) problems.push(`${c.id} reopen: ${JSON.stringify(answers.map((a) => [a.status, a.body]))}`);
            c.episodes.push({ sentAt, answeredAt: Date.now(), fromSequence: c.highest + 1, writtenAt });
            c.skill = c.requestedSkill;
            c.excluded.clear();
            c.reply = undefined;
            c.end = undefined;
            c.trace.push("reopened");
            break;
          }
          case "stale-event": {
            // The platform delivers, late, that the customer left the previous episode.
            const res = await persist(() => sendEvent(s, event(c, "customer-left", `stale${c.reopens}`, (c.episodes[0] as Episode).writtenAt)));
            expectStatus(`${c.id} stale event`, res, 200, { outcome: "stale", status: "assigned" });
            break;
          }
        }
      }
      if (c.end) await replays(c, lastEvent);
      c.trace.push("done");
      progressed();
    };

    // ---- The plan: what happens to each conversation ----
    const total = 100;
    let keptOpen = 0;
    let reopened = 0;
    const skillFor = (r: number) => (r < 0.28 ? sk.pre : r < 0.5 ? sk.aft : r < 0.6 ? sk.cmp : r < 0.7 ? sk.vip : r < 0.94 ? sk.log : sk.lone);
    const planFor = (skill: string): Step[] => {
      if (skill === sk.lone) {
        const r = rand();
        return [{ kind: "lone", ms: 300 + Math.floor(rand() * 3000), then: r < 0.4 ? "customer-left" : r < 0.7 ? "closed" : "stay" }];
      }
      if (rand() < 0.1) return [{ kind: "leave-now" }];
      const steps: Step[] = [{ kind: "assigned" }];
      const moves = rand() < 0.12 ? 2 : 1;
      for (let m = 0; m < moves; m++) {
        const r = rand();
        if (r < 0.12) steps.push({ kind: "move", how: "transfer-agent" });
        else if (r < 0.2) steps.push({ kind: "move", how: "transfer-skill" });
        else if (r < 0.3) steps.push({ kind: "move", how: "reassign-agent" });
        else if (r < 0.34) steps.push({ kind: "move", how: "reassign-skill" });
        else if (r < 0.37) steps.push({ kind: "move", how: "supervisor-transfer-skill" });
        else if (r < 0.42) steps.push({ kind: "bad-move" });
      }
      const late = rand() < 0.07;
      if (late || rand() < 0.93) steps.push({ kind: "reply", late, retry: rand() < 0.25 });
      if ((skill === sk.pre || skill === sk.aft) && keptOpen < 7 && rand() < 0.1) {
        keptOpen++;
        steps.push({ kind: "keep-open" });
        return steps;
      }
      const r = rand();
      const by = r < 0.45 ? "platform" : r < 0.75 ? "customer-left" : "agent";
      steps.push({ kind: "close", by, retry: rand() < 0.25 });
      if (by === "platform" && reopened < 5 && rand() < 0.2) {
        reopened++;
        steps.push({ kind: "reopen" }, { kind: "assigned" }, { kind: "stale-event" }, { kind: "reply", late: false, retry: false }, { kind: "close", by: "platform", retry: false });
      }
      return steps;
    };

    // Before the rush: the paused agent takes two conversations while it is the only one online,
    // then pauses (挂起): it keeps them, gets nothing new. A supervisor moves one of them away later.
    const pz = agentOf("PZ");
    expect((await presence(pz.id, "online")).status).toBe(200);
    const held = [
      newPlat(-1, sk.pre, [{ kind: "assigned" }, { kind: "move", how: "reassign-agent" }, { kind: "reply", late: false, retry: false }, { kind: "close", by: "platform", retry: false }]),
      newPlat(-2, sk.pre, [{ kind: "assigned" }, { kind: "reply", late: false, retry: false }, { kind: "keep-open" }]),
    ];
    for (const c of held) await arrive(c);
    for (const c of held) expect((await s.eventually(async () => ((await read(c)).status === "assigned" ? read(c) : undefined), 30_000)).agentId).toBe(pz.id);
    expect((await presence(pz.id, "paused")).body).toMatchObject({ presence: "paused", load: 2 });
    const pausedAt = new Date().toISOString();

    for (const a of agents) {
      if (a.role === "serves" || a.role === "unskilled" || a.role === "ended" || a.role === "future" || a.role === "off-duty") expect((await presence(a.id, "online")).status).toBe(200);
      if (a.role === "away") expect((await presence(a.id, "away")).status).toBe(200);
    }
    const failed = (what: string) => (error: unknown) => {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    };
    const heldPlayed = held.map((c) => play(c, Promise.resolve()).catch(failed(c.id)));

    for (let i = 0; i < total; i++) {
      const skill = skillFor(rand());
      newPlat(i, skill, planFor(skill));
    }
    const rushers = plats.filter((c) => c.index >= 0);

    // Background, as the stack's schedules would run them (test mode runs none by itself): the
    // supervision clock (escalation past the 0 s threshold, drains), the routing sweeper (route
    // messages lost to a queue timeout), the callback relay with its clock five minutes ahead
    // (every pending callback gets another message: duplicates), a capacity monitor, a pause.
    let rushing = true;
    const overCapacity: string[] = [];
    const runs = { SupervisionClock: 0, RoutingSweeper: 0, CallbackRelay: 0 };
    const runFailures: string[] = [];
    let escalatedByClock = 0;
    let relayed = 0;
    const every = (name: keyof typeof runs, ms: number, at: () => Date, use: (result: unknown) => void = () => undefined, firstAfterMs = 0) =>
      (async () => {
        await sleep(firstAfterMs);
        while (rushing) {
          try {
            use(await s.runSchedule(name, at()));
            runs[name]++;
          } catch (error) {
            // As EventBridge would, the next run tries again; the summary reports these.
            runFailures.push(`${name}: ${error instanceof Error ? `${error.name} ${error.message}` : String(error)}`);
          }
          await sleep(ms);
        }
      })();
    const loops = [
      every("SupervisionClock", 1_500, () => new Date(), (r) => (escalatedByClock += (r as { escalated: number }).escalated)),
      every("RoutingSweeper", 3_000, () => new Date()),
      // Sparingly: each run gives every callback still being retried one more message.
      every("CallbackRelay", 30_000, () => new Date(Date.now() + 6 * 60_000), (r) => (relayed += (r as { resent: number }).resent), 6_000),
    ];
    const { agentsById } = await import("../../functions/routing/store/index.js");
    let samples = 0;
    const monitor = (async () => {
      while (rushing) {
        try {
          // One consistent batch read of every profile: the loads the assignment conditions see.
          for (const a of await agentsById(agents.map((x) => x.id))) if (a.load > a.maxConcurrent) overCapacity.push(`${byId.get(a.agentId)?.key} ${a.load}/${a.maxConcurrent}`);
          samples++;
        } catch {
          // a read timing out on the loaded machine: the next sample
        }
        await sleep(300);
      }
    })();
    // One serving agent pauses for a few seconds mid-rush, then resumes.
    const p3 = agentOf("P3");
    let p3Window: [string, string] = ["", ""];
    const pauser = (async () => {
      await sleep(4_000);
      expectStatus("pause P3", await presence(p3.id, "paused"), 200);
      const start = new Date().toISOString();
      await sleep(3_000);
      const end = new Date().toISOString();
      expectStatus("resume P3", await presence(p3.id, "online"), 200);
      p3Window = [start, end];
    })().catch(failed("pause"));

    const gates = new Map<string, () => void>();
    const arrivals = new Map(rushers.map((c) => [c.id, new Promise<void>((open) => gates.set(c.id, open))]));
    const played = Promise.all(rushers.map((c) => play(c, arrivals.get(c.id) as Promise<void>).catch(failed(c.id))));
    await inParallel(rushers, 12, async (c) => {
      await arrive(c).catch(failed(`${c.id} arrival`));
      gates.get(c.id)?.();
    });
    try {
      await Promise.all([played, ...heldPlayed]);
    } finally {
      rushing = false;
      clearInterval(watchdog);
      await Promise.all([...loops, monitor, pauser]);
    }
    const rushEnded = Date.now();
    if (problems.length > 0) {
      // What the system says about the conversations the platform gave up on, and the agents.
      const stuck = plats.filter((c) => !c.trace.includes("done"));
      const states = await inParallel(stuck, 8, async (c) => {
        const f = await read(c);
        return `${c.id} [${c.skill}] system: ${f.status} ${byId.get(f.agentId ?? "")?.key ?? ""} moves ${f.assignments}; platform highest ${c.highest}; attempts ${receiver.attempts.filter((x) => x.body.conversationId === c.id).map((x) => `${x.body.sequence}:${x.answered}`).join(",")}`;
      });
      const loads = await agentsById(agents.map((a) => a.id));
      console.error(`stuck:\n${states.join("\n")}\nloads: ${loads.map((a) => `${byId.get(a.agentId)?.key} ${a.load}/${a.maxConcurrent}`).join(", ")}\nruns ${JSON.stringify(runs)}, failures ${runFailures.join("; ")}`);
    }
    expect(problems).toEqual([]);

    // ---- Callbacks settle: every move the conversations record is delivered ----
    const finals = new Map<string, Record<string, any>>();
    const readAll = async () => {
      const list = await inParallel(plats, 8, async (c) => ({ ...(await read(c)), conversationId: c.id }) as Record<string, any>);
      for (const f of list) finals.set(String(f.conversationId), f);
      return list;
    };
    // A callback whose queue message was lost after its move: the relay (its clock ahead) re-sends it.
    let relayedAt = Date.now();
    await s.eventually(async () => {
      const list = await readAll();
      const missing = list.some((f) => Array.from({ length: Number(f.assignments) }, (_, k) => `${f.conversationId}:${k + 1}`).some((e) => !receiver.accepted.has(e)));
      if (missing && Date.now() - relayedAt > 10_000) {
        relayedAt = Date.now();
        await s.runSchedule("CallbackRelay", new Date(Date.now() + 6 * 60_000)).catch(() => undefined);
      }
      return !missing;
    }, 90_000);
    const deliveries = async (status: string) => {
      const out: { conversationId: string; eventId: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = await persist(() => s.api("GET", `/integrations/deliveries?status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { as: sup }));
        out.push(...(page.body.deliveries as { conversationId: string; eventId: string }[]));
        cursor = page.body.next ?? undefined;
      } while (cursor);
      return out.filter((d) => platById.has(d.conversationId));
    };
    await s.eventually(async () => (await deliveries("pending")).length === 0, 30_000);
    expect(await deliveries("failed")).toEqual([]);

    // ---- Invariants ----
    expect(overCapacity).toEqual([]);
    expect(samples).toBeGreaterThan(10);
    expect(runs.SupervisionClock).toBeGreaterThan(3);
    expect(relayed).toBeGreaterThan(0);
    const reconciled = (await s.runSchedule("LoadReconciler", new Date())) as { repairs: { agentId: string }[] };
    expect(reconciled.repairs.filter((r) => byId.has(r.agentId))).toEqual([]);

    let fallbackMoves = 0;
    // Conversations whose escalation still stands and served them: the metrics must count each.
    let servedEscalated = 0;
    const givingActions = new Set(["assigned", "transferred", "reassigned"]);
    for (const c of plats) {
      const f = finals.get(c.id);
      if (!f) throw new Error(`${c.id} not read`);
      const history = f.history as { at: string; action: string; agentId?: string; toSkill?: string }[];
      // What the platform did decides where it ended; no replay reopened or moved it.
      const expected = c.end ? c.end.status : c.stays ? "waiting" : "assigned";
      expect(f.status, `${c.id}: ${c.trace.join(" | ")}`).toBe(expected);
      expect(history.filter((h) => h.action === "received")).toHaveLength(1);
      expect(history.filter((h) => h.action === "reopened")).toHaveLength(c.reopens);

      // Walk the history as the platform's callbacks must tell it.
      let skill = c.requestedSkill;
      let escalated = false;
      let servedByFallback = false;
      let holder: string | null = null;
      let pendingReason: string | undefined;
      let sequence = 0;
      for (const h of history) {
        if (h.action === "received" || h.action === "reopened") {
          skill = c.requestedSkill;
          escalated = false;
          servedByFallback = false;
          holder = null;
          pendingReason = undefined;
        } else if (h.action === "escalated") escalated = true;
        else if (h.toSkill !== undefined) {
          if (h.toSkill !== skill) escalated = servedByFallback = false;
          skill = h.toSkill;
          pendingReason = h.action;
        } else if (givingActions.has(h.action) && h.agentId) {
          sequence++;
          const a = byId.get(h.agentId);
          const where = `${c.id} move ${sequence} to ${a?.key ?? h.agentId} (${skill}${escalated ? ", escalated" : ""}) at ${h.at}`;
          if (!a) throw new Error(`${where}: not one of the rush's agents`);
          // Invariant 8: its skill, or once escalated a fallback skill of it; never neither.
          const own = a.skills.includes(skill);
          const viaFallback = escalated && (fallbacks[skill] ?? []).some((k) => a.skills.includes(k));
          expect(own || viaFallback, where).toBe(true);
          if (!own) {
            fallbackMoves++;
            servedByFallback = true;
          }
          // Invariant 3 and presence: only serving agents; the paused one only before its pause.
          expect(a.role === "serves" || (a.role === "paused" && h.at < pausedAt), where).toBe(true);
          if (a.key === "P3" && p3Window[0]) expect(h.at > p3Window[0] && h.at < p3Window[1], `${where}: P3 was paused`).toBe(false);
          // The callback of this move: same agent, previous agent, reason, instant, stable id.
          const reason = h.action === "assigned" ? (pendingReason ?? "assigned") : h.action;
          expect(c.callbacks.get(sequence), where).toEqual({ eventId: `${c.id}:${sequence}`, type: "conversation.assigned", conversationId: c.id, agentId: h.agentId, previousAgentId: holder, reason, sequence, occurredAt: h.at });
          holder = h.agentId;
          pendingReason = undefined;
        }
      }
      expect(sequence, c.id).toBe(f.assignments);
      if (servedByFallback) servedEscalated++;
      // The platform was told of every move and of nothing else.
      expect([...c.callbacks.keys()].sort((x, y) => x - y), c.id).toEqual(Array.from({ length: sequence }, (_, k) => k + 1));
      if (c.requestedSkill === sk.lone) expect(sequence, `${c.id}: nobody has or falls back for ${sk.lone}`).toBe(0);
      if (expected === "assigned") expect(f.agentId).toBe(current(c));
    }
    expect(fallbackMoves).toBeGreaterThan(0);

    // Loads: exactly the conversations the platform still has open with each agent.
    const openWith = new Map<string, number>();
    for (const c of plats) if (!c.end && !c.stays) openWith.set(current(c), (openWith.get(current(c)) ?? 0) + 1);
    for (const a of await agentsById(agents.map((x) => x.id))) {
      expect(a.load, byId.get(a.agentId)?.key).toBe(openWith.get(a.agentId) ?? 0);
      expect(a.load).toBeLessThanOrEqual(a.maxConcurrent);
    }
    expect(openWith.get(pz.id)).toBe(1);

    // The queue: the conversations still waiting (nobody serves `lone`), nothing that ended.
    const queue = JSON.stringify((await persist(() => s.api("GET", "/queue", { as: sup }))).body);
    for (const c of plats) expect(queue.includes(c.id), `${c.id} in the queue`).toBe(c.stays);

    // ---- Callback deliveries: signed, failed first, duplicates only of the same bytes ----
    expect(receiver.unverified()).toEqual([]);
    const expectedIds = new Set(plats.flatMap((c) => Array.from({ length: c.callbacks.size }, (_, k) => `${c.id}:${k + 1}`)));
    const attempted = receiver.attempts.filter((a) => platById.has(a.body.conversationId));
    expect(new Set(attempted.map((a) => a.eventId))).toEqual(expectedIds);
    let duplicates = 0;
    for (const eventId of expectedIds) {
      const tries = attempted.filter((a) => a.eventId === eventId);
      expect(new Set(tries.map((t) => t.raw)).size, eventId).toBe(1);
      const firstOk = tries.findIndex((t) => t.answered === 200);
      expect(firstOk, `${eventId}: ${JSON.stringify(tries.map((t) => t.answered))}`).toBeGreaterThan(0);
      duplicates += tries.filter((t) => t.answered === 200).length - 1;
    }

    // ---- Metrics, against figures computed from what the platform sent and was told ----
    const metricsAt = Date.now();
    const metrics = (await persist(() => s.api("GET", `/metrics/routing?from=${from.toISOString()}&to=${new Date(metricsAt + 60_000).toISOString()}`, { as: sup }))).body;
    const figures = computeFigures(plats, metricsAt);
    // Where the platform's record and the conversation's own disagree, say which (diagnosis).
    for (const c of plats) {
      const f = finals.get(c.id) as { arrivedAt: string; history: { at: string; action: string; agentId?: string; toSkill?: string }[] };
      const ep = c.episodes[c.episodes.length - 1] as Episode;
      const mine = [...c.callbacks.values()].filter((b) => b.sequence >= ep.fromSequence).length;
      const theirs = f.history.filter((h) => h.agentId && ["assigned", "transferred", "reassigned"].includes(h.action) && h.toSkill === undefined && h.at >= f.arrivedAt).length;
      if (mine !== theirs) console.error(`${c.id}: ${mine} moves in the platform's episode, ${theirs} in the conversation's (arrived ${f.arrivedAt}, from sequence ${ep.fromSequence}); ${c.trace.join(" | ")}; history ${JSON.stringify(f.history)}`);
    }
    expect({
      received: metrics.received,
      assigned: metrics.assigned,
      waiting: metrics.waiting,
      queued: metrics.queued,
      abandoned: metrics.abandoned,
      abandonedByCustomer: metrics.abandonedByCustomer,
      closedWhileWaiting: metrics.closedWhileWaiting,
      closed: metrics.closed,
      closedByCustomerLeaving: metrics.closedByCustomerLeaving,
      firstResponseWithin3MinRate: metrics.firstResponseWithin3MinRate,
      reoffered: metrics.reoffered,
    }).toEqual(figures.totals);
    expect(metrics.perAgent.filter((p: { agentId: string }) => byId.has(p.agentId))).toEqual(figures.perAgent);
    const perSkill = (metrics.perSkill as { skill: string; received: number; answered: number; firstResponseWithin3MinRate: number | null }[]).filter((p) => figures.skills.has(p.skill));
    expect(perSkill.map((p) => ({ skill: p.skill, received: p.received, answered: p.answered, firstResponseWithin3MinRate: p.firstResponseWithin3MinRate }))).toEqual(figures.perSkill);
    // Waits: each conversation's wait lies between its arrival request and its answer.
    expect(metrics.waitSeconds.median).toBeGreaterThanOrEqual(figures.waitMedian[0] - 0.1);
    expect(metrics.waitSeconds.median).toBeLessThanOrEqual(figures.waitMedian[1] + 0.1);
    // Every conversation a fallback skill served in its current episode and line is still escalated
    // (a reopen or a transfer to another skill clears the flag, so earlier episodes do not count).
    expect(servedEscalated).toBeGreaterThan(0);
    expect(metrics.escalated).toBeGreaterThanOrEqual(servedEscalated);
    expect(escalatedByClock).toBeGreaterThan(0);
    const late = plats.filter((c) => c.reply?.late).length;
    expect(late).toBeGreaterThan(0);
    expect(metrics.firstResponseWithin3MinRate).toBeLessThan(1);

    console.info(
      `rush: ${plats.length} conversations in ${Math.round((rushEnded - rushStarted) / 1000)} s, ${expectedIds.size} moves, ${attempted.length} callback attempts (${duplicates} duplicate deliveries), ` +
        `${fallbackMoves} by fallback skill, ${metrics.abandonedByCustomer} abandoned by the customer, ${metrics.closed} closed, ${late} late first responses; ` +
        `runs ${JSON.stringify(runs)}, relay re-sent ${relayed}; ${retried5xx} 5xx answers retried; ${runFailures.length} scheduled runs failed${runFailures.length ? ` (${runFailures.slice(0, 3).join("; ")})` : ""}`,
    );
  }, 600_000);

  it("leaves a paused agent's conversations with it past its shift's end, hands over the online agent's, and calls both moves back", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const skill = s.uid("shiftend");
    await s.api("PUT", `/skills/${skill}`, { as: sup, body: { name: "Shift end" } });
    const assignedTo = (id: string, agentId: string) => s.eventually(async () => (await conversation(s, id)).agentId === agentId, 30_000);
    // Alone online, it takes one conversation, then pauses (挂起) to finish it.
    const paused = await makeAgent(s, { skills: [skill], maxConcurrent: 2 });
    const held = await sendConversation(s, { skill });
    await assignedTo(held.id, paused);
    expect((await s.api("PUT", `/agents/${paused}/presence`, { as: await s.agentToken(paused), body: { status: "paused" } })).status).toBe(200);
    const online = await makeAgent(s, { skills: [skill], maxConcurrent: 2 });
    const other = await sendConversation(s, { skill });
    await assignedTo(other.id, online);
    const next = await makeAgent(s, { skills: [skill], maxConcurrent: 3, presence: "offline" });

    // Both shifts end; the next shift's agent comes on. Past the grace period, the clock hands over
    // the online agent's conversation and leaves the paused agent's where it is.
    await setDuty(paused, false);
    await setDuty(online, false);
    expect((await s.api("PUT", `/agents/${next}/presence`, { as: sup, body: { status: "online" } })).status).toBe(200);
    const run = (await s.runSchedule("SupervisionClock", new Date(Date.now() + 10 * 60_000))) as { handedOver: number };
    expect(run.handedOver).toBeGreaterThanOrEqual(1);
    await assignedTo(other.id, next);
    expect(await conversation(s, held.id)).toMatchObject({ status: "assigned", agentId: paused });
    await s.eventually(async () => receiver.accepted.has(`${other.id}:2`), 30_000);
    expect(receiver.accepted.get(`${other.id}:2`)).toMatchObject({ agentId: next, previousAgentId: online, reason: "handed-over", sequence: 2 });
    expect(receiver.accepted.has(`${held.id}:2`)).toBe(false);

    // Still paused 45 minutes later (past the 30-minute away timeout too): still its own.
    await s.runSchedule("SupervisionClock", new Date(Date.now() + 45 * 60_000));
    expect(await conversation(s, held.id)).toMatchObject({ status: "assigned", agentId: paused });
    // Done, it goes offline: no longer paused and its shift long over, the next run hands it over.
    expect((await s.api("PUT", `/agents/${paused}/presence`, { as: await s.agentToken(paused), body: { status: "offline" } })).status).toBe(200);
    await s.runSchedule("SupervisionClock", new Date(Date.now() + 11 * 60_000));
    await assignedTo(held.id, next);
    await s.eventually(async () => receiver.accepted.has(`${held.id}:2`), 30_000);
    expect(receiver.accepted.get(`${held.id}:2`)).toMatchObject({ agentId: next, previousAgentId: paused, reason: "handed-over" });
    for (const id of [held.id, other.id]) await s.api("POST", `/conversations/${id}/close`, { as: sup });
    await setDuty(next, false);
  }, 120_000);
});

/** The metrics as a supervisor should see them, from the platform's own record of the rush. */
function computeFigures(plats: readonly Plat[], at: number) {
  const round3 = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 1000);
  const perAgent = new Map<string, { assigned: number; closed: number; firstResponses: number; given: Set<string>; within3: number }>();
  const tally = (id: string) => {
    const t = perAgent.get(id) ?? { assigned: 0, closed: 0, firstResponses: 0, given: new Set<string>(), within3: 0 };
    perAgent.set(id, t);
    return t;
  };
  const perSkill = new Map<string, { received: number; answered: number; within3: number }>();
  const waitsLow: number[] = [];
  const waitsHigh: number[] = [];
  let within3 = 0;
  const totals = { received: 0, assigned: 0, waiting: 0, queued: 0, abandoned: 0, abandonedByCustomer: 0, closedWhileWaiting: 0, closed: 0, closedByCustomerLeaving: 0, firstResponseWithin3MinRate: null as number | null, reoffered: 0 };
  for (const c of plats) {
    const ep = c.episodes[c.episodes.length - 1] as Episode;
    // The metrics are the current episode's: moves before a reopen belong to the earlier one.
    const moves = [...c.callbacks.values()].filter((b) => b.sequence >= ep.fromSequence).sort((x, y) => x.sequence - y.sequence);
    totals.received++;
    if (moves.length > 0) totals.assigned++;
    if (c.stays) totals.waiting++;
    if (c.end?.status === "abandoned") totals.abandonedByCustomer++;
    if (c.end?.status === "closed") totals.closed++;
    if (c.end?.status === "closed" && !c.end.whileAssigned) totals.closedWhileWaiting++;
    if (c.end?.status === "closed" && c.end.whileAssigned && c.end.by === "customer-left") totals.closedByCustomerLeaving++;
    const skill = perSkill.get(c.requestedSkill) ?? { received: 0, answered: 0, within3: 0 };
    perSkill.set(c.requestedSkill, skill);
    skill.received++;
    // Seconds from arrival to the first response: between (reply - answered) and (reply - sent).
    const reply = c.reply;
    const seconds = reply ? [(Date.parse(reply.occurredAt) - ep.answeredAt) / 1000, (Date.parse(reply.occurredAt) - ep.sentAt) / 1000] : undefined;
    if (seconds && (seconds[0] as number) <= 180 !== (seconds[1] as number) <= 180) throw new Error(`${c.id}: first response too close to 3 minutes to judge`);
    const inTime = seconds !== undefined && (seconds[1] as number) <= 180;
    if (reply) skill.answered++;
    if (inTime) {
      within3++;
      skill.within3++;
    }
    for (const m of moves) {
      const t = tally(m.agentId);
      t.assigned++;
      if (!reply || m.occurredAt <= reply.occurredAt) t.given.add(c.id);
    }
    if (reply) {
      const t = tally(reply.agentId);
      t.firstResponses++;
      if (inTime) t.within3++;
    }
    if (c.end?.status === "closed" && c.end.whileAssigned) tally(moves[moves.length - 1]?.agentId ?? "?").closed++;
    // Wait to the first assignment (or, still waiting, to now), bracketed by the arrival's request.
    const first = moves[0];
    if (first) {
      waitsLow.push((Date.parse(first.occurredAt) - ep.answeredAt) / 1000);
      waitsHigh.push((Date.parse(first.occurredAt) - ep.sentAt) / 1000);
    } else if (c.stays) {
      waitsLow.push((at - ep.answeredAt) / 1000);
      waitsHigh.push((Date.now() - ep.sentAt) / 1000);
    }
  }
  totals.abandoned = totals.abandonedByCustomer + totals.closedWhileWaiting;
  totals.firstResponseWithin3MinRate = round3(within3, totals.received);
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.max(1, Math.ceil(0.5 * sorted.length)) - 1] ?? 0;
  };
  return {
    totals,
    perAgent: [...perAgent.entries()]
      .map(([agentId, t]) => ({ agentId, assigned: t.assigned, closed: t.closed, firstResponses: t.firstResponses, firstResponseWithin3MinRate: round3(t.within3, t.given.size) }))
      .sort((a, b) => (a.agentId < b.agentId ? -1 : 1)),
    skills: new Set(perSkill.keys()),
    perSkill: [...perSkill.entries()].map(([skill, v]) => ({ skill, received: v.received, answered: v.answered, firstResponseWithin3MinRate: round3(v.within3, v.received) })).sort((a, b) => (a.skill < b.skill ? -1 : 1)),
    waitMedian: [median(waitsLow), median(waitsHigh)] as [number, number],
  };
}
