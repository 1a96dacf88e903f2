/**
 * The platform routes' contract: health, the audit trail and the OpenAPI document itself. Request
 * schemas at module level (AuditApi validates with them); responses in `contract()` only.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import type { Contract } from "../shared/contract.js";
import { auditPageSchema, healthSchema, openApiDocumentSchema, unhealthySchema } from "./responses.js";

/** Entities whose changes write audit records (see each capability's store). */
export const auditedEntities = ["agent", "shift", "rota", "notice", "campaign", "stock", "conversation", "settings", "forecast", "swap"] as const;

export const auditPageSizes = { default: 100, max: 500 } as const;

export const auditPath = lazy(() => z.object({
  entity: z.enum(auditedEntities),
  entityId: z.string().check(z.minLength(1), z.maxLength(128)),
}));

export const auditQuery = lazy(() => z.strictObject({
  limit: z._default(z.pipe(z.pipe(z.string().check(z.regex(/^\d{1,4}$/, `must be a whole number from 1 to ${auditPageSizes.max}`)), z.transform(Number)), z.number().check(z.int(), z.minimum(1), z.maximum(auditPageSizes.max))), auditPageSizes.default),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  order: z._default(z.enum(["oldest", "newest"]), "oldest"),
}));

export function contract(): Contract {
  return {
    "GET /health": {
      summary: "Health: 200 when the table and the conversations queue answer",
      responses: {
        200: { description: "Every part answers.", schema: healthSchema },
        503: { description: "A part does not answer: the problem names it (Retry-After).", schema: unhealthySchema, headers: { "retry-after": "Seconds to wait before retrying." } },
      },
    },
    "GET /audit/{entity}/{entityId}": {
      summary: "The audit trail of one thing, a page at a time",
      description: "Who changed it, when and what; `order=newest` pages newest first.",
      params: auditPath,
      query: auditQuery,
      responses: { 200: { description: "A page of the trail (empty for a thing never changed).", schema: auditPageSchema } },
    },
    "GET /openapi.json": {
      summary: "This document: the API's OpenAPI 3.1 contract",
      description: "Generated from the function list and the routes' zod schemas (docs/openapi.json).",
      responses: { 200: { description: "The OpenAPI document.", schema: openApiDocumentSchema } },
    },
  };
}
