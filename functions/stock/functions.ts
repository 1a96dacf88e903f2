import type { FunctionSpec } from "../catalog/types.js";

const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;
const orderSystemOrSupervisor = { kind: "signature-or-jwt", roles: ["supervisor"] } as const;
const warehouse = { kind: "signature" } as const;

export const stockApi: FunctionSpec = {
  name: "StockApi",
  entry: "functions/stock/stock.http.ts",
  handler: "handler",
  description: "Warehouse stock, policy, reservations, page stock and drift reads",
  triggers: [
    { kind: "http", method: "PUT", path: "/stock/{sku}/warehouse", auth: warehouse },
    { kind: "http", method: "PUT", path: "/stock/warehouse", auth: warehouse },
    { kind: "http", method: "PUT", path: "/stock/{sku}/policy", auth: supervisor },
    { kind: "http", method: "POST", path: "/stock/reservations", auth: orderSystemOrSupervisor },
    { kind: "http", method: "DELETE", path: "/stock/reservations/{orderId}", auth: orderSystemOrSupervisor },
    { kind: "http", method: "POST", path: "/stock/reservations/{orderId}/ship", auth: orderSystemOrSupervisor },
    { kind: "http", method: "GET", path: "/stock/drift", auth: supervisor },
    { kind: "http", method: "GET", path: "/stock/{sku}", auth: supervisor },
    { kind: "http", method: "GET", path: "/stock/{sku}/availability", auth: supervisor },
  ],
  // Page stock is published off the request path: the API only nudges StockPublisher.
  access: { table: "write", sends: ["stockChanges"], webhookSecret: true },
};

export const stockPublisher: FunctionSpec = {
  name: "StockPublisher",
  entry: "functions/stock/publisher.queue.ts",
  handler: "handler",
  description: "Publishes a changed SKU's page stock to the storefront (one publisher per SKU, coalesced)",
  triggers: [{ kind: "queue", queue: "stockChanges", batchSize: 10, reportBatchItemFailures: true, localConcurrency: 2 }],
  access: { table: "write", sends: ["storefront"] },
};

export const stockHoldExpiry: FunctionSpec = {
  name: "StockHoldExpiry",
  entry: "functions/stock/hold-expiry.schedule.ts",
  handler: "handler",
  description: "Releases expired unpaid holds and expired campaign locks",
  triggers: [{ kind: "schedule", everyMinutes: 1 }],
  access: { table: "write", sends: ["storefront"] },
  timeoutSeconds: 50,
};

export const stockReconciler: FunctionSpec = {
  name: "StockReconciler",
  entry: "functions/stock/reconciler.schedule.ts",
  handler: "handler",
  description: "Recomputes every SKU from its holds, repairs drift, re-publishes page stock",
  triggers: [{ kind: "schedule", everyMinutes: 5 }],
  access: { table: "write", sends: ["storefront"] },
  timeoutSeconds: 120,
};

export const stockFunctions: FunctionSpec[] = [stockApi, stockPublisher, stockHoldExpiry, stockReconciler];
