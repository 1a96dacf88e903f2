/** Swap request use cases: ask, accept, approve, reject, read. */
import { randomUUID } from "node:crypto";
import { auditPut } from "../../shared/audit.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../shared/errors.js";
import { logger } from "../../shared/logger.js";
import { pushToAgent } from "../../shared/push.js";
import { TransactionCancelledError, type TransactItem } from "../../shared/table/index.js";
import { transactChecked } from "../commit/versions.js";
import type { RotaException } from "../domain.js";
import { recomputeDuty } from "../duty.js";
import { resolveRota } from "../resolve.js";
import { auditOp, exceptionPut, loadRotaData } from "../store.js";
import { dayMs, parseDate } from "../time.js";
import { unknownAgents } from "../use-cases/common.js";
import { transitions, type SwapRequest, type SwapRequestInput, type SwapStep } from "./domain.js";
import { getSwapRequest, swapCreatePut, swapStepPut } from "./store.js";

export interface Caller {
  sub: string;
  role: "agent" | "supervisor";
  actor: string;
  now: Date;
}

async function notify(request: SwapRequest, agentIds: readonly string[]): Promise<void> {
  const message = { type: "rota.swap", requestId: request.requestId, status: request.status, agentId: request.agentId, withAgentId: request.withAgentId, date: request.date };
  // Pushes are nudges: the request is durable, GET /rota/swap-requests/{id} reads it.
  await Promise.all(agentIds.map((id) => pushToAgent(id, message).catch((error: unknown) => logger.warn("Swap push failed", { agentId: id, error: error as Error }))));
}

function audit(request: SwapRequest, action: string, by: Caller): TransactItem {
  return auditPut({ entity: "swap", entityId: request.requestId, action, actor: by.actor, at: by.now.toISOString(), details: { ...request } });
}

/** Does `agentId` work a shift dated `date`? */
async function worksOn(agentId: string, date: string): Promise<boolean> {
  const day = parseDate(date) ?? 0;
  const window = { from: new Date((day - 1) * dayMs), to: new Date((day + 2) * dayMs) };
  return resolveRota(await loadRotaData(window), window, new Set([agentId])).some((o) => o.date === date);
}

/**
 * An agent asks to swap what it works on `date` with another agent.
 *
 * Primary course: the caller is an agent, not asking itself → both agents exist → the caller works
 * a shift that date → write the request (`requested`) with its audit record → nudge the other agent.
 */
export async function requestSwap(input: SwapRequestInput, by: Caller): Promise<SwapRequest> {
  if (by.role !== "agent") throw new ForbiddenError("Only an agent asks for a swap of its own shift.");
  if (input.withAgentId === by.sub) throw new ValidationError("An agent cannot swap with itself.", { errors: [{ field: "withAgentId", message: "must be another agent" }] });
  const missing = await unknownAgents([by.sub, input.withAgentId]);
  if (missing.size > 0) throw new ValidationError("Unknown agent; nothing was changed.", { errors: [...missing].map((id) => ({ field: id === by.sub ? "agentId" : "withAgentId", message: `unknown agent "${id}"` })) });
  if (!(await worksOn(by.sub, input.date))) throw new ValidationError(`You work no shift on ${input.date}; nothing to swap.`, { errors: [{ field: "date", message: `no shift of ${by.sub} on ${input.date}` }] });
  const request: SwapRequest = { requestId: randomUUID(), agentId: by.sub, withAgentId: input.withAgentId, date: input.date, ...(input.note ? { note: input.note } : {}), status: "requested", requestedAt: by.now.toISOString() };
  await transactChecked([swapCreatePut(request), audit(request, "swap.requested", by)], undefined);
  await notify(request, [request.withAgentId]);
  return request;
}

export async function swapRequestFor(requestId: string, by: Caller): Promise<SwapRequest> {
  const request = await getSwapRequest(requestId);
  if (!request || (by.role === "agent" && by.sub !== request.agentId && by.sub !== request.withAgentId)) throw new NotFoundError(`No swap request "${requestId}".`);
  return request;
}

function wrongState(request: SwapRequest, step: SwapStep): ConflictError {
  return new ConflictError(`Swap request ${request.requestId} is ${request.status}; it can be ${step === "accept" ? "accepted" : step === "approve" ? "approved" : "rejected"} only while ${transitions[step].join(" or ")}.`, { extra: { requestStatus: request.status } });
}

/** Moves a request one step, only from the state read; a concurrent step that won makes this one a 409. */
async function step(request: SwapRequest, stepName: SwapStep, next: SwapRequest, extra: TransactItem[], by: Caller): Promise<void> {
  if (!(transitions[stepName] as readonly string[]).includes(request.status)) throw wrongState(request, stepName);
  try {
    await transactChecked([swapStepPut(next, request.status), audit(next, `swap.${next.status}`, by), ...extra], undefined);
  } catch (error) {
    if (error instanceof TransactionCancelledError && error.conditionFailedAt(0)) {
      const now = await getSwapRequest(request.requestId);
      throw wrongState(now ?? request, stepName);
    }
    throw error;
  }
}

/**
 * The other agent accepts.
 *
 * Primary course: only the agent asked (not the requester, not a third agent: 403) → only while
 * `requested` (409) → `accepted`, audited → nudge the requester.
 */
export async function acceptSwap(requestId: string, by: Caller): Promise<SwapRequest> {
  const request = await getSwapRequest(requestId);
  if (!request) throw new NotFoundError(`No swap request "${requestId}".`);
  if (by.role !== "agent" || by.sub !== request.withAgentId) throw new ForbiddenError(by.sub === request.agentId ? "You cannot accept your own swap request." : `Only ${request.withAgentId} may accept this swap request.`);
  const next: SwapRequest = { ...request, status: "accepted", acceptedAt: by.now.toISOString() };
  await step(request, "accept", next, [], by);
  await notify(next, [next.agentId]);
  return next;
}

/**
 * A supervisor approves: the swap is applied.
 *
 * Primary course: only while `accepted` (409) → one transaction (the rota change path's
 * `transactChecked`): the request `approved` if still `accepted`, the rota swap exception
 * (`POST /rota/exceptions` kind `swap`), a rota audit record per agent and the request's audit
 * record → both agents' duty recomputed → both nudged.
 */
export async function approveSwap(requestId: string, reason: string | undefined, by: Caller): Promise<SwapRequest> {
  const request = await getSwapRequest(requestId);
  if (!request) throw new NotFoundError(`No swap request "${requestId}".`);
  const at = by.now.toISOString();
  const exception: RotaException = { kind: "swap", agentId: request.agentId, withAgentId: request.withAgentId, date: request.date, exceptionId: randomUUID(), createdAt: at, createdBy: by.actor };
  const next: SwapRequest = { ...request, status: "approved", decidedAt: at, decidedBy: by.actor, exceptionId: exception.exceptionId, ...(reason ? { reason } : {}) };
  const rotaAudits = [request.agentId, request.withAgentId].map((agentId) => auditOp({ entity: "rota", entityId: agentId, action: "rota.swap.created", actor: by.actor, at, details: { ...exception, swapRequestId: request.requestId } }));
  await step(request, "approve", next, [exceptionPut(exception), ...rotaAudits], by);
  await recomputeDuty(by.now, [request.agentId, request.withAgentId]);
  await notify(next, [next.agentId, next.withAgentId]);
  return next;
}

/** A supervisor rejects. Primary course: only while `requested` or `accepted` (409) → `rejected`, audited → both nudged. */
export async function rejectSwap(requestId: string, reason: string | undefined, by: Caller): Promise<SwapRequest> {
  const request = await getSwapRequest(requestId);
  if (!request) throw new NotFoundError(`No swap request "${requestId}".`);
  const next: SwapRequest = { ...request, status: "rejected", decidedAt: by.now.toISOString(), decidedBy: by.actor, ...(reason ? { reason } : {}) };
  await step(request, "reject", next, [], by);
  await notify(next, [next.agentId, next.withAgentId]);
  return next;
}
