/**
 * Validation of the simulator (and through it, of the routing policy) against queueing theory.
 *
 * Model: M/M/N. Poisson arrivals, exponential handle times (mean 300 s), N = 10 chat slots held
 * by four agents with 3 + 3 + 2 + 2 slots, offered load A = 8 Erlangs (ρ = 0.8). For a
 * work-conserving system (no conversation waits while a slot is free) the probability that an
 * arrival has to wait is Erlang C, C(10, 8) ≈ 0.409, whatever the agents' split of slots: with
 * exponential handle times only the number of busy slots matters. A policy that ever left a
 * slot idle with someone waiting would behave like fewer slots (C(9, 8) ≈ 0.653).
 *
 * Statistics: the estimate is the fraction of arrivals that found no eligible slot (by PASTA,
 * arrivals see the time-stationary state). Successive arrivals' outcomes are correlated (the
 * queue persists), so the binomial standard error √(p(1−p)/n) ≈ 0.0011 would be far too small.
 * We use batch means: after a warm-up of 2,000 arrivals (the run starts empty), the ~198,000
 * arrivals are cut into B = 40 contiguous batches of ~4,950 arrivals (~620 mean handle times).
 * The M/M/N relaxation time is about 1 / (μ(√N − √A)²) ≈ 9 handle times, so batches are
 * nearly independent and SE = sd(batch means) / √B (≈ 0.007 here; the lag-1 correlation of the
 * batch means is checked to be small). The tolerance is 4·SE: with 39 degrees of freedom a
 * correct engine falls outside it with probability ≈ 3·10⁻⁴ for a random seed, while C(9, 8)
 * lies more than 30 SE away. The seed is fixed, so the test is deterministic. The mean wait
 * (ASA) and the share answered within 20 s are checked the same way.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { averageSpeedOfAnswer, erlangC, serviceLevel } from "../../functions/rota/erlang.js";
import { simulate, type SimConversation } from "../../bench/simulator/engine.js";

const aht = 300;
const traffic = 8;
const slots = [3, 3, 2, 2];
const servers = slots.reduce((s, n) => s + n, 0);
const lambda = traffic / aht;
const arrivalsWanted = 200_000;
const warmup = 2_000;
const batches = 40;

interface BatchStats {
  mean: number;
  se: number;
  lag1: number;
}

function batchMeans(items: readonly SimConversation[], value: (c: SimConversation) => number): BatchStats {
  const size = Math.floor(items.length / batches);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let sum = 0;
    for (let i = b * size; i < (b + 1) * size; i++) sum += value(items[i] as SimConversation);
    means.push(sum / size);
  }
  const mean = means.reduce((s, m) => s + m, 0) / batches;
  const variance = means.reduce((s, m) => s + (m - mean) ** 2, 0) / (batches - 1);
  let cov = 0;
  for (let b = 1; b < batches; b++) cov += ((means[b] ?? 0) - mean) * ((means[b - 1] ?? 0) - mean);
  const lag1 = cov / (batches - 1) / variance;
  return { mean, se: Math.sqrt(variance / batches), lag1 };
}

describe("simulator vs Erlang C (M/M/10, 8 Erlangs)", () => {
  const horizon = (arrivalsWanted / lambda) * 1000;
  let measured: SimConversation[] = [];
  // ~200,000 arrivals: about two seconds.
  beforeAll(() => {
    const result = simulate({
      start: 0,
      arrivalsEnd: horizon,
      stopAt: horizon * 1.05,
      seed: 20251111,
      bucketMs: horizon,
      agents: slots.map((maxConcurrent, i) => ({ agentId: `agent-${i}`, skills: ["presale"], maxConcurrent, duty: [{ from: 0, to: horizon * 2 }] })),
      arrivals: [{ from: 0, to: horizon, perSecond: lambda }],
      handleSeconds: (rng) => rng.exponential(1 / aht),
      draw: () => ({ skill: "presale", priority: "normal" }),
    });
    measured = result.conversations.slice(warmup);
  });
  const wait = (c: SimConversation) => ((c.assignedAt ?? Number.NaN) - c.arrivedAt) / 1000;

  it("ran the long horizon and answered everyone", () => {
    expect(measured.length).toBeGreaterThan(arrivalsWanted * 0.97);
    expect(measured.every((c) => c.assignedAt !== undefined)).toBe(true);
  });

  it("matches the probability of waiting within 4 batch-means standard errors", () => {
    const theory = erlangC(traffic, servers);
    const sim = batchMeans(measured, (c) => (c.waited ? 1 : 0));
    console.log(`P(wait): simulated ${sim.mean.toFixed(4)} ± ${sim.se.toFixed(4)} (SE), Erlang C ${theory.toFixed(4)}, z = ${((sim.mean - theory) / sim.se).toFixed(2)}, lag-1 r = ${sim.lag1.toFixed(2)}`);
    expect(Math.abs(sim.lag1)).toBeLessThan(0.5);
    expect(sim.se).toBeGreaterThan(0);
    expect(Math.abs(sim.mean - theory)).toBeLessThan(4 * sim.se);
    // Power: one idle slot (a non-work-conserving policy) would be far outside the band.
    expect(Math.abs(erlangC(traffic, servers - 1) - sim.mean)).toBeGreaterThan(20 * sim.se);
  });

  it("matches the mean wait (ASA) and the share answered within 20 s", () => {
    const asa = batchMeans(measured, wait);
    const asaTheory = averageSpeedOfAnswer(traffic, servers, aht);
    const sl = batchMeans(measured, (c) => (wait(c) <= 20 ? 1 : 0));
    const slTheory = serviceLevel(traffic, servers, aht, 20);
    console.log(`ASA: simulated ${asa.mean.toFixed(1)} ± ${asa.se.toFixed(1)} s, theory ${asaTheory.toFixed(1)} s; within 20 s: ${sl.mean.toFixed(4)} ± ${sl.se.toFixed(4)}, theory ${slTheory.toFixed(4)}`);
    expect(Math.abs(asa.mean - asaTheory)).toBeLessThan(4 * asa.se);
    expect(Math.abs(sl.mean - slTheory)).toBeLessThan(4 * sl.se);
  });
});
