/**
 * A SKU's counters (SkuCounters), the hot item: onHand, reserved, policy, lock, `available`
 * (= onHand − reserved − safetyStock − locked, kept by every write so a reservation is one
 * conditional `ADD` guarded by `available >= qty`), warehouse seq and version. No index
 * attributes: an index would copy every reservation into one index partition.
 *
 * Each write here is conditional on the counters it was computed from and commits with its
 * audit record; a lost condition surfaces as the client's `TransactionCancelledError` (a
 * conflict), and the use case re-reads and decides again.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { SkuCounters, batchGet, dynamo, tableName, transact, type TransactItem } from "../../shared/table/index.js";
import { closeDeltas, ratioScale, type CloseKind, type DriftFinding, type ReservationLine, type SkuState, type WarehouseUpdate } from "../domain.js";
import { stockAuditOp } from "./audit.js";
import { lockEntryOp } from "./locks.js";
import { registryEntryOp } from "./sku-registry.js";

export async function getSku(sku: string): Promise<SkuState | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: SkuCounters.key({ sku }), ConsistentRead: true }));
  return result.Item ? SkuCounters.parse(result.Item) : undefined;
}

/** Counters of several SKUs in one consistent batch read; unknown SKUs are absent. Fails loudly if throttled keys stay unread. */
export async function getSkus(skus: readonly string[]): Promise<Map<string, SkuState>> {
  const items = await batchGet(
    skus.map((sku) => SkuCounters.key({ sku })),
    { consistent: true },
  );
  return new Map(items.map((item) => SkuCounters.parse(item)).map((state) => [state.sku, state]));
}

/** Creates the counters and registry entry of a new SKU; a conflict means another writer created it first. */
export async function createSku(fresh: SkuState): Promise<void> {
  await transact([{ Put: { TableName: tableName, Item: SkuCounters.item(fresh), ConditionExpression: "attribute_not_exists(pk)" } }, registryEntryOp(fresh.sku)]);
}

/**
 * Applies a warehouse count computed from `current`: conditional on its seq and onHand, so a
 * concurrent newer update or a ship cannot be lost; reservations touch neither.
 */
export async function writeWarehouse(current: SkuState, next: SkuState, update: WarehouseUpdate, actor: string, at: string): Promise<void> {
  await transact([
    {
      Update: {
        TableName: tableName,
        Key: SkuCounters.key({ sku: current.sku }),
        UpdateExpression: "SET onHand = :on, warehouseSeq = :seq, warehouseOnHand = :won, lastSyncedAt = :at, updatedAt = :at ADD available :d, version :one",
        ConditionExpression: "warehouseSeq = :oldSeq AND onHand = :oldOn",
        ExpressionAttributeValues: {
          ":on": next.onHand,
          ":seq": next.warehouseSeq,
          ":won": next.warehouseOnHand,
          ":at": at,
          ":d": next.available - current.available,
          ":one": 1,
          ":oldSeq": current.warehouseSeq,
          ":oldOn": current.onHand,
        },
      },
    },
    stockAuditOp({ sku: current.sku, action: "stock.warehouse", actor, at, details: { seq: update.seq, onHand: update.onHand, previousOnHand: current.onHand, previousSeq: current.warehouseSeq } }),
  ]);
}

/** Replaces safety stock, ratio and lock (and the lock's index entry), conditional on the policy it was computed from. */
export async function writePolicy(current: SkuState, next: SkuState, actor: string, at: string): Promise<void> {
  await transact([
    {
      Update: {
        TableName: tableName,
        Key: SkuCounters.key({ sku: current.sku }),
        UpdateExpression: "SET safetyStock = :s, ratioBp = :r, locked = :l, #lock = :lock, updatedAt = :at ADD available :d, version :one",
        ConditionExpression: "safetyStock = :oldS AND locked = :oldL",
        ExpressionAttributeNames: { "#lock": "lock" },
        ExpressionAttributeValues: {
          ":s": next.safetyStock,
          ":r": next.ratioBp,
          ":l": next.locked,
          ":lock": next.lock,
          ":at": at,
          ":d": next.available - current.available,
          ":one": 1,
          ":oldS": current.safetyStock,
          ":oldL": current.locked,
        },
      },
    },
    lockEntryOp(current.sku, next.lock),
    stockAuditOp({
      sku: current.sku,
      action: "stock.policy",
      actor,
      at,
      details: {
        safetyStock: next.safetyStock,
        syncRatio: next.ratioBp / ratioScale,
        lock: next.lock,
        previous: { safetyStock: current.safetyStock, syncRatio: current.ratioBp / ratioScale, lock: current.lock },
      },
    }),
  ]);
}

/** Releases the counters' campaign lock, conditional on it still being the same lock. */
export async function writeLockExpiry(current: SkuState & { lock: NonNullable<SkuState["lock"]> }, actor: string, at: string): Promise<void> {
  await transact([
    {
      Update: {
        TableName: tableName,
        Key: SkuCounters.key({ sku: current.sku }),
        UpdateExpression: "SET locked = :zero, #lock = :null, updatedAt = :at ADD available :l, version :one",
        ConditionExpression: "locked = :l AND #lock.expiresAt = :e",
        ExpressionAttributeNames: { "#lock": "lock" },
        ExpressionAttributeValues: { ":zero": 0, ":null": null, ":at": at, ":l": current.locked, ":one": 1, ":e": current.lock.expiresAt },
      },
    },
    lockEntryOp(current.sku, null),
    stockAuditOp({ sku: current.sku, action: "stock.lock-expired", actor, at, details: { lock: current.lock } }),
  ]);
}

/** Rewrites `reserved` and `available` from the ledger, conditional on the version the finding was computed from. */
export async function writeRepair(state: SkuState, repaired: { reserved: number; available: number }, finding: DriftFinding, actor: string, at: string): Promise<void> {
  await transact([
    {
      Update: {
        TableName: tableName,
        Key: SkuCounters.key({ sku: state.sku }),
        UpdateExpression: "SET reserved = :r, available = :a, updatedAt = :at ADD version :one",
        ConditionExpression: "version = :v",
        ExpressionAttributeValues: { ":r": repaired.reserved, ":a": repaired.available, ":at": at, ":one": 1, ":v": state.version },
      },
    },
    stockAuditOp({ sku: state.sku, action: "stock.reconciled", actor, at, details: { ...finding, before: { reserved: state.reserved, available: state.available }, after: repaired } }),
  ]);
}

/** A reservation line, for the reservation's transaction: no read precedes it, the condition is the guard. */
export function reserveLineOp(line: ReservationLine, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: SkuCounters.key({ sku: line.sku }),
      UpdateExpression: "SET updatedAt = :at ADD reserved :q, available :nq, version :one",
      ConditionExpression: "available >= :q",
      ExpressionAttributeValues: { ":q": line.qty, ":nq": -line.qty, ":one": 1, ":at": at },
    },
  };
}

/** Ending a line's hold, for the close transaction (what it does to the counters is the domain's `closeDeltas`). */
export function closeLineOp(kind: CloseKind, line: ReservationLine, at: string): TransactItem {
  const d = closeDeltas(kind, line.qty);
  return {
    Update: {
      TableName: tableName,
      Key: SkuCounters.key({ sku: line.sku }),
      UpdateExpression: "SET updatedAt = :at ADD reserved :r, available :a, onHand :o, version :one",
      ExpressionAttributeValues: { ":r": d.reserved, ":a": d.available, ":o": d.onHand, ":one": 1, ":at": at },
    },
  };
}
