/**
 * Stock's audit records (invariant 6): one per change of a SKU, committed in the change's own
 * transaction (the shared `auditPut`, keyed by the registry's AuditRecord entity).
 */
import { auditPut } from "../../shared/audit.js";
import type { TransactItem } from "../../shared/table/index.js";

export interface StockAuditEntry {
  sku: string;
  action: `stock.${string}`;
  actor: string;
  at: string;
  details?: Record<string, unknown>;
}

/** The audit `Put` for one change of one SKU, for the change's transaction (`id`: a stable key tail for a put that may be repeated). */
export function stockAuditOp(entry: StockAuditEntry, id?: string): TransactItem {
  return auditPut({ entity: "stock", entityId: entry.sku, action: entry.action, actor: entry.actor, at: entry.at, ...(entry.details ? { details: entry.details } : {}) }, id);
}
