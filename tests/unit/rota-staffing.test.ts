/**
 * Chat-aware staffing (functions/rota/staffing.ts, coverage.ts), issue 17 item 1.
 *
 * 1. At growth 1 the model is exactly Erlang C with the slots as servers: checked against values
 *    computed here independently (the textbook sum Σ Aᵏ/k! in log space, not the Erlang B
 *    recursion the code uses) and against the published 48 Erlangs / AHT 240 s / 15 s example
 *    (55 servers, P(wait) 0.2387, SL 0.8459), for several slot counts made of agents with
 *    different maxConcurrent.
 * 2. With growth > 1 the model (every agent planned at its full concurrency, handle time
 *    AHT·g^(c−1)) is compared with the simulator driving the router's own policy, where a chat's
 *    handle time is AHT·g^(k−1) for the k chats its agent holds once it is assigned. The gap is
 *    printed and bounded (see docs/rota.md "Staffing for chat").
 */
import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { simulate, type SimConversation } from "../../bench/simulator/engine.js";
import { computeCoverage, coverageInputSchema } from "../../functions/rota/coverage.js";
import { resolveRota } from "../../functions/rota/resolve.js";
import { handleSecondsAt, poolOf, predict, requirement } from "../../functions/rota/staffing.js";

/** Erlang C from its textbook definition, summed in log space (independent of erlang.ts). */
function textbookErlangC(a: number, n: number): number {
  const logTerm = (k: number) => k * Math.log(a) - lgammaInt(k + 1);
  const logs = Array.from({ length: n }, (_, k) => logTerm(k));
  const top = logTerm(n) + Math.log(n / (n - a));
  const max = Math.max(top, ...logs);
  const sum = logs.reduce((s, l) => s + Math.exp(l - max), 0);
  const t = Math.exp(top - max);
  return t / (sum + t);
}
function lgammaInt(m: number): number {
  let s = 0;
  for (let i = 2; i < m; i++) s += Math.log(i);
  return s;
}

const who = { updatedAt: "2025-01-01T00:00:00.000Z", updatedBy: "t" };
const dayShift = { shiftId: "day", name: "day", start: "00:00", end: "00:00", timeZone: "UTC", ...who };

/** Coverage of one interval for a team whose slot counts are `slots` (one agent each). */
function coverageFor(slots: readonly number[], volume: number, body: Record<string, unknown>) {
  const ids = slots.map((_, i) => `a${i}`);
  const occurrences = resolveRota(
    { shifts: [dayShift], assignments: ids.map((agentId) => ({ agentId, date: "2030-03-04", shiftId: "day", ...who })), patterns: [], exceptions: [] },
    { from: new Date("2030-03-03T00:00:00Z"), to: new Date("2030-03-06T00:00:00Z") },
  );
  const agents = new Map(ids.map((id, i) => [id, { skills: ["presale"], maxConcurrent: slots[i] ?? 1 }]));
  const input = z.parse(coverageInputSchema, { date: "2030-03-04", timeZone: "UTC", intervalMinutes: 60, volumes: Array.from({ length: 24 }, (_, i) => (i === 10 ? volume : 0)), ...body });
  const { result } = computeCoverage(input, occurrences, agents);
  if (!result) throw new Error("expected coverage");
  const row = result.intervals[10];
  if (!row) throw new Error("no row");
  return row;
}

describe("staffing at growth 1 is exactly Erlang C with the slots as servers", () => {
  it("matches the published 48 Erlangs, AHT 240 s, 15 s example: 55 servers, P(wait) 0.2387, SL 0.8459", () => {
    // 48 Erlangs at AHT 240 s over an hour = 720 chats.
    const need = requirement(720, 3600, 240, 5, 1, { serviceLevel: 0.8, answerSeconds: 15 }, 100_000);
    expect(need?.slots).toBe(55);
    expect(need?.agents).toBe(11);
    const p = predict(720, 3600, 55, 240, { serviceLevel: 0.8, answerSeconds: 15 });
    expect(p.probabilityOfWaiting).toBeCloseTo(0.2387, 4);
    expect(p.serviceLevel).toBeCloseTo(0.8459, 4);
    expect(textbookErlangC(48, 55)).toBeCloseTo(0.2387, 4);
    // 54 servers miss the target.
    expect(predict(720, 3600, 54, 240, { serviceLevel: 0.8, answerSeconds: 15 }).serviceLevel).toBeLessThan(0.8);
  });

  // Teams of agents with different maxConcurrent; slots = Σ maxConcurrent.
  it.each([
    { team: [1, 1, 1, 1, 1], volume: 45, aht: 300 },
    { team: [4, 4, 3, 3], volume: 100, aht: 360 },
    { team: [3, 5, 10, 2, 7, 3], volume: 200, aht: 480 },
    { team: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], volume: 720, aht: 240 },
    { team: Array.from({ length: 40 }, (_, i) => 3 + (i % 8)), volume: 1500, aht: 600 },
  ])("$team.length agents with $team slots: P(wait), SL and ASA are Erlang C's for Σ slots", ({ team, volume, aht }) => {
    const servers = team.reduce((s, n) => s + n, 0);
    const a = (volume * aht) / 3600;
    const row = coverageFor(team, volume, { ahtSeconds: aht, answerSeconds: 180 });
    expect(row.productiveSlots).toBe(servers);
    expect(row.trafficErlangs).toBeCloseTo(a, 4);
    const c = textbookErlangC(a, servers);
    expect(row.predicted.probabilityOfWaiting).toBeCloseTo(c, 4);
    expect(row.predicted.serviceLevel).toBeCloseTo(1 - c * Math.exp((-(servers - a) * 180) / aht), 4);
    expect(row.predicted.averageSpeedOfAnswerSeconds).toBeCloseTo((c * aht) / (servers - a), 1);
    // The requirement is the fewest servers meeting 80 % in 180 s, by the textbook formula.
    let n = Math.floor(a) + 1;
    while (1 - textbookErlangC(a, n) * Math.exp((-(n - a) * 180) / aht) < 0.8) n++;
    expect(row.requiredSlots).toBe(n);
    // A growth factor of 1 and a flat table give the same answer.
    expect(coverageFor(team, volume, { ahtSeconds: aht, ahtGrowth: 1 })).toEqual(row);
    expect(coverageFor(team, volume, { ahtByConcurrency: [aht, aht, aht] })).toEqual(row);
  });
});

describe("handle time growing with concurrency", () => {
  it("uses AHT·g^(c−1) or the table per concurrency, pooled at the slot-weighted harmonic mean", () => {
    expect(handleSecondsAt({ ahtSeconds: 300, growth: 1.1 }, 3)).toBeCloseTo(363, 6);
    expect(handleSecondsAt({ ahtSeconds: 300, byConcurrency: [300, 330, 400] }, 5)).toBe(400);
    const pool = poolOf([{ slots: 2, agents: 1 }, { slots: 4, agents: 1 }], { ahtSeconds: 300, byConcurrency: [300, 330, 400, 480] }, 1);
    // 6 slots, capacity 2/330 + 4/480 chats per second.
    expect(pool.slots).toBe(6);
    expect(pool.ahtSeconds).toBeCloseTo(6 / (2 / 330 + 4 / 480), 6);
    // Growth makes the same team serve less: more required, worse predicted.
    const flat = coverageFor([3, 3, 3, 3, 3, 3, 3, 3], 200, { ahtSeconds: 300 });
    const grown = coverageFor([3, 3, 3, 3, 3, 3, 3, 3], 200, { ahtSeconds: 300, ahtGrowth: 1.15 });
    expect(grown.ahtSeconds).toBeCloseTo(300 * 1.15 ** 2, 1);
    expect(grown.requiredSlots).toBeGreaterThan(flat.requiredSlots);
    expect(grown.predicted.serviceLevel).toBeLessThan(flat.predicted.serviceLevel);
  });

  /** Growth against the simulator (router's policy): P(wait), SL in 180 s, ASA. */
  const cases = [
    { name: "10 agents × 3 slots, growth 1.10, ρ 0.85", team: Array.from({ length: 10 }, () => 3), growth: 1.1, rho: 0.85 },
    { name: "8 agents of 3 or 5 slots, growth 1.15, ρ 0.9", team: [3, 5, 3, 5, 3, 5, 3, 5], growth: 1.15, rho: 0.9 },
    { name: "6 agents × 4 slots, growth 1.05, ρ 0.8", team: Array.from({ length: 6 }, () => 4), growth: 1.05, rho: 0.8 },
  ];
  it.each(cases)("agrees with the simulator within the stated bound: $name", ({ team, growth, rho }) => {
    const aht = 300;
    const model = { ahtSeconds: aht, growth };
    const pool = poolOf(team.map((slots) => ({ slots, agents: 1 })), model, 1);
    const lambda = (rho * pool.slots) / pool.ahtSeconds;
    const horizon = (80_000 / lambda) * 1000;
    const result = simulate({
      start: 0,
      arrivalsEnd: horizon,
      stopAt: horizon * 1.1,
      seed: 17,
      bucketMs: horizon,
      agents: team.map((maxConcurrent, i) => ({ agentId: `agent-${i}`, skills: ["presale"], maxConcurrent, duty: [{ from: 0, to: horizon * 2 }] })),
      arrivals: [{ from: 0, to: horizon, perSecond: lambda }],
      handleSeconds: (rng) => rng.exponential(1 / aht),
      handleScale: (load) => growth ** (load - 1),
      draw: () => ({ skill: "presale", priority: "normal" }),
    });
    const measured: SimConversation[] = result.conversations.slice(2_000).filter((c) => c.assignedAt !== undefined);
    const wait = (c: SimConversation) => ((c.assignedAt ?? 0) - c.arrivedAt) / 1000;
    const sim = {
      pWait: measured.filter((c) => c.waited).length / measured.length,
      sl: measured.filter((c) => wait(c) <= 180).length / measured.length,
      asa: measured.reduce((s, c) => s + wait(c), 0) / measured.length,
      aht: measured.reduce((s, c) => s + c.handleMs / 1000, 0) / measured.length,
    };
    const theory = predict(lambda * 3600, 3600, pool.slots, pool.ahtSeconds, { serviceLevel: 0.8, answerSeconds: 180 });
    console.log(
      `growth ${growth}, ${pool.slots} slots, model AHT ${pool.ahtSeconds.toFixed(1)} s (simulated ${sim.aht.toFixed(1)} s): ` +
        `P(wait) model ${theory.probabilityOfWaiting.toFixed(4)} sim ${sim.pWait.toFixed(4)} (gap ${(theory.probabilityOfWaiting - sim.pWait).toFixed(4)}); ` +
        `SL180 model ${theory.serviceLevel.toFixed(4)} sim ${sim.sl.toFixed(4)} (gap ${(sim.sl - theory.serviceLevel).toFixed(4)}); ` +
        `ASA model ${theory.averageSpeedOfAnswerSeconds.toFixed(1)} s sim ${sim.asa.toFixed(1)} s`,
    );
    expect(measured.length).toBeGreaterThan(75_000);
    // The stated bound (docs/rota.md): planning every agent at full concurrency is conservative —
    // the simulated service is never worse than the model says (beyond sampling noise, 0.01) —
    // and the model's share answered in 180 s is within 0.06 of the simulated one, its P(wait)
    // within 0.15.
    expect(sim.sl).toBeGreaterThanOrEqual(theory.serviceLevel - 0.01);
    expect(sim.pWait).toBeLessThanOrEqual(theory.probabilityOfWaiting + 0.02);
    expect(sim.sl - theory.serviceLevel).toBeLessThan(0.06);
    expect(theory.probabilityOfWaiting - sim.pWait).toBeLessThan(0.15);
    expect(sim.aht).toBeLessThanOrEqual(pool.ahtSeconds);
  }, 120_000);
});
