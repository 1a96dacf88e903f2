/**
 * Capacity that frees (a close, presence back online, a shift starting, capacity raised)
 * must drain the waiting queue at once. Producers send a small `drain` message to the routing
 * queue; the router serves waiting conversations of those skills, best first, as many as fit.
 */
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
