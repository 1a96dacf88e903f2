/**
 * `npx tsx bench/stock-only.ts [--quick] [--runs N] [--json <file>]`: the stock phase of
 * `npm run bench` alone (hot SKU, many SKUs, raw conditional write in the same run, the oversell
 * race) plus the reservations priced by AWS's rules, on its own local stack. For working on the
 * reservation path without the minutes the routing phases take; `npm run bench` stays the figure
 * of record. `--runs N` repeats the throughput phases N times on the same stack (each run is its
 * own same-run ratio).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { writeFileSync } from "node:fs";
import { billStockReservations, createBilling } from "./billing.js";
import { startBenchStack } from "./lib/stack.js";
import { benchStock, formatStockBench, type StockBench } from "./stock.js";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const runsAt = argv.indexOf("--runs");
const runs = runsAt >= 0 ? Math.max(1, Number(argv[runsAt + 1] ?? "1")) : 1;
const jsonAt = argv.indexOf("--json");
const json = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;

const bench = await startBenchStack();
const results: { runs: StockBench[]; billing?: unknown } = { runs: [] };
try {
  for (let i = 0; i < runs; i++) {
    const figures = await benchStock(bench.stack, { phaseMs: quick ? 1_500 : 4_000 });
    results.runs.push(figures);
    process.stdout.write(`${formatStockBench(figures)}\n`);
  }
  const billing = await createBilling(bench);
  try {
    const billed = await billStockReservations(bench.stack, billing, quick ? 5 : 10);
    results.billing = billed;
    process.stdout.write(`billed per reservation: ${billed.billedUnits} units (${billed.wru} WRU + ${billed.rru} RRU), DynamoDB Local says ${billed.localUnits}; $${billed.dollarsPerMillion.total} per million\n`);
    for (const line of billed.breakdown) process.stdout.write(`  ${line.fn} ${line.operation} ${line.action} ${line.entity} ${line.target}${line.change ? ` (${line.change})` : ""}: ${line.wru} WRU ${line.rru} RRU\n`);
    process.stdout.write(`  sqs ${JSON.stringify(billed.sqs)}\n`);
  } finally {
    billing.stop();
  }
} finally {
  await bench.stop();
}
if (json) writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
