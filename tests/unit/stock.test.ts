import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  afterPolicy,
  afterWarehouse,
  availability,
  canonicalLines,
  closeDeltas,
  closes,
  lockHasExpired,
  newReservation,
  replayOf,
  repairedCounters,
  driftOf,
  emptySku,
  hasDrift,
  pageStock,
  policySchema,
  ratioScale,
  ratioToBp,
  reservationSchema,
  sellable,
  shortagesOf,
  warehouseDecision,
  warehouseOutcome,
  type SkuState,
} from "../../functions/stock/domain.js";

const counters = fc.record({
  onHand: fc.integer({ min: 0, max: 1_000_000 }),
  reserved: fc.integer({ min: 0, max: 1_000_000 }),
  safetyStock: fc.integer({ min: 0, max: 100_000 }),
  locked: fc.integer({ min: 0, max: 100_000 }),
  ratioBp: fc.integer({ min: 0, max: ratioScale }),
});

function state(overrides: Partial<SkuState>): SkuState {
  const base = { ...emptySku("sku-1", "2030-01-01T00:00:00.000Z"), ...overrides };
  return { ...base, available: base.onHand - base.reserved - base.safetyStock - base.locked };
}

describe("page stock formula", () => {
  it("is never negative", () => {
    fc.assert(fc.property(counters, (c) => pageStock(c) >= 0));
  });

  it("never shows more than is sellable", () => {
    fc.assert(fc.property(counters, (c) => pageStock(c) <= sellable(c) && sellable(c) <= Math.max(0, c.onHand - c.reserved)));
  });

  it("rounds down: page ≤ sellable × ratio < page + 1 (exact integer check)", () => {
    fc.assert(
      fc.property(counters, (c) => {
        const page = pageStock(c);
        const scaled = sellable(c) * c.ratioBp;
        return Number.isInteger(page) && page * ratioScale <= scaled && scaled < (page + 1) * ratioScale;
      }),
    );
  });

  it("with ratio 1 equals sellable, and never increases when reserved grows", () => {
    fc.assert(
      fc.property(counters, fc.integer({ min: 0, max: 1000 }), (c, more) => {
        expect(pageStock({ ...c, ratioBp: ratioScale })).toBe(sellable(c));
        expect(pageStock({ ...c, reserved: c.reserved + more })).toBeLessThanOrEqual(pageStock(c));
      }),
    );
  });

  it("does not suffer float rounding: 100 × 0.29 is 29, not 28", () => {
    expect(100 * 0.29).toBeLessThan(29);
    expect(pageStock({ onHand: 100, reserved: 0, safetyStock: 0, locked: 0, ratioBp: ratioToBp(0.29) })).toBe(29);
    expect(pageStock({ onHand: 10, reserved: 0, safetyStock: 0, locked: 0, ratioBp: ratioToBp(0.7) })).toBe(7);
    expect(pageStock({ onHand: 3, reserved: 5, safetyStock: 0, locked: 0, ratioBp: ratioScale })).toBe(0);
  });
});

describe("warehouse seq rule", () => {
  it("applies only a newer seq", () => {
    expect(warehouseOutcome(-1, 0)).toBe("applied");
    expect(warehouseOutcome(5, 6)).toBe("applied");
    expect(warehouseOutcome(5, 5)).toBe("duplicate");
    expect(warehouseOutcome(5, 4)).toBe("stale");
  });

  it("the applied seq again with another count is a conflict; with the same count a duplicate", () => {
    const applied = { warehouseSeq: 5, warehouseOnHand: 40 };
    expect(warehouseDecision(applied, { seq: 5, onHand: 40 })).toBe("duplicate");
    expect(warehouseDecision(applied, { seq: 5, onHand: 41 })).toBe("conflict");
    expect(warehouseDecision(applied, { seq: 4, onHand: 41 })).toBe("stale");
    expect(warehouseDecision(applied, { seq: 6, onHand: 41 })).toBe("applied");
    // Applied before the count was kept: cannot tell, so it stays a duplicate.
    expect(warehouseDecision({ warehouseSeq: 5, warehouseOnHand: null }, { seq: 5, onHand: 41 })).toBe("duplicate");
  });

  it("whatever the arrival order, the final seq is the maximum", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 30 }), (seqs) => {
        let current = -1;
        for (const seq of seqs) if (warehouseOutcome(current, seq) === "applied") current = seq;
        return current === Math.max(...seqs);
      }),
    );
  });
});

describe("reservations", () => {
  it("names every short line, counting unknown SKUs as 0 available", () => {
    const states = new Map([
      ["a", state({ sku: "a", onHand: 5 })],
      ["b", state({ sku: "b", onHand: 5, reserved: 4 })],
    ]);
    expect(shortagesOf([{ sku: "a", qty: 5 }, { sku: "b", qty: 2 }, { sku: "x", qty: 1 }], states)).toEqual([
      { sku: "b", requested: 2, available: 1 },
      { sku: "x", requested: 1, available: 0 },
    ]);
  });

  it("treats the same lines in another order as the same order body", () => {
    expect(canonicalLines([{ sku: "b", qty: 1 }, { sku: "a", qty: 2 }])).toBe(canonicalLines([{ sku: "a", qty: 2 }, { sku: "b", qty: 1 }]));
    expect(canonicalLines([{ sku: "a", qty: 1 }])).not.toBe(canonicalLines([{ sku: "a", qty: 2 }]));
  });

  it("rejects repeated SKUs, zero quantities and reserved words", () => {
    const result = reservationSchema.safeParse({ orderId: "o1", lines: [{ sku: "a", qty: 1 }, { sku: "a", qty: 0 }, { sku: "drift", qty: 1 }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join(".")).sort()).toEqual(["lines", "lines.1.qty", "lines.2.sku"]);
  });

  it("availability check for a large order", () => {
    expect(availability(state({ onHand: 100, safetyStock: 10 }), "s", 91)).toMatchObject({ available: 90, canFill: false, shortBy: 1 });
    expect(availability(undefined, "s", 1)).toMatchObject({ available: 0, canFill: false, shortBy: 1, pageStock: 0 });
  });
});

describe("policy schema", () => {
  it("accepts ratios with up to 4 decimals only", () => {
    expect(policySchema.safeParse({ safetyStock: 0, syncRatio: 0.1234 }).success).toBe(true);
    expect(policySchema.safeParse({ safetyStock: 0, syncRatio: 0.12345 }).success).toBe(false);
    expect(policySchema.safeParse({ safetyStock: 0, syncRatio: 1.01 }).success).toBe(false);
  });
});

describe("drift", () => {
  it("is zero when counters match the ledger and the storefront is up to date", () => {
    const s = state({ onHand: 10, reserved: 4, version: 3 });
    expect(hasDrift(driftOf(s, { version: 3, page: 6, at: null }, 4, "t"))).toBe(false);
  });

  it("reports stuck reserved units and the page stock the storefront was wrongly told", () => {
    const s = state({ onHand: 10, reserved: 7, version: 3 });
    expect(driftOf(s, { version: 3, page: 3, at: null }, 4, "t")).toMatchObject({ reserved: 3, available: -3, pageStock: -3 });
  });

  it("does not call a pending publication drift", () => {
    const s = state({ onHand: 10, version: 5 });
    expect(driftOf(s, { version: 4, page: 2, at: null }, 0, "t").pageStock).toBe(0);
  });
});

describe("decisions moved out of the store", () => {
  const at = "2031-01-01T00:00:00.000Z";

  it("a warehouse count moves available by what it adds or removes, and bumps the version", () => {
    const s = state({ onHand: 10, reserved: 4, version: 2 });
    expect(afterWarehouse(s, { onHand: 7, seq: 3 }, at)).toMatchObject({ onHand: 7, available: 3, warehouseSeq: 3, lastSyncedAt: at, version: 3 });
  });

  it("a policy change keeps available = onHand − reserved − safety − locked", () => {
    fc.assert(
      fc.property(counters, fc.integer({ min: 0, max: 1000 }), fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }), (c, safetyStock, lockQty) => {
        const before = state(c);
        const lock = lockQty === null ? null : { campaignId: "c", qty: lockQty, expiresAt: at };
        const after = afterPolicy(before, { safetyStock, ratioBp: c.ratioBp, lock }, at);
        expect(after.available).toBe(after.onHand - after.reserved - after.safetyStock - after.locked);
        expect(after.version).toBe(before.version + 1);
      }),
    );
  });

  it("closes only a held reservation, and an expiry only once its instant has passed", () => {
    const held = newReservation({ orderId: "o", lines: [{ sku: "a", qty: 1 }] }, "t", at, "2031-01-01T00:15:00.000Z");
    expect(closes(held, "released", at)).toBe(true);
    expect(closes(held, "expired", "2031-01-01T00:14:59.999Z")).toBe(false);
    expect(closes(held, "expired", "2031-01-01T00:15:00.000Z")).toBe(true);
    expect(closes({ ...held, status: "shipped" }, "released", at)).toBe(false);
  });

  it("shipping keeps available, releasing gives it back", () => {
    expect(closeDeltas("shipped", 3)).toEqual({ reserved: -3, available: 0, onHand: -3 });
    expect(closeDeltas("released", 3)).toEqual({ reserved: -3, available: 3, onHand: 0 });
    expect(closeDeltas("expired", 3)).toEqual(closeDeltas("released", 3));
  });

  it("the same order again is a replay whatever the line order; other lines are a conflict", () => {
    const existing = newReservation({ orderId: "o", lines: [{ sku: "a", qty: 1 }, { sku: "b", qty: 2 }] }, "t", at, at);
    expect(replayOf(existing, { orderId: "o", lines: [{ sku: "b", qty: 2 }, { sku: "a", qty: 1 }] })).toBe("replay");
    expect(replayOf(existing, { orderId: "o", lines: [{ sku: "a", qty: 1 }] })).toBe("conflict");
  });

  it("a lock expires at its instant, and no lock never expires", () => {
    expect(lockHasExpired({ campaignId: "c", qty: 1, expiresAt: at }, at)).toBe(true);
    expect(lockHasExpired({ campaignId: "c", qty: 1, expiresAt: "2031-01-01T00:00:01.000Z" }, at)).toBe(false);
    expect(lockHasExpired(null, at)).toBe(false);
  });

  it("repairs counters from the ledger", () => {
    expect(repairedCounters(state({ onHand: 20, reserved: 7, safetyStock: 1 }), 4)).toEqual({ reserved: 4, available: 15 });
  });
});
