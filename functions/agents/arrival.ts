/**
 * An agent "arrives" when their shift starts, when they come online, or when they connect to
 * the WebSocket. Capabilities that owe an arriving agent something (late-joiner notices) hook
 * in here, so the triggers stay in one place.
 */
import { logger } from "../shared/logger.js";
import { deliverOnArrival } from "../notices/service.js";

export type ArrivalReason = "duty" | "online" | "connect";

/**
 * Best effort: the caller's own change (shift start, presence, connection) has already committed,
 * so a failure here is logged rather than thrown; the next arrival (connect, online) repeats the
 * delivery, which is idempotent.
 */
export async function onAgentArrival(agentId: string, now: Date, reason: ArrivalReason): Promise<void> {
  try {
    const result = await deliverOnArrival(agentId, now, reason);
    if (result.delivered.length > 0) logger.info("Late-joiner notices delivered", { agentId, reason, ...result });
  } catch (error) {
    logger.error("Late-joiner notice delivery failed", { agentId, reason, error: error as Error });
  }
}
