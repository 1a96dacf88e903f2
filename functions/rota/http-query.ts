/** What the rota's HTTP entries (rota.http.ts, import.http.ts) share: strict query parsing and the acting user. */
import * as z from "zod/mini";
import { ValidationError, type FieldError } from "../shared/errors.js";
import { actorOf, fieldErrors, type HttpRequest } from "../shared/http.js";
import type { Actor } from "./use-cases/common.js";

/**
 * The query, validated: every invalid field and every unknown parameter named at once (an
 * unknown one is a 400, not silently ignored — a misspelt option would otherwise be its default).
 */
export function queryOf<S extends z.ZodMiniObject>(schema: S, request: HttpRequest): z.infer<S> {
  const known = Object.keys(schema.shape);
  const unknown: FieldError[] = Object.keys(request.query)
    .filter((name) => !known.includes(name))
    .map((name) => ({ field: name, message: `unknown query parameter (known: ${known.join(", ")})` }));
  const result = schema.safeParse(request.query);
  const errors = [...unknown, ...(result.success ? [] : fieldErrors(result.error.issues))];
  if (errors.length > 0 || !result.success) throw new ValidationError("The query is invalid.", { errors });
  return result.data;
}

export const by = (request: HttpRequest): Actor => ({ actor: actorOf(request), now: request.now });
