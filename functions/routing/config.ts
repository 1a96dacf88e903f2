/** Routing thresholds, from the settings parsed once per container (functions/catalog/settings.ts). */
import { settings } from "../shared/env.js";
import type { RoutingConfig } from "./policy.js";

export function routingConfig(): RoutingConfig {
  const { LARGE_ORDER_AMOUNT, KNOWN_AGENT_WINDOW_HOURS } = settings();
  return {
    largeOrderAmount: LARGE_ORDER_AMOUNT,
    knownAgentWindowMs: KNOWN_AGENT_WINDOW_HOURS * 3_600_000,
  };
}

/** Conversations still `queued` this long after arrival are re-driven by the sweeper. */
export const requeueAfterSeconds = () => settings().REQUEUE_AFTER_SECONDS;
