/**
 * The callback settings of the running function, parsed once per function environment:
 * `ASSIGNMENT_CALLBACK_URL` (empty: callbacks off; absent: the function did not declare
 * `access.assignmentCallbacks`) and `CALLBACK_TIMEOUT_MS` (default 5000; tests lower it).
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { functionEnv, functionName, parseEnv, perFunction } from "../shared/env.js";
import { logger } from "../shared/logger.js";

const schema = lazy(() => z.object({
  ASSIGNMENT_CALLBACK_URL: z.optional(z.union([z.literal(""), z.url({ protocol: /^https?$/ })])),
  CALLBACK_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.minimum(50), z.maximum(30_000)), 5_000),
}));

const parsed = perFunction(() => parseEnv(schema, functionEnv()));
const warned = perFunction(() => ({ done: false }));

export interface CallbackConfig {
  /** Where callbacks go; undefined: off. */
  url: string | undefined;
  timeoutMs: number;
}

export function callbackConfig(): CallbackConfig {
  const env = parsed();
  if (env.ASSIGNMENT_CALLBACK_URL === undefined && !warned().done) {
    // Loud but not fatal: a function moving conversations without the declaration sends no
    // callbacks, which the platform notices; failing its moves would be worse.
    warned().done = true;
    logger.error(`${functionName()} moves conversations but does not declare access.assignmentCallbacks: "enqueue"; its moves send no assignment callbacks.`);
  }
  return { url: env.ASSIGNMENT_CALLBACK_URL || undefined, timeoutMs: env.CALLBACK_TIMEOUT_MS };
}
