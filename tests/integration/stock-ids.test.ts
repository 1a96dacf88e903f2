/**
 * Ids a URL cannot address (issue 12, item 2): an order id or SKU of dots only would be stored
 * but every route for it normalises away (`/stock/reservations/../ship` is `/stock/ship`). Each
 * boundary, body and path, answers 400 naming the field, and nothing is stored.
 */
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";
import { stockOf, warehouse } from "../support/stock.js";

const stack = useLocalStack();

const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field).sort();

describe("dot-only ids", () => {
  it("a reservation naming '..' as its order or '.' as a SKU is a 400 and holds nothing", async () => {
    const s = stack();
    const sku = s.uid("ids");
    await warehouse(s, sku, 10, 1);
    for (const orderId of [".", ".."]) {
      const res = await s.api("POST", "/stock/reservations", { body: { orderId, lines: [{ sku, qty: 1 }] }, signed: true });
      expect(res.status, orderId).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(fieldsOf(res.body)).toEqual(["orderId"]);
    }
    const dotSku = await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku: ".", qty: 1 }, { sku: "..", qty: 1 }] }, signed: true });
    expect(dotSku.status).toBe(400);
    expect(fieldsOf(dotSku.body)).toEqual(["lines.0.sku", "lines.1.sku"]);
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 10, reserved: 0, version: 1 });
  });

  it("a bulk warehouse update naming '..' is a 400 and applies nothing", async () => {
    const s = stack();
    const sku = s.uid("ids");
    const res = await s.api("PUT", "/stock/warehouse", { body: { updates: [{ sku, onHand: 5, seq: 1 }, { sku: "..", onHand: 5, seq: 1 }] }, signed: true });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["updates.1.sku"]);
    expect((await s.api("GET", `/stock/${sku}`, { as: await s.supervisor() })).status).toBe(404);
  });

  it("a path id of dots only is a 400 on every stock route that takes one", async () => {
    const s = stack();
    const sup = await s.supervisor();
    // `.` and `..` never reach a route (every client and the gateway remove them from the path);
    // `...` does, and is as unsafe behind a proxy, so the grammar refuses every id of dots only.
    const dots = "...";
    const calls = [
      s.api("PUT", `/stock/${dots}/warehouse`, { body: { onHand: 1, seq: 1 }, signed: true }),
      s.api("PUT", `/stock/${dots}/policy`, { as: sup, body: { safetyStock: 0, syncRatio: 1 } }),
      s.api("GET", `/stock/${dots}`, { as: sup }),
      s.api("GET", `/stock/${dots}/availability?qty=1`, { as: sup }),
      s.api("DELETE", `/stock/reservations/${dots}`, { as: sup }),
      s.api("POST", `/stock/reservations/${dots}/ship`, { as: sup }),
    ];
    const answers = await Promise.all(calls);
    expect(answers.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(answers.map((r) => fieldsOf(r.body))).toEqual([["sku"], ["sku"], ["sku"], ["sku"], ["orderId"], ["orderId"]]);
    expect(answers.every((r) => r.headers.get("content-type")?.includes("application/problem+json"))).toBe(true);
  });
});
