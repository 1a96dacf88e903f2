/**
 * Stock use cases: what each route and schedule does, in domain words. Each reads what it
 * needs, lets `domain.ts` decide, writes through `store/` (every change with its audit records,
 * conditional on what it read) and then publishes the SKU's page stock to the storefront.
 */
import { randomUUID } from "node:crypto";
import { ConflictError, ContentionError, NotFoundError, StoreUnavailableError, ValidationError } from "../shared/errors.js";
import { logger } from "../shared/logger.js";
import { AmbiguousWriteError, isWriteConflict, jitter } from "../shared/table/index.js";
import {
  afterPolicy,
  afterWarehouse,
  attemptIsOver,
  availability,
  claimOutcome,
  closes,
  driftOf,
  emptySku,
  hasDrift,
  HoldMissingError,
  InsufficientStockError,
  lockHasExpired,
  newReservation,
  replayOf,
  repairedCounters,
  ReservationExistsError,
  reservationView,
  shortagesOf,
  skuView,
  warehouseDecision,
  type CloseKind,
  type DriftFinding,
  type ReconcileReport,
  type Reservation,
  type ReservationLine,
  type ReservationRequest,
  type SkuState,
  type StoredPolicy,
  type WarehouseOutcome,
  type WarehouseUpdate,
} from "./domain.js";
import { nudgePublisher, publishAll, publishPageStock } from "./publisher.js";
import { createSku, getSku, getSkus, takeUnits, writeLockExpiry, writePolicy, writeRepair, writeWarehouse, type Take } from "./store/counters.js";
import { heldUnits, holdsPresent } from "./store/holds.js";
import { deleteLockEntry, expiredLocks, getLockEntry } from "./store/locks.js";
import { getPublished } from "./store/publication.js";
import { getDrift, getReport, putDrift, putReport } from "./store/reconciliation.js";
import { claimReservation, closeReservation, closeUnheld, createReservation, dropClaim, expiredHolds, getReservation, recordHold } from "./store/reservations.js";
import { listSkus } from "./store/sku-registry.js";

/** Attempts at a read-decide-write before a hot SKU answers 503 "busy, retry". */
const maxAttempts = 40;
const retry = Symbol("retry");

/** Runs `attempt` until it commits: a lost condition or a concurrent transaction re-reads and decides again, with jitter. */
async function untilCommitted<T>(what: string, attempt: () => Promise<T | typeof retry>): Promise<T> {
  for (let n = 0; n < maxAttempts; n++) {
    try {
      const result = await attempt();
      if (result !== retry) return result;
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
    }
    await jitter(n);
  }
  throw new ContentionError(`${what} is being changed concurrently; retry.`);
}

/** The SKU's counters, created (with its registry entry) the first time it is named. */
async function ensureSku(sku: string, at: string): Promise<SkuState> {
  const existing = await getSku(sku);
  if (existing) return existing;
  const fresh = emptySku(sku, at);
  try {
    await createSku(fresh);
    return fresh;
  } catch (error) {
    if (!isWriteConflict(error)) throw error;
    const created = await getSku(sku);
    if (!created) throw error;
    return created;
  }
}

/** The view of a SKU: counters, what the storefront was told, the last reconcile finding. */
async function viewOf(state: SkuState) {
  const [published, drift] = await Promise.all([getPublished(state.sku), getDrift(state.sku)]);
  return skuView(state, published, drift);
}

/** The current view, or `fallback`'s if the SKU cannot be read back. */
async function freshView(sku: string, fallback: SkuState) {
  return viewOf((await getSku(sku)) ?? fallback);
}

async function applyWarehouse(sku: string, update: WarehouseUpdate, actor: string, at: string): Promise<{ outcome: WarehouseOutcome; state: SkuState }> {
  return untilCommitted(`SKU ${sku}`, async () => {
    const current = await ensureSku(sku, at);
    const outcome = warehouseDecision(current, update);
    if (outcome !== "applied") return { outcome, state: current };
    const next = afterWarehouse(current, update, at);
    await writeWarehouse(current, next, update, actor, at);
    return { outcome, state: next };
  });
}

/**
 * Primary course: the warehouse sends an absolute count with its seq → a newer seq is applied
 * (the SKU is created on first sight), an equal one with the same count is a duplicate and an
 * older one stale, both acknowledged and ignored → an applied count is published. Alternative:
 * the applied seq again with another count is a conflict, and changes nothing.
 */
export async function recordWarehouseCount(sku: string, update: WarehouseUpdate, actor: string, at: string, correlationId?: string) {
  const result = await applyWarehouse(sku, update, actor, at);
  if (result.outcome === "conflict") {
    throw new ConflictError(`Warehouse seq ${update.seq} of SKU ${sku} was already applied with onHand ${result.state.warehouseOnHand}; a different count needs a newer seq.`, {
      extra: { sku, seq: update.seq, onHand: update.onHand, appliedOnHand: result.state.warehouseOnHand },
    });
  }
  if (result.outcome === "applied") await nudgePublisher([sku], "warehouse", correlationId);
  return { outcome: result.outcome, seq: update.seq, ...(await freshView(sku, result.state)) };
}

/**
 * Primary course: many counts in one call → each applied with the single-SKU rule, the same SKU's
 * in the order given, different SKUs in parallel → each SKU that changed is published once. A
 * reused seq with another count is reported as that item's `conflict` (the call is not atomic:
 * the other items still apply).
 */
export async function recordWarehouseCounts(updates: readonly (WarehouseUpdate & { sku: string })[], actor: string, at: string, correlationId?: string) {
  const bySku = new Map<string, number[]>();
  updates.forEach((u, i) => bySku.set(u.sku, [...(bySku.get(u.sku) ?? []), i]));
  const results: { sku: string; seq: number; outcome: WarehouseOutcome; onHand: number }[] = new Array(updates.length);
  const skus = [...bySku.keys()];
  const changed: string[] = [];
  const worker = async () => {
    for (let sku = skus.shift(); sku !== undefined; sku = skus.shift()) {
      let applied = false;
      for (const i of bySku.get(sku) ?? []) {
        const u = updates[i];
        if (!u) continue;
        const r = await applyWarehouse(sku, { onHand: u.onHand, seq: u.seq }, actor, at);
        applied ||= r.outcome === "applied";
        results[i] = { sku, seq: u.seq, outcome: r.outcome, onHand: r.state.onHand };
      }
      if (applied) changed.push(sku);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, skus.length) }, worker));
  await nudgePublisher(changed, "warehouse", correlationId);
  const counts: Record<WarehouseOutcome, number> = { applied: 0, stale: 0, duplicate: 0, conflict: 0 };
  for (const r of results) counts[r.outcome] += 1;
  return { results, ...counts };
}

/**
 * Primary course: a supervisor sets safety stock, sync ratio and an optional campaign lock (a
 * future instant) → the counters move by what it frees or holds back → published.
 */
export async function changePolicy(sku: string, policy: StoredPolicy, actor: string, at: string, correlationId?: string) {
  if (policy.lock && policy.lock.expiresAt <= at) {
    throw new ValidationError("The request body is invalid.", { errors: [{ field: "lock.expiresAt", message: "must be in the future" }] });
  }
  const state = await untilCommitted(`SKU ${sku}`, async () => {
    const current = await ensureSku(sku, at);
    const next = afterPolicy(current, policy, at);
    await writePolicy(current, next, actor, at);
    return next;
  });
  await nudgePublisher([sku], "policy", correlationId);
  return freshView(sku, state);
}

/**
 * Primary course: the order system (or a supervisor) reserves an order → a single-line order (a
 * flash sale's) claims the order, takes its units with one conditional counter write, then writes
 * the hold and its audit record (`reserveOne`); an order of several lines holds all lines or
 * none in one transaction (`reserveLines`) → the SKUs are nudged for publication. Alternatives: the
 * same order again answers like the first call (a replay, nothing held twice); different lines for
 * a known order is a conflict; short stock is a conflict naming each short line, and holds nothing.
 */
export async function reserveStock(request: ReservationRequest, actor: string, at: string, expiresAt: string, correlationId?: string) {
  const [line, ...more] = request.lines;
  const reservation = newReservation(request, actor, at, expiresAt, randomUUID());
  const result = line && more.length === 0 ? await reserveOne(reservation, request, line, correlationId) : await reserveLines(reservation, request, correlationId);
  return reservationView(result);
}

/** How long a duplicate request waits for the request that claimed the order to write its hold (StockApi's timeout is 10 s). */
const claimWaitMs = 8_000;

/**
 * One line, three writes and no read: (1) the claim — the reservation, `attribute_not_exists` —
 * so that of all requests for one order exactly one goes on, before anything is counted; (2) the
 * counter write, `available >= q`, the only write on the SKU's hot item; (3) the hold and its audit
 * record in one batch, the publisher nudge beside it. A duplicate never touches the counters: it
 * answers like the first request once that one's hold is written (it waits up to
 * {@link claimWaitMs} for it). A refused request drops its claim, so the order may be sent again.
 * Whatever a crash leaves is one of: a claim without units (taken over once its attempt is over,
 * or closed without moving stock), or units taken without a hold (given back by the reconciler
 * once the SKU is quiet) — never a hold without its units, never units taken twice for one order.
 */
async function reserveOne(reservation: Reservation, request: ReservationRequest, line: ReservationLine, correlationId: string | undefined): Promise<Reservation> {
  const { orderId } = reservation;
  const at = reservation.createdAt;
  const waitUntil = performance.now() + claimWaitMs;
  const dropOurClaim = () => dropClaim(reservation).catch((error: unknown) => logger.warn("Claim not dropped; it closes without stock once its attempt is over", { orderId, error: error as Error }));
  let claimed: boolean;
  try {
    claimed = await claimReservation(reservation);
  } catch (error) {
    // An SDK retry may have landed it: remove what may be ours, hold nothing, answer 503.
    await dropOurClaim();
    throw error;
  }
  for (let round = 0; !claimed; round++) {
    const existing = await getReservation(orderId);
    if (existing?.attempt === reservation.attempt) {
      // Our own claim: an SDK retry of a put that had landed lost to it.
      claimed = true;
      break;
    }
    if (!existing) {
      // The claim we lost to was refused and dropped: the order is free again.
      claimed = await claimReservation(reservation);
      continue;
    }
    const holds = existing.status === "held" && (await holdsPresent(orderId, existing.lines));
    const outcome = claimOutcome(existing, request, holds, at);
    if (outcome === "conflict") throw conflictOf(orderId, existing);
    if (outcome === "replay") return existing;
    if (outcome === "takeOver") {
      claimed = await claimReservation(reservation, existing);
      continue;
    }
    // "wait": the request that claimed the order is between its claim and its hold.
    if (performance.now() > waitUntil) throw new ContentionError(`Order ${orderId} is being reserved by another request; retry.`);
    await jitter(round + 3);
  }
  let take: Take;
  try {
    take = await takeUnits(line.sku, line.qty, at);
  } catch (error) {
    // An ambiguous counter write may have taken the units: they are left to the reconciler, the claim dropped.
    await dropOurClaim();
    throw error instanceof AmbiguousWriteError ? new StoreUnavailableError("DynamoDB", { cause: error }) : error;
  }
  if (!take.taken) {
    await dropClaim(reservation);
    const shortages = [{ sku: line.sku, requested: line.qty, available: take.sellable }];
    throw new ConflictError(`Not enough stock for ${line.sku}; nothing was reserved.`, { extra: { orderId, shortages } });
  }
  // The units are taken: if writing the hold fails they are left to the reconciler, never taken again.
  await Promise.all([recordHold(reservation), nudgePublisher([line.sku], "reservation", correlationId)]);
  return reservation;
}

function conflictOf(orderId: string, existing: Reservation): ConflictError {
  return new ConflictError(`Order ${orderId} already has a reservation with different lines; use a new orderId or release it first.`, {
    extra: { orderId, existingLines: existing.lines },
  });
}

/** Several lines: one transaction holds all or none (counters, holds and audit with the reservation). */
async function reserveLines(reservation: Reservation, request: ReservationRequest, correlationId: string | undefined): Promise<Reservation> {
  const outcome = await untilCommitted(`Order ${request.orderId}`, async (): Promise<{ held: boolean; reservation: Reservation } | typeof retry> => {
    try {
      await createReservation(reservation);
      return { held: true, reservation };
    } catch (error) {
      if (error instanceof ReservationExistsError) {
        const existing = await getReservation(request.orderId);
        if (!existing) return retry;
        if (replayOf(existing, request) === "conflict") throw conflictOf(request.orderId, existing);
        return { held: false, reservation: existing };
      }
      if (error instanceof InsufficientStockError) {
        const shortages = shortagesOf(request.lines, await getSkus(request.lines.map((l) => l.sku)));
        // Stock freed between the refused write and the read: try again rather than refuse.
        if (shortages.length === 0) return retry;
        throw new ConflictError(`Not enough stock for ${shortages.map((s) => s.sku).join(", ")}; nothing was reserved.`, { extra: { orderId: request.orderId, shortages } });
      }
      throw error;
    }
  });
  if (outcome.held) await nudgePublisher(request.lines.map((l) => l.sku), "reservation", correlationId);
  return outcome.reservation;
}

/**
 * Ends a held reservation of kind `kind` (once, however many callers race); returns it and whether
 * this call moved stock. A claim whose hold was never written holds nothing: while its request may
 * still be writing, a release or ship is a 503 "retry" and an expiry waits for the next run; once
 * that request is over, the claim is closed without touching the counters (a ship of it is a 409).
 */
async function close(orderId: string, kind: CloseKind, actor: string, at: string): Promise<{ reservation: Reservation; changed: boolean }> {
  return untilCommitted(`Order ${orderId}`, async () => {
    const current = await getReservation(orderId);
    if (!current) throw new NotFoundError(`No reservation for order ${orderId}.`);
    if (!closes(current, kind, at)) return { reservation: current, changed: false };
    try {
      return { reservation: await closeReservation(current, kind, actor, at), changed: true };
    } catch (error) {
      if (!(error instanceof HoldMissingError)) throw error;
      if (!attemptIsOver(current.createdAt, at)) {
        if (kind === "expired") return { reservation: current, changed: false };
        throw new ContentionError(error.message, { extra: { orderId } });
      }
      if (kind === "shipped") throw new ConflictError(`Order ${orderId}'s reservation never held stock (its request failed); reserve again before shipping.`, { extra: { orderId, status: "unheld" } });
      return { reservation: await closeUnheld(current, kind, at), changed: false };
    }
  });
}

/**
 * Primary course: the order is cancelled → its held units go back to `available` → published.
 * Repeating it is harmless; a shipped order can no longer be released.
 */
export async function releaseReservation(orderId: string, actor: string, at: string, correlationId?: string) {
  const { reservation, changed } = await close(orderId, "released", actor, at);
  if (reservation.status === "shipped") throw new ConflictError(`Order ${orderId} has shipped; its stock can no longer be released.`, { extra: { orderId, status: reservation.status } });
  if (changed) await nudgePublisher(reservation.lines.map((l) => l.sku), "release", correlationId);
  return reservationView(reservation);
}

/**
 * Primary course: the order is paid and fulfilled → its held units leave the warehouse count
 * (onHand and reserved both drop) → published. Repeating it is harmless; a released or expired
 * hold cannot ship.
 */
export async function shipReservation(orderId: string, actor: string, at: string, correlationId?: string) {
  const { reservation, changed } = await close(orderId, "shipped", actor, at);
  if (reservation.status !== "shipped") {
    throw new ConflictError(`Order ${orderId}'s hold was ${reservation.status}; reserve again before shipping.`, { extra: { orderId, status: reservation.status } });
  }
  if (changed) await nudgePublisher(reservation.lines.map((l) => l.sku), "ship", correlationId);
  return reservationView(reservation);
}

/** Primary course: a supervisor reads a SKU's counters, page stock, publication and drift. */
export async function stockOf(sku: string) {
  const state = await getSku(sku);
  if (!state) throw new NotFoundError(`No stock known for SKU ${sku}. The warehouse creates it with PUT /stock/${sku}/warehouse.`);
  return viewOf(state);
}

/** Primary course: can a large order of `qty` units be filled now? A read, not a hold. */
export async function availabilityOf(sku: string, qty: number) {
  return availability(await getSku(sku), sku, qty);
}

/** Primary course: the last reconciler run's report (an empty one before the first run). */
export async function lastReconcileReport(): Promise<ReconcileReport | { at: null; skus: 0; drifted: 0; repaired: 0; busy: 0; republished: 0; findings: [] }> {
  return (await getReport()) ?? { at: null, skus: 0, drifted: 0, repaired: 0, busy: 0, republished: 0, findings: [] };
}

/** Releases the SKU's campaign lock if it has expired; cleans a stale index entry otherwise. */
async function expireLock(sku: string, now: string, actor: string): Promise<boolean> {
  return untilCommitted(`SKU ${sku}`, async () => {
    const current = await getSku(sku);
    const lock = current?.lock ?? null;
    if (!current || !lockHasExpired(lock, now)) {
      // Stale index entry (lock replaced or removed): clean it only if it is really past.
      const entry = await getLockEntry(sku);
      if (entry && entry.expiresAt <= now && lock?.expiresAt !== entry.expiresAt) await deleteLockEntry(sku, entry.expiresAt);
      return false;
    }
    await writeLockExpiry({ ...current, lock }, actor, now);
    return true;
  });
}

/**
 * Primary course (StockHoldExpiry, every minute): holds of unpaid orders past their expiry are
 * released, then campaign locks past theirs → the SKUs they free are published. The clock is
 * the schedule's event time, so a run can be replayed for any instant.
 */
export async function expireHoldsAndLocks(now: Date) {
  const at = now.toISOString();
  const actor = "system:stock-hold-expiry";
  const touched = new Set<string>();
  let holdsReleased = 0;
  let locksReleased = 0;
  const queue = await expiredHolds(at);
  // A few at a time: each close is one transaction, and a backlog must not stampede one hot SKU.
  const worker = async () => {
    for (let orderId = queue.shift(); orderId !== undefined; orderId = queue.shift()) {
      const { reservation, changed } = await close(orderId, "expired", actor, at);
      if (!changed) continue;
      holdsReleased += 1;
      for (const line of reservation.lines) touched.add(line.sku);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  for (const sku of await expiredLocks(at)) {
    if (await expireLock(sku, at, actor)) {
      locksReleased += 1;
      touched.add(sku);
    }
  }
  await publishAll([...touched], "expiry");
  return { holdsReleased, locksReleased, skusPublished: touched.size };
}

/** Findings kept in the report (the counts cover all SKUs). */
const maxFindings = 100;

/**
 * Primary course (StockReconciler, every 5 minutes): for every SKU, the counters are compared
 * with the ledger (the hold items) and what the storefront was told → drifted counters are
 * repaired (conditional on the version read first, and only on a SKU unchanged for the attempt
 * grace: units taken by a reservation still writing its hold are not drift) → any SKU the
 * storefront is behind on is re-published → the run's report is stored for `GET /stock/drift`.
 * The case the repair exists for: a reservation took units and died before writing its hold;
 * the units are given back (`reserved` from the ledger, `available` follows).
 */
export async function reconcile(now: Date): Promise<ReconcileReport> {
  const at = now.toISOString();
  const report: ReconcileReport = { at, skus: 0, drifted: 0, repaired: 0, busy: 0, republished: 0, findings: [] };
  const queue = await listSkus();
  const worker = async () => {
    for (let sku = queue.shift(); sku !== undefined; sku = queue.shift()) {
      report.skus += 1;
      // Counters first, then the ledger: a hold committed in between came after its counter write, which bumped the version, so the repair's condition fails.
      const state = await getSku(sku);
      if (!state) continue;
      const [held, published] = await Promise.all([heldUnits(sku), getPublished(sku)]);
      const finding: DriftFinding = driftOf(state, published, held, at);
      // A reservation sits between its counter write and its hold for as long as its request lives:
      // counters that disagree with the ledger are repaired only once the SKU has been quiet longer.
      const countersDrift = finding.reserved !== 0 || finding.available !== 0;
      if (countersDrift && !attemptIsOver(state.updatedAt, at)) {
        report.busy += 1;
      } else if (hasDrift(finding)) {
        // A repair bumps the version, so even a pure page-stock drift gets a fresh correction message.
        finding.repaired = await repair(state, held, finding, at);
        if (finding.repaired) {
          report.drifted += 1;
          report.repaired += 1;
          await putDrift(sku, finding);
          if (report.findings.length < maxFindings) report.findings.push({ sku, ...finding });
        } else {
          // The SKU changed between our two reads: the difference may be that change, not drift. Next run.
          report.busy += 1;
        }
      }
      if (finding.repaired || state.version > published.version) {
        if ((await publishPageStock(sku, "reconcile")) === "published") report.republished += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await putReport(report);
  return report;
}

/** Rewrites the counters from the ledger; false when the SKU changed since it was read (try next run). */
async function repair(state: SkuState, held: number, finding: DriftFinding, at: string): Promise<boolean> {
  try {
    await writeRepair(state, repairedCounters(state, held), finding, "system:stock-reconciler", at);
    return true;
  } catch (error) {
    if (isWriteConflict(error)) return false;
    throw error;
  }
}
