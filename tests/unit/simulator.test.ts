/**
 * The Double-11 simulator: it routes with the router's policy, never lets a conversation wait
 * while an eligible slot is free, serves the line by priority then arrival, reads scenarios and
 * rotas (JSON and CSV) through the rota's own resolver, and reports per interval.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Skill } from "../../functions/agents/domain.js";
import { simulate, type EngineInput, type EngineView, type SimConversation } from "../../bench/simulator/engine.js";
import { buildReport, formatTable, formatVerdict, percentile } from "../../bench/simulator/report.js";
import { Rng } from "../../bench/simulator/rng.js";
import { applyRotaCsv, applyRotaFile, loadScenario, parseScenario, prepare, ScenarioError, type Scenario } from "../../bench/simulator/scenario.js";
import { niceScale, renderSvg } from "../../bench/simulator/svg.js";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const defaultScenarioPath = join(root, "bench/simulator/scenarios/double11.json");
const hour = 3_600_000;
const t0 = Date.parse("2025-11-11T00:00:00Z");

/** Written independently of the policy code: the invariant in plain words. */
function workConservingViolations(view: EngineView): string[] {
  const problems: string[] = [];
  for (const agent of view.agents) {
    if (agent.load > agent.maxConcurrent) problems.push(`${agent.agentId} over capacity (${agent.load}/${agent.maxConcurrent})`);
  }
  for (const [skill, count] of view.waiting) {
    if (count <= 0) continue;
    const free = view.agents.filter((a) => a.onDuty && a.presence === "online" && a.load < a.maxConcurrent && a.skills.includes(skill));
    if (free.length > 0) problems.push(`${count} ${skill} waiting at ${new Date(view.now).toISOString()} after ${view.kind} while ${free.map((a) => a.agentId).join(", ")} had a free slot`);
  }
  return problems;
}

/** A busy multi-skill morning: shifts start and end mid-run, priorities mixed, overload. */
function mixedRun(overrides: Partial<EngineInput> = {}): EngineInput {
  const skillsCycle: Skill[] = ["presale", "aftersale", "logistics", "presale"];
  return {
    start: t0,
    arrivalsEnd: t0 + 3 * hour,
    stopAt: t0 + 5 * hour,
    seed: 7,
    agents: [
      { agentId: "a", skills: ["presale"], maxConcurrent: 3, duty: [{ from: t0, to: t0 + 2 * hour }] },
      { agentId: "b", skills: ["presale", "aftersale"], maxConcurrent: 4, duty: [{ from: t0 + 0.5 * hour, to: t0 + 3 * hour }] },
      { agentId: "c", skills: ["logistics", "aftersale"], maxConcurrent: 2, duty: [{ from: t0 + hour, to: t0 + 4 * hour }] },
      { agentId: "d", skills: ["presale", "aftersale", "logistics"], maxConcurrent: 5, duty: [{ from: t0, to: t0 + hour }, { from: t0 + 2 * hour, to: t0 + 5 * hour }] },
    ],
    arrivals: [
      { from: t0, to: t0 + hour, perSecond: 60 / 3600 },
      { from: t0 + hour, to: t0 + 2 * hour, perSecond: 150 / 3600 },
      { from: t0 + 2 * hour, to: t0 + 3 * hour, perSecond: 90 / 3600 },
    ],
    handleSeconds: (rng) => rng.lognormal(400, 300),
    draw: (rng) => {
      const skill = skillsCycle[Math.floor(rng.next() * skillsCycle.length)] ?? "presale";
      const u = rng.next();
      return { skill, priority: u < 0.1 ? "urgent" : u < 0.3 ? "high" : "normal" };
    },
    ...overrides,
  };
}

describe("work conservation (nobody waits while an eligible slot is free)", () => {
  it("holds after every event of a mixed-skill run with shift changes and overload", () => {
    const violations: string[] = [];
    let checked = 0;
    const result = simulate(
      mixedRun({
        afterEvent: (view) => {
          checked++;
          violations.push(...workConservingViolations(view));
        },
      }),
    );
    expect(violations.slice(0, 5)).toEqual([]);
    expect(checked).toBe(result.events);
    expect(checked).toBeGreaterThan(500);
    // Not vacuous: many conversations did wait.
    expect(result.conversations.filter((c) => c.waited).length).toBeGreaterThan(50);
  });

  it("holds after every event of the Double-11 day, with abandonment on", () => {
    const scenario: Scenario = { ...loadScenario(defaultScenarioPath), abandonment: { meanPatienceSeconds: 180 } };
    const prepared = prepare(scenario);
    const violations: string[] = [];
    let checked = 0;
    const result = simulate({
      ...prepared.engine,
      seed: 3,
      afterEvent: (view) => {
        checked++;
        violations.push(...workConservingViolations(view));
      },
    });
    expect(violations.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(10_000);
    expect(result.conversations.some((c) => c.waited)).toBe(true);
    expect(result.conversations.some((c) => c.abandonedAt !== undefined)).toBe(true);
  });

  it("assigns only to agents on duty, never over capacity", () => {
    const input = mixedRun();
    const result = simulate(input);
    const duty = new Map(input.agents.map((a) => [a.agentId, a.duty]));
    for (const c of result.conversations) {
      if (c.assignedAt === undefined) continue;
      const at = c.assignedAt;
      expect(duty.get(c.agentId ?? "")?.some((d) => d.from <= at && at < d.to)).toBe(true);
    }
    // Replay the loads from the records: at no instant over capacity.
    const deltas = result.conversations.flatMap((c) => (c.assignedAt === undefined ? [] : [{ t: c.assignedAt, agent: c.agentId ?? "", d: 1 }, { t: c.assignedAt + c.handleMs, agent: c.agentId ?? "", d: -1 }]));
    deltas.sort((x, y) => x.t - y.t || x.d - y.d);
    const load = new Map<string, number>();
    for (const { agent, d } of deltas) {
      load.set(agent, (load.get(agent) ?? 0) + d);
      expect(load.get(agent) ?? 0).toBeLessThanOrEqual(input.agents.find((a) => a.agentId === agent)?.maxConcurrent ?? 0);
    }
  });
});

describe("the router's rules", () => {
  it("serves each skill's line by priority, then arrival", () => {
    const result = simulate(mixedRun());
    const waited = result.conversations.filter((c) => c.waited && c.assignedAt !== undefined);
    let pairs = 0;
    for (const skill of ["presale", "aftersale", "logistics"] as const) {
      const line = waited.filter((c) => c.skill === skill);
      for (const a of line) {
        for (const b of line) {
          // a was in line when b was served and stands ahead of b: a must not be served later.
          if (a.key < b.key && a.arrivedAt <= (b.assignedAt ?? 0)) {
            pairs++;
            expect(a.assignedAt ?? Infinity).toBeLessThanOrEqual(b.assignedAt ?? 0);
          }
        }
      }
    }
    expect(pairs).toBeGreaterThan(1000);
    // Priorities jump the line: urgent waits less than normal on average.
    const meanWait = (p: string) => {
      const ws = waited.filter((c) => c.priority === p).map((c) => (c.assignedAt ?? 0) - c.arrivedAt);
      return ws.reduce((s, w) => s + w, 0) / ws.length;
    };
    expect(meanWait("urgent")).toBeLessThan(meanWait("normal"));
  });

  it("picks agents as orderCandidates does: lowest load ratio, then longest idle", () => {
    const result = simulate({
      start: t0,
      arrivalsEnd: t0 + 60_000,
      stopAt: t0 + 2 * hour,
      seed: 1,
      agents: [
        { agentId: "a", skills: ["presale"], maxConcurrent: 4, duty: [{ from: t0, to: t0 + 2 * hour }] },
        { agentId: "b", skills: ["presale"], maxConcurrent: 2, duty: [{ from: t0, to: t0 + 2 * hour }] },
      ],
      arrivals: [{ from: t0, to: t0 + 60_000, perSecond: 0.2 }],
      handleSeconds: () => 3600,
      draw: () => ({ skill: "presale", priority: "normal" }),
    });
    const first = result.conversations.slice(0, 6).map((c) => c.agentId ?? "-");
    // a,b idle (tie: id) → a; a at 1/4 → b; b at 1/2 → a; both 1/2, b idle longer → b; a at 3/4 → ...
    expect(first.slice(0, 4)).toEqual(["a", "b", "a", "b"]);
    expect(first.slice(4, 6)).toEqual(["a", "a"]);
  });
});

describe("randomness", () => {
  it("repeats a day exactly for the same seed", () => {
    const strip = (cs: SimConversation[]) => cs.map((c) => [c.arrivedAt, c.skill, c.priority, c.handleMs, c.assignedAt, c.agentId]);
    expect(strip(simulate(mixedRun()).conversations)).toEqual(strip(simulate(mixedRun()).conversations));
    expect(strip(simulate(mixedRun({ seed: 8 })).conversations)).not.toEqual(strip(simulate(mixedRun()).conversations));
  });

  it("meets the same customers whatever the rota (common random numbers)", () => {
    const base = mixedRun();
    const bigger = mixedRun({ agents: [...base.agents, { agentId: "e", skills: ["presale", "aftersale", "logistics"], maxConcurrent: 10, duty: [{ from: t0, to: t0 + 5 * hour }] }] });
    const customers = (cs: SimConversation[]) => cs.map((c) => [c.arrivedAt, c.skill, c.priority, c.handleMs]);
    const a = simulate(base).conversations;
    const b = simulate(bigger).conversations;
    expect(customers(b)).toEqual(customers(a));
    expect(b.filter((c) => c.waited).length).toBeLessThan(a.filter((c) => c.waited).length);
  });

  it("draws the distributions it claims (means within a few standard errors)", () => {
    const rng = new Rng(99);
    const n = 100_000;
    let e = 0;
    let l = 0;
    let l2 = 0;
    for (let i = 0; i < n; i++) {
      e += rng.exponential(1 / 300);
      const x = rng.lognormal(360, 300);
      l += x;
      l2 += x * x;
    }
    expect(Math.abs(e / n - 300)).toBeLessThan(4 * (300 / Math.sqrt(n)));
    expect(Math.abs(l / n - 360)).toBeLessThan(4 * (300 / Math.sqrt(n)));
    expect(Math.sqrt(l2 / n - (l / n) ** 2)).toBeGreaterThan(270);
    expect(Math.sqrt(l2 / n - (l / n) ** 2)).toBeLessThan(330);
  });

  it("lets impatient customers leave when abandonment is on", () => {
    const result = simulate(mixedRun({ agents: [], patienceSeconds: () => 60 }));
    expect(result.conversations.length).toBeGreaterThan(100);
    expect(result.conversations.every((c) => c.abandonedAt === c.arrivedAt + 60_000)).toBe(true);
  });
});

describe("scenarios and rotas", () => {
  it("loads the Double-11 scenario and puts the night team on at 22:00 the evening before", () => {
    const prepared = prepare(loadScenario(defaultScenarioPath));
    expect(prepared.forecast).toHaveLength(48);
    expect(new Date(prepared.dayStart).toISOString()).toBe("2025-11-10T16:00:00.000Z");
    const night = prepared.agents.find((a) => a.agentId === "night-01");
    // 22:00-06:00 Shanghai on 10 Nov and on 11 Nov.
    expect(night?.duty.map((d) => [new Date(d.from).toISOString(), new Date(d.to).toISOString()])).toEqual([
      ["2025-11-10T14:00:00.000Z", "2025-11-10T22:00:00.000Z"],
      ["2025-11-11T14:00:00.000Z", "2025-11-11T22:00:00.000Z"],
    ]);
    const midnight = prepared.agents.filter((a) => a.duty.some((d) => d.from <= prepared.dayStart && prepared.dayStart < d.to));
    expect(midnight.length).toBeGreaterThan(20);
  });

  it("names the field of a bad scenario", () => {
    const raw = JSON.parse(readFileSync(defaultScenarioPath, "utf8"));
    expect(() => parseScenario({ ...raw, handleTime: { distribution: "gamma", meanSeconds: 1 } })).toThrow(/handleTime/);
    const short = parseScenario({ ...raw, forecast: { intervalMinutes: 30, arrivals: [1, 2, 3] } });
    expect(() => prepare(short)).toThrow(/forecast\.arrivals: needs 48 values/);
    const unknownShift = parseScenario({ ...raw, teams: [{ name: "x", count: 1, skills: ["presale"], maxConcurrent: 3, shifts: [{ date: "2025-11-11", shiftId: "nope" }] }] });
    expect(() => prepare(unknownShift)).toThrow(ScenarioError);
    expect(() => prepare(unknownShift)).toThrow(/unknown shift nope/);
  });

  it("takes a CSV rota (agent,date,shift) and rejects unknown agents by row", () => {
    const scenario = loadScenario(defaultScenarioPath);
    const moved = prepare(applyRotaCsv(scenario, "agent,date,shift\nday-01,2025-11-11,late\nday-02,2025-11-11,off\n"));
    const day1 = moved.agents.find((a) => a.agentId === "day-01");
    expect(day1?.duty.map((d) => new Date(d.from).toISOString())).toEqual(["2025-11-11T06:00:00.000Z"]);
    expect(moved.agents.find((a) => a.agentId === "day-02")?.duty).toEqual([]);
    // The other team members keep their shifts.
    expect(moved.agents.find((a) => a.agentId === "day-03")?.duty).toHaveLength(1);
    expect(() => applyRotaCsv(scenario, "agent,date,shift\nghost,2025-11-11,late\n")).toThrow(/row 2, agent: unknown agent "ghost"/);
  });
});

describe("rota files in the API format", () => {
  it("replaces the rota with shifts, assignments and patterns resolved by the rota resolver", () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-rota-"));
    const file = join(dir, "rota.json");
    writeFileSync(
      file,
      JSON.stringify({
        shifts: [{ shiftId: "all-day", name: "All day", start: "00:00", end: "00:00", timeZone: "Asia/Shanghai" }, { shiftId: "pm", name: "PM", start: "12:00", end: "20:00", timeZone: "Asia/Shanghai" }],
        agents: [
          { agentId: "p1", skills: ["presale", "aftersale", "logistics"], maxConcurrent: 5 },
          { agentId: "p2", skills: ["presale"], maxConcurrent: 3 },
        ],
        assignments: [{ agentId: "p2", date: "2025-11-11", shiftId: "pm" }],
        // Day 2025-11-10 is "off", 2025-11-11 is "all-day".
        patterns: [{ agentId: "p1", pattern: ["off", "all-day"], startDate: "2025-11-10" }],
      }),
    );
    const prepared = prepare(applyRotaFile(loadScenario(defaultScenarioPath), file));
    expect(prepared.agents.map((a) => a.agentId)).toEqual(["p1", "p2"]);
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(prepared.agents[0]?.duty.map((d) => [iso(d.from), iso(d.to)])).toEqual([["2025-11-10T16:00:00.000Z", "2025-11-11T16:00:00.000Z"]]);
    expect(prepared.agents[1]?.duty.map((d) => [iso(d.from), iso(d.to)])).toEqual([["2025-11-11T04:00:00.000Z", "2025-11-11T12:00:00.000Z"]]);
    writeFileSync(file, JSON.stringify({ shifts: [], extra: 1 }));
    expect(() => applyRotaFile(loadScenario(defaultScenarioPath), file)).toThrow(ScenarioError);
  });
});

describe("report and chart", () => {
  const prepared = prepare(loadScenario(defaultScenarioPath));
  const result = simulate({ ...prepared.engine, seed: 1 });

  it("adds up per interval and flags the short evening peak", () => {
    const report = buildReport(prepared, result, 1, 60);
    expect(report.intervals).toHaveLength(24);
    expect(report.intervals.reduce((s, r) => s + r.arrivals, 0)).toBe(report.totals.arrivals);
    expect(report.totals.arrivals).toBe(result.conversations.length);
    for (const r of report.intervals) {
      expect(r.within20s).toBeLessThanOrEqual(r.within3min);
      expect(r.occupancy).toBeLessThanOrEqual(1);
      expect(r.waitedShare === 0 ? r.meanWaitSeconds : 0).toBe(0);
    }
    // The default rota is deliberately a little short for the evening peak.
    expect(report.shortfalls.map((s) => s.label)).toContain("20:00");
    expect(formatVerdict(report)).toMatch(/misses the target/);
    expect(formatTable(report).split("\n")).toHaveLength(2 + 24 + 2);
  });

  it("draws three panels without NaN", () => {
    const svg = renderSvg(buildReport(prepared, result, 1, 30), prepared.dayStart, prepared.dayEnd);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect(svg).toContain("Waiting conversations");
    expect(svg).toContain("Wait until an agent is assigned");
    expect(svg).toContain("Chat slots");
    expect(niceScale(66)).toEqual({ top: 80, step: 20 });
  });

  it("takes nearest-rank percentiles", () => {
    expect(percentile([], 0.9)).toBe(0);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([5], 0.9)).toBe(5);
  });
});

describe("npm run simulate", () => {
  const cli = [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "bench/simulate.ts")];

  it("prints help", () => {
    const out = execFileSync(process.execPath, [...cli, "--help"], { cwd: root, encoding: "utf8" });
    expect(out).toMatch(/Usage: npm run simulate/);
    expect(out).toMatch(/--scenario/);
  });

  it("rejects a bad flag with exit code 2", () => {
    const run = spawnSync(process.execPath, [...cli, "--interval", "7.5"], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--interval must be whole minutes/);
  });

  it("runs the default day with progress and writes JSON and SVG", () => {
    const out = mkdtempSync(join(tmpdir(), "sim-"));
    const csv = join(out, "rota.csv");
    writeFileSync(csv, "agent,date,shift\nday-01,2025-11-11,evening\n");
    const stdout = execFileSync(process.execPath, [...cli, "--out", out, "--seed", "5", "--rota", csv], { cwd: root, encoding: "utf8" });
    expect(stdout).toMatch(/simulated 00:00 … 03:00/);
    expect(stdout).toMatch(/^20:00 /m);
    expect(existsSync(join(out, "simulation.svg"))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, "simulation.json"), "utf8"));
    expect(json.seed).toBe(5);
    expect(json.intervals).toHaveLength(48);
  });
});
