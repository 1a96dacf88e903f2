/**
 * `npm run simulate`: runs a whole customer-service day on a virtual clock with the router's own
 * policy and reports, per interval, arrivals, assignments, waits, service levels and occupancy;
 * writes `simulation.json` and `simulation.svg`. The question it answers: "is my rota enough
 * for the 20:00 peak?". See docs/simulator.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DateTime } from "luxon";
import { simulate } from "./simulator/engine.js";
import { buildReport, formatTable, formatVerdict } from "./simulator/report.js";
import { applyRotaFile, loadScenario, prepare, ScenarioError } from "./simulator/scenario.js";
import { renderSvg } from "./simulator/svg.js";

const defaultScenario = fileURLToPath(new URL("./simulator/scenarios/double11.json", import.meta.url));
const defaultOut = fileURLToPath(new URL("./results/", import.meta.url));

const help = `Usage: npm run simulate -- [options]

Simulates one day of chat routing on a virtual clock, with the router's own policy
(functions/routing/policy.ts), a forecast, handle times, agents and a rota.

Options:
  --scenario <file>   scenario JSON (default: bench/simulator/scenarios/double11.json)
  --rota <file>       replace the scenario's rota: JSON in the rota API format
                      ({shifts, assignments, patterns, agents?}) or CSV agent,date,shift
  --seed <n>          random seed (default 1); same seed + same scenario = same day
  --interval <min>    report interval in minutes, 5-240 (default 30)
  --out <dir>         where to write simulation.json and simulation.svg (default bench/results/)
  --quiet             no progress lines
  -h, --help          this text

Example: is the rota enough for the 20:00 peak?
  npm run simulate -- --seed 7 --interval 60
  npm run simulate -- --rota my-rota.csv
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\nRun with --help for usage.\n`);
  process.exit(2);
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        scenario: { type: "string" },
        rota: { type: "string" },
        seed: { type: "string", default: "1" },
        interval: { type: "string", default: "30" },
        out: { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(help);
    return;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) fail(`--seed must be an integer 0…4294967295, got "${values.seed}"`);
  const interval = Number(values.interval);
  if (!Number.isInteger(interval) || interval < 5 || interval > 240) fail(`--interval must be whole minutes between 5 and 240, got "${values.interval}"`);
  const scenarioPath = resolve(values.scenario ?? defaultScenario);
  const outDir = resolve(values.out ?? defaultOut);

  const started = performance.now();
  let prepared;
  try {
    let scenario = loadScenario(scenarioPath);
    if (values.rota) scenario = applyRotaFile(scenario, resolve(values.rota));
    prepared = prepare(scenario);
  } catch (error) {
    if (error instanceof ScenarioError) fail(`Scenario problem in ${error.message}`);
    if (error instanceof Error && "code" in error && error.code === "ENOENT") fail(`No such file: ${(error as Error & { path?: string }).path ?? error.message}`);
    throw error;
  }
  const { scenario } = prepared;
  const zone = scenario.timeZone;
  const local = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat("HH:mm");
  const log = (line: string) => {
    if (!values.quiet) process.stdout.write(`${line}\n`);
  };
  log(`Scenario "${scenario.name}": ${scenario.date} in ${zone}, ${prepared.agents.length} agents, forecast ${Math.round(prepared.forecast.reduce((s, f) => s + f.expected, 0))} conversations, seed ${seed}`);

  let lastArrivals = 0;
  let lastProgress = prepared.dayStart;
  const label = (ms: number) => (ms >= prepared.dayEnd ? `${local(ms)} (+1 day)` : local(ms));
  const result = simulate({
    ...prepared.engine,
    seed,
    progressEveryMs: 3 * 3_600_000,
    onProgress: (now, state) => {
      log(`  simulated ${label(lastProgress)} … ${label(now)}: ${state.arrivals - lastArrivals} arrivals, ${state.waiting} waiting at ${label(now)}, ${state.busySlots}/${state.staffedSlots} slots busy`);
      lastArrivals = state.arrivals;
      lastProgress = now;
    },
  });
  const leftWaiting = result.conversations.filter((c) => c.assignedAt === undefined && c.abandonedAt === undefined).length;
  log(
    `  simulated ${label(lastProgress)} … ${label(result.endedAt)}: ${result.conversations.length - lastArrivals} arrivals; run ended ${leftWaiting === 0 ? "with nobody waiting" : `with ${leftWaiting} still waiting (tail of ${scenario.tailHours} h exhausted)`}`,
  );
  const simulatedMs = performance.now() - started;
  const report = buildReport(prepared, result, seed, interval);

  process.stdout.write(`\n${formatTable(report)}\n\n`);
  process.stdout.write(
    "Columns: fcst = forecast arrivals; arr/asgn = arrivals / assignments in the interval; waited = share finding no free slot;\n" +
      "mean/p90 = wait of answered conversations by arrival interval; ≤20s/≤3min = share of arrivals answered that fast;\n" +
      "unans = never answered by the end of the run; occ = busy slots / slots on duty; agents, slots = on duty (average);\n" +
      "erlang = chat slots Erlang C asks for the forecast at the target; maxQ = longest waiting line.\n\n",
  );
  process.stdout.write(`${formatVerdict(report)}\n\n`);

  mkdirSync(outDir, { recursive: true });
  const jsonPath = join(outDir, "simulation.json");
  const svgPath = join(outDir, "simulation.svg");
  writeFileSync(jsonPath, `${JSON.stringify({ ...report, scenarioFile: relative(process.cwd(), scenarioPath), rotaFile: values.rota ?? null, events: result.events }, null, 2)}\n`);
  writeFileSync(svgPath, renderSvg(report, prepared.dayStart, prepared.dayEnd));
  const shown = (path: string) => (relative(process.cwd(), path).startsWith("..") ? path : relative(process.cwd(), path));
  process.stdout.write(`Wrote ${shown(jsonPath)} and ${shown(svgPath)} (${result.events} events simulated in ${(simulatedMs / 1000).toFixed(1)} s)\n`);
}

main();
