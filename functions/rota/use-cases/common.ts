/** What every rota use case shares: who acts, and the checks that reject a request before any write. */
import { getAgent } from "../../agents/store.js";
import { ValidationError, type FieldError } from "../../shared/errors.js";

/** Who acts and when (the request's clock). */
export interface Actor {
  actor: string;
  now: Date;
}

/** Agent ids (deduplicated) that do not exist. */
export async function unknownAgents(agentIds: Iterable<string>): Promise<Set<string>> {
  const ids = [...new Set(agentIds)];
  const found = await Promise.all(ids.map(async (id) => [id, await getAgent(id)] as const));
  return new Set(found.filter(([, agent]) => !agent).map(([id]) => id));
}

export function rejectIfAny(errors: FieldError[], detail: string): void {
  if (errors.length > 0) throw new ValidationError(detail, { errors });
}
