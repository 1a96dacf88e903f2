/**
 * Command-line options of `npm run bench`. Pure, unit-tested (tests/unit/bench-lib.test.ts).
 */

export interface BenchArgs {
  help: boolean;
  quick: boolean;
  /** Where to write the figures as JSON (`--json <file>`). */
  json?: string;
  /** Assignment callbacks on (`--callbacks`): a local platform endpoint takes them, so their path is measured and priced too. */
  callbacks?: boolean;
  /** The scale bench (`--scale`): 20,000 agents, 10,000 waiting, a month's rota, metrics, the sweeper's backlog (bench/scale.ts). */
  scale?: boolean;
  /** With `--scale`: only this scenario (`--only shift`: the shift boundary; `--only reoffer`: the re-offer sweep with the 20,000 agents in the table). */
  only?: ScaleScenario;
}

/** Scale scenarios that can run alone: the others take most of a full scale run. */
export const scaleScenarios = ["shift", "reoffer"] as const;
export type ScaleScenario = (typeof scaleScenarios)[number];

export const usage = `Usage: npm run bench -- [--quick] [--callbacks] [--scale [--only shift|reoffer]] [--json <file>] [--help]

Starts its own local stack (in-memory DynamoDB Local, fauxqs, the functions in this process),
measures routing throughput, latency, cost per conversation, notice fan-out, stock reservations
and cold start, checks the invariants, and prints a table. Speed figures are ratios against a
baseline measured in the same run. Cost is shown twice: DynamoDB Local's consumed capacity, and
the units AWS would bill by its rules for the items actually written and read, with dollars per
million at list prices (bench/lib/aws-billing.ts); billed units do not depend on machine load.

  --quick          short run (about a minute): fewer conversations, shorter phases
  --callbacks      assignment callbacks on (a local endpoint answers them 200): the outbox record,
                   its queue and the deliverer are measured and priced with each conversation
  --scale          the scale bench instead (bench/scale.ts): notice fan-out to 20,000 agents, a shift
                   boundary for 10,000, the re-offer sweep, GET /queue with 10,000 waiting, a 500 × 31
                   rota import, routing metrics, the sweeper's 10,000 backlog, each against its AWS
                   limit (with --quick: a tenth of the size)
  --only shift     with --scale: only the shift boundary (the clock and its parts)
  --only reoffer   with --scale: only the unanswered re-offer sweep (the agents seeded, nothing else run)
  --json <file>    also write every figure as JSON to <file>
  --help           this text

Exits 1 when an invariant is broken (over-capacity, lost or duplicate conversations, oversold
stock), 2 on a usage error.`;

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { help: false, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") args.help = true;
    else if (arg === "--quick") args.quick = true;
    else if (arg === "--callbacks") args.callbacks = true;
    else if (arg === "--scale") args.scale = true;
    else if (arg === "--only") {
      const value = argv[++i];
      const scenario = scaleScenarios.find((name) => name === value);
      if (!scenario) throw new UsageError(`--only takes ${scaleScenarios.map((name) => `"${name}"`).join(" or ")} (a scenario of the scale bench), not ${JSON.stringify(value)}`);
      args.only = scenario;
    }
    else if (arg === "--json" || arg?.startsWith("--json=")) {
      const value = arg === "--json" ? argv[++i] : arg.slice("--json=".length);
      if (!value || value.startsWith("--")) throw new UsageError("--json needs a file name, e.g. --json bench.json");
      args.json = value;
    } else throw new UsageError(`Unknown option "${arg}". Try --help.`);
  }
  if (args.only && !args.scale) throw new UsageError("--only selects a scenario of the scale bench: use it with --scale");
  return args;
}
