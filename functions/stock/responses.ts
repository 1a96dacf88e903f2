/** Response schemas of the stock routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { instant, named } from "../shared/responses.js";
import { reservationStatuses } from "./domain.js";

const int = () => z.number().check(z.int());

export const campaignLockView = named("CampaignLock", z.strictObject({ campaignId: z.string(), qty: int(), expiresAt: instant }), "Units held back for a campaign until expiresAt.");

const driftFinding = { at: instant, reserved: int(), available: int(), pageStock: int(), repaired: z.boolean() };
export const driftFindingView = named("DriftFinding", z.strictObject(driftFinding), "What the reconciler found for one SKU: each counter minus what the ledger says it must be.");

export const skuViewSchema = named(
  "Sku",
  z.strictObject({
    sku: z.string(),
    onHand: int(),
    reserved: int(),
    locked: int(),
    lock: z.nullable(campaignLockView),
    safetyStock: int(),
    syncRatio: z.number().check(z.minimum(0), z.maximum(1)),
    available: int(),
    pageStock: int(),
    warehouseSeq: int(),
    lastSyncedAt: z.nullable(instant),
    version: int(),
    published: z.strictObject({ pageStock: z.nullable(int()), version: int(), at: z.nullable(instant) }),
    drift: z.strictObject({ pageStock: int(), lastReconcile: z.nullable(driftFindingView) }),
    updatedAt: instant,
  }),
  "A SKU's counters, page stock, what the storefront was last told, and drift.",
);

const warehouseOutcome = z.enum(["applied", "stale", "duplicate", "conflict"]);

export const warehouseResultSchema = named(
  "WarehouseResult",
  z.strictObject({ outcome: z.enum(["applied", "stale", "duplicate"]), seq: int(), ...skuViewSchema.shape }),
  "The count's outcome (a stale or duplicate seq is acknowledged and ignored) and the SKU after it.",
);

export const bulkWarehouseResultSchema = named(
  "BulkWarehouseResult",
  z.strictObject({
    results: z.array(z.strictObject({ sku: z.string(), seq: int(), outcome: warehouseOutcome, onHand: int() })),
    applied: int(),
    stale: int(),
    duplicate: int(),
    conflict: int(),
  }),
  "Each count's outcome, in the order sent, and the tallies.",
);

export const reservationViewSchema = named(
  "Reservation",
  z.strictObject({
    orderId: z.string(),
    lines: z.array(z.strictObject({ sku: z.string(), qty: z.number().check(z.int(), z.minimum(1)) })),
    status: z.enum(reservationStatuses),
    createdAt: instant,
    expiresAt: instant,
    closedAt: z.nullable(instant),
  }),
  "An order's hold on stock: all its lines, held until paid (shipped), released or expired.",
);

export const availabilitySchema = named(
  "Availability",
  z.strictObject({ sku: z.string(), requested: int(), available: int(), canFill: z.boolean(), shortBy: int(), pageStock: int() }),
  "Whether an order of `qty` could be filled now (a read, not a hold).",
);

export const reconcileReportView = named(
  "ReconcileReport",
  z.strictObject({
    at: z.nullable(instant),
    skus: int(),
    drifted: int(),
    repaired: int(),
    busy: int(),
    republished: int(),
    findings: z.array(z.strictObject({ ...driftFinding, sku: z.string() })),
  }),
  "The last reconciler run (at null before the first): counts over all SKUs and the first findings.",
);
