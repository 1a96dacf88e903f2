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
}

export async function requestDrain(skills: readonly string[], reason: string, correlationId?: string): Promise<void> {
  const body: DrainRequest = { kind: "drain", skills: [...skills], reason };
  await sendMessage("conversations", { body, ...(correlationId ? { correlationId } : {}) });
}
