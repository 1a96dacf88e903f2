/** Routing thresholds: the settings in force (live, else the environment's; functions/settings/current.ts). */
import { currentSettings } from "../settings/current.js";
import type { RoutingConfig } from "./policy.js";

export async function routingConfig(): Promise<RoutingConfig> {
  const { LARGE_ORDER_AMOUNT, KNOWN_AGENT_WINDOW_HOURS } = await currentSettings();
  return {
    largeOrderAmount: LARGE_ORDER_AMOUNT,
    knownAgentWindowMs: KNOWN_AGENT_WINDOW_HOURS * 3_600_000,
  };
}

/** Conversations still `queued` this long after arrival are re-driven by the sweeper. */
export const requeueAfterSeconds = async () => (await currentSettings()).REQUEUE_AFTER_SECONDS;

/**
 * The clock a routing decision is made by: the later of the time it was asked for (the request
 * time a route or drain message carries, an HTTP request's time) and this process's clock. In AWS
 * the two agree to within the gateway's latency and the process clock wins, so a message that
 * waited in the queue is decided by the real time, never a stale one; the local stack's
 * controllable clock (X-Local-Time, a later instant) reaches the router through the message.
 */
export function decisionClock(requested?: Date | string): Date {
  const wall = Date.now();
  const asked = requested === undefined ? Number.NaN : new Date(requested).getTime();
  return new Date(Number.isFinite(asked) ? Math.max(asked, wall) : wall);
}
