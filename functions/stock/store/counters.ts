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
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { MalformedItemError, SkuCounters, batchGet, dynamo, isConditionalCheckFailed, sentOnce, tableName, transact, type TransactItem } from "../../shared/table/index.js";
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

/** One change to a SKU's counters: what it sets and adds besides the stamp, and what it is conditional on. */
interface CountersChange {
  set?: readonly string[];
  add?: readonly string[];
  condition?: string;
  names?: Record<string, string>;
  values: Record<string, unknown>;
}

/** The update of a SKU's counters; every one stamps `updatedAt` and bumps `version` (what reads and repairs compare). */
function countersUpdate(sku: string, at: string, change: CountersChange): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: SkuCounters.key({ sku }),
      UpdateExpression: `SET ${[...(change.set ?? []), "updatedAt = :at"].join(", ")} ADD ${[...(change.add ?? []), "version :one"].join(", ")}`,
      ...(change.condition ? { ConditionExpression: change.condition } : {}),
      ...(change.names ? { ExpressionAttributeNames: change.names } : {}),
      ExpressionAttributeValues: { ...change.values, ":at": at, ":one": 1 },
    },
  };
}

/**
 * Applies a warehouse count computed from `current`: conditional on its seq and onHand, so a
 * concurrent newer update or a ship cannot be lost; reservations touch neither.
 */
export async function writeWarehouse(current: SkuState, next: SkuState, update: WarehouseUpdate, actor: string, at: string): Promise<void> {
  await transact([
    countersUpdate(current.sku, at, {
      set: ["onHand = :on", "warehouseSeq = :seq", "warehouseOnHand = :won", "lastSyncedAt = :at"],
      add: ["available :d"],
      condition: "warehouseSeq = :oldSeq AND onHand = :oldOn",
      values: { ":on": next.onHand, ":seq": next.warehouseSeq, ":won": next.warehouseOnHand, ":d": next.available - current.available, ":oldSeq": current.warehouseSeq, ":oldOn": current.onHand },
    }),
    stockAuditOp({ sku: current.sku, action: "stock.warehouse", actor, at, details: { seq: update.seq, onHand: update.onHand, previousOnHand: current.onHand, previousSeq: current.warehouseSeq } }),
  ]);
}

/** Replaces safety stock, ratio and lock (and the lock's index entry), conditional on the policy it was computed from. */
export async function writePolicy(current: SkuState, next: SkuState, actor: string, at: string): Promise<void> {
  await transact([
    countersUpdate(current.sku, at, {
      set: ["safetyStock = :s", "ratioBp = :r", "locked = :l", "#lock = :lock"],
      add: ["available :d"],
      condition: "safetyStock = :oldS AND locked = :oldL",
      names: { "#lock": "lock" },
      values: { ":s": next.safetyStock, ":r": next.ratioBp, ":l": next.locked, ":lock": next.lock, ":d": next.available - current.available, ":oldS": current.safetyStock, ":oldL": current.locked },
    }),
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
    countersUpdate(current.sku, at, {
      set: ["locked = :zero", "#lock = :null"],
      add: ["available :l"],
      condition: "locked = :l AND #lock.expiresAt = :e",
      names: { "#lock": "lock" },
      values: { ":zero": 0, ":null": null, ":l": current.locked, ":e": current.lock.expiresAt },
    }),
    lockEntryOp(current.sku, null),
    stockAuditOp({ sku: current.sku, action: "stock.lock-expired", actor, at, details: { lock: current.lock } }),
  ]);
}

/** Rewrites `reserved` and `available` from the ledger, conditional on the version the finding was computed from. */
export async function writeRepair(state: SkuState, repaired: { reserved: number; available: number }, finding: DriftFinding, actor: string, at: string): Promise<void> {
  await transact([
    countersUpdate(state.sku, at, { set: ["reserved = :r", "available = :a"], condition: "version = :v", values: { ":r": repaired.reserved, ":a": repaired.available, ":v": state.version } }),
    stockAuditOp({ sku: state.sku, action: "stock.reconciled", actor, at, details: { ...finding, before: { reserved: state.reserved, available: state.available }, after: repaired } }),
  ]);
}

/** A reservation line, for the reservation's transaction: no read precedes it, the condition is the guard. */
export function reserveLineOp(line: ReservationLine, at: string): TransactItem {
  return countersUpdate(line.sku, at, { add: ["reserved :q", "available :nq"], condition: "available >= :q", values: { ":q": line.qty, ":nq": -line.qty } });
}

/** Ending a line's hold, for the close transaction (what it does to the counters is the domain's `closeDeltas`). */
export function closeLineOp(kind: CloseKind, line: ReservationLine, at: string): TransactItem {
  const d = closeDeltas(kind, line.qty);
  return countersUpdate(line.sku, at, { add: ["reserved :r", "available :a", "onHand :o"], values: { ":r": d.reserved, ":a": d.available, ":o": d.onHand } });
}


/** Time a counter write may take before it is declared ambiguous (the client's default is 2 s). */
const counterWriteTimeoutMs = 5_000;

/** A single-line reservation's counter write: either the units were taken (new version), or how many could have been. */
export type Take = { taken: true; version: number } | { taken: false; sellable: number };

/**
 * Takes `qty` units for a reservation in one conditional update of the counters, no read before
 * it: `ADD reserved +q, available −q, version +1` IF `available >= q`. DynamoDB applies these one
 * after another on the item and checks each against the committed value, so no two can take the
 * same unit. A refusal returns the counters it was refused on (ReturnValuesOnConditionCheckFailure),
 * so the 409 names what is left without another read; an unknown SKU has 0.
 */
export async function takeUnits(sku: string, qty: number, at: string): Promise<Take> {
  try {
    const result = await dynamo.send(
      sentOnce(
        new UpdateCommand({
          TableName: tableName,
          Key: SkuCounters.key({ sku }),
          UpdateExpression: "SET updatedAt = :at ADD reserved :q, available :nq, version :one",
          ConditionExpression: "available >= :q",
          ExpressionAttributeValues: { ":q": qty, ":nq": -qty, ":one": 1, ":at": at },
          ReturnValues: "UPDATED_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      ),
      { requestTimeout: counterWriteTimeoutMs },
    );
    return { taken: true, version: Number(result.Attributes?.version) };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    return { taken: false, sellable: refusedOn(sku, error) };
  }
}

/** Units that were sellable on the counters a refused `takeUnits` returned (marshalled; absent item = unknown SKU = 0). */
function refusedOn(sku: string, error: unknown): number {
  const item = (error as { Item?: { available?: { N?: string } } }).Item;
  if (!item) return 0;
  const available = Number(item.available?.N);
  // Not a number: a malformed counters item, a loud error rather than a guessed count.
  if (!Number.isInteger(available)) throw new MalformedItemError(SkuCounters.type, SkuCounters.key({ sku }), [{ path: ["available"], message: "not an integer" }]);
  return Math.max(0, available);
}
