/**
 * Routing benchmark on the local stack: end-to-end throughput (signed webhook → SQS → router →
 * assigned) against the raw rate of DynamoDB Local for a bare two-item conditional transaction,
 * latency at half that capacity, DynamoDB capacity units per routed conversation with 10 / 100 /
 * 1,000 on-duty agents next to a naive baseline router, and the routing invariants at the end.
 *
 * The local stack runs every function in this process, so the router's own decisions (and their
 * consumed capacity) are observed through `onRoutingDecision`. Function modules read their
 * environment when first imported: everything under `functions/` that touches AWS is imported
 * dynamically, after the stack started.
 *
 * @example
 * const ctx = await routingContext(bench, progress);
 * const cost = await benchCost(ctx, [10, 100, 1000], 30);
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Agent, Skill } from "../functions/agents/domain.js";
import { orderCandidates } from "../functions/routing/policy.js";
import type { Conversation, HistoryEntry } from "../functions/routing/conversation.js";
import type { RoutingDecision } from "../functions/routing/decisions.js";
import type { BenchStack } from "./lib/stack.js";
import { closedLoop, mapLimit, openLoop, waitUntil } from "./lib/load.js";
import { retryUnavailable } from "./lib/retry.js";
import type { Progress } from "./lib/progress.js";
import { cpuMeter, type CpuPerOp } from "./lib/cpu.js";
import { ratio, round, summarize } from "./lib/stats.js";

type AgentsStore = typeof import("../functions/agents/store.js");
type RoutingStore = typeof import("../functions/routing/store/index.js");
type Table = typeof import("../functions/shared/table/index.js");

interface SeenDecision extends RoutingDecision {
  /** Wall-clock time the decision was recorded (ms since epoch). */
  at: number;
}

export interface RoutingContext {
  bench: BenchStack;
  progress: Progress;
  run: string;
  supervisor: string;
  agentIds: string[];
  /** Every conversation the chat platform was told was accepted (202), plus the baseline's. */
  accepted: Set<string>;
  /** Conversations accepted through the webhook (the router's, not the naive baseline's). */
  viaWebhook: string[];
  decisions: Map<string, SeenDecision[]>;
  /** Wall-clock time of the last routing decision seen (any conversation). */
  lastDecisionAt: number;
  waitDecision(conversationId: string, timeoutMs: number): Promise<SeenDecision | undefined>;
  /** In-flight routing decisions the router can run at once (pollers × records per batch). */
  routerConcurrency: number;
  agents: AgentsStore;
  store: RoutingStore;
  db: Table;
  table: Table;
  stopListening(): void;
}

/** Skill of every benchmark agent and conversation (one skill: one seat per agent). */
const skill = "presale" as const;
const maxConcurrent = 50;

export async function routingContext(bench: BenchStack, progress: Progress): Promise<RoutingContext> {
  const { onRoutingDecision } = await import("../functions/routing/decisions.js");
  const { functionList } = await import("../functions/catalog/index.js");
  const agents = await import("../functions/agents/store.js");
  const store = await import("../functions/routing/store/index.js");
  const table = await import("../functions/shared/table/index.js");
  const db = table;
  const decisions = new Map<string, SeenDecision[]>();
  const waiters = new Map<string, (d: SeenDecision) => void>();
  const stopListening = onRoutingDecision((decision) => {
    const seen = { ...decision, at: Date.now() };
    ctx.lastDecisionAt = seen.at;
    const list = decisions.get(decision.conversationId) ?? [];
    list.push(seen);
    decisions.set(decision.conversationId, list);
    waiters.get(decision.conversationId)?.(seen);
  });
  const router = functionList.find((f) => f.name === "Router");
  const trigger = router?.triggers.find((t) => t.kind === "queue");
  // queueConsumer works up to 10 records of a batch in parallel; the local stack runs `localConcurrency` pollers.
  const routerConcurrency = trigger && trigger.kind === "queue" ? (trigger.localConcurrency ?? 2) * Math.min(10, trigger.batchSize) : 20;
  const ctx: RoutingContext = {
    bench,
    progress,
    lastDecisionAt: 0,
    run: randomUUID().slice(0, 6),
    supervisor: await bench.stack.token("supervisor", "bench"),
    agentIds: [],
    accepted: new Set(),
    viaWebhook: [],
    decisions,
    routerConcurrency,
    agents,
    store,
    db,
    table,
    stopListening,
    waitDecision: (conversationId, timeoutMs) => {
      const done = decisions.get(conversationId)?.find((d) => d.outcome !== "already");
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(conversationId);
          resolve(undefined);
        }, timeoutMs);
        waiters.set(conversationId, (d) => {
          if (d.outcome === "already") return;
          clearTimeout(timer);
          waiters.delete(conversationId);
          resolve(d);
        });
      });
    },
  };
  return ctx;
}

/**
 * Waits until every conversation of `ids` has been decided and the router has been idle for
 * `quietMs`, so one phase's backlog (waiting conversations being drained) does not leak into
 * the next phase's figures. Returns false on timeout.
 */
export async function settleRouting(ctx: RoutingContext, ids: readonly string[], timeoutMs: number, quietMs = 1500): Promise<string | undefined> {
  const open = () => ids.filter((id) => !ctx.decisions.get(id)?.some((d) => d.outcome === "assigned"));
  const settled = await waitUntil(() => {
    const n = open().length;
    ctx.progress.tick(() => `settling: ${n} not yet assigned`);
    return n === 0 && Date.now() - ctx.lastDecisionAt >= quietMs;
  }, timeoutMs, 100);
  if (settled) return undefined;
  const stuck = open();
  const stored = await readConversations(ctx, stuck.slice(0, 200));
  const byStatus = new Map<string, number>();
  for (const id of stuck) {
    const key = `${stored.get(id)?.status ?? "?"} after [${(ctx.decisions.get(id) ?? []).map((d) => d.outcome).join(",")}]`;
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }
  return `${stuck.length} conversations without an assignment after ${timeoutMs / 1000} s: ${[...byStatus].map(([k, n]) => `${n}× ${k}`).join("; ")}`;
}

/**
 * Creates each agent through the API (as a supervisor would), sets its duty window (as the rota's
 * duty clock would at shift start) and brings it online. A loaded machine makes DynamoDB Local
 * miss the functions' 2 s timeout: the API answers 503 "retry shortly", and so does the benchmark
 * (a retried create may find its first try applied: 200).
 */
async function putAgentsOnDuty(ctx: RoutingContext, ids: readonly string[], profile: { skills: readonly Skill[]; maxConcurrent: number }, lanes: number, onEach?: () => void): Promise<void> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 8 * 3_600_000).toISOString();
  await mapLimit(ids, lanes, async (id) => {
    const created = await retryUnavailable(() => ctx.bench.api("PUT", `/agents/${id}`, { as: ctx.supervisor, body: { name: id, ...profile } }));
    if (created.status !== 201 && created.status !== 200) throw new Error(`creating agent ${id} answered ${created.status}: ${JSON.stringify(created.body)}`);
    await retryUnavailable(() => ctx.agents.mutateAgent(id, (a) => (a ? { after: { ...a, onDuty: true, shift: { shiftId: "bench", from, to } } } : undefined)));
    const online = await retryUnavailable(() => ctx.bench.api("PUT", `/agents/${id}/presence`, { as: ctx.supervisor, body: { status: "online" } }));
    if (online.status !== 200) throw new Error(`presence of ${id} answered ${online.status}: ${JSON.stringify(online.body)}`);
    onEach?.();
  });
}

/** Brings the number of on-duty, online benchmark agents up to `count`. */
export async function ensureAgents(ctx: RoutingContext, count: number): Promise<void> {
  const fresh = Array.from({ length: Math.max(0, count - ctx.agentIds.length) }, (_, i) => `bench-${ctx.run}-a${ctx.agentIds.length + i}`);
  if (fresh.length === 0) return;
  let done = 0;
  await putAgentsOnDuty(ctx, fresh, { skills: [skill], maxConcurrent }, 16, () => {
    done++;
    ctx.progress.tick(() => `agents on duty: ${ctx.agentIds.length + done}/${count}`);
  });
  ctx.agentIds.push(...fresh);
}

/**
 * Brings `count` agents as a chat team has them on duty and online: at most 5 conversations at
 * once (the benchmark's own agents take 50) and the given skills, so the router takes its
 * small-agent path (every seat rewritten on each assignment: agents/store.ts `seatAssignmentOps`).
 * Their pools hold only them: `skills` must be skills no other benchmark agent has.
 */
export async function ensureChatAgents(ctx: RoutingContext, label: string, skills: readonly Skill[], count: number): Promise<void> {
  await putAgentsOnDuty(ctx, Array.from({ length: count }, (_, i) => `bench-${ctx.run}-${label}-${i}`), { skills, maxConcurrent: 5 }, 8);
}

/** Posts one signed conversation webhook (of the benchmark's skill unless told); returns its id when accepted (202). */
export async function postConversation(ctx: RoutingContext, ofSkill: Skill = skill): Promise<string | undefined> {
  const conversationId = `bench-${ctx.run}-${randomUUID()}`;
  const res = await ctx.bench.api("POST", "/webhooks/conversations", {
    signed: true,
    body: { conversationId, customerId: `cust-${randomUUID().slice(0, 12)}`, channel: "tmall", skill: ofSkill },
  });
  if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
  ctx.accepted.add(conversationId);
  ctx.viaWebhook.push(conversationId);
  return conversationId;
}

// ---------------------------------------------------------------------------------------------
// Naive baseline router: reads EVERY agent profile for each conversation (what a router without
// an availability index does), picks by the same policy, commits the same conditional transaction.

async function naiveRoute(ctx: RoutingContext, conversationId: string, now: Date): Promise<{ units: number; writeUnits: number; assigned: boolean; retries: number }> {
  const { dynamo, tableName, capacityUnits } = ctx.db;
  const { agentWriteOps, fromItem } = ctx.agents;
  const { Conversation: ConversationItem, KnownAgent } = ctx.table;
  let units = 0;
  const got = await dynamo.send(new GetCommand({ TableName: tableName, Key: ConversationItem.key({ conversationId }), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
  units += capacityUnits(got.ConsumedCapacity);
  if (!got.Item) throw new Error(`naive router: conversation ${conversationId} missing`);
  const conversation = ConversationItem.parse(got.Item);
  const knownItem = await dynamo.send(new GetCommand({ TableName: tableName, Key: KnownAgent.key({ customerId: conversation.customerId }), ReturnConsumedCapacity: "TOTAL" }));
  units += capacityUnits(knownItem.ConsumedCapacity);
  const known = knownItem.Item ? KnownAgent.parse(knownItem.Item) : undefined;
  for (let attempt = 0; attempt < 8; attempt++) {
    const all: Agent[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: "gsi2",
          KeyConditionExpression: "gsi2pk = :p",
          ExpressionAttributeValues: { ":p": "AGENTS" },
          ExclusiveStartKey: cursor,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      units += capacityUnits(page.ConsumedCapacity);
      for (const item of page.Items ?? []) all.push(fromItem(item));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    const [agent] = orderCandidates(all, conversation.skill, known, now);
    if (!agent) return { units, writeUnits: 0, assigned: false, retries: attempt };
    const at = now.toISOString();
    const entry: HistoryEntry = { at, action: "assigned", actor: "bench:naive-router", agentId: agent.agentId };
    const agentOps = agentWriteOps(agent, { ...agent, load: agent.load + 1, lastAssignedAt: at });
    try {
      const result = await dynamo.send(
        new TransactWriteCommand({
          ReturnConsumedCapacity: "TOTAL",
          // The router's own assignment items: the baseline differs only in how it finds the agent.
          TransactItems: [...agentOps, ...ctx.store.assignOps(conversation, agent.agentId, entry)],
        }),
      );
      const writeUnits = capacityUnits(result.ConsumedCapacity);
      return { units: units + writeUnits, writeUnits, assigned: true, retries: attempt };
    } catch (error) {
      const reasons = rawCancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[agentOps.length] === "ConditionalCheckFailed") return { units, writeUnits: 0, assigned: false, retries: attempt };
    }
  }
  return { units, writeUnits: 0, assigned: false, retries: 8 };
}

/** A queued conversation written directly (no SQS message), for the naive router only. */
async function createQueued(ctx: RoutingContext): Promise<string> {
  const conversationId = `bench-${ctx.run}-naive-${randomUUID()}`;
  const at = new Date().toISOString();
  const conversation: Conversation = {
    conversationId,
    customerId: `cust-${randomUUID().slice(0, 12)}`,
    channel: "tmall",
    skill,
    requestedSkill: skill,
    priority: "normal",
    status: "queued",
    arrivedAt: at,
    assignments: 0,
    history: [{ at, action: "received", actor: "bench:naive-router" }],
  };
  if (!(await ctx.store.createConversation(conversation))) throw new Error(`conversation ${conversationId} already exists`);
  ctx.accepted.add(conversationId);
  return conversationId;
}

// ---------------------------------------------------------------------------------------------
// Cost

export interface CostTier {
  agents: number;
  /** `msPerConversation`: webhook POST → assignment committed, one conversation at a time (no contention). */
  router: { conversations: number; capacityUnits: number; candidatesTried: number; msPerConversation: number };
  /** Live settings (functions/settings/current.ts): GetItems of the settings item by every function of the stack during the router's conversations, and their units, per routed conversation (amortised; not in `router.capacityUnits`). */
  liveSettings: { readsPerConversation: number; unitsPerConversation: number };
  /** `transactionUnits`: what DynamoDB Local reported for the assignment transaction alone (the rest is reads). */
  naive: { conversations: number; capacityUnits: number; transactionUnits: number };
}

export interface CostFigures {
  tiers: CostTier[];
  /** Router: mean capacity units per routed conversation, keyed by on-duty agent count. */
  capacityUnitsPerConversation: Record<string, number>;
  naiveCapacityUnitsPerConversation: Record<string, number>;
  /** Largest tier's figure / smallest tier's (goal ≤ 1.2). */
  flatness: number | undefined;
  naiveGrowth: number | undefined;
}

/**
 * For each agent count: `perTier` conversations through the real pipeline (one at a time, so the
 * figure is a decision's cost without contention retries) and `perTier` through the naive router.
 */
export async function benchCost(ctx: RoutingContext, tiers: readonly number[], perTier: number, afterTier?: (agents: number) => Promise<void>): Promise<CostFigures> {
  const out: CostTier[] = [];
  for (const agents of tiers) {
    ctx.progress.step(`cost: putting ${agents} agents on duty (PUT /agents, duty, PUT presence)`);
    await ensureAgents(ctx, agents);
    ctx.progress.step(`cost: ${perTier} conversations through the router, ${perTier} through the naive baseline, ${agents} agents`);
    const routerUnits: number[] = [];
    const tried: number[] = [];
    const elapsed: number[] = [];
    const { liveSettingsReads } = await import("../functions/settings/store.js");
    const settingsBefore = { ...liveSettingsReads };
    for (let i = 0; i < perTier; i++) {
      const t = Date.now();
      const id = await postConversation(ctx);
      if (!id) continue;
      const decision = await ctx.waitDecision(id, 15_000);
      if (decision?.outcome === "assigned") {
        routerUnits.push(decision.capacityUnits);
        tried.push(decision.candidatesTried);
        elapsed.push(decision.at - t);
      }
    }
    const perRouted = (n: number) => (routerUnits.length > 0 ? round(n / routerUnits.length, 4) : 0);
    const liveSettings = { readsPerConversation: perRouted(liveSettingsReads.reads - settingsBefore.reads), unitsPerConversation: perRouted(liveSettingsReads.units - settingsBefore.units) };
    const naiveUnits: number[] = [];
    const naiveWrites: number[] = [];
    for (let i = 0; i < perTier; i++) {
      const id = await createQueued(ctx);
      const result = await naiveRoute(ctx, id, new Date());
      if (result.assigned) {
        naiveUnits.push(result.units);
        naiveWrites.push(result.writeUnits);
      }
    }
    out.push({
      agents,
      router: { conversations: routerUnits.length, capacityUnits: round(summarize(routerUnits).mean), candidatesTried: round(summarize(tried).mean), msPerConversation: round(summarize(elapsed).mean, 1) },
      naive: { conversations: naiveUnits.length, capacityUnits: round(summarize(naiveUnits).mean), transactionUnits: round(summarize(naiveWrites).mean) },
      liveSettings,
    });
    await afterTier?.(agents);
  }
  const first = out[0];
  const last = out[out.length - 1];
  const growth = (pick: (t: CostTier) => number) => (first && last ? ratio(pick(last), pick(first)) : undefined);
  return {
    tiers: out,
    capacityUnitsPerConversation: Object.fromEntries(out.map((t) => [String(t.agents), t.router.capacityUnits])),
    naiveCapacityUnitsPerConversation: Object.fromEntries(out.map((t) => [String(t.agents), t.naive.capacityUnits])),
    flatness: maybeRound(growth((t) => t.router.capacityUnits)),
    naiveGrowth: maybeRound(growth((t) => t.naive.capacityUnits)),
  };
}

// ---------------------------------------------------------------------------------------------
// Throughput and latency

export interface RawFigures {
  concurrency: number;
  ops: number;
  failed: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** CPU per transaction: this process (the SDK's calls) and DynamoDB Local's JVM. */
  cpuMsPerOp?: CpuPerOp;
}

/**
 * Runs `op` from `concurrency` loops for `durationMs` on a client of its own (not the functions'),
 * straight against DynamoDB Local: the calls alone, their rate, latency and CPU per operation.
 * `op` gets the client, the table, a key prefix unique to this phase and the operation's index.
 */
async function directCalls(
  ctx: RoutingContext,
  label: string,
  concurrency: number,
  durationMs: number,
  op: (client: DynamoDBDocumentClient, table: string, phase: string, index: number) => Promise<void>,
): Promise<RawFigures> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: ctx.bench.stack.dynamoEndpoint, region: process.env.AWS_REGION ?? "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 5 }),
  );
  const table = ctx.bench.stack.tableName;
  const phase = randomUUID().slice(0, 8);
  try {
    const cpu = cpuMeter();
    const result = await closedLoop({ concurrency, durationMs, onTick: (n) => ctx.progress.tick(() => `${label}: ${n}`) }, (index) => op(client, table, phase, index));
    const cpuMsPerOp = cpu.perOp(result.ok);
    if (result.ok === 0) throw new Error(`${label}: every operation failed (${result.firstError ?? "no error"})`);
    const s = summarize(result.latencies);
    return { concurrency, ops: result.ok, failed: result.failed, perSecond: round(result.ok / result.seconds, 1), p50Ms: round(s.p50, 1), p95Ms: round(s.p95, 1), cpuMsPerOp };
  } finally {
    client.destroy();
  }
}

/** Baseline: a bare two-item conditional TransactWriteItems (new item + counter), own client. */
export function benchRawTransaction(ctx: RoutingContext, concurrency: number, durationMs: number): Promise<RawFigures> {
  return directCalls(ctx, "raw transactions", concurrency, durationMs, async (client, table, phase, index) => {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: `BENCH#raw#${phase}#${index}`, sk: "RAW", at: Date.now() }, ConditionExpression: "attribute_not_exists(pk)" } },
          {
            Update: {
              TableName: table,
              Key: { pk: `BENCH#rawctr#${phase}#${index % 1000}`, sk: "RAW" },
              UpdateExpression: "ADD n :one",
              ConditionExpression: "attribute_not_exists(n) OR n < :max",
              ExpressionAttributeValues: { ":one": 1, ":max": 1_000_000 },
            },
          },
        ],
      }),
    );
  });
}

/**
 * What the invariants' own DynamoDB calls allow: a routed conversation reduced to the calls no
 * design can drop (billing-report.ts `billingFloor` prices the same ones) — the webhook's
 * conversation put with its arrival index entry, the pool read that chooses (the real pool,
 * `Limit` 20), and a two-item conditional transaction (the conversation `queued → assigned`, an
 * agent-like counter under its capacity) — issued back to back from `concurrency` loops, without
 * HTTP, SQS, a decision, a push or any derived view. Its rate over the raw transaction's, in the
 * same run, is the ceiling of `routing.ratioToRaw` for any router that keeps the invariants: what
 * the end-to-end figure loses below it is the pipeline's other work on the same cores.
 */
export async function benchFloorCalls(ctx: RoutingContext, concurrency: number, durationMs: number, raw: RawFigures): Promise<RawFigures & { ratioToRaw: number | undefined }> {
  const { Conversation, Seat } = ctx.table;
  const arrived = Conversation.index.arrived;
  const pool = Seat.index.pool;
  const hour = new Date().toISOString().slice(0, 13);
  const { poolWindow } = await import("../functions/routing/use-cases/route.js");
  const figures = await directCalls(ctx, "floor calls", concurrency, durationMs, async (client, table, phase, index) => {
    const key = { pk: `BENCH#floor#${phase}#${index}`, sk: "CONV" };
    const at = new Date().toISOString();
    await client.send(
      new PutCommand({
        TableName: table,
        Item: { ...key, [arrived.attributeNames.pk]: arrived.partition({ hour }), [arrived.attributeNames.sk]: `${at}#${index}`, status: "queued", skill, customerId: `cust-${index}`, channel: "tmall", arrivedAt: at },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    await client.send(new QueryCommand({ TableName: table, IndexName: pool.index, KeyConditionExpression: `${pool.attributeNames.pk} = :p`, ExpressionAttributeValues: { ":p": pool.partition({ skill }) }, Limit: poolWindow }));
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: table, Key: key, UpdateExpression: "SET #s = :assigned, agentId = :agent", ConditionExpression: "#s = :queued", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":assigned": "assigned", ":queued": "queued", ":agent": `floor-${index % 1000}` } } },
          {
            Update: {
              TableName: table,
              Key: { pk: `BENCH#flooragent#${phase}#${index % 1000}`, sk: "PROFILE" },
              UpdateExpression: "ADD #load :one",
              ConditionExpression: "attribute_not_exists(#load) OR #load < :max",
              ExpressionAttributeNames: { "#load": "load" },
              ExpressionAttributeValues: { ":one": 1, ":max": 1_000_000 },
            },
          },
        ],
      }),
    );
  });
  return { ...figures, ratioToRaw: maybeRound(ratio(figures.perSecond, raw.perSecond), 3) };
}

export interface ThroughputFigures {
  agents: number;
  webhookClients: number;
  /** Most conversations accepted but not yet decided at any time (keeps the backlog bounded). */
  maxBacklog: number;
  windowSeconds: number;
  accepted: number;
  /** Conversations whose first assignment committed inside the window. */
  assignedInWindow: number;
  /** Conversations the router could not place at first and parked in the waiting queue. */
  wentWaiting: number;
  /** Conversations assigned per second inside the window (steady state, router saturated). */
  perSecond: number;
  /** Webhooks accepted per second inside the window (throttled by the backlog bound). */
  acceptedPerSecond: number;
  candidatesTriedMean: number;
  /** Share of the window's first assignments whose first round used a seat of its SQS batch's plan (batches of 2+ route messages). */
  batchedShare: number;
  /** Mean capacity units of a decision under this load (contention retries included). */
  capacityUnitsUnderLoad: number;
  ratioToRaw: number | undefined;
  /**
   * CPU per conversation assigned in the window: this process (the 16 webhook clients, the
   * gateway, fauxqs, every function) and DynamoDB Local's JVM; against the raw transaction's,
   * it says what the ratio is made of (both share the machine's cores).
   */
  cpuMsPerConversation?: CpuPerOp;
  firstError?: string;
}

/**
 * Steady-state throughput: `clients` webhook callers post for `windowMs`, but never let more than
 * `maxBacklog` accepted conversations wait for a first decision, so the router stays saturated
 * without an unbounded queue. Counts the first assignments that commit inside the window.
 */
export async function benchThroughput(ctx: RoutingContext, windowMs: number, clients: number, maxBacklog: number, raw: RawFigures): Promise<ThroughputFigures> {
  const ids: string[] = [];
  let decided = 0;
  const isDecided = new Set<string>();
  const undecided = () => {
    for (const id of ids) {
      if (isDecided.has(id)) continue;
      if (ctx.decisions.get(id)?.some((d) => d.outcome !== "already")) {
        isDecided.add(id);
        decided++;
      }
    }
    return ids.length - decided;
  };
  const started = Date.now();
  const cpu = cpuMeter();
  const posted = await closedLoop(
    { concurrency: clients, durationMs: windowMs, onTick: () => ctx.progress.tick(() => `accepted ${ids.length}, assigned ${assignedBetween(ctx, ids, started, Date.now()).length}`) },
    async () => {
      while (undecided() >= maxBacklog && Date.now() - started < windowMs) await new Promise((r) => setTimeout(r, 5));
      if (Date.now() - started >= windowMs) return;
      const id = await postConversation(ctx);
      if (id) ids.push(id);
    },
  );
  const end = started + windowMs;
  // Let the window's last decisions land (they belong to the next stage otherwise).
  await waitUntil(() => Date.now() >= end, windowMs);
  const assigned = assignedBetween(ctx, ids, started, end);
  const cpuMsPerConversation = cpu.perOp(assigned.length);
  const seconds = windowMs / 1000;
  const perSecond = assigned.length / seconds;
  return {
    agents: ctx.agentIds.length,
    webhookClients: clients,
    maxBacklog,
    windowSeconds: seconds,
    accepted: ids.length,
    assignedInWindow: assigned.length,
    wentWaiting: ids.filter((id) => ctx.decisions.get(id)?.some((d) => d.outcome === "waiting")).length,
    perSecond: round(perSecond, 1),
    acceptedPerSecond: round(ids.length / posted.seconds, 1),
    candidatesTriedMean: round(summarize(assigned.map((d) => d.candidatesTried)).mean),
    batchedShare: round(assigned.filter((d) => d.batched).length / Math.max(1, assigned.length)),
    capacityUnitsUnderLoad: round(summarize(assigned.map((d) => d.capacityUnits)).mean),
    ratioToRaw: maybeRound(ratio(perSecond, raw.perSecond), 3),
    cpuMsPerConversation,
    ...(posted.firstError ? { firstError: posted.firstError } : {}),
  };
}

/** First assignment decision of each conversation, if it committed within [from, to]. */
function assignedBetween(ctx: RoutingContext, ids: readonly string[], from: number, to: number): SeenDecision[] {
  const out: SeenDecision[] = [];
  for (const id of ids) {
    const first = ctx.decisions.get(id)?.find((d) => d.outcome === "assigned");
    if (first && first.at >= from && first.at <= to) out.push(first);
  }
  return out;
}

function countDecided(ctx: RoutingContext, ids: readonly string[]): number {
  let n = 0;
  for (const id of ids) if (ctx.decisions.get(id)?.some((d) => d.outcome !== "already")) n++;
  return n;
}

export interface LatencyFigures {
  ratePerSecond: number;
  seconds: number;
  accepted: number;
  assigned: number;
  skipped: number;
  /** arrivedAt → assignedAt (the router stamps assignedAt when it starts the decision). */
  stampedMs: { p50: number; p95: number; p99: number };
  /** arrivedAt → the moment the assignment transaction committed (decision recorded). */
  committedMs: { p50: number; p95: number; p99: number };
  /** p50 (committed) / p50 of one bare two-item transaction issued alone (concurrency 1), same run. */
  p50VsRawTransaction: number | undefined;
  rawTransactionP50Ms: number;
}

/** Open-loop arrivals at `ratePerSecond` for `durationMs`; latency from the stored timestamps. */
export async function benchLatency(ctx: RoutingContext, ratePerSecond: number, durationMs: number, rawAlone: RawFigures): Promise<LatencyFigures> {
  const ids: string[] = [];
  const loop = await openLoop({ ratePerSecond, durationMs, maxInFlight: 200, onTick: (n) => ctx.progress.tick(() => `sent ${n}, decided ${countDecided(ctx, ids)}`) }, async () => {
    const id = await postConversation(ctx);
    if (id) ids.push(id);
  });
  await waitUntil(() => countDecided(ctx, ids) >= ids.length, 60_000, 50);
  const conversations = await readConversations(ctx, ids);
  const stamped: number[] = [];
  const committed: number[] = [];
  for (const c of conversations.values()) {
    if (c.status !== "assigned" || !c.assignedAt) continue;
    const arrived = Date.parse(c.arrivedAt);
    stamped.push(Date.parse(c.assignedAt) - arrived);
    const decision = ctx.decisions.get(c.conversationId)?.find((d) => d.outcome === "assigned");
    if (decision) committed.push(decision.at - arrived);
  }
  const s = summarize(stamped);
  const c = summarize(committed);
  return {
    ratePerSecond: round(ratePerSecond, 1),
    seconds: round(loop.seconds, 1),
    accepted: ids.length,
    assigned: stamped.length,
    skipped: loop.skipped,
    stampedMs: { p50: s.p50, p95: s.p95, p99: s.p99 },
    committedMs: { p50: c.p50, p95: c.p95, p99: c.p99 },
    p50VsRawTransaction: maybeRound(ratio(c.p50, rawAlone.p50Ms)),
    rawTransactionP50Ms: rawAlone.p50Ms,
  };
}

/** Conversations by id, read straight from the table (BatchGetItem, 100 keys a call). */
async function readConversations(ctx: RoutingContext, ids: readonly string[]): Promise<Map<string, Conversation>> {
  const { dynamo, tableName } = ctx.db;
  const out = new Map<string, Conversation>();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) chunks.push(ids.slice(i, i + 100));
  await mapLimit(chunks, 4, async (chunk) => {
    let keys: Record<string, unknown>[] = chunk.map((conversationId) => ctx.table.Conversation.key({ conversationId }));
    for (let attempt = 0; keys.length > 0 && attempt < 20; attempt++) {
      const result = await dynamo.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
      for (const item of result.Responses?.[tableName] ?? []) {
        const c = ctx.table.Conversation.parse(item);
        out.set(c.conversationId, c);
      }
      keys = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Invariants

export interface InvariantFigures {
  conversations: number;
  agents: number;
  assigned: number;
  waiting: number;
  closed: number;
  /** Agents whose load exceeds maxConcurrent (GET /agents). */
  overCapacity: number;
  /** Accepted conversations missing or still queued after the settle period. */
  lost: number;
  /** Conversations assigned more than once: assignments ≠ 1, several "assigned" history entries, or assigned decisions naming different agents. */
  duplicates: number;
  /**
   * Not a violation: the router recorded "assigned" twice for the same conversation AND agent (an
   * idempotent TransactWriteItems replay: same ClientRequestToken); the data holds one assignment.
   */
  replayedDecisions: number;
  /** Agents whose load differs from the number of conversations assigned to them. */
  loadMismatch: number;
  examples: string[];
}

/** Waits for the queue to settle, then checks invariants 1 and 2 over every accepted conversation. */
export async function checkInvariants(ctx: RoutingContext, settleMs: number): Promise<InvariantFigures> {
  const ids = [...ctx.accepted];
  let conversations = new Map<string, Conversation>();
  await waitUntil(async () => {
    conversations = await readConversations(ctx, ids);
    const pending = ids.filter((id) => conversations.get(id)?.status === "queued").length;
    ctx.progress.tick(() => `settling: ${pending} still queued`);
    return pending === 0;
  }, settleMs, 500);
  const examples: string[] = [];
  const note = (text: string) => {
    if (examples.length < 5) examples.push(text);
  };
  let lost = 0;
  let duplicates = 0;
  let replayedDecisions = 0;
  const counts = { assigned: 0, waiting: 0, closed: 0 };
  const assignedPerAgent = new Map<string, number>();
  for (const id of ids) {
    const c = conversations.get(id);
    if (!c || !(c.status === "assigned" || c.status === "waiting" || c.status === "closed")) {
      lost++;
      note(`${id}: ${c ? `still ${c.status}` : "missing"}`);
      continue;
    }
    counts[c.status]++;
    const assignedEntries = c.history.filter((h) => h.action === "assigned").length;
    const assignedDecisions = (ctx.decisions.get(id) ?? []).filter((d) => d.outcome === "assigned");
    const decidedAgents = new Set(assignedDecisions.map((d) => d.agentId));
    if (c.assignments > 1 || assignedEntries > 1 || decidedAgents.size > 1 || (c.status === "assigned" && (c.assignments !== 1 || assignedEntries !== 1))) {
      duplicates++;
      note(`${id}: assignments ${c.assignments}, ${assignedEntries} "assigned" history entries, decisions for agents ${[...decidedAgents].join(", ")}`);
    } else if (assignedDecisions.length > 1) replayedDecisions++;
    if (c.status === "assigned" && c.agentId) assignedPerAgent.set(c.agentId, (assignedPerAgent.get(c.agentId) ?? 0) + 1);
  }
  // GET /agents is paginated: follow `next` to the end.
  const agents: { agentId: string; load: number; maxConcurrent: number }[] = [];
  for (let next: string | undefined, first = true; first || next; first = false) {
    const listed = await ctx.bench.api("GET", `/agents?limit=500${next ? `&cursor=${encodeURIComponent(next)}` : ""}`, { as: ctx.supervisor });
    if (listed.status !== 200) throw new Error(`GET /agents answered ${listed.status}`);
    const page = listed.body as { agents: { agentId: string; load: number; maxConcurrent: number }[]; next?: string };
    agents.push(...page.agents);
    next = page.next;
  }
  let overCapacity = 0;
  let loadMismatch = 0;
  for (const a of agents) {
    if (a.load > a.maxConcurrent) {
      overCapacity++;
      note(`agent ${a.agentId}: load ${a.load} > maxConcurrent ${a.maxConcurrent}`);
    }
    const expected = assignedPerAgent.get(a.agentId) ?? 0;
    if (a.load !== expected) {
      loadMismatch++;
      note(`agent ${a.agentId}: load ${a.load}, assigned conversations ${expected}`);
    }
  }
  return { conversations: ids.length, agents: agents.length, ...counts, overCapacity, lost, duplicates, replayedDecisions, loadMismatch, examples };
}

function maybeRound(value: number | undefined, digits = 2): number | undefined {
  return value === undefined ? undefined : round(value, digits);
}

/** The naive baseline sends raw transactions (not through `transact`): read DynamoDB's own reasons. */
function rawCancellationReasons(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((r) => r.Code ?? "None") ?? [];
}

/** The agent's own call on a conversation it holds (`first-response` or `close`), as its console makes it; true on 200. */
export async function agentAct(ctx: RoutingContext, conversationId: string, agentId: string, action: "first-response" | "close"): Promise<boolean> {
  const res = await ctx.bench.api("POST", `/conversations/${conversationId}/${action}`, { as: await ctx.bench.stack.token("agent", agentId) });
  return res.status === 200;
}
