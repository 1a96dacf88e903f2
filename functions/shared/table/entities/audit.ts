/**
 * The audit trail (invariant 6): who changed what, when. Written in the same transaction as the
 * change it describes wherever the change is transactional.
 */
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { defineEntity } from "../entity.js";

export const auditEntrySchema = lazy(() => z.object({
  entity: z.string(),
  entityId: z.string(),
  action: z.string(),
  actor: z.string(),
  at: z.string(),
  details: z.optional(z.record(z.string(), z.unknown())),
}));

export const AuditRecord = defineEntity({
  type: "Audit",
  owner: "audit",
  description: "One change of one entity (agent, shift, rota, notice, campaign, stock, settings…), oldest first by time",
  schema: auditEntrySchema,
  pk: "AUDIT#{entity}#{entityId}",
  sk: "{at}#{uuid}",
  patterns: [
    { name: "AuditRecord.put", operation: "Put inside the change's own transaction", cost: "2 WRU (transactional, < 1 KB)" },
    { name: "AuditRecord.trail", operation: "Query AUDIT#{entity}#{entityId}, paginated by cursor", cost: "~1 RRU per 20 entries" },
  ],
});
