/**
 * `GET /openapi.json` (public): the API's OpenAPI 3.1 document. It is docs/openapi.json, written by
 * `npm run docs:openapi` from the function list and the routes' contracts and checked current by
 * the tests; bundled as data, so the function builds no schema at cold start.
 */
import document from "../../docs/openapi.json" with { type: "json" };
import { httpApi } from "../shared/http.js";
import { openApiDocument } from "./functions.js";

export const handler = httpApi(openApiDocument, {
  "GET /openapi.json": async () => ({ status: 200, body: document, headers: { "cache-control": "public, max-age=300" } }),
});
