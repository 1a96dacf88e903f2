/**
 * Items the stock capability owns: per SKU the counters (the hot item every reservation
 * updates), its registry entry and campaign-lock index entry, the hold ledger, reservations,
 * what the storefront was last told (the outbox's other half) and the reconciler's findings.
 * Sizes: every item is well under 1 KB except a reservation of many lines and the report.
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { driftFindingSchema, reconcileReportSchema, skuStateSchema, storedReservationSchema } from "../../../stock/domain.js";
import { defineEntity } from "../entity.js";

/** Index shards: spread the registry and hold-expiry index writes over several partitions. */
export const stockIndexShards = 8;

/** The shard of a SKU or order id in a sharded stock index (stable: a hash of the id). */
export function stockShardOf(id: string): number {
  return createHash("sha1").update(id).digest().readUInt32BE(0) % stockIndexShards;
}

export const SkuCounters = defineEntity({
  type: "StockSku",
  owner: "stock",
  description:
    "A SKU's counters: onHand, reserved, policy, campaign lock, `available` (kept by every write so a reservation is one conditional ADD), warehouse seq, `version` (the outbox position: ahead of the publication means not yet published). No index: it is the hot item",
  schema: skuStateSchema,
  pk: "SKU#{sku}",
  sk: "STATE",
  patterns: [
    { name: "SkuCounters.get", operation: "GetItem SKU#{sku} / STATE, consistent", cost: "1 RRU" },
    { name: "SkuCounters.getMany", operation: "BatchGetItem SKU#{sku} / STATE × lines, consistent (shortages after a refused reservation)", cost: "1 RRU per SKU" },
    { name: "SkuCounters.create", operation: "TransactWriteItems: Put counters (attribute_not_exists) + Put registry entry", cost: "2 × 2 WRU + 1 WRU index" },
    { name: "SkuCounters.take", operation: "UpdateItem ADD reserved +q, available −q, version +1 IF available >= q (single-line reservation; UPDATED_NEW, ALL_OLD on refusal), sent once: never retried after a timeout", cost: "1 WRU (a refusal too)" },
    { name: "SkuCounters.reserveLine", operation: "Update in a multi-line reservation's transaction: ADD reserved, available, version IF available >= qty", cost: "2 WRU per line" },
    { name: "SkuCounters.closeLine", operation: "Update in the release / expiry / ship transaction", cost: "2 WRU per line" },
    { name: "SkuCounters.applyWarehouse / applyPolicy / expireLock / repair", operation: "Update IF the counters it was computed from (seq + onHand, policy, lock, version), with its audit record", cost: "2 × 2 WRU (+ lock entry 2 WRU)" },
  ],
});

export const SkuRegistryEntry = defineEntity({
  type: "StockSkuRegistry",
  owner: "stock",
  description: "Written once when a SKU is first named, so the reconciler can list every SKU without scanning",
  schema: lazy(() => z.object({ sku: z.string() })),
  pk: "SKU#{sku}",
  sk: "REGISTRY",
  indexes: {
    all: { index: "gsi2", pk: "SKUS#{shard}", sk: "{sku}", why: "lists every SKU for the reconciler; sharded 8 ways so a launch of many SKUs does not heat one index partition" },
  },
  patterns: [{ name: "SkuRegistryEntry.list", operation: "Query gsi2 SKUS#{0..7}, projection sku, 8 queries", cost: "8 × 0.5 RRU + ~1 RRU per 700 SKUs" }],
});

export const StockLock = defineEntity({
  type: "StockLock",
  owner: "stock",
  description: "Index entry of a SKU's campaign lock (the lock itself is on the counters), present only while a lock exists",
  schema: lazy(() => z.object({ sku: z.string(), campaignId: z.string(), qty: z.number().check(z.int()), expiresAt: z.string() })),
  pk: "SKU#{sku}",
  sk: "LOCK",
  indexes: {
    expiring: { index: "gsi1", pk: "STOCKLOCKS", sk: "{expiresAt}#{sku}", why: "the hold-expiry job finds locks past their expiry without reading every SKU" },
  },
  patterns: [
    { name: "StockLock.expired", operation: "Query gsi1 STOCKLOCKS, gsi1sk <= {now}#\\uffff", cost: "0.5 RRU per page" },
    { name: "StockLock.get", operation: "GetItem SKU#{sku} / LOCK, consistent (stale index entry)", cost: "1 RRU" },
  ],
});

export const StockHold = defineEntity({
  type: "StockHold",
  owner: "stock",
  description: "The ledger: one per reserved line; `reserved` must equal the sum of a SKU's holds. Own partition key, so hold writes do not eat the counter item's partition throughput",
  schema: lazy(() => z.object({ sku: z.string(), orderId: z.string(), qty: z.number().check(z.int(), z.minimum(1)), expiresAt: z.string() })),
  pk: "SKUHOLD#{sku}",
  sk: "HOLD#{orderId}",
  patterns: [
    { name: "StockHold.put", operation: "BatchWriteItem with the audit record after a single-line reservation took its units; inside the transaction of a multi-line one", cost: "1 WRU (2 WRU in a transaction)" },
    { name: "StockHold.delete", operation: "inside the close transaction, IF attribute_exists (a claim without its hold gives nothing back)", cost: "2 WRU" },
    { name: "StockHold.present", operation: "BatchGetItem of the order's holds, consistent (a duplicate request: is the first one's hold written?)", cost: "1 RRU per line" },
    { name: "StockHold.heldUnits", operation: "Query SKUHOLD#{sku}, begins_with(sk, HOLD#), projection qty, consistent", cost: "~1 RRU per 100 holds" },
  ],
});

export const StockReservation = defineEntity({
  type: "StockReservation",
  owner: "stock",
  description:
    "An order's reservation: lines, status (held, released, expired, shipped), canonical lines for replays, the attempt that wrote it. A single-line order's is its claim, written before its units are taken: its stock is held only once its hold item exists",
  schema: storedReservationSchema,
  pk: "RESV#{orderId}",
  sk: "ORDER",
  indexes: {
    holdExpiry: {
      index: "gsi1",
      pk: "HOLDEXP#{shard}",
      sk: "{expiresAt}#{orderId}",
      why: "sparse: only while held, so the expiry job reads exactly the holds past their time; sharded 8 ways so a flash sale does not heat one index partition",
    },
  },
  patterns: [
    { name: "StockReservation.claim", operation: "PutItem IF attribute_not_exists (single-line order, before its units are taken), or IF status = held AND attempt = the dead attempt's (take-over)", cost: "1 WRU + 1 WRU index" },
    { name: "StockReservation.dropClaim", operation: "DeleteItem IF attempt = ours (the units were refused)", cost: "1 WRU + 1 WRU index" },
    { name: "StockReservation.create", operation: "TransactWriteItems (multi-line order): Put reservation (attribute_not_exists) + per line counters ADD + hold Put + audit Put", cost: "2 × (1 + 3 × lines) WRU + 1 WRU index" },
    { name: "StockReservation.get", operation: "GetItem RESV#{orderId} / ORDER, consistent", cost: "1 RRU" },
    { name: "StockReservation.close", operation: "TransactWriteItems: Update status IF held, REMOVE index attributes + per line counters + hold Delete IF exists + audit Put", cost: "2 × (1 + 3 × lines) WRU + 1 WRU index" },
    { name: "StockReservation.closeUnheld", operation: "UpdateItem status IF held AND attempt (a claim whose request died before its hold: no stock moves)", cost: "1 WRU + 1 WRU index" },
    { name: "StockReservation.expired", operation: "Query gsi1 HOLDEXP#{0..7}, gsi1sk <= {now}#\\uffff, projection orderId, ≤ 500 a run", cost: "8 × 0.5 RRU + ~1 RRU per 100 holds" },
  ],
});

export const StockPublication = defineEntity({
  type: "StockPublication",
  owner: "stock",
  description: "What the storefront was last told about a SKU (version, page stock) and the publisher lease; kept apart from the hot counters",
  schema: lazy(() => z.object({
    publishedVersion: z.optional(z.number().check(z.int())),
    publishedPage: z.optional(z.nullable(z.number().check(z.int()))),
    publishedAt: z.optional(z.nullable(z.string())),
    leaseOwner: z.optional(z.string()),
    leaseUntil: z.optional(z.number()),
  })),
  pk: "SKUPUB#{sku}",
  sk: "PUBLISHED",
  patterns: [
    { name: "StockPublication.get", operation: "GetItem SKUPUB#{sku} / PUBLISHED, consistent", cost: "1 RRU" },
    { name: "StockPublication.acquire / release", operation: "UpdateItem IF the lease is free (ALL_NEW) / IF we own it; by StockPublisher once per nudge (coalesced: about one a second per SKU under a burst), never on the request path", cost: "1 WRU each" },
  ],
});

export const StockDrift = defineEntity({
  type: "StockDrift",
  owner: "stock",
  description: "The reconciler's last repaired finding for a SKU (shown as drift.lastReconcile)",
  schema: driftFindingSchema,
  pk: "SKU#{sku}",
  sk: "DRIFT",
  patterns: [
    { name: "StockDrift.get", operation: "GetItem SKU#{sku} / DRIFT", cost: "0.5 RRU" },
    { name: "StockDrift.put", operation: "PutItem after a repair", cost: "1 WRU" },
  ],
});

export const StockReconcileReport = defineEntity({
  type: "StockReconcileReport",
  owner: "stock",
  description: "The reconciler's last run (counts over all SKUs, ≤ 100 findings), for GET /stock/drift",
  schema: reconcileReportSchema,
  pk: "STOCKRECON",
  sk: "LAST",
  patterns: [
    { name: "StockReconcileReport.get", operation: "GetItem STOCKRECON / LAST, consistent", cost: "1–3 RRU" },
    { name: "StockReconcileReport.put", operation: "PutItem once a run", cost: "1–10 WRU" },
  ],
});
