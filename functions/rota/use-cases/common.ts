/** What every rota use case shares: who acts, and the checks that reject a request before any write. */
import { ValidationError, type FieldError } from "../../shared/errors.js";
import { Agent as AgentEntity, batchGet } from "../../shared/table/index.js";

/** Who acts and when (the request's clock). */
export interface Actor {
  actor: string;
  now: Date;
}

/**
 * Agent ids (deduplicated) that do not exist: one consistent BatchGetItem per 100 ids (keys only),
 * so a 500-agent import checks its agents in five requests, not 500 parallel reads.
 */
export async function unknownAgents(agentIds: Iterable<string>): Promise<Set<string>> {
  const ids = [...new Set(agentIds)];
  const found = await batchGet(
    ids.map((agentId) => AgentEntity.key({ agentId })),
    { consistent: true, projection: "pk" },
  );
  const present = new Set(found.map((item) => String(item.pk)));
  return new Set(ids.filter((agentId) => !present.has(AgentEntity.key({ agentId }).pk)));
}

export function rejectIfAny(errors: FieldError[], detail: string): void {
  if (errors.length > 0) throw new ValidationError(detail, { errors });
}
