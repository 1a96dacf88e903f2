/**
 * The single-line reservation path (issue 15, item 4): a claim of the order, one conditional
 * counter write, then the hold and its audit record; page stock published off the request path.
 * What it must keep: never more held than stock, each order held once however many copies race,
 * and whatever a crash leaves (units taken, no hold) given back by the reconciler — not before the
 * request that took them is over. Crashes are injected in this process's DynamoDB client (the
 * functions run here), as in rota-atomic.test.ts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";
import { signedAt, stockOf, storefrontCollector, warehouse } from "../support/stock.js";

const stack = useLocalStack({ env: { STOCK_HOLD_MINUTES: "10" } });
const storefront = storefrontCollector(stack);
afterAll(() => storefront.close());

const table = () => import("../../functions/shared/table/index.js");

const reserve = (orderId: string, lines: { sku: string; qty: number }[], at?: Date) =>
  stack().api("POST", "/stock/reservations", { body: { orderId, lines }, ...(at ? signedAt(at) : { signed: true }) });

async function heldUnitsOf(sku: string): Promise<number> {
  const { heldUnits } = await import("../../functions/stock/store/holds.js");
  return stack().runAs("StockReconciler", () => heldUnits(sku));
}

async function reservedAudits(sku: string, orderId: string): Promise<number> {
  const { auditTrail } = await import("../../functions/shared/audit.js");
  return (await auditTrail("stock", sku)).filter((t) => t.action === "stock.reserved" && t.details?.orderId === orderId).length;
}

/**
 * The writer dies at the first DynamoDB call `matches` picks: that call and every later one fail,
 * nothing more is written and no clean-up runs, until `work` returns.
 */
async function dieAt(matches: (command: object) => boolean, work: () => Promise<unknown>): Promise<void> {
  const { dynamo } = await table();
  const original = dynamo.send.bind(dynamo);
  let dead = false;
  (dynamo as { send: unknown }).send = async (command: object, ...rest: unknown[]) => {
    if (dead || matches(command)) {
      dead = true;
      throw Object.assign(new Error("simulated crash: the writer is gone"), { name: "SimulatedCrash" });
    }
    return (original as (c: object, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  try {
    await work();
  } finally {
    (dynamo as { send: unknown }).send = original;
  }
}

const isBatchWrite = (command: object) => command.constructor.name === "BatchWriteCommand";

describe("one order, many copies at once", () => {
  it("duplicate retries racing each other hold each order once and never keep another order from the stock", async () => {
    const s = stack();
    const sku = s.uid("dup");
    await warehouse(s, sku, 10, 1);
    // Five orders of 2 units, each sent 4 times at once: 20 requests racing for 10 units.
    const orders = Array.from({ length: 5 }, (_, i) => `${sku}-o${i}`);
    const results = await Promise.all(orders.flatMap((orderId) => Array.from({ length: 4 }, () => reserve(orderId, [{ sku, qty: 2 }]).then((r) => ({ orderId, r })))));
    expect(results.map(({ r }) => r.status)).toEqual(results.map(() => 201));
    for (const orderId of orders) {
      const bodies = results.filter((x) => x.orderId === orderId).map(({ r }) => JSON.stringify(r.body));
      expect(new Set(bodies).size, orderId).toBe(1);
      expect(await reservedAudits(sku, orderId), orderId).toBe(1);
    }
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    expect(await heldUnitsOf(sku)).toBe(10);
  });

  it("duplicates of an order that takes the last units all answer 201 and nothing more is held", async () => {
    const s = stack();
    const sku = s.uid("last");
    await warehouse(s, sku, 3, 1);
    const orderId = s.uid("order");
    const copies = await Promise.all(Array.from({ length: 8 }, () => reserve(orderId, [{ sku, qty: 3 }])));
    expect(copies.map((r) => r.status)).toEqual(copies.map(() => 201));
    expect(new Set(copies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 3, available: 0 });
    // A retry long after answers the same and still holds nothing twice.
    const later = await reserve(orderId, [{ sku, qty: 3 }]);
    expect(later.status).toBe(201);
    expect(later.body).toEqual(copies[0]?.body);
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 3, available: 0 });
    expect(await heldUnitsOf(sku)).toBe(3);
    // Refused orders leave no claim behind: the same order id succeeds once stock is back.
    const refusedId = s.uid("order");
    expect((await reserve(refusedId, [{ sku, qty: 1 }])).status).toBe(409);
    await warehouse(s, sku, 4, 2);
    expect((await reserve(refusedId, [{ sku, qty: 1 }])).status).toBe(201);
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 4, available: 0 });
  });
});

describe("a reservation that dies halfway", () => {
  it("after taking its units and before writing its hold: nothing is held, the reconciler gives the units back once the SKU is quiet, a retry holds it once", async () => {
    const s = stack();
    const sku = s.uid("crash");
    const t0 = new Date("2032-02-01T10:00:00Z");
    await warehouse(s, sku, 5, 1, t0);
    const orderId = s.uid("order");
    await dieAt(isBatchWrite, async () => {
      const crashed = await reserve(orderId, [{ sku, qty: 2 }], t0);
      expect(crashed.status).toBe(500);
    });
    // The crash's footprint: units counted as reserved, no hold behind them.
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 2, available: 3 });
    expect(await heldUnitsOf(sku)).toBe(0);
    expect(await reservedAudits(sku, orderId)).toBe(0);

    // While the dead request could still be writing (its attempt not over), the difference is not drift.
    const early = (await s.runSchedule("StockReconciler", new Date(t0.getTime() + 20_000))) as { busy: number; findings: { sku: string }[] };
    expect(early.findings.map((f) => f.sku)).not.toContain(sku);
    expect(early.busy).toBeGreaterThanOrEqual(1);
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 2, available: 3 });
    // Nor can the order be released or shipped yet: its request might still write the hold.
    expect((await s.api("DELETE", `/stock/reservations/${orderId}`, { ...signedAt(new Date(t0.getTime() + 20_000)) })).status).toBe(503);

    // Quiet for longer than a request can live: the units come back, with the repair audited.
    const quiet = new Date(t0.getTime() + 120_000);
    const repaired = (await s.runSchedule("StockReconciler", quiet)) as { findings: { sku: string; reserved: number }[] };
    expect(repaired.findings.find((f) => f.sku === sku)).toMatchObject({ reserved: 2, available: -2, repaired: true });
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 0, available: 5, pageStock: 5 });
    await storefront.until(sku, 5);

    // The order system retries: the dead claim is taken over and the order held exactly once.
    const retry = await reserve(orderId, [{ sku, qty: 2 }], new Date(t0.getTime() + 130_000));
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ orderId, status: "held", createdAt: "2032-02-01T10:02:10.000Z" });
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 2, available: 3 });
    expect(await heldUnitsOf(sku)).toBe(2);
    expect(await reservedAudits(sku, orderId)).toBe(1);
    const again = (await s.runSchedule("StockReconciler", new Date(t0.getTime() + 600_000))) as { findings: { sku: string }[] };
    expect(again.findings.map((f) => f.sku)).not.toContain(sku);
    // And it ends like any other hold.
    expect((await s.api("DELETE", `/stock/reservations/${orderId}`, { ...signedAt(new Date(t0.getTime() + 610_000)) })).body.status).toBe("released");
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 0, available: 5 });
  });

  it("a claim whose request died is closed without moving stock: released, expired, never shipped", async () => {
    const s = stack();
    const sku = s.uid("void");
    const t0 = new Date("2032-03-01T10:00:00Z");
    await warehouse(s, sku, 4, 1, t0);
    const [released, expired] = [s.uid("order"), s.uid("order")];
    for (const orderId of [released, expired]) {
      await dieAt(isBatchWrite, async () => expect((await reserve(orderId, [{ sku, qty: 1 }], t0)).status).toBe(500));
    }
    await s.runSchedule("StockReconciler", new Date(t0.getTime() + 120_000));
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 0, available: 4 });

    const later = new Date(t0.getTime() + 180_000);
    expect((await s.api("POST", `/stock/reservations/${released}/ship`, signedAt(later))).status).toBe(409);
    const release = await s.api("DELETE", `/stock/reservations/${released}`, signedAt(later));
    expect(release.status).toBe(200);
    expect(release.body.status).toBe("released");
    // Past the hold's expiry the expiry job closes the other one; neither gives back what it never took.
    await s.runSchedule("StockHoldExpiry", new Date(t0.getTime() + 11 * 60_000));
    const closed = await s.api("DELETE", `/stock/reservations/${expired}`, signedAt(new Date(t0.getTime() + 12 * 60_000)));
    expect(closed.body.status).toBe("expired");
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect(await heldUnitsOf(sku)).toBe(0);
  });

  it("a counter write whose answer is lost is not sent again: at most its units are left over, and the reconciler returns them", async () => {
    const s = stack();
    const sku = s.uid("lost");
    const t0 = new Date("2032-04-01T10:00:00Z");
    await warehouse(s, sku, 5, 1, t0);
    const { dynamo, SkuCounters } = await table();
    const counters = JSON.stringify({ S: SkuCounters.key({ sku }).pk });
    let lost = 0;
    // Under the SDK's retry: the first counter write of this SKU reaches DynamoDB, its answer does not.
    const loseAnswer = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const input = (args as { input?: { Key?: { pk?: unknown } } }).input;
      if (lost > 0 || context.commandName !== "UpdateItemCommand" || JSON.stringify(input?.Key?.pk) !== counters) return next(args);
      lost += 1;
      await next(args);
      throw Object.assign(new Error("socket timed out after the request was sent"), { name: "TimeoutError" });
    };
    dynamo.middlewareStack.add(loseAnswer as never, { step: "deserialize", priority: "low", name: "testLoseAnswer" });
    const orderId = s.uid("order");
    try {
      const res = await reserve(orderId, [{ sku, qty: 1 }], t0);
      expect(res.status).toBe(503);
    } finally {
      dynamo.middlewareStack.remove("testLoseAnswer");
    }
    expect(lost).toBe(1);
    // Taken once (not twice by a retry), held by nobody, the claim dropped.
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 1, available: 4 });
    expect((await s.api("DELETE", `/stock/reservations/${orderId}`, signedAt(t0))).status).toBe(404);
    await s.runSchedule("StockReconciler", new Date(t0.getTime() + 120_000));
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 0, available: 5 });
    expect((await reserve(orderId, [{ sku, qty: 1 }], new Date(t0.getTime() + 130_000))).status).toBe(201);
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 1, available: 4 });
  });
});

describe("page stock off the request path", () => {
  it("a burst on one SKU is published coalesced, in version order, ending at the true page stock", async () => {
    const s = stack();
    const sku = s.uid("burst");
    await warehouse(s, sku, 100, 1);
    await storefront.until(sku, 100);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => reserve(`${sku}-o${i}`, [{ sku, qty: 1 }])));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const messages = await storefront.until(sku, 70);
    const versions = messages.map((m) => m.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    expect(messages.slice(1).every((m) => m.reason === "reservation")).toBe(true);
    const read = await stockOf(s, sku);
    expect(read).toMatchObject({ reserved: 30, pageStock: 70 });
    await s.eventually(async () => ((await stockOf(s, sku)).published.version === read.version ? true : undefined));
  });
});
