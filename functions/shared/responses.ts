/**
 * Building blocks of the response schemas (each capability's `responses.ts`): named components
 * of the OpenAPI document, instants, pages, and the one problem document every error answers with.
 * Only the generator, the tests and other `responses.ts` modules import this by value; Lambda
 * bundles do not construct response schemas.
 */
import * as z from "zod/mini";

/**
 * Names a schema: the document lists it once under `components.schemas.<id>` and every use
 * refers to it, and the console's generated types call it by that name.
 */
export function named<S extends z.core.$ZodType>(id: string, schema: S, description?: string): S {
  z.globalRegistry.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}

/** An instant as the views write it (`Date.prototype.toISOString`: UTC, milliseconds). */
export const instant = z.string();
z.globalRegistry.add(instant, { format: "date-time", description: "ISO-8601 instant" } as z.core.GlobalMeta);

/** A calendar date, `YYYY-MM-DD`. */
export const calendarDate = z.string();
z.globalRegistry.add(calendarDate, { format: "date", description: "Calendar date, YYYY-MM-DD" } as z.core.GlobalMeta);

/** `next`: the opaque cursor of the following page, present only when more follow. */
export const nextCursor = z.optional(z.string());

export const fieldErrorSchema = named(
  "FieldError",
  z.strictObject({ field: z.string(), message: z.string() }),
  "One invalid field: its dotted path (`lines.0.qty`, `row 3, shift`, `(body)`) and what is wrong.",
);

/**
 * RFC 9457 problem document (`application/problem+json`): every 4xx/5xx. Some problems carry
 * more members (a conflict names what it conflicts with, 503 names the part), so more are allowed.
 */
export const problemSchema = named(
  "Problem",
  z.looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().check(z.int()),
    detail: z.string(),
    errors: z.optional(z.array(fieldErrorSchema)),
  }),
  "RFC 9457 problem details; `errors` lists each invalid field of a 400.",
);
