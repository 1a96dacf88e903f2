/**
 * DynamoDB adapter for page stock.
 *
 * Items (docs/stock.md, "Data model"):
 * - counters     `pk=SKU#<sku>, sk=STATE`: onHand, reserved, safetyStock, ratioBp, locked, lock,
 *                `available` (= onHand − reserved − safetyStock − locked, kept by every write so a
 *                reservation is one conditional `ADD` guarded by `available >= qty`), warehouseSeq,
 *                version. No index attributes: this is the hot item, and an index would copy every
 *                reservation into one index partition.
 * - registry     `pk=SKU#<sku>, sk=REGISTRY`, `gsi2pk=SKUS#<0..7>, gsi2sk=<sku>`: written once, lists SKUs.
 * - lock index   `pk=SKU#<sku>, sk=LOCK`, `gsi1pk=STOCKLOCKS, gsi1sk=<expiresAt>#<sku>` while a campaign lock exists.
 * - hold         `pk=SKUHOLD#<sku>, sk=HOLD#<orderId>`: the ledger of what `reserved` must add up to
 *                (own partition key: its writes do not eat the counter item's partition throughput).
 * - reservation  `pk=RESV#<orderId>, sk=ORDER`: lines, status; while held `gsi1pk=HOLDEXP#<0..7>,
 *                gsi1sk=<expiresAt>#<orderId>` (sharded so a flash sale does not heat one index partition).
 * - publication  `pk=SKUPUB#<sku>, sk=PUBLISHED`: page stock last sent to the storefront + the publisher lease.
 * - drift        `pk=SKU#<sku>, sk=DRIFT`: the reconciler's last finding for the SKU.
 * - report       `pk=STOCKRECON, sk=LAST`: the reconciler's last run.
 * Audit records (`AUDIT#stock#<sku>`) commit in the same transaction as each change.
 */
import { createHash } from "node:crypto";
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { auditPut } from "../shared/audit.js";
import { cancellationReasons, dynamo, isConditionalCheckFailed, isTransactionConflict, jitter, queryAll, tableName } from "../shared/dynamo.js";
import { ConflictError, ContentionError, NotFoundError } from "../shared/errors.js";
import {
  canonicalLines,
  emptySku,
  nothingPublished,
  shortagesOf,
  warehouseOutcome,
  type CampaignLock,
  type DriftFinding,
  type Published,
  type Reservation,
  type ReservationRequest,
  type ReservationStatus,
  type Shortage,
  type SkuState,
  type WarehouseOutcome,
  type WarehouseUpdate,
} from "./domain.js";

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

export const skuKey = (sku: string) => ({ pk: `SKU#${sku}`, sk: "STATE" });
const registryKey = (sku: string) => ({ pk: `SKU#${sku}`, sk: "REGISTRY" });
const lockKey = (sku: string) => ({ pk: `SKU#${sku}`, sk: "LOCK" });
/** Own partition key, so hold writes do not share the counter item's partition throughput. */
export const holdKey = (sku: string, orderId: string) => ({ pk: `SKUHOLD#${sku}`, sk: `HOLD#${orderId}` });
const driftKey = (sku: string) => ({ pk: `SKU#${sku}`, sk: "DRIFT" });
export const reservationKey = (orderId: string) => ({ pk: `RESV#${orderId}`, sk: "ORDER" });
export const publicationKey = (sku: string) => ({ pk: `SKUPUB#${sku}`, sk: "PUBLISHED" });
const reportKey = { pk: "STOCKRECON", sk: "LAST" };

/** Index shards: spread registry and hold-expiry index writes over several partitions. */
export const indexShards = 8;
function shardOf(id: string): number {
  return createHash("sha1").update(id).digest().readUInt32BE(0) % indexShards;
}

const maxAttempts = 40;

function num(value: unknown, fallback = 0): number {
  return typeof value === "number" ? value : value === undefined || value === null ? fallback : Number(value);
}

function fromItem(item: Record<string, unknown>): SkuState {
  const lock = item.lock as CampaignLock | null | undefined;
  return {
    sku: String(item.sku),
    onHand: num(item.onHand),
    reserved: num(item.reserved),
    safetyStock: num(item.safetyStock),
    ratioBp: num(item.ratioBp, 10_000),
    locked: num(item.locked),
    lock: lock ? { campaignId: String(lock.campaignId), qty: num(lock.qty), expiresAt: String(lock.expiresAt) } : null,
    available: num(item.available),
    warehouseSeq: num(item.warehouseSeq, -1),
    lastSyncedAt: typeof item.lastSyncedAt === "string" ? item.lastSyncedAt : null,
    version: num(item.version),
    updatedAt: String(item.updatedAt),
  };
}

function reservationFromItem(item: Record<string, unknown>): Reservation {
  return {
    orderId: String(item.orderId),
    lines: (item.lines as Reservation["lines"]) ?? [],
    status: item.status as ReservationStatus,
    canonical: String(item.canonical),
    createdAt: String(item.createdAt),
    expiresAt: String(item.expiresAt),
    closedAt: typeof item.closedAt === "string" ? item.closedAt : null,
    actor: String(item.actor),
  };
}

export async function getSku(sku: string): Promise<SkuState | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: skuKey(sku), ConsistentRead: true }));
  return result.Item ? fromItem(result.Item) : undefined;
}

/** Counters of several SKUs in one consistent batch read. */
export async function getSkus(skus: readonly string[]): Promise<Map<string, SkuState>> {
  const out = new Map<string, SkuState>();
  let keys: Record<string, unknown>[] = skus.map(skuKey);
  for (let attempt = 0; keys.length > 0 && attempt < 10; attempt++) {
    const result = await dynamo.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
    for (const item of result.Responses?.[tableName] ?? []) {
      const state = fromItem(item);
      out.set(state.sku, state);
    }
    keys = (result.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    if (keys.length > 0) await jitter(attempt);
  }
  return out;
}

export async function getPublished(sku: string): Promise<Published> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: publicationKey(sku), ConsistentRead: true }));
  return publishedFromItem(result.Item);
}

export function publishedFromItem(item: Record<string, unknown> | undefined): Published {
  if (!item || item.publishedVersion === undefined) return nothingPublished;
  return {
    version: num(item.publishedVersion),
    page: item.publishedPage === undefined || item.publishedPage === null ? null : num(item.publishedPage),
    at: typeof item.publishedAt === "string" ? item.publishedAt : null,
  };
}

export async function getDrift(sku: string): Promise<DriftFinding | null> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: driftKey(sku) }));
  if (!result.Item) return null;
  const { pk: _pk, sk: _sk, type: _t, ...finding } = result.Item;
  return finding as DriftFinding;
}

/** Runs `attempt` until it commits; transaction conflicts on a hot SKU are retried with jitter. */
async function withRetry<T>(what: string, attempt: (n: number) => Promise<T | "retry">): Promise<T> {
  for (let n = 0; n < maxAttempts; n++) {
    try {
      const result = await attempt(n);
      if (result !== "retry") return result;
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
    }
    await jitter(n);
  }
  throw new ContentionError(`${what} is being changed concurrently; retry.`);
}

/** Creates the counters + registry entry of a SKU the first time it is named (no-op if it exists). */
async function ensureSku(sku: string, at: string): Promise<SkuState> {
  const existing = await getSku(sku);
  if (existing) return existing;
  const fresh = emptySku(sku, at);
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { ...skuKey(sku), type: "StockSku", ...fresh }, ConditionExpression: "attribute_not_exists(pk)" } },
          { Put: { TableName: tableName, Item: { ...registryKey(sku), type: "StockSkuRegistry", sku, gsi2pk: `SKUS#${shardOf(sku)}`, gsi2sk: sku } } },
        ],
      }),
    );
    return fresh;
  } catch (error) {
    if (!isTransactionConflict(error)) throw error;
    const now = await getSku(sku);
    if (!now) throw error;
    return now;
  }
}

export interface WarehouseResult {
  outcome: WarehouseOutcome;
  state: SkuState;
}

/**
 * Applies an absolute warehouse count when its seq is newer. The write is conditional on the
 * seq and onHand it was computed from, so a concurrent newer update or a ship cannot be lost;
 * reservations touch neither, so they never make it retry.
 */
export async function applyWarehouse(sku: string, update: WarehouseUpdate, actor: string, at: string): Promise<WarehouseResult> {
  return withRetry(`SKU ${sku}`, async () => {
    const current = await ensureSku(sku, at);
    const outcome = warehouseOutcome(current.warehouseSeq, update.seq);
    if (outcome !== "applied") return { outcome, state: current };
    const delta = update.onHand - current.onHand;
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: skuKey(sku),
              UpdateExpression: "SET onHand = :on, warehouseSeq = :seq, lastSyncedAt = :at, updatedAt = :at ADD available :d, version :one",
              ConditionExpression: "warehouseSeq = :oldSeq AND onHand = :oldOn",
              ExpressionAttributeValues: { ":on": update.onHand, ":seq": update.seq, ":at": at, ":d": delta, ":one": 1, ":oldSeq": current.warehouseSeq, ":oldOn": current.onHand },
            },
          },
          auditPut({ entity: "stock", entityId: sku, action: "stock.warehouse", actor, at, details: { seq: update.seq, onHand: update.onHand, previousOnHand: current.onHand, previousSeq: current.warehouseSeq } }),
        ],
      }),
    );
    return {
      outcome,
      state: { ...current, onHand: update.onHand, warehouseSeq: update.seq, lastSyncedAt: at, updatedAt: at, available: current.available + delta, version: current.version + 1 },
    };
  });
}

/** Replaces safety stock, sync ratio and campaign lock; `available` moves by what they free or hold back. */
export async function setPolicy(sku: string, policy: { safetyStock: number; ratioBp: number; lock: CampaignLock | null }, actor: string, at: string): Promise<SkuState> {
  return withRetry(`SKU ${sku}`, async () => {
    const current = await ensureSku(sku, at);
    const locked = policy.lock?.qty ?? 0;
    const delta = current.safetyStock - policy.safetyStock + (current.locked - locked);
    const items: TransactItem[] = [
      {
        Update: {
          TableName: tableName,
          Key: skuKey(sku),
          UpdateExpression: "SET safetyStock = :s, ratioBp = :r, locked = :l, #lock = :lock, updatedAt = :at ADD available :d, version :one",
          ConditionExpression: "safetyStock = :oldS AND locked = :oldL",
          ExpressionAttributeNames: { "#lock": "lock" },
          ExpressionAttributeValues: { ":s": policy.safetyStock, ":r": policy.ratioBp, ":l": locked, ":lock": policy.lock, ":at": at, ":d": delta, ":one": 1, ":oldS": current.safetyStock, ":oldL": current.locked },
        },
      },
      policy.lock
        ? { Put: { TableName: tableName, Item: { ...lockKey(sku), type: "StockLock", sku, ...policy.lock, gsi1pk: "STOCKLOCKS", gsi1sk: `${policy.lock.expiresAt}#${sku}` } } }
        : { Delete: { TableName: tableName, Key: lockKey(sku) } },
      auditPut({
        entity: "stock",
        entityId: sku,
        action: "stock.policy",
        actor,
        at,
        details: { safetyStock: policy.safetyStock, syncRatio: policy.ratioBp / 10_000, lock: policy.lock, previous: { safetyStock: current.safetyStock, syncRatio: current.ratioBp / 10_000, lock: current.lock } },
      }),
    ];
    await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
    return { ...current, safetyStock: policy.safetyStock, ratioBp: policy.ratioBp, locked, lock: policy.lock, available: current.available + delta, updatedAt: at, version: current.version + 1 };
  });
}

/** Releases a campaign lock whose expiry has passed (conditional on it being the same lock). */
export async function expireLock(sku: string, now: string): Promise<boolean> {
  return withRetry(`SKU ${sku}`, async () => {
    const current = await getSku(sku);
    if (!current?.lock || current.lock.expiresAt > now) {
      // Stale index entry (lock replaced or removed): clean it only if it is really past.
      const indexItem = await dynamo.send(new GetCommand({ TableName: tableName, Key: lockKey(sku), ConsistentRead: true }));
      const expiresAt = indexItem.Item?.expiresAt;
      if (typeof expiresAt === "string" && expiresAt <= now && (!current?.lock || current.lock.expiresAt !== expiresAt)) {
        try {
          await dynamo.send(new DeleteCommand({ TableName: tableName, Key: lockKey(sku), ConditionExpression: "expiresAt = :e", ExpressionAttributeValues: { ":e": expiresAt } }));
        } catch (error) {
          if (!isConditionalCheckFailed(error)) throw error;
        }
      }
      return false;
    }
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: skuKey(sku),
              UpdateExpression: "SET locked = :zero, #lock = :null, updatedAt = :at ADD available :l, version :one",
              ConditionExpression: "locked = :l AND #lock.expiresAt = :e",
              ExpressionAttributeNames: { "#lock": "lock" },
              ExpressionAttributeValues: { ":zero": 0, ":null": null, ":at": now, ":l": current.locked, ":one": 1, ":e": current.lock.expiresAt },
            },
          },
          { Delete: { TableName: tableName, Key: lockKey(sku) } },
          auditPut({ entity: "stock", entityId: sku, action: "stock.lock-expired", actor: "system:stock-hold-expiry", at: now, details: { lock: current.lock } }),
        ],
      }),
    );
    return true;
  });
}

export type ReserveResult =
  | { kind: "held"; reservation: Reservation }
  | { kind: "replay"; reservation: Reservation }
  | { kind: "short"; shortages: Shortage[] };

/**
 * All lines or none: one transaction with a conditional `ADD` per SKU (`available >= qty`), the
 * hold items, the reservation and the audit records. No read precedes the write, so concurrent
 * reservations on one SKU never invalidate each other's reads — DynamoDB serialises them on the item.
 */
export async function reserve(request: ReservationRequest, actor: string, at: string, expiresAt: string): Promise<ReserveResult> {
  const canonical = canonicalLines(request.lines);
  const reservation: Reservation = { orderId: request.orderId, lines: request.lines, status: "held", canonical, createdAt: at, expiresAt, closedAt: null, actor };
  const expiryIndex = { gsi1pk: `HOLDEXP#${shardOf(request.orderId)}`, gsi1sk: `${expiresAt}#${request.orderId}` };
  const items: TransactItem[] = [
    { Put: { TableName: tableName, Item: { ...reservationKey(request.orderId), type: "StockReservation", ...reservation, ...expiryIndex }, ConditionExpression: "attribute_not_exists(pk)" } },
  ];
  for (const line of request.lines) {
    items.push({
      Update: {
        TableName: tableName,
        Key: skuKey(line.sku),
        UpdateExpression: "SET updatedAt = :at ADD reserved :q, available :nq, version :one",
        ConditionExpression: "available >= :q",
        ExpressionAttributeValues: { ":q": line.qty, ":nq": -line.qty, ":one": 1, ":at": at },
      },
    });
    items.push({ Put: { TableName: tableName, Item: { ...holdKey(line.sku, request.orderId), type: "StockHold", sku: line.sku, orderId: request.orderId, qty: line.qty, expiresAt } } });
    items.push(auditPut({ entity: "stock", entityId: line.sku, action: "stock.reserved", actor, at, details: { orderId: request.orderId, qty: line.qty } }));
  }
  return withRetry(`Order ${request.orderId}`, async () => {
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: "held", reservation };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[0] === "ConditionalCheckFailed") {
        const existing = await getReservation(request.orderId);
        if (!existing) return "retry";
        if (existing.canonical !== canonical) {
          throw new ConflictError(`Order ${request.orderId} already has a reservation with different lines; use a new orderId or release it first.`, {
            extra: { orderId: request.orderId, existingLines: existing.lines },
          });
        }
        return { kind: "replay", reservation: existing };
      }
      if (reasons.some((r) => r === "ConditionalCheckFailed")) {
        const shortages = shortagesOf(request.lines, await getSkus(request.lines.map((l) => l.sku)));
        // Stock freed between the failed write and the read: try again rather than refuse.
        return shortages.length > 0 ? { kind: "short", shortages } : "retry";
      }
      throw error;
    }
  });
}

export async function getReservation(orderId: string): Promise<Reservation | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: reservationKey(orderId), ConsistentRead: true }));
  return result.Item ? reservationFromItem(result.Item) : undefined;
}

export async function requireReservation(orderId: string): Promise<Reservation> {
  const found = await getReservation(orderId);
  if (!found) throw new NotFoundError(`No reservation for order ${orderId}.`);
  return found;
}

export type CloseKind = "released" | "expired" | "shipped";

/**
 * Ends a hold: `released`/`expired` give the units back to `available`; `shipped` turns them into
 * a warehouse decrement (onHand and reserved both drop, so `available` is unchanged). Conditional
 * on the reservation still being held, so a release racing an expiry or a ship counts once.
 * Returns the reservation after the call and whether this call changed it.
 */
export async function closeReservation(orderId: string, kind: CloseKind, actor: string, at: string): Promise<{ reservation: Reservation; changed: boolean }> {
  return withRetry(`Order ${orderId}`, async () => {
    const current = await requireReservation(orderId);
    if (current.status !== "held") return { reservation: current, changed: false };
    if (kind === "expired" && current.expiresAt > at) return { reservation: current, changed: false };
    const items: TransactItem[] = [
      {
        Update: {
          TableName: tableName,
          Key: reservationKey(orderId),
          UpdateExpression: "SET #status = :s, closedAt = :at REMOVE gsi1pk, gsi1sk",
          ConditionExpression: "#status = :held",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":s": kind, ":at": at, ":held": "held" },
        },
      },
    ];
    for (const line of current.lines) {
      items.push({
        Update: {
          TableName: tableName,
          Key: skuKey(line.sku),
          UpdateExpression: kind === "shipped" ? "SET updatedAt = :at ADD reserved :nq, onHand :nq, version :one" : "SET updatedAt = :at ADD reserved :nq, available :q, version :one",
          ExpressionAttributeValues: kind === "shipped" ? { ":nq": -line.qty, ":one": 1, ":at": at } : { ":nq": -line.qty, ":q": line.qty, ":one": 1, ":at": at },
        },
      });
      items.push({ Delete: { TableName: tableName, Key: holdKey(line.sku, orderId) } });
      items.push(auditPut({ entity: "stock", entityId: line.sku, action: `stock.${kind}`, actor, at, details: { orderId, qty: line.qty } }));
    }
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (cancellationReasons(error)?.[0] === "ConditionalCheckFailed") return "retry";
      throw error;
    }
    return { reservation: { ...current, status: kind, closedAt: at }, changed: true };
  });
}

/** Holds whose expiry has passed, oldest first (eventually consistent index; the close re-checks). */
export async function expiredHolds(now: string, limit = 500): Promise<string[]> {
  const orderIds: string[] = [];
  for (let shard = 0; shard < indexShards; shard++) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: "gsi1",
          KeyConditionExpression: "gsi1pk = :p AND gsi1sk <= :b",
          ExpressionAttributeValues: { ":p": `HOLDEXP#${shard}`, ":b": `${now}#\uffff` },
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of page.Items ?? []) orderIds.push(String(item.orderId));
      cursor = page.LastEvaluatedKey;
    } while (cursor && orderIds.length < limit);
  }
  return orderIds.slice(0, limit);
}

/** SKUs with a campaign lock past its expiry. */
export async function expiredLocks(now: string): Promise<string[]> {
  const items = await queryAll({ IndexName: "gsi1", KeyConditionExpression: "gsi1pk = :p AND gsi1sk <= :b", ExpressionAttributeValues: { ":p": "STOCKLOCKS", ":b": `${now}#\uffff` } });
  return items.map((item) => String(item.sku));
}

/** Every SKU ever named, from the sharded registry. */
export async function listSkus(): Promise<string[]> {
  const skus: string[] = [];
  for (let shard = 0; shard < indexShards; shard++) {
    const items = await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": `SKUS#${shard}` }, ProjectionExpression: "sku" });
    skus.push(...items.map((item) => String(item.sku)));
  }
  return skus.sort();
}

/** Sum of the SKU's hold items: what `reserved` must be (strongly consistent). */
export async function heldUnits(sku: string): Promise<number> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :p AND begins_with(sk, :h)",
    ExpressionAttributeValues: { ":p": `SKUHOLD#${sku}`, ":h": "HOLD#" },
    ProjectionExpression: "qty",
    ConsistentRead: true,
  });
  return items.reduce((total, item) => total + num(item.qty), 0);
}

/**
 * Rewrites the counters from the ledger. Conditional on the version the finding was computed
 * from: a reservation in between changes the version, and the repair waits for the next run.
 */
export async function repairCounters(state: SkuState, held: number, finding: DriftFinding, at: string): Promise<boolean> {
  const available = state.onHand - held - state.safetyStock - state.locked;
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: skuKey(state.sku),
              UpdateExpression: "SET reserved = :r, available = :a, updatedAt = :at ADD version :one",
              ConditionExpression: "version = :v",
              ExpressionAttributeValues: { ":r": held, ":a": available, ":at": at, ":one": 1, ":v": state.version },
            },
          },
          auditPut({ entity: "stock", entityId: state.sku, action: "stock.reconciled", actor: "system:stock-reconciler", at, details: { ...finding, before: { reserved: state.reserved, available: state.available }, after: { reserved: held, available } } }),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (isTransactionConflict(error)) return false;
    throw error;
  }
}

export async function putDrift(sku: string, finding: DriftFinding): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: tableName, Item: { ...driftKey(sku), type: "StockDrift", ...finding } }));
}

export interface ReconcileReport {
  at: string;
  skus: number;
  drifted: number;
  repaired: number;
  busy: number;
  republished: number;
  findings: (DriftFinding & { sku: string })[];
}

export async function putReport(report: ReconcileReport): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: tableName, Item: { ...reportKey, type: "StockReconcileReport", ...report } }));
}

export async function getReport(): Promise<ReconcileReport | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: reportKey, ConsistentRead: true }));
  if (!result.Item) return undefined;
  const { pk: _pk, sk: _sk, type: _t, ...report } = result.Item;
  return report as ReconcileReport;
}

/** Publisher lease: one publisher per SKU at a time, so storefront messages leave in version order. */
export async function acquirePublisher(sku: string, owner: string, nowMs: number, leaseMs: number): Promise<Published | undefined> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: publicationKey(sku),
        UpdateExpression: "SET leaseOwner = :o, leaseUntil = :u",
        ConditionExpression: "attribute_not_exists(leaseUntil) OR leaseUntil < :now",
        ExpressionAttributeValues: { ":o": owner, ":u": nowMs + leaseMs, ":now": nowMs },
        ReturnValues: "ALL_NEW",
      }),
    );
    return publishedFromItem(result.Attributes);
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** Records what was sent and frees the lease; only the lease owner may, and versions only grow. */
export async function releasePublisher(sku: string, owner: string, published: Published | undefined): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: publicationKey(sku),
        UpdateExpression: published ? "SET publishedVersion = :v, publishedPage = :p, publishedAt = :at REMOVE leaseOwner, leaseUntil" : "REMOVE leaseOwner, leaseUntil",
        ConditionExpression: published ? "leaseOwner = :o AND (attribute_not_exists(publishedVersion) OR publishedVersion <= :v)" : "leaseOwner = :o",
        ExpressionAttributeValues: published ? { ":o": owner, ":v": published.version, ":p": published.page, ":at": published.at } : { ":o": owner },
      }),
    );
  } catch (error) {
    // Lease expired and taken over: the new owner records its own, newer publication.
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
