/**
 * The HTTP contract of a route, declared once in its capability's `contract.ts`: the request
 * schemas its entry file validates with, and the response schema per status that the OpenAPI
 * document (functions/catalog/openapi.ts, `npm run docs:openapi`) publishes and the integration
 * tests check every response against.
 *
 * Weight: this module is types only. A capability's `contract.ts` builds its request schemas at
 * module level (the entry needs them) and its route table in a function, `contract()`, that only
 * the generator calls: response schemas live in the capability's `responses.ts`, which no Lambda
 * bundle imports by value (views take their types from it with `import type`).
 */
import type * as z from "zod/mini";

export type Schema = z.core.$ZodType;

export interface ResponseSpec {
  description: string;
  /** The JSON body; absent for an empty answer (204). */
  schema?: Schema;
  /** Response headers worth a client's attention (ETag, Location). */
  headers?: Readonly<Record<string, string>>;
}

/** A request body other than JSON (the rota's CSV import). */
export interface RawBody {
  mediaType: string;
  description: string;
  example?: string;
}

export interface RouteContract {
  summary: string;
  description?: string;
  /** Path parameters: an object schema with one field per `{name}` of the path. */
  params?: Schema;
  /** Query parameters: an object schema; each field is one parameter. */
  query?: Schema;
  /** Request headers the route reads (lower-case names): an object schema. */
  headers?: Schema;
  /** The JSON body's schema (as parsed by `jsonBody`), or a raw body of another media type. */
  body?: Schema | RawBody;
  /** Success answers by status. */
  responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * Problem answers beyond those every route may give (400 for bad input, 401/403 by its auth,
   * 404 with path parameters, 413/415 with a body, 503): 404 without path parameters, 409.
   */
  problems?: readonly number[];
}

/** A capability's routes, keyed like the function list's triggers: `"PUT /agents/{agentId}"`. */
export type Contract = Readonly<Record<string, RouteContract>>;

export function isRawBody(body: Schema | RawBody): body is RawBody {
  return typeof (body as RawBody).mediaType === "string";
}
