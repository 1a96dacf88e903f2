/**
 * Page-stock rules, pure: the page formula, the state of one SKU, and the request schemas.
 * No AWS here; `store/` keeps the counters, this module says what they mean and decides each change.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { ConflictError } from "../shared/errors.js";
import { pathIdSchema } from "../shared/ids.js";

/** Path words that are routes of their own, so a SKU may not be called that. */
const reservedSkuWords = new Set(["drift", "reservations", "warehouse"]);

/** A path id (functions/shared/ids.ts), narrowed as SKUs have always been: ≤ 64 characters, no ':', no route word. */
export const skuSchema = lazy(() => pathIdSchema("sku").check(
  z.regex(/^[A-Za-z0-9_.-]{1,64}$/, "sku must be 1-64 letters, digits, '.', '_' or '-'"),
  z.refine((s) => !reservedSkuWords.has(s), "is a reserved word (drift, reservations, warehouse)"),
));

/** A path id (functions/shared/ids.ts) of at most 80 characters. */
export const orderIdSchema = lazy(() => pathIdSchema("orderId").check(z.maxLength(80, "orderId must be at most 80 characters")));

/** Units are whole items; one order or one warehouse count never exceeds this. */
export const maxUnits = 10_000_000;
const units = lazy(() => z.number().check(z.int(), z.minimum(0), z.maximum(maxUnits)));

export const warehouseUpdateSchema = lazy(() => z.strictObject({
    onHand: units,
    /** Monotonic per SKU in the warehouse system; older or equal values are ignored. */
    seq: z.number().check(z.int(), z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
  }));

export const bulkWarehouseSchema = lazy(() => z.strictObject({
    updates: z.array(z.strictObject(z.extend(warehouseUpdateSchema, { sku: skuSchema }).shape)).check(z.minLength(1), z.maxLength(100)),
  }));

/** syncRatio is kept as basis points so `floor` is exact integer arithmetic (0.29 × 100 is 28.999… in floats). */
export const ratioScale = 10_000;

export const policySchema = lazy(() => z.strictObject({
    safetyStock: units,
    syncRatio: z.number().check(z.minimum(0), z.maximum(1), z.refine((r) => Math.abs(Math.round(r * ratioScale) - r * ratioScale) < 1e-6, "must have at most 4 decimal places")),
    /** A quantity held back for a campaign until `expiresAt`; `null` or absent removes it. */
    lock: z.optional(z.nullable(z.strictObject({
        campaignId: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'")),
        qty: units.check(z.minimum(1)),
        expiresAt: z.iso.datetime({ offset: true }),
      }))),
  }));

export const maxLines = 25;

export const reservationSchema = lazy(() => z.strictObject({
    orderId: orderIdSchema,
    lines: z.array(z.strictObject({ sku: skuSchema, qty: z.number().check(z.int(), z.minimum(1), z.maximum(maxUnits)) })).check(z.minLength(1), z.maxLength(maxLines), z.refine((lines) => new Set(lines.map((l) => l.sku)).size === lines.length, "each sku may appear only once")),
  }));

export type WarehouseUpdate = z.infer<typeof warehouseUpdateSchema>;
export type Policy = z.infer<typeof policySchema>;
export type ReservationRequest = z.infer<typeof reservationSchema>;
export type ReservationLine = ReservationRequest["lines"][number];

export const campaignLockSchema = lazy(() => z.object({ campaignId: z.string(), qty: z.number().check(z.int()), expiresAt: z.string() }));
export type CampaignLock = z.infer<typeof campaignLockSchema>;

/** The counters of one SKU as stored. `available` is kept equal to `sellableOf(state)` by every write. */
export const skuStateSchema = lazy(() => z.object({
  sku: z.string(),
  onHand: z.number().check(z.int()),
  reserved: z.number().check(z.int()),
  safetyStock: z.number().check(z.int()),
  /** syncRatio × 10,000. */
  ratioBp: z.number().check(z.int(), z.minimum(0), z.maximum(ratioScale)),
  /** Units locked for a campaign (0 when none). */
  locked: z.number().check(z.int()),
  lock: z.nullable(campaignLockSchema),
  /** onHand − reserved − safetyStock − locked; may be negative (warehouse count fell under the holds). */
  available: z.number().check(z.int()),
  /** Last applied warehouse seq; −1 before the first warehouse update. */
  warehouseSeq: z.number().check(z.int()),
  /** The count the warehouse sent with `warehouseSeq` (onHand moves on with ships); null before the first, or on items older than it. */
  warehouseOnHand: z._default(z.nullable(z.number().check(z.int())), null),
  lastSyncedAt: z.nullable(z.string()),
  /** Bumped by every change; the storefront idempotency key is `<sku>#<version>`. */
  version: z.number().check(z.int()),
  updatedAt: z.string(),
}));
export type SkuState = z.infer<typeof skuStateSchema>;

/** What the storefront was last told about a SKU (kept apart from the hot counter item). */
export const publishedSchema = lazy(() => z.object({
  version: z.number().check(z.int()),
  /** `null` before the first message. */
  page: z.nullable(z.number().check(z.int())),
  at: z.nullable(z.string()),
}));
export type Published = z.infer<typeof publishedSchema>;

export const nothingPublished: Published = { version: 0, page: null, at: null };

/** Units that may still be sold: never negative. */
export function sellable(s: Pick<SkuState, "onHand" | "reserved" | "safetyStock" | "locked">): number {
  return Math.max(0, s.onHand - s.reserved - s.safetyStock - s.locked);
}

/**
 * `page = floor(max(0, onHand − reserved − safetyStock − locked) × syncRatio)`: always rounded
 * down (a listing that rounds up oversells), never negative, never above sellable.
 *
 * @example pageStock({ onHand: 100, reserved: 0, safetyStock: 0, locked: 0, ratioBp: 2900 }) // 29
 */
export function pageStock(s: Pick<SkuState, "onHand" | "reserved" | "safetyStock" | "locked" | "ratioBp">): number {
  return Math.floor((sellable(s) * s.ratioBp) / ratioScale);
}

export function ratioToBp(ratio: number): number {
  return Math.round(ratio * ratioScale);
}

/** The view returned by `GET /stock/{sku}` and the mutating routes. */
export function skuView(s: SkuState, published: Published, drift: DriftFinding | null = null) {
  return {
    sku: s.sku,
    onHand: s.onHand,
    reserved: s.reserved,
    locked: s.locked,
    lock: s.lock,
    safetyStock: s.safetyStock,
    syncRatio: s.ratioBp / ratioScale,
    available: sellable(s),
    pageStock: pageStock(s),
    warehouseSeq: s.warehouseSeq,
    lastSyncedAt: s.lastSyncedAt,
    version: s.version,
    published: { pageStock: published.page, version: published.version, at: published.at },
    drift: {
      /** Page stock the storefront was last told minus what it should show now (0 when in sync). */
      pageStock: (published.page ?? 0) - pageStock(s),
      lastReconcile: drift,
    },
    updatedAt: s.updatedAt,
  };
}

/** A new SKU: no stock, no policy (ratio 1: the listing shows everything sellable). */
export function emptySku(sku: string, at: string): SkuState {
  return {
    sku,
    onHand: 0,
    reserved: 0,
    safetyStock: 0,
    ratioBp: ratioScale,
    locked: 0,
    lock: null,
    available: 0,
    warehouseSeq: -1,
    warehouseOnHand: null,
    lastSyncedAt: null,
    version: 0,
    updatedAt: at,
  };
}

export type WarehouseOutcome = "applied" | "stale" | "duplicate" | "conflict";

/** The seq rule: a stale or duplicate seq is acknowledged and ignored, it must never overwrite newer data. */
export function warehouseOutcome(currentSeq: number, seq: number): Exclude<WarehouseOutcome, "conflict"> {
  if (seq > currentSeq) return "applied";
  return seq === currentSeq ? "duplicate" : "stale";
}

/**
 * What a warehouse count does to a SKU: the seq rule, except that the seq already applied sent
 * again with another count is a conflict, not a duplicate (the warehouse reused a seq; which count
 * is true cannot be told). Counts applied before the count was kept (`warehouseOnHand` null) stay
 * duplicates.
 */
export function warehouseDecision(s: Pick<SkuState, "warehouseSeq" | "warehouseOnHand">, update: WarehouseUpdate): WarehouseOutcome {
  const outcome = warehouseOutcome(s.warehouseSeq, update.seq);
  return outcome === "duplicate" && s.warehouseOnHand !== null && s.warehouseOnHand !== update.onHand ? "conflict" : outcome;
}

/** The counters after an applied warehouse count: `available` moves by what the count adds or removes. */
export function afterWarehouse(s: SkuState, update: WarehouseUpdate, at: string): SkuState {
  const delta = update.onHand - s.onHand;
  return {
    ...s,
    onHand: update.onHand,
    warehouseSeq: update.seq,
    warehouseOnHand: update.onHand,
    lastSyncedAt: at,
    updatedAt: at,
    available: s.available + delta,
    version: s.version + 1,
  };
}

/** The policy as stored: basis points, and the lock's instant normalised to UTC. */
export interface StoredPolicy {
  safetyStock: number;
  ratioBp: number;
  lock: CampaignLock | null;
}

/** The counters after a policy change: `available` moves by what safety stock and the lock free or hold back. */
export function afterPolicy(s: SkuState, policy: StoredPolicy, at: string): SkuState {
  const locked = policy.lock?.qty ?? 0;
  const delta = s.safetyStock - policy.safetyStock + (s.locked - locked);
  return { ...s, safetyStock: policy.safetyStock, ratioBp: policy.ratioBp, locked, lock: policy.lock, available: s.available + delta, updatedAt: at, version: s.version + 1 };
}

/** A campaign lock is released once its expiry has passed (the instant itself included). */
export function lockHasExpired(lock: CampaignLock | null, now: string): lock is CampaignLock {
  return lock !== null && lock.expiresAt <= now;
}

/** Canonical form of a reservation body: the same order sent twice hashes alike whatever the line order. */
export function canonicalLines(lines: readonly ReservationLine[]): string {
  return JSON.stringify([...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0)).map((l) => [l.sku, l.qty]));
}

export interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

/** Every line that cannot be filled from current stock (unknown SKUs have 0 available). */
export function shortagesOf(lines: readonly ReservationLine[], states: ReadonlyMap<string, SkuState>): Shortage[] {
  const out: Shortage[] = [];
  for (const line of lines) {
    const state = states.get(line.sku);
    const available = state ? sellable(state) : 0;
    if (line.qty > available) out.push({ sku: line.sku, requested: line.qty, available });
  }
  return out;
}

export const reservationStatuses = ["held", "released", "expired", "shipped"] as const;
export type ReservationStatus = (typeof reservationStatuses)[number];
/** How a hold ends. */
export type CloseKind = Exclude<ReservationStatus, "held">;

/** A reservation as stored (`canonical` makes a replay of the same order recognisable). */
export const storedReservationSchema = lazy(() => z.object({
  orderId: z.string(),
  lines: z.array(z.object({ sku: z.string(), qty: z.number().check(z.int(), z.minimum(1)) })).check(z.minLength(1)),
  status: z.enum(reservationStatuses),
  canonical: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  closedAt: z.nullable(z.string()),
  actor: z.string(),
  /**
   * The request that wrote the reservation (a random id). A single-line reservation is claimed
   * before its hold exists; a later request may take over a claim only from an attempt that is
   * over ({@link attemptIsOver}). Absent on reservations written before attempts were recorded.
   */
  attempt: z.optional(z.string()),
}));
export type Reservation = z.infer<typeof storedReservationSchema>;

export function newReservation(request: ReservationRequest, actor: string, at: string, expiresAt: string, attempt?: string): Reservation {
  return { orderId: request.orderId, lines: request.lines, status: "held", canonical: canonicalLines(request.lines), createdAt: at, expiresAt, closedAt: null, actor, ...(attempt ? { attempt } : {}) };
}

/**
 * How long a reservation request may still be writing after its start (`createdAt`): far longer
 * than StockApi's 10 s timeout, so an attempt older than this is dead and nothing it started can
 * still land. Two rules rest on it: a claim without its hold is taken over, or closed without
 * moving stock, only once its attempt is over; and the reconciler repairs counters only on a SKU
 * that has not changed for this long (a reservation may sit between its counter write and its
 * hold for at most the attempt's life).
 */
export const attemptGraceMs = 60_000;

/** Whether the request that started at `startedAt` can no longer write (see {@link attemptGraceMs}). */
export function attemptIsOver(startedAt: string, now: string): boolean {
  return Date.parse(startedAt) + attemptGraceMs <= Date.parse(now);
}

/**
 * What a reservation request does on finding the order already claimed: the same lines held
 * (hold items present) or closed answer as the first call did (`replay`); other lines are a
 * `conflict`; a claim whose hold is not there yet belongs to a request still writing (`wait`),
 * unless that request is over: then its claim never held stock and may be taken over (`takeOver`).
 */
export function claimOutcome(existing: Reservation, request: ReservationRequest, holdsPresent: boolean, now: string): "replay" | "conflict" | "wait" | "takeOver" {
  if (replayOf(existing, request) === "conflict") return "conflict";
  if (existing.status !== "held" || holdsPresent) return "replay";
  return attemptIsOver(existing.createdAt, now) ? "takeOver" : "wait";
}

/**
 * A second reservation for an order that has one: the same lines (in any order) are a replay
 * that answers like the first call; different lines are a conflict.
 */
export function replayOf(existing: Reservation, request: ReservationRequest): "replay" | "conflict" {
  return existing.canonical === canonicalLines(request.lines) ? "replay" : "conflict";
}

/**
 * Whether a close of kind `kind` at `at` ends this hold now: only a held reservation closes, and
 * an expiry only once its instant has passed. Anything else leaves it as it is.
 */
export function closes(r: Reservation, kind: CloseKind, at: string): boolean {
  if (r.status !== "held") return false;
  return kind !== "expired" || r.expiresAt <= at;
}

/**
 * What closing a line does to the counters: `released`/`expired` give the units back to
 * `available`; `shipped` turns them into a warehouse decrement (onHand and reserved both drop,
 * so `available` is unchanged).
 */
export function closeDeltas(kind: CloseKind, qty: number): { reserved: number; available: number; onHand: number } {
  return kind === "shipped" ? { reserved: -qty, available: 0, onHand: -qty } : { reserved: -qty, available: qty, onHand: 0 };
}

export function reservationView(r: Reservation) {
  return { orderId: r.orderId, lines: r.lines, status: r.status, createdAt: r.createdAt, expiresAt: r.expiresAt, closedAt: r.closedAt };
}

/** What the reconciler found for one SKU. */
export const driftFindingSchema = lazy(() => z.object({
  at: z.string(),
  /** Counter minus the sum of the hold items (positive: units stuck as reserved). */
  reserved: z.number().check(z.int()),
  /** `available` counter minus what the other counters say it must be. */
  available: z.number().check(z.int()),
  /** Page stock the storefront was told minus the page stock it should show. */
  pageStock: z.number().check(z.int()),
  repaired: z.boolean(),
}));
export type DriftFinding = z.infer<typeof driftFindingSchema>;

/** A reconciler run, as `GET /stock/drift` shows it (counts over all SKUs, the first findings). */
export const reconcileReportSchema = lazy(() => z.object({
  at: z.string(),
  skus: z.number().check(z.int()),
  drifted: z.number().check(z.int()),
  repaired: z.number().check(z.int()),
  busy: z.number().check(z.int()),
  republished: z.number().check(z.int()),
  findings: z.array(z.extend(driftFindingSchema, { sku: z.string() })),
}));
export type ReconcileReport = z.infer<typeof reconcileReportSchema>;

/** Compares the counters with the ledger (the hold items): which numbers are off, and by how much. */
export function driftOf(s: SkuState, published: Published, heldUnits: number, at: string): DriftFinding {
  const expectedAvailable = s.onHand - heldUnits - s.safetyStock - s.locked;
  const truePage = pageStock({ ...s, reserved: heldUnits });
  return {
    at,
    reserved: s.reserved - heldUnits,
    available: s.available - expectedAvailable,
    // A publication still pending is not drift: the publisher will catch up.
    pageStock: published.page === null || published.version < s.version ? 0 : published.page - truePage,
    repaired: false,
  };
}

export function hasDrift(d: DriftFinding): boolean {
  return d.reserved !== 0 || d.available !== 0 || d.pageStock !== 0;
}

/** The counters the ledger says are right: `reserved` is the sum of the holds, `available` follows. */
export function repairedCounters(s: SkuState, heldUnits: number): { reserved: number; available: number } {
  return { reserved: heldUnits, available: s.onHand - heldUnits - s.safetyStock - s.locked };
}

/** Availability check for a large order (大额订单): can `qty` units be filled now? */
export function availability(s: SkuState | undefined, sku: string, qty: number) {
  const available = s ? sellable(s) : 0;
  return { sku, requested: qty, available, canFill: qty <= available, shortBy: Math.max(0, qty - available), pageStock: s ? pageStock(s) : 0 };
}

/** An order already holds a reservation (the transaction's first condition failed). */
export class ReservationExistsError extends ConflictError {
  constructor(readonly orderId: string) {
    super(`Order ${orderId} already has a reservation.`, { extra: { orderId } });
  }
}

/**
 * Closing a reservation found a line without its hold item: the reservation was claimed but its
 * request has not written the hold (still writing, or died before it). Such a reservation holds
 * no stock, so closing it must not move the counters.
 */
export class HoldMissingError extends ConflictError {
  constructor(readonly orderId: string) {
    super(`Order ${orderId}'s stock is still being reserved; retry in a moment.`, { extra: { orderId } });
  }
}

/** At least one line's `available >= qty` condition failed: nothing was reserved. */
export class InsufficientStockError extends ConflictError {
  constructor(
    readonly orderId: string,
    readonly skus: readonly string[],
  ) {
    super(`Not enough stock for ${skus.join(", ")}; nothing was reserved.`, { extra: { orderId } });
  }
}
