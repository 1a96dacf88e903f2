import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { averageSpeedOfAnswer, erlangB, erlangC, requiredServers, serviceLevel } from "../../functions/rota/erlang.js";

/** Textbook Erlang C (A^N/N! sums), fine for small N: the reference the stable recursion must match. */
function erlangCTextbook(a: number, n: number): number {
  let sum = 0;
  let term = 1;
  for (let k = 0; k < n; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const top = term * (a / n) * (n / (n - a));
  return top / (sum + top);
}

describe("Erlang C core", () => {
  it("matches the published worked example: 100 chats / 30 min, AHT 180 s (10 Erlangs)", () => {
    const traffic = (100 * 180) / 1800;
    expect(traffic).toBe(10);
    expect(erlangC(traffic, 14)).toBeCloseTo(0.1741, 4);
    expect(serviceLevel(traffic, 14, 180, 20)).toBeCloseTo(0.8884, 3);
    expect(averageSpeedOfAnswer(traffic, 14, 180)).toBeCloseTo(7.84, 2);
    // 13 agents just miss 80/20 (≈ 79.6 %), so 14 are required.
    expect(serviceLevel(traffic, 13, 180, 20)).toBeCloseTo(0.7956, 3);
    expect(requiredServers({ trafficErlangs: traffic, ahtSeconds: 180, targetServiceLevel: 0.8, answerSeconds: 20 })).toBe(14);
  });

  it("matches the second published example row: 12 agents → P(wait) ≈ 0.449, ASA ≈ 40 s", () => {
    expect(erlangC(10, 12)).toBeCloseTo(0.4494, 4);
    expect(averageSpeedOfAnswer(10, 12, 180)).toBeCloseTo(40.4, 1);
  });

  it("is 1 (always waits) when servers do not exceed traffic, and 0 with no traffic", () => {
    expect(erlangC(10, 10)).toBe(1);
    expect(erlangC(10, 3)).toBe(1);
    expect(serviceLevel(10, 9, 180, 20)).toBe(0);
    expect(averageSpeedOfAnswer(10, 10, 180)).toBe(Number.POSITIVE_INFINITY);
    expect(erlangC(0, 0)).toBe(0);
    expect(requiredServers({ trafficErlangs: 0, ahtSeconds: 180, targetServiceLevel: 0.8, answerSeconds: 20 })).toBe(0);
  });

  it("stays finite and sane for thousands of slots (no factorial overflow)", () => {
    const c = erlangC(2000, 2050);
    expect(Number.isFinite(c)).toBe(true);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(1);
    expect(erlangB(2000, 2050)).toBeGreaterThan(0);
  });

  it("agrees with the textbook formula, lies in [0,1] and falls as servers are added (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 40, noNaN: true }), fc.integer({ min: 1, max: 30 }), (a, extra) => {
        const n = Math.floor(a) + extra;
        const c = erlangC(a, n);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
        expect(c).toBeCloseTo(erlangCTextbook(a, n), 9);
        expect(erlangC(a, n + 1)).toBeLessThanOrEqual(c);
        expect(serviceLevel(a, n + 1, 180, 20)).toBeGreaterThanOrEqual(serviceLevel(a, n, 180, 20));
      }),
    );
  });

  it("requiredServers returns the fewest servers meeting the target (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 200, noNaN: true }), fc.double({ min: 0.5, max: 0.95, noNaN: true }), (a, target) => {
        const n = requiredServers({ trafficErlangs: a, ahtSeconds: 240, targetServiceLevel: target, answerSeconds: 30 });
        expect(n).toBeGreaterThan(a);
        expect(serviceLevel(a, n, 240, 30)).toBeGreaterThanOrEqual(target);
        if (n - 1 > a) expect(serviceLevel(a, n - 1, 240, 30)).toBeLessThan(target);
      }),
    );
  });

  it("rejects nonsense inputs", () => {
    expect(() => erlangC(-1, 3)).toThrow(RangeError);
    expect(() => erlangC(1, 2.5)).toThrow(RangeError);
    expect(() => serviceLevel(1, 3, 0, 20)).toThrow(RangeError);
    expect(() => requiredServers({ trafficErlangs: 1, ahtSeconds: 60, targetServiceLevel: 1, answerSeconds: 20 })).toThrow(RangeError);
  });
});
