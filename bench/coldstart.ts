/**
 * Cold start: every function of the function list bundled as the CDK bundles it (esbuild,
 * minified, ESM, platform node, target node20, AWS SDK inside, the options of
 * infra/lambda-bundling.ts), then its module-load time: the
 * bundle imported in a fresh `node` process with dummy environment, timed inside that process.
 * Baseline of the same run: a bundle holding only the DynamoDB document client as esbuild bundles
 * it by default, the floor every function that touches the table would pay, imported in
 * alternation with each function; a function's ratio is to the baseline runs beside it. The bare
 * client bundled as deployed is reported beside it.
 *
 * @example
 * const figures = await benchColdStart({ repeats: 3 });
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { functionList } from "../functions/catalog/index.js";
import { queueNames, queueUrlEnvName } from "../functions/catalog/resources.js";
import { esbuildLambdaOptions } from "../infra/lambda-bundling.js";
import { summarize, round, ratio } from "./lib/stats.js";

/** Issue 11's goals: a bundle of at most 500 KB that loads in at most 1.3x the bare document client of the same run. */
export const coldStartGoals = { bytes: 500 * 1024, loadVsBaseline: 1.3 };


export interface ColdStartFunction {
  name: string;
  entry: string;
  bytes: number;
  /** Median module-load time over the repeats, ms. */
  loadMs: number | undefined;
  loadVsBaseline: number | undefined;
  overGoal: boolean;
  error?: string;
}

export interface ColdStartFigures {
  repeats: number;
  baseline: { bytes: number; loadMs: number | undefined };
  /** The same bare client bundled with the deployed aliases: what the SDK alone costs as we ship it. */
  baselineAsDeployed: { bytes: number; loadMs: number | undefined };
  functions: ColdStartFunction[];
  overGoal: string[];
}

const dummyEnv: Record<string, string> = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "dummy",
  AWS_SECRET_ACCESS_KEY: "dummy",
  TABLE_NAME: "bench-coldstart",
  WS_ENDPOINT: "https://example.execute-api.us-east-1.amazonaws.com/live",
  WEBHOOK_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:bench",
  JWT_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench",
  JWKS_URL: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench/.well-known/jwks.json",
  JWT_AUDIENCE: "bench",
  POWERTOOLS_LOG_LEVEL: "SILENT",
  POWERTOOLS_METRICS_DISABLED: "true",
  POWERTOOLS_SERVICE_NAME: "bench",
  POWERTOOLS_METRICS_NAMESPACE: "Bench",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  ...Object.fromEntries(queueNames.map((q) => [queueUrlEnvName(q), `https://sqs.us-east-1.amazonaws.com/000000000000/bench-${q}`])),
};

/**
 * Bundles a file, or source text resolved from `resolveDir`, the way the CDK does (`asDeployed`:
 * with the deployed module aliases too); returns the size in bytes.
 */
async function bundle(entry: string | { contents: string; resolveDir: string }, outfile: string, asDeployed: boolean): Promise<number> {
  await build({
    ...(typeof entry === "string" ? { entryPoints: [entry] } : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: "js" as const } }),
    outfile,
    ...esbuildLambdaOptions(resolve(import.meta.dirname, ".."), { asDeployed }),
  });
  return statSync(outfile).size;
}

/** Imports `file` in a fresh node process; resolves the import time measured inside it, ms. */
function timeImport(file: string, handler: string | undefined): Promise<number> {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); const ms = performance.now() - t;${
    handler ? ` if (typeof m[${JSON.stringify(handler)}] !== "function") { console.error("no handler ${handler}"); process.exit(3); }` : ""
  } console.log(JSON.stringify({ ms }));`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env: { PATH: process.env.PATH ?? "", ...dummyEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").pop() ?? "";
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolvePromise(Number((JSON.parse(line) as { ms: number }).ms));
      } catch {
        reject(new Error(`import failed (exit ${code}): ${err.trim().split("\n").slice(0, 3).join(" | ") || line}`));
      }
    });
  });
}

/**
 * Median load of `file` and of the baseline, timed in alternation (baseline, function, baseline,
 * …), so a neighbour's load on this shared machine weighs on both sides of the ratio alike.
 */
async function pairedLoad(file: string, handler: string, baseline: string, repeats: number): Promise<{ loadMs: number; baselineMs: number[] }> {
  const times: number[] = [];
  const baselineMs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    baselineMs.push(await timeImport(baseline, undefined));
    times.push(await timeImport(file, handler));
  }
  return { loadMs: summarize(times).p50, baselineMs };
}

/** `only`: the names of the functions to measure (all by default), for a quick before/after of a few. */
export async function benchColdStart(options: { repeats: number; only?: readonly string[]; onStep?: (text: string) => void }): Promise<ColdStartFigures> {
  const root = resolve(import.meta.dirname, "..");
  const dir = mkdtempSync(join(tmpdir(), "sqr-coldstart-"));
  try {
    const baselineSource = `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nimport { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";\nexport const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n`;
    // The baseline is the bare client as esbuild bundles it by default (the SDK's whole default
    // credential chain inside); the functions are bundled as deployed (infra/lambda-bundling.ts),
    // and the bare client bundled that way is reported beside it, so the saving is visible.
    const baselineBytes = await bundle({ contents: baselineSource, resolveDir: root }, join(dir, "baseline.mjs"), false);
    const baselineFile = join(dir, "baseline.mjs");
    const deployedBaselineFile = join(dir, "baseline-as-deployed.mjs");
    const deployedBaselineBytes = await bundle({ contents: baselineSource, resolveDir: root }, deployedBaselineFile, true);
    const deployedBaselineSamples: number[] = [];
    const baselineSamples: number[] = [];
    const functions: ColdStartFunction[] = [];
    for (const spec of functionList.filter((f) => options.only === undefined || options.only.includes(f.name))) {
      options.onStep?.(`cold start: ${spec.name} (${spec.entry})`);
      const outfile = join(dir, `${spec.name}.mjs`);
      try {
        const bytes = await bundle(join(root, spec.entry), outfile, true);
        try {
          const paired = await pairedLoad(outfile, spec.handler, baselineFile, options.repeats);
          const { loadMs } = paired;
          baselineSamples.push(...paired.baselineMs);
          deployedBaselineSamples.push(await timeImport(deployedBaselineFile, undefined));
          const baselineMs = summarize(paired.baselineMs).p50;
          functions.push({
            name: spec.name,
            entry: spec.entry,
            bytes,
            loadMs: round(loadMs, 1),
            loadVsBaseline: maybe(ratio(loadMs, baselineMs)),
            overGoal: bytes > coldStartGoals.bytes || loadMs > baselineMs * coldStartGoals.loadVsBaseline,
          });
        } catch (error) {
          functions.push({ name: spec.name, entry: spec.entry, bytes, loadMs: undefined, loadVsBaseline: undefined, overGoal: bytes > coldStartGoals.bytes, error: (error as Error).message });
        }
      } catch (error) {
        functions.push({ name: spec.name, entry: spec.entry, bytes: 0, loadMs: undefined, loadVsBaseline: undefined, overGoal: true, error: `bundle failed: ${(error as Error).message.split("\n")[0] ?? ""}` });
      }
    }
    const baselineMs = baselineSamples.length > 0 ? summarize(baselineSamples).p50 : undefined;
    return {
      repeats: options.repeats,
      baseline: { bytes: baselineBytes, loadMs: baselineMs === undefined ? undefined : round(baselineMs, 1) },
      baselineAsDeployed: { bytes: deployedBaselineBytes, loadMs: deployedBaselineSamples.length > 0 ? round(summarize(deployedBaselineSamples).p50, 1) : undefined },
      functions,
      overGoal: functions.filter((f) => f.overGoal).map((f) => f.name),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function maybe(value: number | undefined): number | undefined {
  return value === undefined ? undefined : round(value, 2);
}
