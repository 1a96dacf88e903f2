/**
 * The HTTP chain for functions whose only in-function authentication is a webhook signature
 * (`signature` routes; the others are checked by API Gateway's JWT authorizer): `httpApi` with the
 * webhook secret alone, so they bundle the Secrets Manager client but not jose (18 KB of every
 * cold start). A `signature-or-jwt` route refuses to start here: build that function with
 * shared/http-signed.ts.
 *
 * @example
 * export const handler = httpApi(platformEventsApi, routes); // imported from "../shared/http-webhook.js"
 */
import type { FunctionSpec } from "../catalog/types.js";
import { httpApi as plainHttpApi, type RouteHandler } from "./http.js";
import { webhookSecret } from "./secrets.js";

export function httpApi(spec: FunctionSpec, routes: Record<string, RouteHandler>) {
  return plainHttpApi(spec, routes, { webhookSecret });
}
