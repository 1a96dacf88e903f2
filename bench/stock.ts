/**
 * Stock reservation benchmark: reservations per second through the HTTP API on one hot SKU and
 * spread over many SKUs, with N concurrent clients, against a same-run baseline — the raw
 * conditional-write rate of DynamoDB Local (a bare `UpdateItem` with `ADD … IF n >= 1`) at the
 * same concurrency, measured right before and right after the hot phase (both warmed up first).
 * Figures are ratios, since these machines are shared and noisy; CPU per operation of this
 * process and of DynamoDB Local's JVM says which side saturates. A final
 * phase races far more orders than there is stock on one SKU and counts oversold units (must be 0).
 *
 * Self-contained: give it a started local stack (URL, webhook secret, DynamoDB endpoint, table);
 * it creates its own SKUs and bench items, and takes about 20 s with the defaults.
 *
 * @example
 * const stack = await startLocalStack({ ... });
 * console.log(formatStockBench(await benchStock(stack)));
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { cpuMeter, type CpuPerOp } from "./lib/cpu.js";
import { signedRequest } from "./lib/signed.js";

export interface StockBenchStack {
  url: string;
  webhookSecret: string;
  token(role: "supervisor" | "agent", sub: string): Promise<string>;
  dynamoEndpoint: string;
  tableName: string;
}

export interface StockBenchOptions {
  /** Concurrent clients in every phase (default 16). */
  concurrency?: number;
  /** Length of each throughput phase in ms (default 3,500). */
  phaseMs?: number;
  /** SKUs of the "many SKUs" phase (default 50). */
  skus?: number;
  /** Stock of the oversell phase (default 30); 4× as many orders race for it. */
  scarceStock?: number;
}

export interface PhaseFigures {
  ops: number;
  perSecond: number;
  /**
   * CPU per successful operation (ms): this process (bench clients, gateway, functions) and
   * DynamoDB Local's JVM (a child of this process; absent where /proc is not readable). Says
   * which of the two saturates; both share the machine's cores.
   */
  cpuMsPerOp?: CpuPerOp;
  /** Requests answered 409 (out of stock) or 503 (contention); neither is an error. */
  refused: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
}

export interface StockBench {
  name: "stock-reservations";
  concurrency: number;
  hotSku: PhaseFigures;
  manySkus: PhaseFigures;
  /** Baseline: bare conditional UpdateItem on one item, same concurrency; the mean of the two brackets around the hot phase. */
  rawConditionalWrite: PhaseFigures;
  /** The baseline measured just before and just after the hot-SKU phase (machine load drifts). */
  rawBrackets: { before: PhaseFigures; after: PhaseFigures };
  /**
   * The same signed POST with an invalid body (answered 400 before any store call): what the HTTP
   * path alone (client, gateway, signature, validation) costs, the floor under any reservation design.
   */
  httpFloor: PhaseFigures;
  ratios: { hotVsRaw: number; manyVsRaw: number; hotVsMany: number; httpFloorVsRaw: number };
  oversell: { stock: number; attempts: number; succeeded: number; reservedAfter: number; oversoldUnits: number };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Two measurements of the same thing as one: counts added, rates and latencies averaged. */
function meanOf(a: PhaseFigures, b: PhaseFigures): PhaseFigures {
  const mean = (x: number, y: number) => Math.round(((x + y) / 2) * 100) / 100;
  const cpu = a.cpuMsPerOp && b.cpuMsPerOp ? { node: mean(a.cpuMsPerOp.node, b.cpuMsPerOp.node), dynamo: a.cpuMsPerOp.dynamo === undefined || b.cpuMsPerOp.dynamo === undefined ? undefined : mean(a.cpuMsPerOp.dynamo, b.cpuMsPerOp.dynamo) } : undefined;
  return {
    ops: a.ops + b.ops,
    perSecond: Math.round((a.perSecond + b.perSecond) / 2),
    ...(cpu ? { cpuMsPerOp: cpu } : {}),
    refused: a.refused + b.refused,
    errors: a.errors + b.errors,
    p50Ms: Math.round((a.p50Ms + b.p50Ms) / 2),
    p95Ms: Math.round((a.p95Ms + b.p95Ms) / 2),
  };
}

/** Runs `op` from `concurrency` loops for `ms`; `op` returns "ok" | "refused" | "error". */
async function phase(concurrency: number, ms: number, op: (client: number) => Promise<"ok" | "refused" | "error">): Promise<PhaseFigures> {
  const latencies: number[] = [];
  let ops = 0;
  let refused = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + ms;
  const cpuSince = cpuMeter();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, client) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const outcome = await op(client).catch(() => "error" as const);
        latencies.push(performance.now() - t);
        if (outcome === "ok") ops += 1;
        else if (outcome === "refused") refused += 1;
        else errors += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPerOp = cpuSince.perOp(ops);
  latencies.sort((a, b) => a - b);
  return { ops, perSecond: Math.round(ops / seconds), cpuMsPerOp, refused, errors, p50Ms: Math.round(percentile(latencies, 50)), p95Ms: Math.round(percentile(latencies, 95)) };
}

export async function benchStock(stack: StockBenchStack, options: StockBenchOptions = {}): Promise<StockBench> {
  const concurrency = options.concurrency ?? 16;
  const phaseMs = options.phaseMs ?? 3_500;
  const skuCount = options.skus ?? 50;
  const scarceStock = options.scarceStock ?? 30;
  const run = randomUUID().slice(0, 8);

  const signed = (method: string, path: string, body: unknown) => signedRequest(stack, method, path, body);

  const stockUp = async (sku: string, onHand: number) => {
    // A loaded machine can time a DynamoDB call out (503): setup retries, the phases count it.
    for (let attempt = 1; ; attempt++) {
      const res = await signed("PUT", `/stock/${sku}/warehouse`, { onHand, seq: 1 });
      if (res.status === 200) return;
      if (res.status !== 503 || attempt === 5) throw new Error(`benchStock: warehouse update for ${sku} failed with ${res.status}`);
    }
  };
  const reserve = async (sku: string): Promise<"ok" | "refused" | "error"> => {
    const res = await signed("POST", "/stock/reservations", { orderId: `bench-${run}-${randomUUID()}`, lines: [{ sku, qty: 1 }] });
    return res.status === 201 ? "ok" : res.status === 409 || res.status === 503 ? "refused" : "error";
  };

  // (b) baseline: bare conditional decrement of one DynamoDB Local item, same concurrency.
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: process.env.AWS_REGION ?? "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } }));
  const rawKey = { pk: `BENCH#stock#${run}`, sk: "RAW" };
  await dynamo.send(new PutCommand({ TableName: stack.tableName, Item: { ...rawKey, n: 10_000_000 } }));
  const raw = async (): Promise<"ok"> => {
    await dynamo.send(
      new UpdateCommand({ TableName: stack.tableName, Key: rawKey, UpdateExpression: "ADD n :minus", ConditionExpression: "n >= :one", ExpressionAttributeValues: { ":minus": -1, ":one": 1 } }),
    );
    return "ok";
  };

  // (a) one hot SKU, plenty of stock: the rate the single counter item allows. Both paths are
  // warmed first (JIT, connections), and the baseline is measured right before and right after.
  const hot = `bench-${run}-hot`;
  await stockUp(hot, 10_000_000);
  await phase(concurrency, phaseMs / 2, () => reserve(hot));
  await phase(concurrency, phaseMs / 2, raw);
  const rawBefore = await phase(concurrency, phaseMs / 2, raw);
  const hotSku = await phase(concurrency, phaseMs, () => reserve(hot));
  const rawAfter = await phase(concurrency, phaseMs / 2, raw);
  const httpFloor = await phase(concurrency, phaseMs / 2, async () => {
    const res = await signed("POST", "/stock/reservations", { orderId: "floor", lines: [] });
    return res.status === 400 ? "ok" : "error";
  });
  const rawConditionalWrite = meanOf(rawBefore, rawAfter);
  dynamo.destroy();

  // (a') many SKUs: the same load spread, so no item is hot.
  const skus = Array.from({ length: skuCount }, (_, i) => `bench-${run}-s${i}`);
  for (let i = 0; i < skus.length; i += 10) await Promise.all(skus.slice(i, i + 10).map((sku) => stockUp(sku, 10_000_000)));
  const manySkus = await phase(concurrency, phaseMs, () => reserve(skus[Math.floor(Math.random() * skus.length)] ?? hot));

  // (c) scarce stock, 4× the orders racing for it: nothing may be oversold.
  const scarce = `bench-${run}-scarce`;
  await stockUp(scarce, scarceStock);
  const attempts = scarceStock * 4;
  let next = 0;
  let succeeded = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < attempts) {
        next += 1;
        if ((await reserve(scarce)) === "ok") succeeded += 1;
      }
    }),
  );
  const supervisor = await stack.token("supervisor", `bench-${run}`);
  const read = await fetch(`${stack.url}/stock/${scarce}`, { headers: { authorization: `Bearer ${supervisor}` } });
  const after = (await read.json()) as { reserved?: number };
  const reservedAfter = Number(after.reserved ?? Number.NaN);

  const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000);
  return {
    name: "stock-reservations",
    concurrency,
    hotSku,
    manySkus,
    rawConditionalWrite,
    rawBrackets: { before: rawBefore, after: rawAfter },
    httpFloor,
    ratios: { hotVsRaw: ratio(hotSku.perSecond, rawConditionalWrite.perSecond), manyVsRaw: ratio(manySkus.perSecond, rawConditionalWrite.perSecond), hotVsMany: ratio(hotSku.perSecond, manySkus.perSecond), httpFloorVsRaw: ratio(httpFloor.perSecond, rawConditionalWrite.perSecond) },
    oversell: { stock: scarceStock, attempts, succeeded, reservedAfter, oversoldUnits: Math.max(0, succeeded - scarceStock, reservedAfter - scarceStock) },
  };
}

/** One readable block for `npm run bench`. */
export function formatStockBench(b: StockBench): string {
  const cpu = (f: PhaseFigures) => (f.cpuMsPerOp ? `  cpu/op node ${f.cpuMsPerOp.node} ms, dynamo ${f.cpuMsPerOp.dynamo ?? "?"} ms` : "");
  const line = (name: string, f: PhaseFigures) => `  ${name.padEnd(24)} ${String(f.perSecond).padStart(6)}/s  p50 ${f.p50Ms} ms  p95 ${f.p95Ms} ms  (ok ${f.ops}, refused ${f.refused}, errors ${f.errors})${cpu(f)}`;
  return [
    `stock reservations, ${b.concurrency} concurrent clients`,
    line("hot SKU (HTTP)", b.hotSku),
    line("many SKUs (HTTP)", b.manySkus),
    line("raw conditional write", b.rawConditionalWrite),
    `    (raw just before the hot phase ${b.rawBrackets.before.perSecond}/s, just after ${b.rawBrackets.after.perSecond}/s)`,
    line("HTTP floor (400, no store)", b.httpFloor),
    `  ratios: hot/raw ${b.ratios.hotVsRaw}, many/raw ${b.ratios.manyVsRaw}, hot/many ${b.ratios.hotVsMany}, HTTP floor/raw ${b.ratios.httpFloorVsRaw}`,
    `  oversell: ${b.oversell.succeeded} of ${b.oversell.attempts} orders held for ${b.oversell.stock} units, reserved ${b.oversell.reservedAfter}, oversold ${b.oversell.oversoldUnits}`,
  ].join("\n");
}
