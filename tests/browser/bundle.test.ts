/**
 * The console's initial load stays small: the JavaScript index.html loads (its entry module and
 * every module it preloads) is at most 150 KB gzipped (issue 16), measured on the build the
 * global setup made, and holds no uPlot (the coverage chart's chunk is loaded on demand).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { consoleDist } from "../../local/console-build.js";

const budgetBytes = 150 * 1024;

describe("the console bundle", () => {
  it("loads at most 150 KB of JavaScript (gzip) up front", () => {
    const html = readFileSync(join(consoleDist, "index.html"), "utf8");
    const scripts = [...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = scripts.map((src) => {
      const file = join(consoleDist, src.replace(/^\/console\//, ""));
      return { src, gzip: gzipSync(readFileSync(file), { level: 9 }).length };
    });
    const total = sizes.reduce((n, s) => n + s.gzip, 0);
    console.log(`console initial JavaScript: ${(total / 1024).toFixed(1)} KB gzip (${sizes.map((s) => `${s.src} ${(s.gzip / 1024).toFixed(1)} KB`).join(", ")})`);
    expect(total).toBeLessThanOrEqual(budgetBytes);
    // The coverage chart's uPlot is fetched with the coverage screen's first result, never up front.
    const initial = scripts.map((src) => readFileSync(join(consoleDist, src.replace(/^\/console\//, "")), "utf8")).join("\n");
    expect(initial.includes("u-over"), "uPlot in the initial JavaScript").toBe(false);
  });
});
