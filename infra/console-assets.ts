/**
 * The console's build for a deploy: `cdk synth` (infra/app.ts) builds console/ with Vite into
 * console/dist every time (about a second, offline), so what is deployed is what the sources say;
 * a stale or missing build can never be shipped. The template tests build nothing (a placeholder).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./stateless-stack.js";

export const consoleDist = join(repoRoot, "console", "dist");

export function builtConsole(): string {
  const vite = join(repoRoot, "node_modules", "vite", "bin", "vite.js");
  // stdout is the cloud assembly's channel for some CDK commands: the build reports on stderr.
  execFileSync(process.execPath, [vite, "build", join(repoRoot, "console"), "--logLevel", "warn"], { cwd: repoRoot, stdio: ["ignore", process.stderr, process.stderr] });
  if (!existsSync(join(consoleDist, "index.html"))) throw new Error(`The console build wrote no ${join(consoleDist, "index.html")}; run \`npx vite build console\` to see why.`);
  return consoleDist;
}
