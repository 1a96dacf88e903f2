/** Response schemas of the platform routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { instant, named, nextCursor, problemSchema } from "../shared/responses.js";

const partState = z.enum(["ok", "unreachable", "failing"]);
const parts = z.strictObject({ DynamoDB: partState, SQS: partState });

export const healthSchema = named("Health", z.strictObject({ status: z.literal("ok"), table: z.optional(z.string()), parts }), "Every store answers.");

export const unhealthySchema = named(
  "HealthProblem",
  z.looseObject({ ...problemSchema.shape, failing: z.array(z.enum(["DynamoDB", "SQS"])), parts }),
  "A problem document naming the parts that do not answer.",
);

export const auditEntryView = named(
  "AuditEntry",
  z.strictObject({ entity: z.string(), entityId: z.string(), action: z.string(), actor: z.string(), at: instant, details: z.optional(z.record(z.string(), z.unknown())) }),
  "One change: who (`supervisor:sup-1`, `system:webhook`), when, what.",
);

export const auditPageSchema = named(
  "AuditPage",
  z.strictObject({ entity: z.string(), entityId: z.string(), order: z.enum(["oldest", "newest"]), entries: z.array(auditEntryView), next: nextCursor }),
);

export const openApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });
