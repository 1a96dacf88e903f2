/**
 * `GET /audit/{entity}/{entityId}?limit=&cursor=&order=` (supervisor): the audit trail of one
 * thing — who changed it, when, and what — a page at a time with a `next` cursor.
 * Conversations carry their full trail in `history` (`GET /conversations/{id}`); their moves
 * (transfer, reassign, handover, re-offer) are audit records here too (`conversation`).
 */
import * as z from "zod/mini";
import { httpApi, validate } from "../shared/http.js";
import { auditApi } from "./functions.js";
import { auditTrailOf } from "./use-cases.js";

/** Entities whose changes write audit records (see each capability's store). */
export const auditedEntities = ["agent", "shift", "rota", "notice", "campaign", "stock", "conversation", "settings"] as const;

export const auditPageSizes = { default: 100, max: 500 } as const;

const pathSchema = z.object({
  entity: z.enum(auditedEntities),
  entityId: z.string().check(z.minLength(1), z.maxLength(128)),
});

const querySchema = z.strictObject({
    limit: z._default(z.pipe(z.pipe(z.string().check(z.regex(/^\d{1,4}$/, `must be a whole number from 1 to ${auditPageSizes.max}`)), z.transform(Number)), z.number().check(z.int(), z.minimum(1), z.maximum(auditPageSizes.max))), auditPageSizes.default),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
    order: z._default(z.enum(["oldest", "newest"]), "oldest"),
  });

export const handler = httpApi(auditApi, {
  "GET /audit/{entity}/{entityId}": async (request) => {
    const { entity, entityId } = validate(pathSchema, request.params, "path");
    const { limit, cursor, order } = validate(querySchema, request.query, "query");
    const page = await auditTrailOf(entity, entityId, { limit, newestFirst: order === "newest", ...(cursor ? { cursor } : {}) });
    return { status: 200, body: { entity, entityId, order, entries: page.entries, ...(page.next ? { next: page.next } : {}) } };
  },
});
