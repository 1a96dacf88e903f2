/**
 * Turns recorded windows (one unit of work each: a routed conversation, a reservation, a
 * notice's fan-out) into per-unit billed figures and dollars per million at list prices. Pure;
 * unit-tested in tests/unit/aws-billing.test.ts.
 */
import { dollars, type Dollars } from "./aws-billing.js";
import type { BillLine, RecordedCall, RecordedSend } from "./billing-recorder.js";

export interface Window {
  calls: readonly RecordedCall[];
  sends: readonly RecordedSend[];
  /**
   * Invocations in the window that no send explains: the table stream's consumers (one per
   * tumbling window and shard, plus one per full batch), by function.
   */
  streamInvocations?: readonly { function: FunctionInfo; invocations: number }[];
}

export interface FunctionInfo {
  name: string;
  memoryMb: number;
}

export interface WorkModel {
  /** What handles the HTTP request(s) of one unit of work (e.g. the webhook's ConversationsApi). */
  http?: { function: FunctionInfo; requests: number; bytes?: number };
  /** The consumer of each queue (one invocation per message: batches of one, as when work arrives one at a time). */
  consumerOf: (queue: string) => FunctionInfo | undefined;
  /** Other invocations per unit (e.g. one fan-out per notice ÷ its receipts), with their memory. */
  extraInvocations?: readonly { function: FunctionInfo; invocations: number }[];
  /** WebSocket messages per unit that the bench cannot see (its agents have no socket open). */
  webSocketMessages?: number;
  /** Item types read through a per-container cache: shown apart, not in `billedUnits`. */
  amortisedEntities?: ReadonlySet<string>;
  /** Units of work the windows cover in total (default: one per window). */
  units?: number;
  /**
   * Reads and writes per unit that happen outside any window the bench can record (e.g. the
   * sweeper's arrival scan, a schedule that reads each conversation once a minute later), added
   * to the totals and shown as their own breakdown lines.
   */
  modelledLines?: readonly BreakdownLine[];
  /**
   * Queue consumers' invocations as they ran, over all windows (a burst: the batches the event
   * source mapping formed). An observed consumer is billed these invocations, each one receive
   * and one batch delete, instead of one invocation, receive and delete per message.
   */
  observedConsumers?: readonly { function: FunctionInfo; invocations: number }[];
}

export interface BreakdownLine {
  fn: string;
  operation: string;
  action: BillLine["action"];
  entity: string;
  target: string;
  change?: string;
  wru: number;
  rru: number;
}

export interface LambdaUse {
  name: string;
  memoryMb: number;
  invocations: number;
  /**
   * Mean billed duration per invocation, modelled: {@link statedLatencyMs} for each step of its
   * AWS calls in sequence (calls that overlap in time are one step, the slowest counts) plus its
   * own CPU. Deterministic for a code path, so the dollars compare designs, not machine load.
   */
  durationMs: number;
  /** The same invocations' time inside AWS calls as measured locally (interval union; shared, loaded machine: information only). */
  measuredMs: number;
}

/**
 * Stated AWS latencies (ms) behind the modelled Lambda duration: DynamoDB answers single items in
 * single-digit milliseconds, a transaction takes about two round trips, an SQS send ~10 ms; plus
 * ~5 ms of the function's own work per invocation (parsing, validation, HMAC). Estimates, not
 * measurements: at 512 MB every 10 ms is $0.083 per million invocations.
 */
export const statedLatencyMs = { read: 5, write: 6, batch: 10, transaction: 15, sqsSend: 10, cpu: 5 } as const;

function latencyOf(operation: string): number {
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") return statedLatencyMs.transaction;
  if (operation === "BatchWriteItem" || operation === "BatchGetItem") return statedLatencyMs.batch;
  if (operation === "PutItem" || operation === "UpdateItem" || operation === "DeleteItem") return statedLatencyMs.write;
  if (operation.startsWith("Send")) return statedLatencyMs.sqsSend;
  return statedLatencyMs.read;
}

export interface BilledFigures {
  /** Units of work measured. */
  samples: number;
  /** Billed DynamoDB units per unit of work (WRU + RRU), amortised cache reads excluded. */
  billedUnits: number;
  wru: number;
  rru: number;
  /** Cache reads (live settings) per unit, as they fell in the sample: in the dollars, not in `billedUnits`. */
  amortisedUnits: number;
  /** DynamoDB Local's ConsumedCapacity for the same calls (its accounting, not AWS's). */
  localUnits: number;
  /** Calls that returned no consumed capacity from Local (cancelled transactions). */
  callsWithoutLocalFigure: number;
  breakdown: BreakdownLine[];
  sqs: { sent: number; sendRequests: number; consumeRequests: number; requests: number };
  lambda: LambdaUse[];
  httpApiRequests: number;
  webSocketMessages: number;
  /** Dollars per million units of work, all-in, at list prices. */
  dollarsPerMillion: Dollars;
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * A function's AWS calls in one window as steps: calls overlapping in time are one step. Returns
 * the measured time inside calls (the steps' union) and the modelled one (stated latencies).
 */
export function callSteps(calls: readonly { operation: string; startedAt: number; endedAt: number }[]): { steps: number; measuredMs: number; modelledMs: number } {
  const sorted = [...calls].sort((a, b) => a.startedAt - b.startedAt);
  let steps = 0;
  let measuredMs = 0;
  let modelledMs = 0;
  let current: { start: number; end: number; latency: number } | undefined;
  const close = () => {
    if (!current) return;
    steps++;
    measuredMs += current.end - current.start;
    modelledMs += current.latency;
  };
  for (const call of sorted) {
    if (current && call.startedAt < current.end) {
      current.end = Math.max(current.end, call.endedAt);
      current.latency = Math.max(current.latency, latencyOf(call.operation));
    } else {
      close();
      current = { start: call.startedAt, end: call.endedAt, latency: latencyOf(call.operation) };
    }
  }
  close();
  return { steps, measuredMs, modelledMs };
}

/**
 * Per-unit figures over `windows`. SQS consumption is modelled as one ReceiveMessage and one
 * DeleteMessage per message (Lambda's event source mapping at batch size one), unless the
 * consumer's invocations were observed (`observedConsumers`: a burst, where a batch shares them).
 * A function's billed duration is modelled per invocation: calls of one invocation that overlap
 * are one step; concurrent invocations (told apart by the recorded invocation id) are not merged.
 */
export function summarizeWindows(windows: readonly Window[], model: WorkModel): BilledFigures {
  const units = model.units ?? windows.length;
  const per = (n: number) => (units > 0 ? n / units : 0);
  const amortised = model.amortisedEntities ?? new Set<string>();
  const lines = new Map<string, BreakdownLine>();
  let wru = 0;
  let rru = 0;
  let amortisedWru = 0;
  let amortisedRru = 0;
  let localUnits = 0;
  let withoutLocal = 0;
  let sent = 0;
  let sendRequests = 0;
  const invocations = new Map<string, { info: FunctionInfo; invocations: number; modelled: number; measured: number }>();
  const invoke = (info: FunctionInfo, n: number) => {
    const entry = invocations.get(info.name) ?? { info, invocations: 0, modelled: 0, measured: 0 };
    entry.invocations += n;
    invocations.set(info.name, entry);
  };
  for (const extra of model.extraInvocations ?? []) invoke(extra.function, extra.invocations * units);
  for (const modelled of model.modelledLines ?? []) {
    wru += modelled.wru * units;
    rru += modelled.rru * units;
    lines.set(["modelled", modelled.fn, modelled.operation, modelled.entity, modelled.target].join("|"), { ...modelled, wru: modelled.wru * units, rru: modelled.rru * units });
  }
  const observed = new Set((model.observedConsumers ?? []).map((c) => c.function.name));
  let consumeRequests = 0;
  for (const consumer of model.observedConsumers ?? []) {
    invoke(consumer.function, consumer.invocations);
    consumeRequests += 2 * consumer.invocations;
  }
  for (const window of windows) {
    for (const stream of window.streamInvocations ?? []) invoke(stream.function, stream.invocations);
    const byFunction = new Map<string, { calls: RecordedCall[]; sends: RecordedSend[] }>();
    for (const call of window.calls) {
      if (call.localUnits === undefined) withoutLocal++;
      else localUnits += call.localUnits;
      for (const line of call.lines) {
        if (amortised.has(line.entity)) {
          amortisedWru += line.wru;
          amortisedRru += line.rru;
          continue;
        }
        wru += line.wru;
        rru += line.rru;
        const key = [call.fn, call.operation, line.action, line.entity, line.target, line.change ?? "", line.failed ? "failed" : ""].join("|");
        const entry = lines.get(key) ?? { fn: call.fn, operation: call.operation, action: line.action, entity: line.entity, target: line.target, ...(line.change ? { change: line.change } : {}), wru: 0, rru: 0 };
        entry.wru += line.wru;
        entry.rru += line.rru;
        lines.set(key, entry);
      }
      const f = byFunction.get(call.fn) ?? { calls: [], sends: [] };
      f.calls.push(call);
      byFunction.set(call.fn, f);
    }
    for (const send of window.sends) {
      sent += send.messages;
      sendRequests += send.requests;
      const f = byFunction.get(send.fn) ?? { calls: [], sends: [] };
      f.sends.push(send);
      byFunction.set(send.fn, f);
      const consumer = model.consumerOf(send.queue);
      if (consumer && !observed.has(consumer.name)) {
        invoke(consumer, send.messages);
        consumeRequests += 2 * send.messages;
      } else if (!consumer) consumeRequests += 2 * send.messages;
    }
    if (model.http) invoke(model.http.function, model.http.requests);
    for (const [fn, activity] of byFunction) {
      const entry = invocations.get(fn);
      if (!entry) continue;
      const byInvocation = new Map<string, (RecordedCall | RecordedSend)[]>();
      for (const c of [...activity.calls, ...activity.sends]) {
        const calls = byInvocation.get(c.invocation ?? "");
        if (calls) calls.push(c);
        else byInvocation.set(c.invocation ?? "", [c]);
      }
      for (const calls of byInvocation.values()) {
        const steps = callSteps(calls);
        entry.modelled += steps.modelledMs;
        entry.measured += steps.measuredMs;
      }
    }
  }
  // Each invocation adds its own CPU; its calls' steps are spread over its invocations.
  const lambda: LambdaUse[] = [...invocations.values()].map(({ info, invocations: n, modelled, measured }) => ({
    name: info.name,
    memoryMb: info.memoryMb,
    invocations: round(per(n), 4),
    durationMs: round(n > 0 ? statedLatencyMs.cpu + modelled / n : 0, 1),
    measuredMs: round(n > 0 ? measured / n : 0, 1),
  }));
  // HTTP API requests are metered in 512 KB increments.
  const httpPerWindow = model.http ? model.http.requests * Math.max(1, Math.ceil((model.http.bytes ?? 0) / (512 * 1024))) : 0;
  const webSocketMessages = model.webSocketMessages ?? 0;
  const perUnit = {
    wru: per(wru + amortisedWru),
    rru: per(rru + amortisedRru),
    sqsRequests: per(sendRequests + consumeRequests),
    lambda: lambda.map((l) => ({ invocations: l.invocations, memoryMb: l.memoryMb, durationMs: l.durationMs })),
    httpApiRequests: per(httpPerWindow * windows.length),
    webSocketMessages,
  };
  const one = dollars(perUnit);
  const million = (v: number) => round(v * 1e6, 3);
  return {
    samples: units,
    billedUnits: round(per(wru + rru)),
    wru: round(per(wru)),
    rru: round(per(rru)),
    amortisedUnits: round(per(amortisedWru + amortisedRru), 4),
    localUnits: round(per(localUnits)),
    callsWithoutLocalFigure: withoutLocal,
    breakdown: [...lines.values()].map((l) => ({ ...l, wru: round(per(l.wru)), rru: round(per(l.rru)) })).sort((a, b) => b.wru + b.rru - (a.wru + a.rru)),
    sqs: { sent: round(per(sent)), sendRequests: round(per(sendRequests)), consumeRequests: round(per(consumeRequests)), requests: round(per(sendRequests + consumeRequests)) },
    lambda,
    httpApiRequests: round(perUnit.httpApiRequests, 4),
    webSocketMessages,
    dollarsPerMillion: { dynamoDb: million(one.dynamoDb), sqs: million(one.sqs), lambda: million(one.lambda), apiGateway: million(one.apiGateway), total: million(one.total) },
  };
}


/**
 * The floor under a routed conversation's bill (issue 15 item 2): what it would cost if the design
 * wrote nothing but the items its invariants stand on — the accepted conversation (the webhook's
 * put: nothing accepted is lost), the agent and the conversation in the assignment transaction
 * (capacity, no duplicate assignment) — and read only the pool page that chooses, every derived
 * view (indexes, the agent's open list, the aggregates, the known agent, the push's reads)
 * dropped. SQS, API Gateway and the kept calls' functions' Lambda as the run measured them, the design's own parts (the queue
 * between webhook and router, the webhook, the push); `lowerBound` also cuts Lambda to its request
 * charge (no duration at all). If the floor is above a budget, no design of these parts meets it.
 */
export interface BillingFloor {
  billedUnits: number;
  wru: number;
  rru: number;
  /** The breakdown lines kept, as `fn operation entity target`. */
  kept: string[];
  dollarsPerMillion: Dollars;
  /** Dollars per million with Lambda billed its request charge only. */
  lowerBoundDollarsPerMillion: number;
}

/** A breakdown line the floor keeps: a write of the conversation or the agent to the table, or the pool read. */
export function isInvariantLine(line: Pick<BreakdownLine, "action" | "entity" | "target">): boolean {
  const write = line.action === "Put" || line.action === "Update";
  if (line.target === "table" && write) return line.entity === "Conversation" || line.entity === "Agent";
  return line.entity === "Seat" && line.action === "Query";
}

export function billingFloor(figures: Pick<BilledFigures, "breakdown" | "dollarsPerMillion" | "lambda">): BillingFloor {
  const kept = figures.breakdown.filter(isInvariantLine);
  const wru = kept.reduce((sum, l) => sum + l.wru, 0);
  const rru = kept.reduce((sum, l) => sum + l.rru, 0);
  const million = (v: number) => round(v * 1e6, 3);
  const dynamoDb = million(dollars({ wru, rru, sqsRequests: 0, lambda: [], httpApiRequests: 0, webSocketMessages: 0 }).dynamoDb);
  const { sqs, apiGateway } = figures.dollarsPerMillion;
  // The functions the kept calls belong to (the webhook's, the router's): a function whose every call was dropped (the aggregates' stream consumer) goes with them.
  const functions = new Set(kept.map((l) => l.fn));
  const lambdaOf = (durationOf: (l: LambdaUse) => number) => million(dollars({ wru: 0, rru: 0, sqsRequests: 0, lambda: figures.lambda.filter((l) => functions.has(l.name)).map((l) => ({ invocations: l.invocations, memoryMb: l.memoryMb, durationMs: durationOf(l) })), httpApiRequests: 0, webSocketMessages: 0 }).lambda);
  const lambda = lambdaOf((l) => l.durationMs);
  const lambdaRequests = lambdaOf(() => 0);
  return {
    billedUnits: round(wru + rru),
    wru: round(wru),
    rru: round(rru),
    kept: kept.map((l) => `${l.fn} ${l.operation} ${l.entity} ${l.target}`),
    dollarsPerMillion: { dynamoDb, sqs, apiGateway, lambda, total: round(dynamoDb + sqs + apiGateway + lambda, 3) },
    lowerBoundDollarsPerMillion: round(dynamoDb + sqs + apiGateway + lambdaRequests, 3),
  };
}
