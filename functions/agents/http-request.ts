/** What the agents' HTTP entries (agents.http.ts, lifecycle.http.ts) share: the path's agent and the acting user. */
import { actorOf, validate, type HttpRequest } from "../shared/http.js";
import { agentPath } from "./contract.js";
import type { Actor } from "./use-cases.js";

export function agentIdOf(request: HttpRequest): string {
  return validate(agentPath, request.params, "path").agentId;
}

export const actor = (request: HttpRequest): Actor => ({ actor: actorOf(request), now: request.now, correlationId: request.correlationId });
