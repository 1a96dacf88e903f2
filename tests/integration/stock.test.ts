import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { SkuCounters } from "../../functions/shared/table/entities/stock.js";
import { emptySku } from "../../functions/stock/domain.js";
import { useLocalStack } from "../support/stack.js";
import { signedAt, stockOf, storefrontCollector, warehouse } from "../support/stock.js";

const stack = useLocalStack();
const storefront = storefrontCollector(stack);
afterAll(() => storefront.close());

/** A raw document client on the file's table, bypassing the API. */
async function withTable<T>(use: (client: DynamoDBDocumentClient, tableName: string) => Promise<T>): Promise<T> {
  const s = stack();
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: s.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } }));
  try {
    return await use(client, s.tableName);
  } finally {
    client.destroy();
  }
}

/** Writes straight to the counters, bypassing the API: the only way to make them drift. */
async function corrupt(sku: string, update: string, values: Record<string, unknown>) {
  await withTable((client, TableName) => client.send(new UpdateCommand({ TableName, Key: SkuCounters.key({ sku }), UpdateExpression: update, ExpressionAttributeValues: values })));
}

describe("warehouse updates", () => {
  it("out-of-order updates end at the newest seq; stale and duplicate seqs are acknowledged and ignored", async () => {
    const s = stack();
    const sku = s.uid("wh");
    const seqs = [3, 1, 7, 5, 2, 6, 4];
    const results = await Promise.all(seqs.map((seq) => s.api("PUT", `/stock/${sku}/warehouse`, { body: { onHand: seq * 10, seq }, signed: true })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 70, warehouseSeq: 7, available: 70, pageStock: 70 });

    const stale = await warehouse(s, sku, 999, 6);
    expect(stale.body).toMatchObject({ outcome: "stale", onHand: 70 });
    // The same seq with the same count (a redelivery) is a duplicate; with another count it is a conflict (next test).
    const duplicate = await warehouse(s, sku, 70, 7);
    expect(duplicate.body).toMatchObject({ outcome: "duplicate", onHand: 70 });
    const newer = await warehouse(s, sku, 65, 8);
    expect(newer.body).toMatchObject({ outcome: "applied", onHand: 65, warehouseSeq: 8 });
    await storefront.until(sku, 65);
  });

  it("a reused seq with another count is a 409 conflict that changes nothing; the same count stays a duplicate", async () => {
    const s = stack();
    const sku = s.uid("seq");
    await warehouse(s, sku, 40, 5);
    const orderId = s.uid("o");
    expect((await s.api("POST", "/stock/reservations", { body: { orderId, lines: [{ sku, qty: 3 }] }, signed: true })).status).toBe(201);
    expect((await s.api("POST", `/stock/reservations/${orderId}/ship`, { signed: true })).status).toBe(200);
    // Publication runs off the request path: let it settle so `before` is the SKU at rest.
    const before = await s.eventually(async () => {
      const read = await stockOf(s, sku);
      return read.published.version === read.version ? read : undefined;
    });
    expect(before).toMatchObject({ onHand: 37, reserved: 0, warehouseSeq: 5 });

    const reused = await s.api("PUT", `/stock/${sku}/warehouse`, { body: { onHand: 55, seq: 5 }, signed: true });
    expect(reused.status).toBe(409);
    expect(reused.headers.get("content-type")).toContain("application/problem+json");
    expect(reused.body).toMatchObject({ sku, seq: 5, onHand: 55, appliedOnHand: 40 });
    expect(await stockOf(s, sku)).toEqual(before);

    // Shipping moves onHand but not what seq 5 said: a replay of seq 5 is still a duplicate.
    const duplicate = await warehouse(s, sku, 40, 5);
    expect(duplicate.body).toMatchObject({ outcome: "duplicate", onHand: 37 });

    const bulk = await s.api("PUT", "/stock/warehouse", {
      body: { updates: [{ sku, onHand: 41, seq: 5 }, { sku, onHand: 40, seq: 5 }, { sku, onHand: 30, seq: 6 }, { sku, onHand: 31, seq: 6 }] },
      signed: true,
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["conflict", "duplicate", "applied", "conflict"]);
    expect(bulk.body).toMatchObject({ applied: 1, duplicate: 1, conflict: 2, stale: 0 });
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 30, warehouseSeq: 6 });
    const { auditTrail } = await import("../../functions/shared/audit.js");
    const actions = (await auditTrail("stock", sku)).filter((t) => t.action === "stock.warehouse").map((t) => t.details?.seq);
    expect(actions).toEqual([5, 6]);
  });

  it("bulk variant applies per item in order and reports applied/stale/duplicate", async () => {
    const s = stack();
    const [a, b] = [s.uid("bulk"), s.uid("bulk")];
    await warehouse(s, b, 50, 10);
    const res = await s.api("PUT", "/stock/warehouse", {
      body: {
        updates: [
          { sku: a, onHand: 5, seq: 2 },
          { sku: a, onHand: 4, seq: 1 },
          { sku: b, onHand: 40, seq: 9 },
          { sku: b, onHand: 50, seq: 10 },
          { sku: b, onHand: 42, seq: 11 },
        ],
      },
      signed: true,
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["applied", "stale", "stale", "duplicate", "applied"]);
    expect(res.body).toMatchObject({ applied: 2, stale: 2, duplicate: 1 });
    expect((await stockOf(s, a)).onHand).toBe(5);
    expect((await stockOf(s, b)).onHand).toBe(42);

    const bad = await s.api("PUT", "/stock/warehouse", {
      body: { updates: [{ sku: a, onHand: 1, seq: 3 }, { sku: "bad sku", onHand: -1, seq: 4 }] },
      signed: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["updates.1.onHand", "updates.1.sku"]);
    expect((await stockOf(s, a)).onHand).toBe(5);
  });

  it("rejects unsigned, stale-signed and wrongly signed webhooks with 401 and changes nothing", async () => {
    const s = stack();
    const sku = s.uid("sig");
    await warehouse(s, sku, 10, 1);
    const body = { onHand: 99, seq: 2 };
    expect((await s.api("PUT", `/stock/${sku}/warehouse`, { body })).status).toBe(401);
    const stale = await s.api("PUT", `/stock/${sku}/warehouse`, { body, signed: { timestamp: Math.floor(Date.now() / 1000) - 301 } });
    expect(stale.status).toBe(401);
    expect(stale.headers.get("content-type")).toContain("application/problem+json");
    expect((await s.api("PUT", `/stock/${sku}/warehouse`, { body, signed: { secret: "another-secret-0123456789" } })).status).toBe(401);
    expect((await s.api("PUT", "/stock/warehouse", { body: { updates: [{ sku, ...body }] } })).status).toBe(401);
    expect((await s.api("PUT", `/stock/${sku}/warehouse`, { body, as: await s.supervisor() })).status).toBe(401);
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 10, warehouseSeq: 1 });
  });

  it("rejects bad input with 400 naming each field, and changes nothing", async () => {
    const s = stack();
    const sku = s.uid("val");
    await warehouse(s, sku, 10, 1);
    const bad = await s.api("PUT", `/stock/${sku}/warehouse`, { body: { onHand: -1, seq: 1.5, extra: true }, signed: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["(body)", "onHand", "seq"]);
    const sup = await s.supervisor();
    const badPolicy = await s.api("PUT", `/stock/${sku}/policy`, { as: sup, body: { safetyStock: -2, syncRatio: 1.5, lock: { campaignId: "c1", qty: 0, expiresAt: "tomorrow" } } });
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["lock.expiresAt", "lock.qty", "safetyStock", "syncRatio"]);
    const tooPrecise = await s.api("PUT", `/stock/${sku}/policy`, { as: sup, body: { safetyStock: 0, syncRatio: 0.123456 } });
    expect(tooPrecise.body.errors[0].field).toBe("syncRatio");
    const pastLock = await s.api("PUT", `/stock/${sku}/policy`, { as: sup, body: { safetyStock: 0, syncRatio: 1, lock: { campaignId: "c1", qty: 1, expiresAt: "2000-01-01T00:00:00Z" } } });
    expect(pastLock.status).toBe(400);
    expect(pastLock.body.errors[0].field).toBe("lock.expiresAt");
    expect((await s.api("PUT", `/stock/${encodeURIComponent("no/slash ok")}/policy`, { as: sup, body: { safetyStock: 0, syncRatio: 1 } })).status).toBeGreaterThanOrEqual(400);
    expect((await s.api("PUT", `/stock/${sku}/policy`, { as: await s.agentToken("ag"), body: { safetyStock: 0, syncRatio: 1 } })).status).toBe(403);
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 10, safetyStock: 0, syncRatio: 1, locked: 0, version: 1 });
    expect((await s.api("GET", `/stock/${s.uid("none")}`, { as: sup })).status).toBe(404);
  });
});

describe("policy and page stock", () => {
  it("page = floor(max(0, onHand − reserved − safety − locked) × ratio), published on each change with an idempotency key", async () => {
    const s = stack();
    const sku = s.uid("page");
    const sup = await s.supervisor("sup-policy");
    const t0 = new Date("2031-05-01T08:00:00Z");
    await warehouse(s, sku, 100, 1, t0);
    await storefront.until(sku, 100);

    const policy = await s.api("PUT", `/stock/${sku}/policy`, { as: sup, body: { safetyStock: 10, syncRatio: 0.29 }, at: t0 });
    expect(policy.status).toBe(200);
    // floor(90 × 0.29) = floor(26.1) = 26
    expect(policy.body).toMatchObject({ available: 90, pageStock: 26, syncRatio: 0.29 });
    await storefront.until(sku, 26);

    await s.api("PUT", `/stock/${sku}/policy`, { as: sup, body: { safetyStock: 0, syncRatio: 0.29 }, at: t0 });
    // 100 × 0.29 is 28.999… in floating point; the ratio is kept in basis points, so this is exactly 29.
    expect((await stockOf(s, sku)).pageStock).toBe(29);
    await storefront.until(sku, 29);

    const lockUntil = "2031-05-01T09:00:00+08:00"; // 01:00Z
    const locked = await s.api("PUT", `/stock/${sku}/policy`, { as: sup, body: { safetyStock: 5, syncRatio: 0.5, lock: { campaignId: "d11", qty: 30, expiresAt: lockUntil } }, at: new Date("2031-05-01T00:30:00Z") });
    expect(locked.status).toBe(200);
    expect(locked.body).toMatchObject({ locked: 30, available: 65, pageStock: 32, lock: { campaignId: "d11", qty: 30, expiresAt: "2031-05-01T01:00:00.000Z" } });
    await storefront.until(sku, 32);

    const reservation = await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku, qty: 66 }] }, ...signedAt(new Date("2031-05-01T00:31:00Z")) });
    expect(reservation.status).toBe(409);
    expect(reservation.body.shortages).toEqual([{ sku, requested: 66, available: 65 }]);

    await s.runSchedule("StockHoldExpiry", new Date("2031-05-01T00:59:00Z"));
    expect((await stockOf(s, sku)).locked).toBe(30);
    await s.runSchedule("StockHoldExpiry", new Date("2031-05-01T01:00:30Z"));
    expect(await stockOf(s, sku)).toMatchObject({ locked: 0, lock: null, available: 95, pageStock: 47 });
    const messages = await storefront.until(sku, 47);

    expect(messages.map((m) => m.pageStock)).toEqual([100, 26, 29, 32, 47]);
    expect(messages.map((m) => m.reason)).toEqual(["warehouse", "policy", "policy", "policy", "expiry"]);
    expect(messages.every((m) => m.idempotencyKey === `${sku}#${m.version}` && m.dedupId === m.idempotencyKey && m.groupId === sku)).toBe(true);
    const read = await stockOf(s, sku);
    expect(read.published).toMatchObject({ pageStock: 47 });
    expect(read.drift.pageStock).toBe(0);
    expect(read.lastSyncedAt).toBe(t0.toISOString());

    const { auditTrail } = await import("../../functions/shared/audit.js");
    const actions = (await auditTrail("stock", sku)).map((t) => [t.action, t.actor]);
    expect(actions).toContainEqual(["stock.policy", "supervisor:sup-policy"]);
    expect(actions).toContainEqual(["stock.lock-expired", "system:stock-hold-expiry"]);
  });

  it("a warehouse count below the holds shows 0, never negative, and blocks reservations", async () => {
    const s = stack();
    const sku = s.uid("neg");
    await warehouse(s, sku, 10, 1);
    expect((await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku, qty: 8 }] }, signed: true })).status).toBe(201);
    await warehouse(s, sku, 5, 2);
    expect(await stockOf(s, sku)).toMatchObject({ onHand: 5, reserved: 8, available: 0, pageStock: 0 });
    expect((await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku, qty: 1 }] }, signed: true })).status).toBe(409);
    await storefront.until(sku, 0);
  });
});

describe("reconciliation", () => {
  it("finds drifted counters from the ledger, repairs them, publishes the correction and reports it", async () => {
    const s = stack();
    const sku = s.uid("drift");
    const clean = s.uid("clean");
    await warehouse(s, sku, 20, 1);
    await warehouse(s, clean, 5, 1);
    // Publication coalesces changes that come within its 1 s window: wait for each value to show.
    await storefront.until(sku, 20);
    expect((await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku, qty: 4 }] }, signed: true })).status).toBe(201);
    await storefront.until(sku, 16);
    // A lost release: 3 units stuck as reserved with no hold behind them.
    await corrupt(sku, "ADD reserved :three, available :minus", { ":three": 3, ":minus": -3 });
    expect(await stockOf(s, sku)).toMatchObject({ reserved: 7, available: 13 });
    // The next change publishes a page stock computed from the drifted counters: 20 − 7 − 1 = 12.
    expect((await s.api("POST", "/stock/reservations", { body: { orderId: s.uid("o"), lines: [{ sku, qty: 1 }] }, signed: true })).status).toBe(201);
    await storefront.until(sku, 12);

    const report = (await s.runSchedule("StockReconciler", new Date("2031-06-01T00:00:00Z"))) as { drifted: number; repaired: number; findings: { sku: string }[] };
    expect(report.findings.map((f) => f.sku)).toEqual([sku]);
    const after = await stockOf(s, sku);
    expect(after).toMatchObject({ reserved: 5, available: 15, pageStock: 15 });
    expect(after.drift.lastReconcile).toMatchObject({ reserved: 3, available: -3, pageStock: -3, repaired: true });
    const messages = await storefront.until(sku, 15);
    expect(messages.map((m) => m.pageStock)).toEqual([20, 16, 12, 15]);
    expect(messages.at(-1)?.reason).toBe("reconcile");

    const drift = await s.api("GET", "/stock/drift", { as: await s.supervisor() });
    expect(drift.body).toMatchObject({ at: "2031-06-01T00:00:00.000Z", drifted: 1, repaired: 1 });
    expect(drift.body.skus).toBeGreaterThanOrEqual(2);

    const again = (await s.runSchedule("StockReconciler", new Date("2031-06-01T00:05:00Z"))) as { drifted: number };
    expect(again.drifted).toBe(0);
  });

  it("re-publishes a change whose publication was lost (crash between commit and send)", async () => {
    const s = stack();
    const sku = s.uid("lost");
    await warehouse(s, sku, 9, 1);
    await storefront.until(sku, 9);
    // A change committed (version + counters) but never published.
    await corrupt(sku, "SET onHand = :on, available = :on ADD version :one", { ":on": 4, ":one": 1 });
    expect((await stockOf(s, sku)).drift.pageStock).toBe(5);
    await s.runSchedule("StockReconciler", new Date());
    const messages = await storefront.until(sku, 4);
    expect(messages.map((m) => m.pageStock)).toEqual([9, 4]);
    expect((await stockOf(s, sku)).drift.pageStock).toBe(0);
  });
});

describe("stored items", () => {
  it("a malformed counters item is a loud 500 on read and write, never a coerced value, and is left as it was", async () => {
    const s = stack();
    const sku = s.uid("malformed");
    const bad = { ...SkuCounters.item({ ...emptySku(sku, "2031-01-01T00:00:00.000Z"), onHand: 5, available: 5 }), onHand: "five" };
    await withTable((client, TableName) => client.send(new PutCommand({ TableName, Item: bad })));
    const read = await s.api("GET", `/stock/${sku}`, { as: await s.supervisor() });
    expect(read.status).toBe(500);
    expect(read.headers.get("content-type")).toContain("application/problem+json");
    expect(read.body).toMatchObject({ type: "/problems/internal", status: 500 });
    expect(JSON.stringify(read.body)).not.toContain("five");
    expect((await s.api("PUT", `/stock/${sku}/warehouse`, { body: { onHand: 9, seq: 1 }, signed: true })).status).toBe(500);
    const stored = await withTable((client, TableName) => client.send(new GetCommand({ TableName, Key: SkuCounters.key({ sku }), ConsistentRead: true })));
    expect(stored.Item).toMatchObject({ onHand: "five", warehouseSeq: -1, version: 0 });
  });
});
