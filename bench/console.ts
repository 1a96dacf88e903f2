/**
 * The console's size and first render against a same-run baseline: a blank Vite page (one module
 * that puts one element on the page) built the same way (Vite, es2022, base /console/, nothing
 * inlined). Both are built into temporary directories (console/dist is left alone), served by the
 * same small static server, and opened in Debian's chromium through playwright-core as the
 * browser tests do. Figures:
 *
 * - initial JavaScript: the entry module and every module index.html preloads, gzip level 9 (as
 *   tests/browser/bundle.test.ts measures it);
 * - first render: from navigation start until the first screen's element is in the DOM (the
 *   console's sign-in form, after it has read config.json; the blank page's element), recorded in
 *   the page by a MutationObserver; median over fresh browser contexts (empty cache), the two
 *   pages interleaved so both see the same load.
 *
 * Ratios only; nothing here asserts a time.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { gzipSync } from "node:zlib";
import { consoleRoot } from "../local/console-build.js";

export interface PageFigures {
  /** Gzip bytes of the JavaScript index.html loads up front. */
  initialJsGzipBytes: number;
  /** How many module files that is. */
  initialJsFiles: number;
  buildMs: number;
  /** Median ms from navigation start until the first screen's element is in the DOM. */
  firstRenderMs: number;
  samplesMs: number[];
}

export interface ConsoleBench {
  console: PageFigures;
  baseline: PageFigures;
  /** console / baseline initial JavaScript gzip. */
  bytesRatio: number;
  /** console / baseline median first render. */
  renderRatio: number;
  repeats: number;
  browser: string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

async function buildConsole(outDir: string): Promise<number> {
  const { build } = await import("vite");
  const started = performance.now();
  await build({ configFile: join(consoleRoot, "vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
  return performance.now() - started;
}

/** The blank page: the console's build options, one module adding one element. */
async function buildBlank(outDir: string): Promise<number> {
  const { build } = await import("vite");
  const root = mkdtempSync(join(tmpdir(), "bench-blank-"));
  try {
    writeFileSync(join(root, "index.html"), '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>blank</title></head>\n<body><div id="app"></div><script type="module" src="./main.ts"></script></body>\n</html>\n');
    writeFileSync(join(root, "main.ts"), 'const root = document.getElementById("app");\nif (root) {\n  const ready = document.createElement("p");\n  ready.id = "ready";\n  ready.textContent = "ready";\n  root.append(ready);\n}\n');
    const started = performance.now();
    await build({ configFile: false, root, base: "/console/", logLevel: "warn", build: { outDir, emptyOutDir: true, target: "es2022", reportCompressedSize: false, assetsInlineLimit: 0 } });
    return performance.now() - started;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function initialJs(dir: string): { bytes: number; files: number } {
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1] ?? "");
  const bytes = scripts.reduce((n, src) => n + gzipSync(readFileSync(join(dir, src.replace(/^\/console\//, ""))), { level: 9 }).length, 0);
  return { bytes, files: scripts.length };
}

const types: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml" };

/** Serves `dir` at /console/… (index.html for paths without a file), and the local config.json. */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const [, rest] = /^\/console\/?(.*)$/.exec(path) ?? [];
    if (rest === undefined) return response.writeHead(404).end();
    if (rest === "config.json") {
      // What the local stack answers: same origin, local sign-in.
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      return response.end(JSON.stringify({ apiUrl: "", wsUrl: "ws://127.0.0.1:9/ws", signIn: { kind: "local" }, shopTimeZone: "Asia/Shanghai" }));
    }
    let file = join(dir, normalize(rest ?? "").replace(/^(\.\.[/\\])+/, ""));
    if (!rest || !extname(rest)) file = join(dir, "index.html");
    try {
      if (!statSync(file).isFile()) throw new Error("not a file");
      response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      response.end(readFileSync(file));
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
  }));
}

export async function benchConsole(options: { repeats: number; onStep?: (text: string) => void }): Promise<ConsoleBench> {
  const work = mkdtempSync(join(tmpdir(), "bench-console-"));
  const dirs = { console: join(work, "console"), blank: join(work, "blank") };
  mkdirSync(dirs.console);
  mkdirSync(dirs.blank);
  const { chromium } = await import("playwright-core");
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  const servers: Server[] = [];
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  try {
    options.onStep?.("console: building the console and the blank page with Vite");
    const consoleBuildMs = await buildConsole(dirs.console);
    const blankBuildMs = await buildBlank(dirs.blank);
    const urls: Record<"console" | "blank", string> = { console: "", blank: "" };
    for (const name of ["console", "blank"] as const) {
      const served = await serve(dirs[name]);
      servers.push(served.server);
      urls[name] = served.url;
    }

    const firstRender = async (name: "console" | "blank", selector: string): Promise<number> => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        const page = await context.newPage();
        const problems: string[] = [];
        page.on("pageerror", (error) => problems.push(error.message));
        page.on("response", (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
        // A string, not a function: tsx's transform would add helpers the page does not have.
        await page.addInitScript(
          `(() => { const sel = ${JSON.stringify(selector)}; const seen = () => { if (window.__firstRender === undefined && document.querySelector(sel)) window.__firstRender = performance.now(); return window.__firstRender !== undefined; }; new MutationObserver((_, observer) => { if (seen()) observer.disconnect(); }).observe(document, { childList: true, subtree: true }); })();`,
        );
        await page.goto(`${urls[name]}/console/`);
        await page.waitForFunction("window.__firstRender !== undefined", undefined, { timeout: 60_000 }).catch((error: unknown) => {
          throw new Error(`${name}: ${selector} never appeared (${problems.join("; ") || "no page error"}): ${String(error)}`);
        });
        return Number(await page.evaluate("window.__firstRender"));
      } finally {
        await context.close();
      }
    };

    // One warm-up each (the browser's own start, the server's first reads), then interleaved samples.
    await firstRender("console", "#sign-in-role");
    await firstRender("blank", "#ready");
    const samples = { console: [] as number[], blank: [] as number[] };
    for (let i = 0; i < options.repeats; i++) {
      options.onStep?.(`console: first render, sample ${i + 1} of ${options.repeats}`);
      samples.console.push(await firstRender("console", "#sign-in-role"));
      samples.blank.push(await firstRender("blank", "#ready"));
    }
    const figures = (dir: string, buildMs: number, ms: number[]): PageFigures => {
      const js = initialJs(dir);
      return { initialJsGzipBytes: js.bytes, initialJsFiles: js.files, buildMs: Math.round(buildMs), firstRenderMs: Math.round(median(ms) * 10) / 10, samplesMs: ms.map((m) => Math.round(m * 10) / 10) };
    };
    const consoleFigures = figures(dirs.console, consoleBuildMs, samples.console);
    const baseline = figures(dirs.blank, blankBuildMs, samples.blank);
    return {
      console: consoleFigures,
      baseline,
      bytesRatio: Math.round((consoleFigures.initialJsGzipBytes / Math.max(1, baseline.initialJsGzipBytes)) * 10) / 10,
      renderRatio: Math.round((consoleFigures.firstRenderMs / Math.max(0.1, baseline.firstRenderMs)) * 100) / 100,
      repeats: options.repeats,
      browser: `${browser.version()} (${executablePath})`,
    };
  } finally {
    await browser.close();
    for (const server of servers) server.close();
    rmSync(work, { recursive: true, force: true });
  }
}
