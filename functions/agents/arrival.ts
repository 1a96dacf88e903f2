/**
 * An agent "arrives" when their shift starts, when they come online, or when they connect to
 * the WebSocket. Arrival is an event: it goes to the `notices` queue, and capabilities that owe
 * an arriving agent something (late-joiner notices) subscribe there. Agents is a base
 * capability and depends on none of them.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { logger } from "../shared/logger.js";
import { sendMessage } from "../shared/sqs.js";

export const arrivalReasons = ["duty", "online", "connect"] as const;
export type ArrivalReason = (typeof arrivalReasons)[number];

/** The event's message body; its consumers parse it with this schema. */
export const agentArrivedSchema = lazy(() => z.strictObject({
  kind: z.literal("agent-arrived"),
  agentId: z.string().check(z.minLength(1)),
  /** When the agent arrived (the caller's clock: request time, shift start). */
  at: z.iso.datetime({ offset: true }),
  reason: z.enum(arrivalReasons),
}));
export type AgentArrived = z.infer<typeof agentArrivedSchema>;

/**
 * Announces an arrival. Best effort: the caller's own change (shift start, presence, connection)
 * has already committed, so a failed send is logged rather than thrown; the next arrival
 * (connect, online) announces it again, and its consumers are idempotent. Callers declare
 * `sends: ["notices"]`.
 *
 * @example
 * await onAgentArrival("li.na", request.now, "online");
 */
export async function onAgentArrival(agentId: string, now: Date, reason: ArrivalReason): Promise<void> {
  const body: AgentArrived = { kind: "agent-arrived", agentId, at: now.toISOString(), reason };
  try {
    await sendMessage("notices", { body });
  } catch (error) {
    logger.error("Agent arrival not announced", { agentId, reason, error: error as Error });
  }
}
