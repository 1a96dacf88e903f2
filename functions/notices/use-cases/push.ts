/** Pushing notices to agents' phones, a bounded number at a time. */
import { logger } from "../../shared/logger.js";
import { pushToAgent } from "../../shared/push.js";
import { pushConcurrency } from "../fanout-limits.js";

/**
 * Pushes `message` to every agent; returns the connections reached, the stale ones removed (410)
 * and the agents whose push could not be attempted (their connections could not be read). Never
 * throws: the inbox entries are written before and are the record, the push only a nudge (the
 * workspace reads its inbox on connect). A fan-out part that failed on one agent's connection
 * look-up used to be redelivered whole, writing and pushing its 1,000 agents again.
 */
export async function pushToAgents(agentIds: readonly string[], message: unknown): Promise<{ pushed: number; gone: number; failed: number }> {
  const queue = [...agentIds];
  let pushed = 0;
  let gone = 0;
  let failed = 0;
  let firstError: unknown;
  const worker = async () => {
    for (let agentId = queue.shift(); agentId !== undefined; agentId = queue.shift()) {
      try {
        const outcome = await pushToAgent(agentId, message);
        pushed += outcome.delivered;
        gone += outcome.gone;
      } catch (error) {
        failed++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(pushConcurrency, queue.length) }, worker));
  if (failed > 0) logger.warn("Some notice pushes could not be attempted; their inbox entries stand", { failed, of: agentIds.length, error: firstError as Error });
  return { pushed, gone, failed };
}
