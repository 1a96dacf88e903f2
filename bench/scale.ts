/**
 * The scale bench (`npm run bench -- --scale`, issue 15 item 5): the paths that grow with the
 * team or the backlog, at Double-11 size, each against the AWS limit it must stay under.
 *
 * Large data is seeded directly through the registry's `batchWrite` (the capabilities' own item
 * builders), then the real code path runs: the functions' use cases inside their function's scope
 * (`stack.runAs`), a schedule's handler (`stack.runSchedule`), or the HTTP API. For each scenario:
 * wall time here, billed units by AWS's rules (the billing recorder), the write units that landed
 * in the hottest partition (bench/lib/partition-meter.ts; DynamoDB's ceiling is 1,000 WCU per
 * second per partition, so that figure ÷ 1,000 is the least time the path can take on AWS), the
 * largest payload (HTTP response, SQS message, item) and the process's peak heap growth, beside
 * the function's configured timeout and memory and the 6 MB / 256 KB / 400 KB limits.
 *
 * Function modules read their environment when first imported, so everything under
 * `functions/` is imported dynamically, after the stack started.
 */
import { randomUUID } from "node:crypto";
import { billRouting, type BilledFigures, type Billing } from "./billing.js";
import { PartitionMeter } from "./lib/partition-meter.js";
import type { ScaleScenario } from "./lib/args.js";
import type { Progress } from "./lib/progress.js";
import { retryUnavailable } from "./lib/retry.js";
import type { BenchStack } from "./lib/stack.js";

export interface ScalePlan {
  agents: number;
  shiftAgents: number;
  unanswered: number;
  waiting: number;
  rotaAgents: number;
  rotaDays: number;
  /** Conversations seeded for the metrics scenario; the figures are extrapolated to `metricsTarget`. */
  metricsConversations: number;
  metricsTarget: number;
  stale: number;
}

export const scalePlans: Record<"full" | "quick", ScalePlan> = {
  full: { agents: 20_000, shiftAgents: 10_000, unanswered: 20, waiting: 10_000, rotaAgents: 500, rotaDays: 31, metricsConversations: 20_000, metricsTarget: 1_000_000, stale: 10_000 },
  quick: { agents: 2_000, shiftAgents: 1_000, unanswered: 5, waiting: 1_000, rotaAgents: 50, rotaDays: 31, metricsConversations: 2_000, metricsTarget: 1_000_000, stale: 1_000 },
};

export interface ScaleFigure {
  scenario: string;
  /** The size run here, and the size the issue names when that differs (then figures are extrapolated, labelled). */
  size: string;
  ms: number;
  billed: { wru: number; rru: number; sqsRequests: number };
  /** DynamoDB Local's consumed capacity for the same calls. */
  localUnits: number;
  hottestPartition?: { partition: string; wru: number; secondsAt1000Wcu: number };
  largestPayload: { kind: string; bytes: number; limitBytes: number };
  largestItemBytes: number;
  peakHeapGrowthMb: number;
  fn: { name: string; timeoutSeconds: number; memoryMb: number };
  /** Every limit with its headroom: value / limit (≤ 1 within). */
  limits: { limit: string; value: number; max: number; ratio: number; within: boolean }[];
  within: boolean;
  result: Record<string, unknown>;
  /**
   * The functions' handler invocations during the scenario (the local stack's log): how many and
   * the slowest. A Lambda timeout applies to one invocation, so when the work is spread over
   * several (a fan-out's parts), the time limits are the slowest invocation's, not the scenario's.
   */
  invocations: { functionName: string; count: number; slowestMs: number; failed: number }[];
  /** Time the billing recorder spent on its own before/after reads, summed over calls (inside "time here"; calls run in parallel lanes, so the wall share is smaller). */
  recorderOverheadMs: number;
  notes: string[];
  /** When run at a fraction: the figures scaled to the issue's size (linear in the rows read). */
  extrapolated?: { to: string; ms: number; rru: number; peakHeapGrowthMb: number; largestPayloadBytes: number };
}

export interface ScaleBench {
  plan: ScalePlan;
  scenarios: ScaleFigure[];
  seeding: Record<string, number>;
  /** A routed conversation's billed units and dollars with `agents` online agents in its skill's pool (issue 15: flat up to 20,000). */
  routingCost?: { agents: number; skill: string; figures: BilledFigures };
}

const MB = 1024 * 1024;
const limits = { response: 6 * MB, sqsMessage: 256 * 1024, item: 400 * 1024, partitionWcu: 1000 };

async function mapLimit<T>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}

/**
 * `only: "shift"` runs the shift boundary alone (`npm run bench -- --scale --only shift`), `only:
 * "reoffer"` the re-offer sweep alone with every agent seeded: the other scenarios take most of the run.
 */
export async function benchScale(bench: BenchStack, billing: Billing, plan: ScalePlan, progress: Progress, options: { only?: ScaleScenario } = {}): Promise<ScaleBench> {
  const { stack } = bench;
  const table = await import("../functions/shared/table/index.js");
  const { newAgent } = await import("../functions/agents/domain.js");
  const { agentWriteOps, mutateAgent } = await import("../functions/agents/store.js");
  const { functionList } = await import("../functions/catalog/index.js");
  const { planFunction } = await import("../infra/function-plan.js");
  const { waitingKey } = await import("../functions/routing/policy.js");
  type Skill = import("../functions/agents/domain.js").Skill;

  const { functionEnv } = await import("../functions/shared/env.js");
  const meter = new PartitionMeter(table.dynamo, () => functionEnv().AWS_LAMBDA_FUNCTION_NAME);
  const run = randomUUID().slice(0, 6);
  const supervisor = await stack.token("supervisor", "bench-scale");
  const seeding: Record<string, number> = {};
  const scenarios: ScaleFigure[] = [];

  async function seed(label: string, items: Record<string, unknown>[]): Promise<void> {
    const started = Date.now();
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    let done = 0;
    progress.step(`seeding ${label} (BatchWriteItem)`);
    await mapLimit(chunks, 2, async (chunk) => {
      await retryUnavailable(() => table.batchWrite(chunk.map((Item) => ({ PutRequest: { Item } }))), 20);
      done += chunk.length;
      progress.tick(() => `seeding ${label}: ${done}/${items.length}`, 2000);
    });
    seeding[label] = Date.now() - started;
  }

  function fnInfo(name: string): ScaleFigure["fn"] {
    const spec = functionList.find((f) => f.name === name);
    if (!spec) throw new Error(`no function ${name}`);
    const p = planFunction(spec);
    return { name, timeoutSeconds: p.timeoutSeconds, memoryMb: p.memoryMb };
  }

  /** Runs one scenario with the billing recorder, the partition meter and a heap sampler on. */
  async function measure<T>(scenario: string, size: string, fnName: string, work: () => Promise<{ result: T; payload?: { kind: string; bytes: number; limitBytes: number }; directMs?: number }>, summarize: (result: T) => Record<string, unknown>, notes: string[] = [], alsoFns: readonly string[] = []): Promise<ScaleFigure> {
    // The scenario's function, and the ones it hands work to (queue consumers), count; the limits are the last one's.
    const fns = new Set([fnName, ...alsoFns]);
    progress.step(`scale: ${scenario} (${size})`);
    // The previous scenario's tail (a 20,000-agent fan-out's part messages, the router taking the
    // sweeper's re-drives) must not be timed as this one's: wait for the stack to be idle.
    const quietStarted = Date.now();
    const startedQuiet = await bench.idle(2_000, 180_000);
    if (!startedQuiet) notes = [...notes, "started before the stack was idle (queues not empty after 180 s): the figures include the previous scenario's tail"];
    progress.step(`  ${startedQuiet ? "quiet" : "NOT quiet"} after ${((Date.now() - quietStarted) / 1000).toFixed(1)} s`);
    global.gc?.();
    const heapStart = process.memoryUsage().heapUsed;
    let heapPeak = heapStart;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 20);
    meter.reset();
    meter.only = fns.size > 1 ? [...fns] : fnName;
    meter.active = true;
    const mark = billing.recorder.mark();
    const invocationsBefore = bench.invocations.length;
    billing.recorder.active = true;
    const started = Date.now();
    let out: Awaited<ReturnType<typeof work>> | undefined;
    let failure: string | undefined;
    try {
      out = await work();
    } catch (error) {
      failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      progress.step(`  !! ${scenario} failed: ${failure}`);
    } finally {
      const ms = Date.now() - started;
      billing.recorder.active = false;
      meter.active = false;
      clearInterval(sampler);
      (measure as { lastMs?: number }).lastMs = ms;
    }
    const ms = (measure as { lastMs?: number }).lastMs ?? 0;
    // Only the scenario's own function: the stack's other functions (the router taking messages the
    // scenario sent, pollers) run meanwhile and are left out.
    const recorded = billing.recorder.since(mark);
    const calls = recorded.calls.filter((c) => fns.has(c.fn));
    const sends = recorded.sends.filter((c) => fns.has(c.fn));
    const wru = calls.reduce((n, c) => n + c.wru, 0);
    const rru = calls.reduce((n, c) => n + c.rru, 0);
    const localUnits = calls.reduce((n, c) => n + (c.localUnits ?? 0), 0);
    const sqsRequests = sends.reduce((n, s) => n + s.requests, 0);
    const largestMessage = sends.reduce((m, s) => Math.max(m, s.messages > 0 ? Math.ceil(s.bytes / s.messages) : 0), 0);
    const overheadMs = calls.reduce((n, c) => n + c.overheadMs, 0);
    const payload = out?.payload ?? { kind: "SQS message (mean of its batch)", bytes: largestMessage, limitBytes: limits.sqsMessage };
    const hot = meter.hottest();
    const fn = fnInfo(alsoFns[alsoFns.length - 1] ?? fnName);
    const invocations = [...fns].flatMap((name) => {
      const runs = bench.invocations.slice(invocationsBefore).filter((i) => i.functionName === name);
      return runs.length === 0 ? [] : [{ functionName: name, count: runs.length, slowestMs: Math.round(Math.max(...runs.map((i) => i.ms))), failed: runs.filter((i) => i.failed).length }];
    });
    const peakHeapGrowthMb = round((heapPeak - heapStart) / MB, 1);
    const figure: ScaleFigure = {
      scenario,
      size,
      ms,
      billed: { wru: round(wru, 1), rru: round(rru, 1), sqsRequests },
      localUnits: round(localUnits, 1),
      ...(hot ? { hottestPartition: { partition: hot.partition, wru: round(hot.wru, 1), secondsAt1000Wcu: round(hot.wru / limits.partitionWcu, 1) } } : {}),
      largestPayload: payload,
      largestItemBytes: meter.largestItemBytes,
      peakHeapGrowthMb,
      fn,
      limits: [],
      within: true,
      result: out ? summarize(out.result) : { error: failure },
      invocations,
      recorderOverheadMs: Math.round(overheadMs),
      notes,
    };
    const limit = (name: string, value: number, max: number) => figure.limits.push({ limit: name, value: round(value, 1), max, ratio: round(value / max, 3), within: value <= max });
    // A Lambda timeout bounds one invocation. The scenario's own function: its direct call's time
    // when the scenario timed it (called in-process, not through a handler), else its slowest
    // handler invocation, else the whole scenario. Every function it handed work to: its slowest
    // invocation. With work spread over invocations the scenario's wall time is reported, not judged.
    const own = invocations.find((i) => i.functionName === fnName);
    const ownMs = out?.directMs ?? own?.slowestMs ?? ms;
    const ownLabel = out?.directMs !== undefined ? "its own call" : own ? `slowest of ${own.count} invocation${own.count > 1 ? "s" : ""}` : "time here";
    limit(`${fnName}: ${ownLabel} (s) ≤ ${fnInfo(fnName).timeoutSeconds} s timeout`, ownMs / 1000, fnInfo(fnName).timeoutSeconds);
    for (const i of invocations.filter((x) => x.functionName !== fnName || out?.directMs !== undefined)) {
      limit(`${i.functionName}: slowest of ${i.count} invocation${i.count > 1 ? "s" : ""} (s) ≤ ${fnInfo(i.functionName).timeoutSeconds} s timeout`, i.slowestMs / 1000, fnInfo(i.functionName).timeoutSeconds);
    }
    if (hot) limit("hottest partition at 1,000 WCU/s (s) ≤ timeout", hot.wru / limits.partitionWcu, fn.timeoutSeconds);
    limit(`${payload.kind} (bytes)`, payload.bytes, payload.limitBytes);
    limit("largest item written (bytes)", meter.largestItemBytes, limits.item);
    limit(`peak heap growth (MB) ≤ ${fn.name} memory`, peakHeapGrowthMb, fn.memoryMb);
    if (failure) figure.limits.push({ limit: `ran to the end (${failure.slice(0, 80)})`, value: 1, max: 0, ratio: Infinity, within: false });
    figure.within = figure.limits.every((l) => l.within);
    scenarios.push(figure);
    progress.step(`  ${scenario}: ${(ms / 1000).toFixed(1)} s, ${figure.billed.wru} WRU + ${figure.billed.rru} RRU, hottest ${hot ? `${hot.partition} ${round(hot.wru, 0)} WRU` : "-"}, payload ${payload.bytes} B, heap +${peakHeapGrowthMb} MB — ${figure.within ? "within its limits" : "OVER a limit"}`);
    return figure;
  }

  const skills: Skill[] = ["presale", "aftersale"];
  const now = new Date();
  const agentId = (i: number) => `sc-${run}-${i}`;

  // ---- 1. 20,000 agents; a shift boundary for 10,000 of them (the duty clock)
  const boundary = new Date(Math.ceil((now.getTime() + 60_000) / 60_000) * 60_000);
  const hhmm = (d: Date) => d.toISOString().slice(11, 16);
  const shiftId = `sc-${run}`;
  {
    const profiles: Record<string, unknown>[] = [];
    for (let i = 0; i < plan.agents; i++) {
      const agent = newAgent({ agentId: agentId(i), name: `Scale ${i}`, skills: [skills[i % 2] as Skill], maxConcurrent: 5 }, "bench", now);
      const item = agentWriteOps(undefined, agent)[0]?.Put?.Item;
      if (item) profiles.push(item);
    }
    await seed(`${plan.agents} agent profiles`, profiles);
    const { Shift, RotaAssignment } = table;
    const shift = { shiftId, name: "Scale late", start: hhmm(boundary), end: hhmm(new Date(boundary.getTime() + 8 * 3_600_000)), timeZone: "UTC", updatedAt: now.toISOString(), updatedBy: "bench", uses: plan.shiftAgents };
    const date = boundary.toISOString().slice(0, 10);
    const rota: Record<string, unknown>[] = [Shift.item(shift, Shift.index.all.attributes({ shiftId }))];
    for (let i = 0; i < plan.shiftAgents; i++) {
      rota.push(RotaAssignment.item({ agentId: agentId(i), date, shiftId, updatedAt: now.toISOString(), updatedBy: "bench" }, table.rotaAssignmentIndexAttributes(agentId(i), date)));
    }
    await seed(`${plan.shiftAgents} rota assignments`, rota);
  }
  if (options.only !== "reoffer") await measure(
    "shift boundary (RotaDutyClock → RotaDutyParts)",
    `${plan.shiftAgents.toLocaleString("en")} agents start a shift, ${plan.agents.toLocaleString("en")} in the table`,
    "RotaDutyClock",
    async () => {
      const { recomputeDuty } = await import("../functions/rota/duty.js");
      const { listOnDuty } = await import("../functions/rota/store.js");
      // Every part's invocation (the stack's pollers run RotaDutyParts) is in the bench's invocation
      // log, which measure() holds to RotaDutyParts' timeout; the clock is timed here.
      const firstInvocation = bench.invocations.length;
      const parts = () => bench.invocations.slice(firstInvocation).filter((i) => i.functionName === "RotaDutyParts");
      const clockStarted = performance.now();
      const clock = await stack.runAs("RotaDutyClock", () => recomputeDuty(boundary));
      const clockMs = performance.now() - clockStarted;
      // Done when every part was applied and the view shows every agent (read as RotaApi, outside the figures).
      const deadline = Date.now() + 900_000;
      let onDuty = 0;
      while (Date.now() < deadline) {
        onDuty = (await retryUnavailable(() => stack.runAs("RotaApi", () => listOnDuty()), 10)).length;
        if (onDuty >= plan.shiftAgents && parts().filter((p) => !p.failed).length >= (clock.parts ?? 0)) break;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      const done = parts();
      const slowest = done.reduce((m, p) => Math.max(m, p.ms), 0);
      return { result: { ...clock, onDuty, clockMs, partInvocations: done.length, failedPartInvocations: done.filter((p) => p.failed).length, slowestPartMs: slowest, medianPartMs: median(done.map((p) => p.ms)) }, directMs: clockMs };
    },
    (r) => ({ checked: r.checked, parts: r.parts, started: r.started?.length, onDuty: r.onDuty, clockS: round(r.clockMs / 1000, 1), partInvocations: r.partInvocations, failedParts: r.failedPartInvocations, slowestPartS: round(r.slowestPartMs / 1000, 1), medianPartS: round(r.medianPartMs / 1000, 1) }),
    ["time here is the clock plus all its parts; each invocation is held to its own function's timeout (the limits rows)"],
    ["RotaDutyParts"],
  );
  if (options.only === "shift") {
    meter.uninstall();
    return { plan, scenarios, seeding };
  }

  // ---- 2. a notice fanned out to all 20,000 (the rest put on duty directly, as seeding)
  {
    const { getAgent } = await import("../functions/agents/store.js");
    const sample = await retryUnavailable(() => getAgent(agentId(0)), 10);
    const shift = sample?.shift ?? { shiftId, from: boundary.toISOString(), to: new Date(boundary.getTime() + 8 * 3_600_000).toISOString() };
    const profiles: Record<string, unknown>[] = [];
    for (let i = plan.shiftAgents; i < plan.agents; i++) {
      const agent = { ...newAgent({ agentId: agentId(i), name: `Scale ${i}`, skills: [skills[i % 2] as Skill], maxConcurrent: 5 }, "bench", now), onDuty: true, shift };
      const item = agentWriteOps(undefined, agent)[0]?.Put?.Item;
      if (item) profiles.push(item);
    }
    await seed(`${plan.agents - plan.shiftAgents} more agents on duty`, profiles);
  }
  if (options.only !== "reoffer") {
    const { publishOps } = await import("../functions/notices/store/index.js");
    const { fanOutNotice } = await import("../functions/notices/use-cases/index.js");
    const noticeId = `n.scale-${run}`;
    // The shift boundary's arrivals (one agent-arrived message each) must be done before the notice
    // exists: a backlog taken after it delivers the notice to them as late joiners, outside the
    // measured window, and the fan-out then plans only for the rest (earlier runs: 13 of 20 parts).
    await bench.idle(2_000, 180_000);
    await retryUnavailable(() =>
      table.transact(publishOps({ noticeId, title: "Scale notice", body: "Coupon threshold 300 → 200 from 20:00", urgency: "important", targetSkills: skills, publishedAt: now.toISOString(), publishedBy: "bench", expiresAt: new Date(now.getTime() + 3_600_000).toISOString() })),
    );
    await measure(
      "notice fan-out to every agent (NoticeFanout)",
      `${plan.agents.toLocaleString("en")} on-duty agents`,
      "NoticeFanout",
      async () => {
        const plannedAt = Date.now();
        const planned = await stack.runAs("NoticeFanout", () => fanOutNotice(noticeId, new Date()));
        const directMs = Date.now() - plannedAt;
        // A large audience goes out as part messages: the stack's NoticeFanout pollers write them.
        // Done when every targeted agent holds its inbox entry (the receipts index counts them).
        const { receiptRows } = await import("../functions/notices/store/index.js");
        const deadline = Date.now() + 600_000;
        let delivered = planned.delivered;
        while (planned.parts && Date.now() < deadline) {
          delivered = (await stack.runAs("NoticesApi", () => receiptRows(noticeId))).length;
          if (delivered >= planned.targeted) break;
          await new Promise((r) => setTimeout(r, 1_000));
        }
        return { result: { ...planned, delivered }, directMs };
      },
      (r) => ({ targeted: r.targeted, parts: r.parts, delivered: r.delivered }),
      ["a part is 1,000 agents in its own invocation (≈ 2,000 WRU); the receipts index is 16 partitions by agent (entities/notices.ts receiptShards), so the hottest-partition figure is one shard's share of the whole notice"],
    );
  }

  // ---- 3. the unanswered re-offer sweep with 20,000 agents in the table
  {
    const from = new Date(now.getTime() - 3_600_000).toISOString();
    const to = new Date(now.getTime() + 8 * 3_600_000).toISOString();
    const helpers = [`sc-${run}-helper-a`, `sc-${run}-helper-b`];
    for (const id of helpers) {
      const created = await retryUnavailable(() => bench.api("PUT", `/agents/${id}`, { as: supervisor, body: { name: id, skills: ["logistics"], maxConcurrent: 50 } }));
      if (created.status !== 201 && created.status !== 200) throw new Error(`creating ${id}: ${created.status} ${JSON.stringify(created.body)}`);
      await retryUnavailable(() => mutateAgent(id, (a) => (a ? { after: { ...a, onDuty: true, shift: { shiftId: "bench", from, to } } } : undefined)));
    }
    // Only the first is online while the conversations arrive, so all are hers; then the second comes online.
    await retryUnavailable(() => bench.api("PUT", `/agents/${helpers[0]}/presence`, { as: supervisor, body: { status: "online" } }));
    const ids = Array.from({ length: plan.unanswered }, (_, i) => `sc-${run}-unanswered-${i}`);
    for (const conversationId of ids) {
      const res = await retryUnavailable(() => bench.api("POST", "/webhooks/conversations", { signed: true, body: { conversationId, customerId: `c-${conversationId}`, channel: "tmall", skill: "logistics" } }));
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
    }
    const { getConversation } = await import("../functions/routing/store/index.js");
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const all = await Promise.all(ids.map((id) => getConversation(id)));
      if (all.every((c) => c?.status === "assigned")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await retryUnavailable(() => bench.api("PUT", `/agents/${helpers[1]}/presence`, { as: supervisor, body: { status: "online" } }));
    const { reofferUnanswered } = await import("../functions/supervision/use-cases.js");
    const later = new Date(Date.now() + 30 * 60_000);
    await measure(
      "unanswered re-offer sweep (SupervisionClock)",
      `${plan.unanswered} unanswered conversations, ${(plan.agents + 2).toLocaleString("en")} agents`,
      "SupervisionClock",
      async () => {
        const failures: unknown[] = [];
        const reoffered = await stack.runAs("SupervisionClock", () => reofferUnanswered(later, failures as never));
        return { result: { reoffered, failures: failures.length } };
      },
      (r) => r,
      ["every conversation is re-offered (the second helper is online and eligible)"],
    );
  }

  if (options.only === "reoffer") {
    meter.uninstall();
    return { plan, scenarios, seeding };
  }

  // ---- 4. GET /queue with 10,000 waiting
  {
    const { Conversation } = table;
    const items: Record<string, unknown>[] = [];
    const base = now.getTime() - 20 * 60_000;
    for (let i = 0; i < plan.waiting; i++) {
      const skill = skills[i % 2] as Skill;
      const conversationId = `sc-${run}-w${i}`;
      const arrivedAt = new Date(base + i).toISOString();
      const conversation = { conversationId, customerId: `c${i}`, channel: "tmall", skill, requestedSkill: skill, priority: "normal" as const, status: "waiting" as const, arrivedAt, assignments: 0, history: [{ at: arrivedAt, action: "waiting", actor: "system:router" }] };
      items.push(Conversation.item(conversation, Conversation.index.waiting.attributes({ skill, position: waitingKey("normal", arrivedAt, conversationId) })));
    }
    await seed(`${plan.waiting} waiting conversations`, items);
    await measure(
      "GET /queue (SupervisionApi)",
      `${plan.waiting.toLocaleString("en")} waiting, ${(plan.agents + 2).toLocaleString("en")} agents on duty`,
      "SupervisionApi",
      async () => {
        const res = await fetch(`${stack.url}/queue`, { headers: { authorization: `Bearer ${supervisor}` } });
        const text = await res.text();
        const body = JSON.parse(text) as { totalWaiting?: number; agents?: unknown[]; agentsOnDuty?: number; waiting?: Record<string, unknown[]> };
        return { result: { status: res.status, totalWaiting: body.totalWaiting, agentsListed: body.agents?.length, waitingListed: Object.values(body.waiting ?? {}).reduce((n, l) => n + l.length, 0) }, payload: { kind: "HTTP response (bytes)", bytes: Buffer.byteLength(text), limitBytes: limits.response } };
      },
      (r) => r,
    );
  }

  // ---- 5. metrics over many conversations (seeded closed, spread over 24 hours, with the
  // hourly aggregates their writes would have added: metricsDelta from nothing to each; the
  // stored sample's through the table's stream, as in production)
  {
    const { Conversation, RoutingHour, arrivalHour } = table;
    const { metricsDelta } = await import("../functions/routing/metrics.js");
    const items: Record<string, unknown>[] = [];
    const aggregates = new Map<string, Record<string, unknown>>();
    const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 2 * 86_400_000;
    // The aggregates hold the whole target (1 million conversations in the day): their item count
    // saturates at hours × (agents credited + shards), which is what the answer reads; only a
    // sample of the conversations themselves is stored (whole hours never read them).
    for (let i = 0; i < plan.metricsTarget; i++) {
      const skill = skills[i % 2] as Skill;
      const conversationId = `sc-${run}-m${i}`;
      const t = dayStart + Math.floor((i / plan.metricsTarget) * 86_400_000);
      const arrivedAt = new Date(t).toISOString();
      const assignedAt = new Date(t + 5_000 + (i % 60) * 1000).toISOString();
      const firstResponseAt = new Date(t + 30_000 + (i % 300) * 1000).toISOString();
      const closedAt = new Date(t + 600_000).toISOString();
      const agent = agentId(i % 500);
      const conversation = { conversationId, customerId: `c${i}`, channel: "tmall", skill, requestedSkill: skill, priority: "normal" as const, status: "closed" as const, agentId: agent, arrivedAt, assignedAt, firstResponseAt, closedAt, assignments: 1, history: [{ at: arrivedAt, action: "accepted", actor: "system:chat-platform" }, { at: assignedAt, action: "assigned", actor: "system:router", agentId: agent }, { at: closedAt, action: "closed", actor: agent }] };
      // A stored sample reaches the aggregates through the table's stream, as every conversation write does; the rest are added here.
      if (i % (plan.metricsTarget / plan.metricsConversations) === 0) {
        items.push(Conversation.item(conversation, Conversation.index.arrived.attributes({ hour: arrivalHour(arrivedAt), arrivedAt, conversationId })));
        continue;
      }
      for (const { hour, owner, counters } of metricsDelta(undefined, conversation)) {
        const aggregate = aggregates.get(`${hour}|${owner}`) ?? RoutingHour.item({ hour, owner });
        for (const [name, n] of Object.entries(counters)) aggregate[name] = ((aggregate[name] as number | undefined) ?? 0) + n;
        aggregates.set(`${hour}|${owner}`, aggregate);
      }
    }
    await seed(`${items.length} closed conversations (a sample)`, items);
    await seed(`${aggregates.size} hourly routing aggregates`, [...aggregates.values()]);
    progress.step("waiting for the table stream's consumer to add the stored sample to the aggregates");
    await stack.streamsSettled(300_000);
    const from = new Date(dayStart).toISOString();
    const to = new Date(dayStart + 86_400_000).toISOString();
    const figure = await measure(
      "GET /metrics/routing (SupervisionApi)",
      `${plan.metricsTarget.toLocaleString("en")} conversations in one day over 500 agents (${aggregates.size.toLocaleString("en")} hourly aggregates)`,
      "SupervisionApi",
      async () => {
        const res = await fetch(`${stack.url}/metrics/routing?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers: { authorization: `Bearer ${supervisor}` } });
        const text = await res.text();
        const body = JSON.parse(text) as { assigned?: number; total?: number };
        return { result: { status: res.status, assigned: body.assigned }, payload: { kind: "HTTP response (bytes)", bytes: Buffer.byteLength(text), limitBytes: limits.response } };
      },
      (r) => r,
    );
    // Measured at the issue's size, not extrapolated: every conversation is in the answer.
    const answered = figure.result.assigned;
    figure.limits.push({ limit: "conversations in the answer = conversations of the day", value: Number(answered ?? 0), max: plan.metricsTarget, ratio: round(Number(answered ?? 0) / plan.metricsTarget, 3), within: answered === plan.metricsTarget });
    figure.within = figure.limits.every((l) => l.within);
    figure.notes.push("answered from hourly aggregates: the reads grow with hours × agents credited, not with the conversations");
  }

  // ---- 6. a 500-agent × 31-day rota import
  {
    const day0 = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const lines = ["agent,date,shift"];
    for (let a = 0; a < plan.rotaAgents; a++) {
      for (let d = 0; d < plan.rotaDays; d++) lines.push(`${agentId(a)},${new Date(day0 + d * 86_400_000).toISOString().slice(0, 10)},${d % 7 < 5 ? shiftId : "off"}`);
    }
    const csv = `${lines.join("\n")}\n`;
    const figure = await measure(
      "rota import (RotaImportApi → RotaImportJobs)",
      `${plan.rotaAgents} agents × ${plan.rotaDays} days = ${(plan.rotaAgents * plan.rotaDays).toLocaleString("en")} rows`,
      "RotaImportApi",
      async () => {
        const posted = Date.now();
        const res = await fetch(`${stack.url}/rota/import?allowOverlap=true`, { method: "POST", headers: { authorization: `Bearer ${supervisor}`, "content-type": "text/csv" }, body: csv, signal: AbortSignal.timeout(600_000) });
        const acceptMs = Date.now() - posted;
        const text = await res.text();
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // keep empty
        }
        const location = res.headers.get("location");
        let final: Record<string, unknown> = body;
        let polls = 0;
        if (res.status === 202 && location) {
          const deadline = Date.now() + 600_000;
          while (Date.now() < deadline) {
            const polled = await fetch(`${stack.url}${location}`, { headers: { authorization: `Bearer ${supervisor}` } });
            final = (await polled.json()) as Record<string, unknown>;
            polls++;
            if (final.status === "done" || final.status === "failed") break;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
        return {
          result: { status: res.status, acceptMs, title: body.title, detail: typeof body.detail === "string" ? body.detail.slice(0, 160) : undefined, final: { status: final.status, written: final.written, rows: final.rows, progress: final.progress, problem: final.problem, detail: typeof final.detail === "string" ? final.detail.slice(0, 160) : undefined }, polls },
          payload: { kind: "request body (bytes; API Gateway payload ≤ 10 MB, Lambda 6 MB)", bytes: Buffer.byteLength(csv), limitBytes: limits.response },
        };
      },
      (r) => r,
      ["202 + job: the request checks every row and stores them (acceptMs, within RotaImportApi's 30 s); RotaImportJobs applies the file as one staged change (time here ≤ its 300 s timeout); the month index is 8 partitions by agent, so the hottest partition is an eighth of the index writes"],
      ["RotaImportJobs"],
    );
    const acceptMs = typeof figure.result.acceptMs === "number" ? figure.result.acceptMs : undefined;
    if (acceptMs !== undefined) {
      const max = fnInfo("RotaImportApi").timeoutSeconds;
      figure.limits.push({ limit: "the request (202) (s) ≤ RotaImportApi timeout", value: round(acceptMs / 1000, 1), max, ratio: round(acceptMs / 1000 / max, 3), within: acceptMs / 1000 <= max });
      figure.within = figure.limits.every((l) => l.within);
    }
  }

  // ---- 7. sweeper recovery of 10,000 stale queued conversations
  {
    // Accepted while the queue was unreachable: written as the webhook writes them (in the arrival
    // index, not in the re-drive list), arriving now, one a millisecond; the sweeper's arrival
    // scan finds them REQUEUE_AFTER_SECONDS later (its clock is moved there, not waited for).
    const { Conversation, arrivalHour } = table;
    const items: Record<string, unknown>[] = [];
    const base = Date.now();
    for (let i = 0; i < plan.stale; i++) {
      const conversationId = `sc-${run}-s${i}`;
      const arrivedAt = new Date(base + i).toISOString();
      const conversation = { conversationId, customerId: `c${i}`, channel: "tmall", skill: "complaint" as Skill, requestedSkill: "complaint" as Skill, priority: "normal" as const, status: "queued" as const, arrivedAt, assignments: 0, history: [{ at: arrivedAt, action: "accepted", actor: "system:chat-platform" }] };
      items.push(Conversation.item(conversation, Conversation.index.arrived.attributes({ hour: arrivalHour(arrivedAt), arrivedAt, conversationId })));
    }
    await seed(`${plan.stale} stale queued conversations`, items);
    const { requeueAfterSeconds } = await import("../functions/routing/config.js");
    const sweepAt = new Date(base + plan.stale + (await stack.runAs("RoutingSweeper", () => requeueAfterSeconds())) * 1000 + 1_000);
    await measure(
      "sweeper recovery (RoutingSweeper)",
      `${plan.stale.toLocaleString("en")} stale queued conversations`,
      "RoutingSweeper",
      async () => {
        const { sweep } = await import("../functions/routing/use-cases/index.js");
        // Runs as the schedule would, one after another until the backlog is done (each within its budget).
        // A timeout bounds one run: the slowest run is judged, the whole recovery reported beside.
        const runs: { requeued: number; complete: boolean; scanned: number; ms: number }[] = [];
        do {
          const started = performance.now();
          const run = await stack.runAs("RoutingSweeper", () => sweep(sweepAt));
          runs.push({ ...run, ms: performance.now() - started });
        } while (!runs.at(-1)?.complete && runs.length < 10);
        const slowestMs = Math.max(...runs.map((r) => r.ms));
        return {
          result: { requeued: runs.reduce((n, r) => n + r.requeued, 0), complete: runs.at(-1)?.complete ?? false, runs: runs.length, pages: runs.reduce((n, r) => n + r.scanned, 0), slowestRunS: round(slowestMs / 1000, 1) },
          directMs: slowestMs,
        };
      },
      (r) => ({ requeued: r.requeued, complete: r.complete, runs: r.runs, pages: r.pages, slowestRunS: r.slowestRunS }),
      ["found by the arrival scan (read once, listed, re-driven), one run after another as the schedule would, each within its 30 s re-drive budget; a later run re-drives what is listed and not yet routed again (requeued counts those too); re-drive only: the router then takes the messages at its own pace (the routing bench measures that)"],
    );
  }

  // ---- 8. a routed conversation's billed units with 20,000 online agents in its pool
  let routingCost: ScaleBench["routingCost"];
  if (!options.only) {
    const costSkill: Skill = "vip";
    const shift = { shiftId: `sc-${run}-vip`, from: new Date(now.getTime() - 3_600_000).toISOString(), to: new Date(now.getTime() + 8 * 3_600_000).toISOString() };
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < plan.agents; i++) {
      const agent = { ...newAgent({ agentId: `sc-${run}-v${i}`, name: `Scale VIP ${i}`, skills: [costSkill], maxConcurrent: 5 }, "bench", now), onDuty: true, presence: "online" as const, shift };
      // The profile and its seat: the seat is the agent's entry in the skill's pool.
      for (const op of agentWriteOps(undefined, agent)) if (op.Put?.Item) items.push(op.Put.Item);
    }
    await seed(`${plan.agents} online agents in the ${costSkill} pool (profile + seat)`, items);
    progress.step(`scale: routing cost with ${plan.agents.toLocaleString("en")} agents in the pool (5 conversations one at a time, priced by AWS's rules)`);
    await bench.idle(2_000, 180_000);
    const { onRoutingDecision } = await import("../functions/routing/decisions.js");
    const decided = new Map<string, (outcome: string) => void>();
    const stopListening = onRoutingDecision((d) => {
      if (d.outcome !== "already") decided.get(d.conversationId)?.(d.outcome);
    });
    try {
      const figures = await billRouting(
        {
          postConversation: async () => {
            const conversationId = `sc-${run}-cost-${randomUUID().slice(0, 8)}`;
            const res = await retryUnavailable(() => bench.api("POST", "/webhooks/conversations", { signed: true, body: { conversationId, customerId: `c-${conversationId}`, channel: "tmall", skill: costSkill } }));
            return res.status === 202 || res.status === 201 || res.status === 200 ? conversationId : undefined;
          },
          waitDecision: (conversationId, timeoutMs) =>
            new Promise((resolve) => {
              const timer = setTimeout(() => resolve(undefined), timeoutMs);
              decided.set(conversationId, (outcome) => {
                clearTimeout(timer);
                resolve({ outcome });
              });
            }),
        },
        billing,
        5,
      );
      routingCost = { agents: plan.agents, skill: costSkill, figures };
      progress.step(`  routing cost: ${figures.billedUnits} billed units (${figures.wru} WRU + ${figures.rru} RRU), $${figures.dollarsPerMillion.total} per million, ${figures.samples} conversations`);
    } finally {
      stopListening();
    }
  }

  meter.uninstall();
  return { plan, scenarios, seeding, ...(routingCost ? { routingCost } : {}) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) / 2)] ?? 0);
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
