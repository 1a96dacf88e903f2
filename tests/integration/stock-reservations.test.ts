import { afterAll, describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";
import { signedAt, stockOf, storefrontCollector, warehouse } from "../support/stock.js";

const stack = useLocalStack({ env: { STOCK_HOLD_MINUTES: "10" } });
const storefront = storefrontCollector(stack);
afterAll(() => storefront.close());

const reserve = (orderId: string, lines: { sku: string; qty: number }[], at = new Date()) =>
  stack().api("POST", "/stock/reservations", { body: { orderId, lines }, ...signedAt(at) });

describe("reservations under real concurrency", () => {
  it("never reserves more than the stock: exactly `stock` of many parallel single-unit orders succeed", async () => {
    const s = stack();
    const sku = s.uid("hot");
    await warehouse(s, sku, 7, 1);
    const attempts = 40;
    const results = await Promise.all(Array.from({ length: attempts }, (_, i) => reserve(`${sku}-o${i}`, [{ sku, qty: 1 }])));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(7);
    expect(statuses.filter((x) => x === 409)).toHaveLength(attempts - 7);
    const short = results.find((r) => r.status === 409);
    expect(short?.headers.get("content-type")).toContain("application/problem+json");
    expect(short?.body.shortages).toEqual([{ sku, requested: 1, available: 0 }]);
    const after = await stockOf(s, sku);
    expect(after).toMatchObject({ onHand: 7, reserved: 7, available: 0, pageStock: 0 });
    // The storefront ends at 0, and versions only grow within the SKU's FIFO group.
    const messages = await storefront.until(sku, 0);
    const versions = messages.map((m) => m.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(new Set(messages.map((m) => m.dedupId)).size).toBe(messages.length);
    expect(messages.every((m) => m.groupId === sku && m.dedupId === `${sku}#${m.version}`)).toBe(true);
  });

  it("mixed quantities racing: successes never exceed the stock and the counters add up", async () => {
    const s = stack();
    const sku = s.uid("mix");
    await warehouse(s, sku, 20, 1);
    const qtys = Array.from({ length: 24 }, (_, i) => 1 + (i % 4));
    const results = await Promise.all(qtys.map((qty, i) => reserve(`${sku}-o${i}`, [{ sku, qty }])));
    const reservedUnits = results.reduce((sum, r, i) => sum + (r.status === 201 ? (qtys[i] ?? 0) : 0), 0);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(reservedUnits).toBeLessThanOrEqual(20);
    const after = await stockOf(s, sku);
    expect(after.reserved).toBe(reservedUnits);
    expect(after.available).toBe(20 - reservedUnits);
    // Whatever is left is smaller than every refused request (a refusal was not spurious).
    for (const [i, r] of results.entries()) if (r.status === 409) expect(r.body.shortages[0].available).toBeLessThan(qtys[i] ?? 0);
  });

  it("multi-line orders are all or nothing and the 409 names each short SKU", async () => {
    const s = stack();
    const [a, b, c] = [s.uid("a"), s.uid("b"), s.uid("c")];
    await warehouse(s, a, 5, 1);
    await warehouse(s, b, 1, 1);
    await warehouse(s, c, 0, 1);
    const refused = await reserve(s.uid("order"), [
      { sku: a, qty: 2 },
      { sku: b, qty: 3 },
      { sku: c, qty: 1 },
    ]);
    expect(refused.status).toBe(409);
    expect(refused.body.shortages).toEqual([
      { sku: b, requested: 3, available: 1 },
      { sku: c, requested: 1, available: 0 },
    ]);
    expect((await stockOf(s, a)).reserved).toBe(0);
    expect((await stockOf(s, b)).reserved).toBe(0);

    const ok = await reserve(s.uid("order"), [
      { sku: a, qty: 2 },
      { sku: b, qty: 1 },
    ]);
    expect(ok.status).toBe(201);
    expect((await stockOf(s, a)).available).toBe(3);
    expect((await stockOf(s, b)).available).toBe(0);
    const unknown = await reserve(s.uid("order"), [{ sku: s.uid("never-seen"), qty: 1 }]);
    expect(unknown.status).toBe(409);
  });

  it("is idempotent by orderId: a replay holds nothing twice, a different body is a conflict", async () => {
    const s = stack();
    const sku = s.uid("idem");
    await warehouse(s, sku, 10, 1);
    const orderId = s.uid("order");
    const replays = await Promise.all(Array.from({ length: 6 }, () => reserve(orderId, [{ sku, qty: 3 }])));
    expect(replays.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(replays.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect((await stockOf(s, sku)).reserved).toBe(3);
    const different = await reserve(orderId, [{ sku, qty: 4 }]);
    expect(different.status).toBe(409);
    expect(different.body.orderId).toBe(orderId);
    expect((await stockOf(s, sku)).reserved).toBe(3);
  });

  it("release and ship: release restores availability, ship decrements onHand, both idempotent", async () => {
    const s = stack();
    const sku = s.uid("rel");
    await warehouse(s, sku, 10, 1);
    const o1 = s.uid("order");
    const o2 = s.uid("order");
    expect((await reserve(o1, [{ sku, qty: 4 }])).status).toBe(201);
    expect((await reserve(o2, [{ sku, qty: 5 }])).status).toBe(201);
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 9, available: 1, pageStock: 1 });
    await storefront.until(sku, 1);

    const released = await Promise.all([1, 2, 3].map(() => s.api("DELETE", `/stock/reservations/${o1}`, { signed: true })));
    expect(released.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(released[0]?.body.status).toBe("released");
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 10, reserved: 5, available: 5 });
    await storefront.until(sku, 5);

    const sup = await s.supervisor("sup-ship");
    const shipped = await s.api("POST", `/stock/reservations/${o2}/ship`, { as: sup });
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe("shipped");
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect((await s.api("POST", `/stock/reservations/${o2}/ship`, { as: sup })).status).toBe(200);
    expect((await s.api("DELETE", `/stock/reservations/${o2}`, { as: sup })).status).toBe(409);
    expect((await s.api("POST", `/stock/reservations/${o1}/ship`, { as: sup })).status).toBe(409);
    expect((await s.api("DELETE", `/stock/reservations/${s.uid("ghost")}`, { as: sup })).status).toBe(404);
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 5, reserved: 0 });

    const { auditTrail } = await import("../../functions/shared/audit.js");
    const trail = await auditTrail("stock", sku);
    expect(trail.map((t) => [t.action, t.actor, t.details?.orderId ?? t.details?.seq])).toEqual([
      ["stock.warehouse", "system:warehouse", 1],
      ["stock.reserved", "system:order-system", o1],
      ["stock.reserved", "system:order-system", o2],
      ["stock.released", "system:order-system", o1],
      ["stock.shipped", "supervisor:sup-ship", o2],
    ]);
  });

  it("unpaid holds expire after STOCK_HOLD_MINUTES and give the stock back", async () => {
    const s = stack();
    const sku = s.uid("exp");
    const t0 = new Date("2031-03-01T10:00:00Z");
    await warehouse(s, sku, 3, 1, t0);
    const orderId = s.uid("order");
    const held = await reserve(orderId, [{ sku, qty: 3 }], t0);
    expect(held.status).toBe(201);
    expect(held.body.expiresAt).toBe("2031-03-01T10:10:00.000Z");
    await s.runSchedule("StockHoldExpiry", new Date("2031-03-01T10:09:00Z"));
    expect((await stockOf(s, sku)).available).toBe(0);
    await s.runSchedule("StockHoldExpiry", new Date("2031-03-01T10:10:30Z"));
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 0, available: 3, pageStock: 3 });
    const sup = await s.supervisor();
    expect((await s.api("POST", `/stock/reservations/${orderId}/ship`, { as: sup })).status).toBe(409);
    await storefront.until(sku, 3);
    // The freed units can be reserved again at once.
    expect((await reserve(s.uid("order"), [{ sku, qty: 3 }], new Date("2031-03-01T10:11:00Z"))).status).toBe(201);
  });

  it("rejects bad reservation bodies naming fields, and unsigned or stale-signed calls, changing nothing", async () => {
    const s = stack();
    const sku = s.uid("bad");
    await warehouse(s, sku, 5, 1);
    const bad = await s.api("POST", "/stock/reservations", {
      body: { orderId: "has space", lines: [{ sku, qty: 0 }, { sku: "drift", qty: 1.5 }] },
      signed: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["lines.0.qty", "lines.1.qty", "lines.1.sku", "orderId"]);
    const dup = await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku, qty: 1 }, { sku, qty: 1 }] }, signed: true });
    expect(dup.status).toBe(400);
    expect(dup.body.errors[0].field).toBe("lines");
    const unsigned = await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku, qty: 1 }] } });
    expect(unsigned.status).toBe(401);
    const stale = await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku, qty: 1 }] }, signed: { timestamp: Math.floor(Date.now() / 1000) - 600 } });
    expect(stale.status).toBe(401);
    const agent = await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku, qty: 1 }] }, as: await s.agentToken("a1") });
    expect(agent.status).toBe(403);
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 0, available: 5 });
  });

  it("answers the large-order availability check", async () => {
    const s = stack();
    const sku = s.uid("big");
    await warehouse(s, sku, 120, 1);
    const sup = await s.supervisor();
    await s.api("PUT", `/stock/${sku}/policy`, { as: sup, body: { safetyStock: 20, syncRatio: 0.5 } });
    const yes = await s.api("GET", `/stock/${sku}/availability?qty=100`, { as: sup });
    expect(yes.body).toMatchObject({ sku, requested: 100, available: 100, canFill: true, shortBy: 0, pageStock: 50 });
    const no = await s.api("GET", `/stock/${sku}/availability?qty=101`, { as: sup });
    expect(no.body).toMatchObject({ canFill: false, shortBy: 1 });
    const bad = await s.api("GET", `/stock/${sku}/availability?qty=-3`, { as: sup });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("qty");
  });
});
