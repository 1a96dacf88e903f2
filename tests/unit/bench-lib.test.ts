import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../bench/lib/args.js";
import { closedLoop, mapLimit, openLoop, waitUntil } from "../../bench/lib/load.js";
import { cpuMeter, cpuTotal, dynamoCpuMs } from "../../bench/lib/cpu.js";
import { Progress } from "../../bench/lib/progress.js";
import { percentile, ratio, round, summarize } from "../../bench/lib/stats.js";
import { formatTable, num } from "../../bench/lib/table.js";

describe("percentile (nearest rank)", () => {
  it("picks the smallest value with at least p% at or below it, whatever the input order", () => {
    const values = [5, 1, 3, 2, 4];
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(5);
    expect(percentile(values, 80)).toBe(4);
    expect(percentile(values, 81)).toBe(5);
  });

  it("gives p99 of 1..100 as 99 and p95 of 1..20 as 19", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
  });

  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it("is undefined for no values and rejects p outside 0..100", () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("summarize / ratio / round", () => {
  it("summarizes count, mean, extremes and percentiles", () => {
    expect(summarize([10, 20, 30, 40])).toEqual({ count: 4, mean: 25, min: 10, max: 40, p50: 20, p95: 40, p99: 40 });
  });

  it("summarizes an empty list as zeros", () => {
    expect(summarize([])).toEqual({ count: 0, mean: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 });
  });

  it("gives no ratio against a zero or missing baseline", () => {
    expect(ratio(5, 10)).toBe(0.5);
    expect(ratio(5, 0)).toBeUndefined();
    expect(ratio(5, undefined)).toBeUndefined();
    expect(ratio(Number.NaN, 2)).toBeUndefined();
  });

  it("rounds to the given decimals", () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.235, 1)).toBe(1.2);
    expect(round(7)).toBe(7);
  });
});

describe("formatTable", () => {
  it("pads columns to the widest cell and right-aligns where asked", () => {
    const text = formatTable([{ header: "name" }, { header: "ms", align: "right" }], [["a", 1], ["longer", 1234.5]]);
    expect(text.split("\n")).toEqual(["name          ms", "------  --------", "a              1", "longer  1,234.50"]);
  });

  it("shows missing cells as '-' and pads short rows", () => {
    const text = formatTable([{ header: "a" }, { header: "b" }, { header: "c" }], [["x", undefined]]);
    expect(text.split("\n")[2]).toBe("x  -  -");
  });

  it("formats numbers with separators and a dash for non-numbers", () => {
    expect(num(1234567)).toBe("1,234,567");
    expect(num(0.5, 2)).toBe("0.50");
    expect(num(undefined)).toBe("-");
    expect(num(Number.POSITIVE_INFINITY)).toBe("-");
  });
});

describe("parseArgs", () => {
  it("reads --quick, --help and --json <file> in either spelling", () => {
    expect(parseArgs([])).toEqual({ help: false, quick: false });
    expect(parseArgs(["--scale", "--only", "shift"])).toMatchObject({ scale: true, only: "shift" });
    expect(() => parseArgs(["--scale", "--only", "notices"])).toThrow(UsageError);
    expect(() => parseArgs(["--only", "shift"])).toThrow(/with --scale/);
    expect(parseArgs(["--quick", "--json", "out.json"])).toEqual({ help: false, quick: true, json: "out.json" });
    expect(parseArgs(["--json=out.json", "-h"])).toEqual({ help: true, quick: false, json: "out.json" });
    expect(parseArgs(["--callbacks", "--quick"])).toEqual({ help: false, quick: true, callbacks: true });
  });

  it("rejects unknown options and a --json without a file", () => {
    expect(() => parseArgs(["--fast"])).toThrow(UsageError);
    expect(() => parseArgs(["--json"])).toThrow(/needs a file name/);
    expect(() => parseArgs(["--json", "--quick"])).toThrow(/needs a file name/);
  });
});

describe("load helpers", () => {
  it("closedLoop stops at maxOps and counts failures separately from successes", async () => {
    const result = await closedLoop({ concurrency: 3, durationMs: 5_000, maxOps: 10 }, async (i) => {
      if (i % 5 === 0) throw new Error(`boom ${i}`);
      return i % 2 === 0 ? false : undefined;
    });
    expect(result.ok + result.failed).toBe(10);
    // 0 and 5 throw; 2, 4, 6, 8 return false.
    expect(result.failed).toBe(6);
    expect(result.latencies).toHaveLength(4);
    expect(result.firstError).toMatch(/boom/);
  });

  it("openLoop starts the planned number of operations and skips beyond maxInFlight", async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    const started: number[] = [];
    const run = openLoop({ ratePerSecond: 200, durationMs: 50, maxInFlight: 4 }, async (i) => {
      started.push(i);
      await gate;
    });
    await waitUntil(() => started.length >= 4, 2_000, 5);
    release();
    const result = await run;
    expect(started.length + result.skipped).toBe(10);
    expect(started.length).toBeGreaterThanOrEqual(4);
    expect(result.ok).toBe(started.length);
  });

  it("mapLimit keeps input order and never exceeds the limit", async () => {
    let active = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 3, 2, 4], 2, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, n));
      active--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);
  });

  it("waitUntil reports a timeout as false", async () => {
    expect(await waitUntil(() => false, 30, 5)).toBe(false);
    let n = 0;
    expect(await waitUntil(() => ++n >= 3, 1_000, 1)).toBe(true);
  });
});

describe("Progress", () => {
  it("stamps steps and throttles ticks", () => {
    const lines: string[] = [];
    const progress = new Progress((line) => lines.push(line));
    progress.step("phase one");
    progress.tick(() => "too soon", 60_000);
    progress.tick(() => "shown", 0);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\s*\d+\.\d s\] phase one$/);
    expect(lines[1]).toContain("shown");
  });
});

describe("cpuMeter", () => {
  it("charges this process's CPU since it started to each operation, and knows no JVM where this process has no java child", () => {
    const meter = cpuMeter();
    // Spin until this process itself has used 30 ms of CPU (a wall-clock loop would depend on how
    // much of the machine a busy CI run leaves it).
    const started = process.cpuUsage();
    const used = () => {
      const u = process.cpuUsage(started);
      return (u.user + u.system) / 1000;
    };
    while (used() < 30);
    const perOne = meter.perOp(1);
    const perTen = meter.perOp(10);
    expect(perOne.node).toBeGreaterThanOrEqual(30);
    // The same time split over ten operations: a tenth of it (the second reading is a little later).
    expect(perTen.node).toBeGreaterThanOrEqual(3);
    expect(perTen.node).toBeLessThan(perOne.node / 5);
    // The unit-test process starts no DynamoDB Local: no JVM figure, and no total made up from half of it.
    expect(dynamoCpuMs()).toBeUndefined();
    expect(perOne.dynamo).toBeUndefined();
    expect(cpuTotal(perOne)).toBeUndefined();
    expect(cpuTotal({ node: 1.5, dynamo: 2.25 })).toBe(3.75);
    // No operation: the whole time is charged once rather than divided by zero.
    expect(Number.isFinite(meter.perOp(0).node)).toBe(true);
  });
});
