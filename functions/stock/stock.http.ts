/**
 * StockApi: warehouse counts (HMAC webhook), policy (supervisor), reservations (order system or
 * supervisor), reads. Parses each request with its schema and hands it to a use case.
 */
import { currentSettings } from "../settings/current.js";
import { actorOf, jsonBody, validate, type HttpRequest } from "../shared/http.js";
import { httpApi } from "../shared/http-signed.js";
import { availabilityQuery, orderIdPath, skuPath } from "./contract.js";
import { bulkWarehouseSchema, policySchema, ratioToBp, reservationSchema, warehouseUpdateSchema } from "./domain.js";
import { stockApi } from "./functions.js";
import {
  availabilityOf,
  changePolicy,
  lastReconcileReport,
  recordWarehouseCount,
  recordWarehouseCounts,
  releaseReservation,
  reserveStock,
  shipReservation,
  stockOf,
} from "./use-cases.js";

const skuOf = (request: HttpRequest) => validate(skuPath, request.params, "path").sku;
const orderIdOf = (request: HttpRequest) => validate(orderIdPath, request.params, "path").orderId;

export const handler = httpApi(stockApi, {
  "PUT /stock/{sku}/warehouse": async (request) => {
    const sku = skuOf(request);
    const update = jsonBody(request, warehouseUpdateSchema);
    return { status: 200, body: await recordWarehouseCount(sku, update, actorOf(request, "warehouse"), request.now.toISOString(), request.correlationId) };
  },

  "PUT /stock/warehouse": async (request) => {
    const { updates } = jsonBody(request, bulkWarehouseSchema);
    return { status: 200, body: await recordWarehouseCounts(updates, actorOf(request, "warehouse"), request.now.toISOString(), request.correlationId) };
  },

  "PUT /stock/{sku}/policy": async (request) => {
    const sku = skuOf(request);
    const policy = jsonBody(request, policySchema);
    const lock = policy.lock ? { ...policy.lock, expiresAt: new Date(policy.lock.expiresAt).toISOString() } : null;
    const stored = { safetyStock: policy.safetyStock, ratioBp: ratioToBp(policy.syncRatio), lock };
    return { status: 200, body: await changePolicy(sku, stored, actorOf(request), request.now.toISOString(), request.correlationId) };
  },

  "POST /stock/reservations": async (request) => {
    const body = jsonBody(request, reservationSchema);
    // How long an unpaid order's hold lasts before the expiry job releases it.
    const expiresAt = new Date(request.now.getTime() + (await currentSettings()).STOCK_HOLD_MINUTES * 60_000).toISOString();
    // A replay answers like the original call: same status, same reservation, no second hold.
    return { status: 201, body: await reserveStock(body, actorOf(request, "order-system"), request.now.toISOString(), expiresAt, request.correlationId) };
  },

  "DELETE /stock/reservations/{orderId}": async (request) => {
    const orderId = orderIdOf(request);
    return { status: 200, body: await releaseReservation(orderId, actorOf(request, "order-system"), request.now.toISOString(), request.correlationId) };
  },

  "POST /stock/reservations/{orderId}/ship": async (request) => {
    const orderId = orderIdOf(request);
    return { status: 200, body: await shipReservation(orderId, actorOf(request, "order-system"), request.now.toISOString(), request.correlationId) };
  },

  "GET /stock/drift": async () => ({ status: 200, body: await lastReconcileReport() }),

  "GET /stock/{sku}": async (request) => ({ status: 200, body: await stockOf(skuOf(request)) }),

  "GET /stock/{sku}/availability": async (request) => {
    const sku = skuOf(request);
    const { qty } = validate(availabilityQuery, request.query, "query");
    return { status: 200, body: await availabilityOf(sku, qty) };
  },
});
