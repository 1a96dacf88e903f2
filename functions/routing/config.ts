/** Routing and supervision thresholds: environment variables with sensible defaults (README, "Configuration"). */
import { intSetting } from "../shared/env.js";
import type { RoutingConfig } from "./policy.js";

export function routingConfig(): RoutingConfig {
  return {
    largeOrderAmount: intSetting("LARGE_ORDER_AMOUNT", 5000),
    knownAgentWindowMs: intSetting("KNOWN_AGENT_WINDOW_HOURS", 24) * 3_600_000,
  };
}

/** Conversations still `queued` this long after arrival are re-driven by the sweeper. */
export const requeueAfterSeconds = () => intSetting("REQUEUE_AFTER_SECONDS", 60);
