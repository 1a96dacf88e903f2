/**
 * `GET /audit/{entity}/{entityId}` (supervisor): the audit trail of one thing — who changed it,
 * when, and what. Conversations carry their own trail in `history` (`GET /conversations/{id}`).
 */
import * as z from "zod";
import { httpApi, validate } from "../shared/http.js";
import { auditApi } from "./functions.js";
import { auditTrailOf } from "./use-cases.js";

/** Entities whose changes write audit records (see each capability's store). */
export const auditedEntities = ["agent", "shift", "rota", "notice", "campaign", "stock"] as const;

const pathSchema = z.object({
  entity: z.enum(auditedEntities),
  entityId: z.string().min(1).max(128),
});

export const handler = httpApi(auditApi, {
  "GET /audit/{entity}/{entityId}": async (request) => {
    const { entity, entityId } = validate(pathSchema, request.params, "path");
    const { entries } = await auditTrailOf(entity, entityId);
    return { status: 200, body: { entity, entityId, entries } };
  },
});
