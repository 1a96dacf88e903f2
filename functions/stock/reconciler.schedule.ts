/**
 * StockReconciler (every 5 minutes): recomputes every SKU from its hold ledger, repairs drift,
 * re-publishes page stock the storefront missed and stores the report (`reconcile` in use-cases.ts).
 */
import { scheduledJob } from "../shared/schedule.js";
import { reconcile } from "./use-cases.js";

export const handler = scheduledJob("StockReconciler", reconcile);
