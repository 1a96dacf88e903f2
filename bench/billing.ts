/**
 * Billed units and dollars per unit of work, as AWS would bill them: a routed conversation
 * (webhook included), a stock reservation, a notice receipt. Each unit runs alone with the
 * billing recorder on (bench/lib/billing-recorder.ts), its calls priced by AWS's rules
 * (bench/lib/aws-billing.ts), DynamoDB Local's own figure beside them. Billed units are
 * deterministic for a given code path and data (item sizes, indexes touched), unlike the speed
 * figures; only the amortised live-settings reads depend on timing and are shown apart.
 *
 * Function modules read their environment when first imported, so everything under
 * `functions/` is imported dynamically, after the stack started.
 *
 * @example
 * const billing = await createBilling(bench);
 * const routed = await billRouting(ctx, billing, 10);
 */
import { randomUUID } from "node:crypto";
import { currentInvocationId } from "../local/invoke.js";
import type { InvocationRecord, LocalStack } from "../local/stack.js";
import { installBillingRecorder, type BillingRecorder, type EntityKeys, type RecordedCall, type RecordedSend } from "./lib/billing-recorder.js";
import { summarizeWindows, type BilledFigures, type BreakdownLine, type FunctionInfo, type Window, type WorkModel } from "./lib/billing-report.js";
import type { TableSchema } from "./lib/aws-billing.js";
import { retryUnavailable } from "./lib/retry.js";
import { signedRequest } from "./lib/signed.js";
import type { BenchStack } from "./lib/stack.js";

export interface Billing {
  recorder: BillingRecorder;
  functionInfo(name: string): FunctionInfo;
  consumerOf(queue: string): FunctionInfo | undefined;
  /** The function serving an HTTP route, e.g. `POST /webhooks/conversations`. */
  routeFunction(method: string, path: string): FunctionInfo;
  /** Every invocation of the local stack's functions while `work` runs, with its result. */
  invocationsDuring<T>(work: () => Promise<T>): Promise<{ result: T; invocations: InvocationRecord[] }>;
  /** The functions reading the table's stream (their invocations are not caused by a send). */
  streamFunctions: ReadonlySet<string>;
  /** Resolves once the stream's consumers have taken every write so far (local/streams.ts). */
  streamsSettled(): Promise<void>;
  stop(): void;
}

/** Item types read through a per-container cache (functions/settings/current.ts): amortised, shown apart. */
const amortisedEntities = new Set(["LiveSettings"]);

export async function createBilling(bench: BenchStack): Promise<Billing> {
  const table = await import("../functions/shared/table/index.js");
  const { sqs } = await import("../functions/shared/sqs.js");
  const { functionEnv } = await import("../functions/shared/env.js");
  const { functionList } = await import("../functions/catalog/index.js");
  const { appTable } = await import("../functions/catalog/resources.js");
  const { planFunction } = await import("../infra/function-plan.js");

  // Each index is priced by the projection appTable declares (the one the CDK and the local stack create).
  const schema: TableSchema = {
    partitionKey: appTable.partitionKey,
    sortKey: appTable.sortKey,
    indexes: appTable.globalSecondaryIndexes.map((i) => ({ name: i.indexName, partitionKey: i.partitionKey, sortKey: i.sortKey, projection: i.projection })),
  };
  const entities: EntityKeys[] = table.registry.map((e) => ({ type: e.type, pk: e.pk, sk: e.sk, indexes: Object.values((e.indexes ?? {}) as Record<string, { index: string; pk: string; sk: string }>).map((i) => ({ index: i.index, pk: i.pk, sk: i.sk })) }));
  const urls = Object.entries(bench.stack.queueUrls) as [string, string][];
  const recorder = installBillingRecorder({
    dynamo: table.dynamo,
    sqs: sqs(),
    endpoint: bench.stack.dynamoEndpoint,
    tableName: bench.stack.tableName,
    table: schema,
    entities,
    functionName: () => functionEnv().AWS_LAMBDA_FUNCTION_NAME,
    invocationOf: currentInvocationId,
    queueOf: (url) => urls.find(([, u]) => u === url)?.[0] ?? url.split("/").pop() ?? url,
  });
  const info = (name: string): FunctionInfo => {
    const spec = functionList.find((f) => f.name === name);
    if (!spec) throw new Error(`No function ${name} in the function list`);
    return { name, memoryMb: planFunction(spec).memoryMb };
  };
  return {
    recorder,
    functionInfo: info,
    consumerOf: (queue) => {
      const spec = functionList.find((f) => f.triggers.some((t) => t.kind === "queue" && t.queue === queue));
      return spec ? info(spec.name) : undefined;
    },
    routeFunction: (method, path) => {
      const spec = functionList.find((f) => f.triggers.some((t) => t.kind === "http" && t.method === method && t.path === path));
      if (!spec) throw new Error(`No function serves ${method} ${path}`);
      return info(spec.name);
    },
    streamFunctions: new Set(functionList.filter((f) => f.triggers.some((t) => t.kind === "stream")).map((f) => f.name)),
    streamsSettled: () => bench.stack.streamsSettled(),
    invocationsDuring: async (work) => {
      const invocations: InvocationRecord[] = [];
      const unsubscribe = bench.stack.onInvocation((record) => invocations.push(record));
      try {
        return { result: await work(), invocations };
      } finally {
        unsubscribe();
      }
    },
    stop: () => recorder.uninstall(),
  };
}

/**
 * Runs `work` alone with the recorder on and returns what it recorded, once the stack is quiet
 * again and the table stream's consumers have written what the work's writes feed (the hourly
 * aggregates, the arrival counts), with those consumers' invocations.
 */
async function recordOne(billing: Billing, work: () => Promise<boolean>): Promise<Window | undefined> {
  const { recorder } = billing;
  // Let any earlier activity (a drain, a late push, the last window's aggregates) finish before the window opens.
  await billing.streamsSettled();
  await recorder.quiet(200, 5_000);
  recorder.active = true;
  try {
    const mark = recorder.mark();
    const { result: counted, invocations } = await billing.invocationsDuring(async () => {
      const done = await work();
      await recorder.quiet(300, 10_000);
      await billing.streamsSettled();
      await recorder.quiet(300, 10_000);
      return done;
    });
    const streamCounts = new Map<string, number>();
    for (const i of invocations) if (billing.streamFunctions.has(i.functionName)) streamCounts.set(i.functionName, (streamCounts.get(i.functionName) ?? 0) + 1);
    const window: Window = { ...recorder.since(mark), streamInvocations: [...streamCounts].map(([name, n]) => ({ function: billing.functionInfo(name), invocations: n })) };
    return counted ? window : undefined;
  } finally {
    recorder.active = false;
  }
}

export interface RoutingBillingContext {
  postConversation(): Promise<string | undefined>;
  waitDecision(conversationId: string, timeoutMs: number): Promise<{ outcome: string; agentId?: string } | undefined>;
}

/** What the agent does with a conversation it was given: its first response, then the close. */
export interface ConversationLifeContext extends RoutingBillingContext {
  firstResponse(conversationId: string, agentId: string): Promise<boolean>;
  close(conversationId: string, agentId: string): Promise<boolean>;
}

/**
 * `count` conversations through their whole life, one at a time: webhook → assigned → the agent's
 * first response → the agent's close (its slot freed: a drain of the empty waiting line), each
 * priced with what the table stream's consumer writes for it. The routed figure stops at the
 * assignment; this is what a conversation costs the shop from its arrival to its end.
 */
export async function billConversationLife(ctx: ConversationLifeContext, billing: Billing, count: number): Promise<BilledFigures> {
  const windows = await recordEach(billing, count, ctx, async (id, decision) => decision.agentId !== undefined && (await ctx.firstResponse(id, decision.agentId)) && (await ctx.close(id, decision.agentId)));
  // Three HTTP requests (the webhook, the agent's two); the assignment's push to the agent.
  return summarizeWindows(windows, { ...routingModel(billing), http: { function: billing.routeFunction("POST", "/webhooks/conversations"), requests: 3 }, webSocketMessages: 1 });
}

/**
 * `count` conversations posted one at a time, each recorded alone until assigned and, if given,
 * through `then` (what happens to it after): the windows of those that got that far.
 */
async function recordEach(billing: Billing, count: number, ctx: RoutingBillingContext, then?: (conversationId: string, decision: { agentId?: string }) => Promise<boolean>): Promise<Window[]> {
  const windows: Window[] = [];
  for (let i = 0; i < count; i++) {
    const window = await recordOne(billing, async () => {
      const id = await ctx.postConversation();
      if (!id) return false;
      const decision = await ctx.waitDecision(id, 15_000);
      if (decision?.outcome !== "assigned") return false;
      return then ? then(id, decision) : true;
    });
    if (window) windows.push(window);
  }
  return windows;
}

/**
 * `count` conversations, one at a time, webhook → router → assignment committed → push, each
 * priced. The push is modelled as one WebSocket message (an agent with one console open; the
 * bench's agents have none).
 */
export async function billRouting(ctx: RoutingBillingContext, billing: Billing, count: number): Promise<BilledFigures> {
  const windows = await recordEach(billing, count, ctx);
  return summarizeWindows(windows, { ...routingModel(billing), http: { function: billing.routeFunction("POST", "/webhooks/conversations"), requests: 1 }, webSocketMessages: 1 });
}

/**
 * `count` conversations arriving at once, as in a rush: posted concurrently, routed in the batches
 * the pollers form (Lambda's event source mapping), priced together and divided by the assigned
 * ones. Shared reads (a batch's pool read, the supervisors' connections once per invocation) and
 * the batch's one receive and one delete are then spread over its conversations, as AWS bills a
 * rush; one at a time ({@link billRouting}) nothing is shared. `batchSizes`: records per Router
 * invocation.
 */
export async function billRoutingBurst(ctx: RoutingBillingContext, billing: Billing, count: number): Promise<BilledFigures & { assigned: number; batchSizes: number[] }> {
  let assigned = 0;
  let routerCalls: InvocationRecord[] = [];
  const window = await recordOne(billing, async () => {
    const { result, invocations } = await billing.invocationsDuring(async () => {
      const ids = (await Promise.all(Array.from({ length: count }, () => ctx.postConversation()))).filter((id): id is string => id !== undefined);
      const decisions = await Promise.all(ids.map((id) => ctx.waitDecision(id, 30_000)));
      // Whatever the pollers still run (a drain, a push) belongs to the burst too.
      await billing.recorder.quiet(300, 10_000);
      return decisions.filter((d) => d?.outcome === "assigned").length;
    });
    assigned = result;
    routerCalls = invocations.filter((i) => i.records > 0);
    return assigned > 0;
  });
  if (!window) throw new Error("billing: no conversation of the burst was assigned");
  const consumers = new Map<string, number>();
  for (const call of routerCalls) consumers.set(call.functionName, (consumers.get(call.functionName) ?? 0) + 1);
  const figures = summarizeWindows([window], {
    ...routingModel(billing),
    units: assigned,
    http: { function: billing.routeFunction("POST", "/webhooks/conversations"), requests: count },
    webSocketMessages: 1,
    observedConsumers: [...consumers].map(([name, invocations]) => ({ function: billing.functionInfo(name), invocations })),
  });
  return { ...figures, assigned, batchSizes: routerCalls.filter((c) => c.functionName === "Router").map((c) => c.records) };
}

function model(billing: Billing): Pick<WorkModel, "consumerOf" | "amortisedEntities"> {
  return { consumerOf: billing.consumerOf, amortisedEntities };
}

/**
 * What the sweeper's arrival scan reads per conversation, a minute after it arrived and outside
 * any window the bench records (store/arrival-scan.ts): its item once in a BatchGet (eventually
 * consistent, ≤ 4 KB: 0.5 RRU) and its share of the keys-only page of gsi4 (500 keys of ~100 B in
 * ~12 pages of 4 KB at 0.5 RRU: ~0.012). The run's own invocation, once a minute, is left out.
 */
export const sweeperArrivalScan: readonly BreakdownLine[] = [
  { fn: "RoutingSweeper", operation: "BatchGetItem", action: "Get", entity: "Conversation", target: "table (modelled: arrival scan)", wru: 0, rru: 0.5 },
  { fn: "RoutingSweeper", operation: "Query", action: "Query", entity: "Conversation", target: "gsi4 (modelled: arrival scan)", wru: 0, rru: 0.012 },
];

/** A routed conversation's model: the shared one and the sweeper's later read of each arrival. */
function routingModel(billing: Billing): Pick<WorkModel, "consumerOf" | "amortisedEntities" | "modelledLines"> {
  return { ...model(billing), modelledLines: sweeperArrivalScan };
}

/** `count` single-line reservations of one unit on a fresh SKU, one at a time, through `POST /stock/reservations`. */
export async function billStockReservations(stack: Pick<LocalStack, "url" | "webhookSecret">, billing: Billing, count: number): Promise<BilledFigures> {
  const run = randomUUID().slice(0, 8);
  const signed = async (method: string, path: string, body: unknown) => (await signedRequest(stack, method, path, body, { timeoutMs: 30_000 })).status;
  const sku = `bill-${run}`;
  const stocked = await signed("PUT", `/stock/${sku}/warehouse`, { onHand: 1_000_000, seq: 1 });
  if (stocked !== 200) throw new Error(`billing: warehouse update for ${sku} answered ${stocked}`);
  const windows: Window[] = [];
  for (let i = 0; i < count; i++) {
    const window = await recordOne(billing, async () => (await signed("POST", "/stock/reservations", { orderId: `bill-${run}-${i}`, lines: [{ sku, qty: 1 }] })) === 201);
    if (window) windows.push(window);
  }
  return summarizeWindows(windows, { ...model(billing), http: { function: billing.routeFunction("POST", "/stock/reservations"), requests: 1 } });
}

/**
 * One notice fanned out to `agents` on-duty agents of their own skill, priced per receipt
 * (delivery). The fan-out reads every on-duty profile in the table, so the figure depends on how
 * many are on duty: `onDuty` says how many were. One WebSocket nudge per receipt is modelled.
 */
export async function billNoticeReceipts(stack: LocalStack, billing: Billing, agents: number): Promise<BilledFigures & { targeted: number }> {
  const { newAgent } = await import("../functions/agents/domain.js");
  const { agentWriteOps } = await import("../functions/agents/store.js");
  const { batchWrite, transact } = await import("../functions/shared/table/index.js");
  const { publishOps } = await import("../functions/notices/store/index.js");
  const { fanOutNotice } = await import("../functions/notices/use-cases/index.js");
  const now = new Date();
  const run = randomUUID().slice(0, 8);
  const skill = "aftersale" as const;
  const profiles: Record<string, unknown>[] = [];
  for (let i = 0; i < agents; i++) {
    const agent = {
      ...newAgent({ agentId: `bill-${run}-${i}`, name: `Billing ${i}`, skills: [skill], maxConcurrent: 5 }, "bench", now),
      onDuty: true,
      shift: { shiftId: "bench", from: now.toISOString(), to: new Date(now.getTime() + 8 * 3_600_000).toISOString() },
    };
    const item = agentWriteOps(undefined, agent)[0]?.Put?.Item;
    if (item) profiles.push(item);
  }
  await retryUnavailable(() => batchWrite(profiles.map((Item) => ({ PutRequest: { Item } }))));
  const noticeId = `n.bill-${run}`;
  await retryUnavailable(() => transact(
    publishOps({ noticeId, title: "Billing notice", body: "Coupon threshold 300 → 200 from 20:00", urgency: "important", targetSkills: [skill], publishedAt: now.toISOString(), publishedBy: "bench", expiresAt: new Date(now.getTime() + 3_600_000).toISOString() }),
  ));
  let targeted = 0;
  const window = await recordOne(billing, async () => {
    const result = await stack.runAs("NoticeFanout", () => fanOutNotice(noticeId, new Date()));
    targeted = result.targeted;
    return result.targeted > 0;
  });
  if (!window) throw new Error("billing: the notice fan-out targeted nobody");
  const figures = summarizeWindows([window], { ...model(billing), units: targeted, extraInvocations: [{ function: billing.functionInfo("NoticeFanout"), invocations: 1 / targeted }], webSocketMessages: 1 });
  return { ...figures, targeted };
}

export type { BilledFigures, RecordedCall, RecordedSend };
