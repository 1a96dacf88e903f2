/**
 * `GET /audit/{entity}/{entityId}?limit=&cursor=&order=` (supervisor): the audit trail of one
 * thing — who changed it, when, and what — a page at a time with a `next` cursor.
 * Conversations carry their full trail in `history` (`GET /conversations/{id}`); their moves
 * (transfer, reassign, handover, re-offer) are audit records here too (`conversation`).
 */
import { httpApi, validate } from "../shared/http.js";
import { auditPath, auditQuery } from "./contract.js";
import { auditApi } from "./functions.js";
import { auditTrailOf } from "./use-cases.js";

export const handler = httpApi(auditApi, {
  "GET /audit/{entity}/{entityId}": async (request) => {
    const { entity, entityId } = validate(auditPath, request.params, "path");
    const { limit, cursor, order } = validate(auditQuery, request.query, "query");
    const page = await auditTrailOf(entity, entityId, { limit, newestFirst: order === "newest", ...(cursor ? { cursor } : {}) });
    return { status: 200, body: { entity, entityId, order, entries: page.entries, ...(page.next ? { next: page.next } : {}) } };
  },
});
