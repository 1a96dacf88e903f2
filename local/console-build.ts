/**
 * Builds the console (console/ → console/dist) when it is missing or stale, so `npm start` and
 * the browser tests always serve what the sources say. Stale means the fingerprint of its inputs
 * (every file under console/ but dist, and the versions of the packages it bundles) differs from
 * the one the last build wrote beside its output. A fresh build takes a second or two.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const consoleRoot = resolve(import.meta.dirname, "..", "console");
export const consoleDist = join(consoleRoot, "dist");
const stampFile = ".build-fingerprint";
/** Packages whose code ends up in the bundle or builds it. */
const bundledPackages = ["preact", "@preact/signals", "@preact/signals-core", "vite"];

function inputs(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name.startsWith("dist.") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...inputs(path));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}

/** The fingerprint of everything the build reads. */
export function consoleFingerprint(): string {
  const hash = createHash("sha256");
  for (const file of inputs(consoleRoot)) hash.update(relative(consoleRoot, file)).update("\0").update(readFileSync(file)).update("\0");
  for (const name of bundledPackages) {
    const manifest = resolve(consoleRoot, "..", "node_modules", name, "package.json");
    hash.update(name).update(existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version : "absent");
  }
  return hash.digest("hex");
}

export function consoleIsFresh(fingerprint = consoleFingerprint()): boolean {
  const stamp = join(consoleDist, stampFile);
  return existsSync(join(consoleDist, "index.html")) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === fingerprint;
}

/**
 * Returns console/dist, building it first when stale. The build goes to a fresh folder that
 * then replaces dist, so a server reading dist meanwhile never sees half a build, and two
 * builders at once (npm start beside a test run) each end with a complete one.
 *
 * @example
 * const dir = await ensureConsoleBuilt({ log: console.error });
 */
export async function ensureConsoleBuilt(options: { log?: (line: string) => void; force?: boolean } = {}): Promise<string> {
  const fingerprint = consoleFingerprint();
  if (!options.force && consoleIsFresh(fingerprint)) return consoleDist;
  const started = Date.now();
  options.log?.("Building the console (console/ → console/dist)...");
  const { build } = await import("vite");
  const outDir = `${consoleDist}.${process.pid}.${Date.now()}`;
  try {
    await build({ configFile: join(consoleRoot, "vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
    writeFileSync(join(outDir, stampFile), `${fingerprint}\n`);
    const old = `${consoleDist}.old.${process.pid}.${Date.now()}`;
    if (existsSync(consoleDist)) renameSync(consoleDist, old);
    try {
      renameSync(outDir, consoleDist);
    } catch (error) {
      // Another builder put its dist in place meanwhile: the same inputs, so it is as good as ours.
      if (!consoleIsFresh(fingerprint)) throw error;
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  const kb = (statSizes(join(consoleDist, "assets")) / 1024).toFixed(0);
  options.log?.(`Console built in ${((Date.now() - started) / 1000).toFixed(1)} s (${kb} KB of assets).`);
  return consoleDist;
}

function statSizes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

// `npm run console:build`: build now, whatever the fingerprint says.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await ensureConsoleBuilt({ log: (line) => console.log(line), force: true });
}
