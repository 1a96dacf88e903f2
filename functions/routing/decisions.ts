/**
 * Every routing decision is logged with its DynamoDB cost (capacity units from
 * ReturnConsumedCapacity). In-process listeners let the benchmark collect the same figures.
 */
import { logger } from "../shared/logger.js";
import { emitCount } from "../shared/metrics.js";

export interface RoutingDecision {
  conversationId: string;
  outcome: "assigned" | "waiting" | "already";
  agentId?: string;
  capacityUnits: number;
  candidatesTried: number;
  /** Its first round used a seat its SQS batch's plan gave it (use-cases/route-batch.ts). */
  batched?: boolean;
}

const listeners = new Set<(decision: RoutingDecision) => void>();

export function onRoutingDecision(listener: (decision: RoutingDecision) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function recordDecision(decision: RoutingDecision): void {
  logger.info("Routing decision", { ...decision });
  emitCount(decision.outcome === "assigned" ? "ConversationsAssigned" : decision.outcome === "waiting" ? "ConversationsWaiting" : "DuplicateDeliveries");
  emitCount("RoutingCapacityUnits", decision.capacityUnits);
  for (const listener of listeners) listener(decision);
}
