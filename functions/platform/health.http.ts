/**
 * `GET /health`: 200 when every store answers; 503 problem+json with `Retry-After` naming the
 * part (DynamoDB, SQS) that does not.
 */
import { StoreUnavailableError, toProblem } from "../shared/errors.js";
import { httpApi } from "../shared/http.js";
import { healthApi } from "./functions.js";
import { checkHealth, failingParts } from "./use-cases.js";

export const handler = httpApi(healthApi, {
  "GET /health": async () => {
    const health = await checkHealth();
    const failing = failingParts(health);
    const [first] = failing;
    if (!first) return { status: 200, body: { status: "ok", ...(health.table ? { table: health.table } : {}), parts: health.parts } };
    const unavailable = new StoreUnavailableError(first);
    return {
      status: 503,
      headers: { "content-type": "application/problem+json", "retry-after": String(unavailable.retryAfterSeconds) },
      body: { ...toProblem(unavailable), detail: `${failing.join(" and ")} ${failing.length > 1 ? "are" : "is"} not answering; retry shortly.`, failing, parts: health.parts },
    };
  },
});
