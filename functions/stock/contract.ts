/**
 * The stock routes' contract: request schemas StockApi validates with (module level) and, in
 * `contract()`, each route's responses (./responses.ts; generator only).
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import type { Contract } from "../shared/contract.js";
import { bulkWarehouseSchema, maxUnits, orderIdSchema, policySchema, reservationSchema, skuSchema, warehouseUpdateSchema } from "./domain.js";
import { availabilitySchema, bulkWarehouseResultSchema, reconcileReportView, reservationViewSchema, skuViewSchema, warehouseResultSchema } from "./responses.js";

export const skuPath = lazy(() => z.object({ sku: skuSchema }));
export const orderIdPath = lazy(() => z.object({ orderId: orderIdSchema }));
export const availabilityQuery = lazy(() => z.object({ qty: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(maxUnits)) }));

export function contract(): Contract {
  const reservation = { description: "The reservation.", schema: reservationViewSchema };
  return {
    "PUT /stock/{sku}/warehouse": {
      summary: "The warehouse's count of a SKU (signed)",
      description: "`onHand` with `seq`, monotonic per SKU: an older or equal seq is acknowledged and ignored; the applied seq with another count is a 409. The SKU is created on first sight.",
      params: skuPath,
      body: warehouseUpdateSchema,
      responses: { 200: { description: "Applied, stale or a duplicate; the SKU after it.", schema: warehouseResultSchema } },
      problems: [409],
    },
    "PUT /stock/warehouse": {
      summary: "Many warehouse counts in one call (signed; not atomic: each applies alone)",
      body: bulkWarehouseSchema,
      responses: { 200: { description: "Each count's outcome.", schema: bulkWarehouseResultSchema } },
    },
    "PUT /stock/{sku}/policy": {
      summary: "A SKU's safety stock, sync ratio and campaign lock",
      params: skuPath,
      body: policySchema,
      responses: { 200: { description: "The SKU after the change.", schema: skuViewSchema } },
    },
    "POST /stock/reservations": {
      summary: "Reserve every line of an order, or none (409 when short)",
      description: "The same order with the same lines again answers the first reservation (nothing held twice); other lines for a known order are a 409.",
      body: reservationSchema,
      responses: { 201: { description: "Held (or the replayed reservation).", schema: reservationViewSchema } },
      problems: [409],
    },
    "DELETE /stock/reservations/{orderId}": {
      summary: "Release an order's hold (cancelled); harmless to repeat",
      params: orderIdPath,
      responses: { 200: reservation },
      problems: [409],
    },
    "POST /stock/reservations/{orderId}/ship": {
      summary: "Ship an order: its held units leave the warehouse count; harmless to repeat",
      params: orderIdPath,
      responses: { 200: reservation },
      problems: [409],
    },
    "GET /stock/drift": { summary: "The last reconciler run's report", responses: { 200: { description: "The report.", schema: reconcileReportView } } },
    "GET /stock/{sku}": { summary: "A SKU's counters, page stock, publication and drift", params: skuPath, responses: { 200: { description: "The SKU.", schema: skuViewSchema } } },
    "GET /stock/{sku}/availability": {
      summary: "Could an order of `qty` be filled now?",
      params: skuPath,
      query: availabilityQuery,
      responses: { 200: { description: "Availability (an unknown SKU has none).", schema: availabilitySchema } },
    },
  };
}
