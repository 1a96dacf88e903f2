/**
 * The HTTP chain for functions with routes that accept either a webhook signature or a bearer
 * token verified in the function (`signature-or-jwt`). It is `httpApi` with both verifiers, kept
 * apart so that only these functions bundle and load jose and the Secrets Manager client;
 * `httpApi` from http.ts refuses such routes at cold start. Functions whose signed routes are
 * signatures alone use shared/http-webhook.ts (no jose).
 *
 * @example
 * export const handler = httpApi(stockApi, routes); // imported from "../shared/http-signed.js"
 */
import type { FunctionSpec } from "../catalog/types.js";
import { verifyBearer } from "./auth-token.js";
import { httpApi as plainHttpApi, type RouteHandler } from "./http.js";
import { webhookSecret } from "./secrets.js";

export function httpApi(spec: FunctionSpec, routes: Record<string, RouteHandler>) {
  return plainHttpApi(spec, routes, { webhookSecret, verifyBearer });
}
