/**
 * Capacity that frees (a close, presence back online, a shift starting, capacity raised)
 * must drain the waiting queue at once. Producers send a small `drain` message to the routing
 * queue; the router serves waiting conversations of those skills, best first, as many as fit.
 */
import { logger } from "./logger.js";
import { sendMessage } from "./sqs.js";

export interface DrainRequest {
  kind: "drain";
  skills: string[];
  reason: string;
  /** The instant the drain is for (a shift's start): the router decides by it or by its own clock, whichever is later. */
  at?: string;
}

/** `options.at` + `options.delaySeconds` (≤ 900): a drain timed for an instant, e.g. the start of a shift. */
export async function requestDrain(skills: readonly string[], reason: string, correlationId?: string, options: { at?: Date; delaySeconds?: number } = {}): Promise<void> {
  const body: DrainRequest = { kind: "drain", skills: [...skills], reason, ...(options.at ? { at: options.at.toISOString() } : {}) };
  const delaySeconds = options.delaySeconds === undefined ? undefined : Math.min(900, Math.max(0, Math.ceil(options.delaySeconds)));
  await sendMessage("conversations", { body, ...(correlationId ? { correlationId } : {}), ...(delaySeconds ? { delaySeconds } : {}) });
}

/**
 * `requestDrain` after a commit: best effort. The change is committed, so a queue timeout now must
 * not turn its answer into an error (the caller would retry a change that already happened); a
 * drain missed here is done by the next one, at the latest by the sweeper's drain within a minute.
 */
export async function wakeRouter(skills: readonly string[], reason: string, correlationId?: string): Promise<void> {
  if (skills.length === 0) return;
  try {
    await requestDrain(skills, reason, correlationId);
  } catch (error) {
    logger.warn("Drain request after a commit failed; the sweeper drains within a minute", { skills: [...skills], reason, error: error as Error });
  }
}
