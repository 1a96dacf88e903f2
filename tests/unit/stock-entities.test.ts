/**
 * Stock's items in the registry: keys come from the declared templates, stored items are parsed
 * by their schemas, and a malformed one is a typed error rather than a coerced value.
 */
import { describe, expect, it } from "vitest";
import { SkuCounters, StockHold, StockPublication, StockReservation, stockIndexShards, stockShardOf } from "../../functions/shared/table/entities/stock.js";
import { emptySku, newReservation } from "../../functions/stock/domain.js";
import { expectMalformed } from "../support/malformed.js";

describe("stock entities", () => {
  it("build the keys the table has always used", () => {
    expect(SkuCounters.key({ sku: "tee-1" })).toEqual({ pk: "SKU#tee-1", sk: "STATE" });
    expect(StockHold.key({ sku: "tee-1", orderId: "o:1" })).toEqual({ pk: "SKUHOLD#tee-1", sk: "HOLD#o:1" });
    expect(StockReservation.index.holdExpiry.attributes({ shard: 3, expiresAt: "2031-01-01T00:00:00.000Z", orderId: "o1" })).toEqual({ gsi1pk: "HOLDEXP#3", gsi1sk: "2031-01-01T00:00:00.000Z#o1" });
    const shard = stockShardOf("tee-1");
    expect(shard).toBe(stockShardOf("tee-1"));
    expect(shard).toBeGreaterThanOrEqual(0);
    expect(shard).toBeLessThan(stockIndexShards);
  });

  it("round-trip counters and reservations through their items", () => {
    const state = { ...emptySku("tee-1", "2031-01-01T00:00:00.000Z"), onHand: 5, available: 5 };
    expect(SkuCounters.parse(SkuCounters.item(state))).toEqual(state);
    const reservation = newReservation({ orderId: "o1", lines: [{ sku: "tee-1", qty: 2 }] }, "system:order-system", "2031-01-01T00:00:00.000Z", "2031-01-01T00:15:00.000Z");
    const item = StockReservation.item(reservation, StockReservation.index.holdExpiry.attributes({ shard: 0, expiresAt: reservation.expiresAt, orderId: "o1" }));
    expect(StockReservation.parse(item)).toEqual(reservation);
  });

  it("reject a counters item with a string count or a missing field: a typed error naming them", () => {
    const { warehouseSeq: _missing, ...stored } = SkuCounters.item({ ...emptySku("tee-1", "2031-01-01T00:00:00.000Z"), onHand: 5 });
    const error = expectMalformed(() => SkuCounters.parse({ ...stored, onHand: "5" }));
    expect(error).toMatchObject({ entity: "StockSku", key: { pk: "SKU#tee-1", sk: "STATE" } });
    expect(error.message).toMatch(/onHand/);
    expect(error.message).toMatch(/warehouseSeq/);
  });

  it("reject a reservation with an unknown status and a publication with a non-numeric version", () => {
    const reservation = newReservation({ orderId: "o1", lines: [{ sku: "a", qty: 1 }] }, "t", "2031-01-01T00:00:00.000Z", "2031-01-01T00:15:00.000Z");
    expectMalformed(() => StockReservation.parse({ ...StockReservation.item(reservation), status: "lost" }));
    expectMalformed(() => StockPublication.parse({ ...StockPublication.key({ sku: "a" }), publishedVersion: "7" }));
    expect(StockPublication.parse({ ...StockPublication.key({ sku: "a" }), leaseOwner: "x", leaseUntil: 1 })).toEqual({ leaseOwner: "x", leaseUntil: 1 });
  });
});
