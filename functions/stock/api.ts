/**
 * Stock HTTP API: warehouse counts (HMAC webhook), policy (supervisor), reservations (order
 * system or supervisor), reads. Every change commits with its audit records, then publishes
 * the SKU's page stock to the storefront queue.
 */
import * as z from "zod";
import { intSetting } from "../shared/env.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { actorOf, httpApi, jsonBody, validate, type HttpRequest } from "../shared/http.js";
import {
  availability,
  bulkWarehouseSchema,
  maxUnits,
  policySchema,
  ratioToBp,
  reservationSchema,
  reservationView,
  orderIdSchema,
  skuSchema,
  skuView,
  warehouseUpdateSchema,
  type SkuState,
} from "./domain.js";
import { stockApi } from "./functions.js";
import { publishAll, publishPageStock } from "./publisher.js";
import { applyWarehouse, closeReservation, getDrift, getPublished, getReport, getSku, reserve, setPolicy } from "./store.js";

/** How long an unpaid order's hold lasts before the expiry job releases it. */
const holdMinutes = intSetting("STOCK_HOLD_MINUTES", 15);
if (!Number.isInteger(holdMinutes) || holdMinutes < 1) throw new Error(`Invalid environment: STOCK_HOLD_MINUTES must be a whole number of minutes >= 1, got ${holdMinutes}`);

function skuOf(request: HttpRequest): string {
  return validate(z.object({ sku: skuSchema }), request.params, "path").sku;
}

function orderIdOf(request: HttpRequest): string {
  return validate(z.object({ orderId: orderIdSchema }), request.params, "path").orderId;
}

async function view(state: SkuState) {
  const [published, drift] = await Promise.all([getPublished(state.sku), getDrift(state.sku)]);
  return skuView(state, published, drift);
}

export const handler = httpApi(stockApi, {
  "PUT /stock/{sku}/warehouse": async (request) => {
    const sku = skuOf(request);
    const update = jsonBody(request, warehouseUpdateSchema);
    const result = await applyWarehouse(sku, update, actorOf(request, "warehouse"), request.now.toISOString());
    if (result.outcome === "applied") await publishPageStock(sku, "warehouse", request.correlationId);
    return { status: 200, body: { outcome: result.outcome, seq: update.seq, ...(await view((await getSku(sku)) ?? result.state)) } };
  },

  "PUT /stock/warehouse": async (request) => {
    const { updates } = jsonBody(request, bulkWarehouseSchema);
    const actor = actorOf(request, "warehouse");
    const at = request.now.toISOString();
    // Same SKU twice in one call: applied in the order given; different SKUs run in parallel.
    const bySku = new Map<string, number[]>();
    updates.forEach((u, i) => bySku.set(u.sku, [...(bySku.get(u.sku) ?? []), i]));
    const results: { sku: string; seq: number; outcome: string; onHand: number; pageStock?: number }[] = new Array(updates.length);
    const skus = [...bySku.keys()];
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
        if (applied) await publishPageStock(sku, "warehouse", request.correlationId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, skus.length) }, worker));
    const counts = { applied: 0, stale: 0, duplicate: 0 };
    for (const r of results) counts[r.outcome as keyof typeof counts] += 1;
    return { status: 200, body: { results, ...counts } };
  },

  "PUT /stock/{sku}/policy": async (request) => {
    const sku = skuOf(request);
    const policy = jsonBody(request, policySchema);
    const lock = policy.lock ? { ...policy.lock, expiresAt: new Date(policy.lock.expiresAt).toISOString() } : null;
    if (lock && lock.expiresAt <= request.now.toISOString()) {
      throw new ValidationError("The request body is invalid.", { errors: [{ field: "lock.expiresAt", message: "must be in the future" }] });
    }
    const state = await setPolicy(sku, { safetyStock: policy.safetyStock, ratioBp: ratioToBp(policy.syncRatio), lock }, actorOf(request), request.now.toISOString());
    await publishPageStock(sku, "policy", request.correlationId);
    return { status: 200, body: await view((await getSku(sku)) ?? state) };
  },

  "POST /stock/reservations": async (request) => {
    const body = jsonBody(request, reservationSchema);
    const at = request.now.toISOString();
    const expiresAt = new Date(request.now.getTime() + holdMinutes * 60_000).toISOString();
    const result = await reserve(body, actorOf(request, "order-system"), at, expiresAt);
    if (result.kind === "short") {
      throw new ConflictError(`Not enough stock for ${result.shortages.map((s) => s.sku).join(", ")}; nothing was reserved.`, {
        extra: { orderId: body.orderId, shortages: result.shortages },
      });
    }
    if (result.kind === "held") await publishAll(body.lines.map((l) => l.sku), "reservation", request.correlationId);
    // A replay answers like the original call: same status, same reservation, no second hold.
    return { status: 201, body: reservationView(result.reservation) };
  },

  "DELETE /stock/reservations/{orderId}": async (request) => {
    const orderId = orderIdOf(request);
    const { reservation, changed } = await closeReservation(orderId, "released", actorOf(request, "order-system"), request.now.toISOString());
    if (reservation.status === "shipped") throw new ConflictError(`Order ${orderId} has shipped; its stock can no longer be released.`, { extra: { orderId, status: reservation.status } });
    if (changed) await publishAll(reservation.lines.map((l) => l.sku), "release", request.correlationId);
    return { status: 200, body: reservationView(reservation) };
  },

  "POST /stock/reservations/{orderId}/ship": async (request) => {
    const orderId = orderIdOf(request);
    const { reservation, changed } = await closeReservation(orderId, "shipped", actorOf(request, "order-system"), request.now.toISOString());
    if (reservation.status !== "shipped") {
      throw new ConflictError(`Order ${orderId}'s hold was ${reservation.status}; reserve again before shipping.`, { extra: { orderId, status: reservation.status } });
    }
    if (changed) await publishAll(reservation.lines.map((l) => l.sku), "ship", request.correlationId);
    return { status: 200, body: reservationView(reservation) };
  },

  "GET /stock/drift": async () => {
    const report = await getReport();
    return { status: 200, body: report ?? { at: null, skus: 0, drifted: 0, repaired: 0, busy: 0, republished: 0, findings: [] } };
  },

  "GET /stock/{sku}": async (request) => {
    const sku = skuOf(request);
    const state = await getSku(sku);
    if (!state) throw new NotFoundError(`No stock known for SKU ${sku}. The warehouse creates it with PUT /stock/${sku}/warehouse.`);
    return { status: 200, body: await view(state) };
  },

  "GET /stock/{sku}/availability": async (request) => {
    const sku = skuOf(request);
    const { qty } = validate(z.object({ qty: z.coerce.number().int().min(1).max(maxUnits) }), request.query, "query");
    return { status: 200, body: availability(await getSku(sku), sku, qty) };
  },
});
