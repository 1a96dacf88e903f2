/** Exception use cases: leave, overrides and swaps — recorded, listed, removed. */
import { randomUUID } from "node:crypto";
import { NotFoundError, type FieldError } from "../../shared/errors.js";
import { TransactionCancelledError } from "../../shared/table/index.js";
import { shiftGoneError, usageOp } from "../commit/usage.js";
import { transactChecked } from "../commit/versions.js";
import { exceptionAgents, exceptionOverlaps, maxRangeDays, type ExceptionInput, type RotaException } from "../domain.js";
import { recomputeDuty } from "../duty.js";
import { auditOp, exceptionDelete, exceptionPut, getException, getShift, listExceptions } from "../store.js";
import { formatDate, parseDate } from "../time.js";
import { rejectIfAny, unknownAgents, type Actor } from "./common.js";

/**
 * Records leave, an override or a swap.
 *
 * Primary course: check the agents (and the override's shift) exist → write the exception with
 * an audit record per agent it changes → recompute their duty.
 */
export async function createException(input: ExceptionInput, by: Actor): Promise<RotaException> {
  const agents = exceptionAgents(input);
  const missing = await unknownAgents(agents);
  const errors: FieldError[] = [];
  if (missing.has(input.agentId)) errors.push({ field: "agentId", message: `unknown agent "${input.agentId}"` });
  if (input.kind === "swap" && missing.has(input.withAgentId)) errors.push({ field: "withAgentId", message: `unknown agent "${input.withAgentId}"` });
  if (input.kind === "override" && !(await getShift(input.shiftId))) errors.push({ field: "shiftId", message: `unknown shift "${input.shiftId}"` });
  rejectIfAny(errors, "The exception refers to unknown agents or shifts; nothing was changed.");
  const at = by.now.toISOString();
  const exception: RotaException = { ...input, exceptionId: randomUUID(), createdAt: at, createdBy: by.actor };
  // An override is a use of its shift: counted in the same transaction, refused if the shift was deleted meanwhile.
  const usage = input.kind === "override" ? [usageOp(input.shiftId, 1)] : [];
  // transactChecked: a popular shift's count is shared with concurrent rota changes; pure collisions are retried.
  await transactChecked([exceptionPut(exception), ...usage, ...agents.map((agentId) => auditOp({ entity: "rota", entityId: agentId, action: `rota.${input.kind}.created`, actor: by.actor, at, details: exception }))], undefined, (error) =>
    input.kind === "override" ? shiftGoneError(error, 1, [input.shiftId]) : undefined,
  );
  await recomputeDuty(by.now, agents);
  return exception;
}

/** Exceptions touching any day of `[from, to]` (all when absent), for one agent if given. */
export async function exceptionsIn(q: { from?: string | undefined; to?: string | undefined; agentId?: string | undefined }): Promise<RotaException[]> {
  const from = q.from ?? "0000-01-01";
  const to = q.to ?? "9999-12-31";
  // Exceptions span at most maxRangeDays, so one that overlaps the range starts no earlier than that.
  const fromDay = parseDate(from);
  const earliest = q.from && fromDay !== undefined ? formatDate(fromDay - maxRangeDays - 1) : "0000";
  const exceptions = (await listExceptions(earliest, to)).filter((e) => exceptionOverlaps(e, from, to));
  return q.agentId ? exceptions.filter((e) => exceptionAgents(e).includes(q.agentId ?? "")) : exceptions;
}

/**
 * Removes an exception; the rota is as before it.
 *
 * Primary course: read it (absent → 404) → delete it with an audit record per agent (a
 * concurrent delete that won → 404) → recompute their duty.
 */
export async function deleteException(exceptionId: string, by: Actor): Promise<void> {
  const exception = await getException(exceptionId);
  if (!exception) throw new NotFoundError(`No rota exception "${exceptionId}".`);
  const at = by.now.toISOString();
  const agents = exceptionAgents(exception);
  try {
    const usage = exception.kind === "override" ? [usageOp(exception.shiftId, -1)] : [];
    await transactChecked([exceptionDelete(exceptionId), ...usage, ...agents.map((agentId) => auditOp({ entity: "rota", entityId: agentId, action: `rota.${exception.kind}.deleted`, actor: by.actor, at, details: exception }))], undefined);
  } catch (error) {
    if (error instanceof TransactionCancelledError && error.conditionFailedAt(0)) throw new NotFoundError(`No rota exception "${exceptionId}".`);
    throw error;
  }
  await recomputeDuty(by.now, agents);
}
