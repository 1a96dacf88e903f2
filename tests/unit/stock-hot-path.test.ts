/**
 * The rules behind the single-line reservation path (functions/stock/domain.ts, use-cases.ts):
 * when a claim of another request may be taken over, what a duplicate does, and the attempt
 * grace against the function's own timeout. Publication is off the request path by construction:
 * StockApi cannot send to the storefront queue at all.
 */
import { describe, expect, it } from "vitest";
import { attemptGraceMs, attemptIsOver, claimOutcome, newReservation } from "../../functions/stock/domain.js";
import { stockApi, stockPublisher } from "../../functions/stock/functions.js";
import { planFunction } from "../../infra/function-plan.js";

const t0 = "2032-01-01T10:00:00.000Z";
const plus = (ms: number) => new Date(Date.parse(t0) + ms).toISOString();
const request = { orderId: "o1", lines: [{ sku: "tee", qty: 2 }] };
const claim = newReservation(request, "system:order-system", t0, plus(15 * 60_000), "attempt-1");

describe("a claim found by another request for the same order", () => {
  it("is a replay once its hold is written, or once closed", () => {
    expect(claimOutcome(claim, request, true, plus(1))).toBe("replay");
    expect(claimOutcome({ ...claim, status: "released", closedAt: plus(5) }, request, false, plus(10))).toBe("replay");
    // Line order does not matter.
    const two = { orderId: "o2", lines: [{ sku: "a", qty: 1 }, { sku: "b", qty: 1 }] };
    expect(claimOutcome(newReservation(two, "x", t0, plus(1), "a1"), { ...two, lines: [...two.lines].reverse() }, true, plus(1))).toBe("replay");
  });

  it("is a conflict when the lines differ, held or not", () => {
    expect(claimOutcome(claim, { ...request, lines: [{ sku: "tee", qty: 3 }] }, true, plus(1))).toBe("conflict");
    expect(claimOutcome(claim, { ...request, lines: [{ sku: "tee", qty: 3 }] }, false, plus(attemptGraceMs * 2))).toBe("conflict");
  });

  it("without its hold: waited for while its request may still write, taken over only once that request is over", () => {
    expect(claimOutcome(claim, request, false, plus(0))).toBe("wait");
    expect(claimOutcome(claim, request, false, plus(attemptGraceMs - 1))).toBe("wait");
    expect(claimOutcome(claim, request, false, plus(attemptGraceMs))).toBe("takeOver");
    // A clock behind the claim's (a pinned or skewed one) never takes over early.
    expect(claimOutcome(claim, request, false, plus(-60_000))).toBe("wait");
  });
});

describe("the attempt grace", () => {
  it("outlasts StockApi's timeout several times over, so nothing a timed-out request started can land after it", () => {
    expect(attemptGraceMs).toBeGreaterThanOrEqual(4 * planFunction(stockApi).timeoutSeconds * 1000);
    expect(attemptIsOver(t0, plus(attemptGraceMs))).toBe(true);
    expect(attemptIsOver(t0, plus(attemptGraceMs - 1))).toBe(false);
  });
});

describe("publication off the request path", () => {
  it("StockApi only nudges the publisher; only StockPublisher (and the schedules) send to the storefront", () => {
    expect(stockApi.access.sends).toEqual(["stockChanges"]);
    expect(stockPublisher.access.sends).toEqual(["storefront"]);
    expect(stockPublisher.triggers).toEqual([expect.objectContaining({ kind: "queue", queue: "stockChanges" })]);
  });
});
