/**
 * Shift use counts in a rota change's transactions (functions/rota/usage.ts says what is counted).
 *
 * Every write that adds a reference to a shift carries `ADD uses` on the shift's item with the
 * condition that the shift exists, in the same transaction as the reference; `DELETE /shifts`
 * deletes only at `uses = 0`. DynamoDB runs the two transactions one after the other, so either
 * the delete sees the new use and is refused, or the change finds the shift gone and writes
 * nothing.
 */
import { ConflictError, ValidationError } from "../../shared/errors.js";
import { Shift, TransactionCancelledError, tableName, type TransactItem } from "../../shared/table/index.js";
import { maxShiftsPerChange, type ShiftUsageDelta } from "../usage.js";

/** `uses += delta` on a shift that must still exist. */
export function usageOp(shiftId: string, delta: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: Shift.key({ shiftId }),
      UpdateExpression: "ADD uses :d",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: { ":d": delta },
    },
  };
}

/** The net delta of each shift a one-transaction change moves (a gain needs the shift, even at net 0). */
export function netUsageOps(deltas: readonly ShiftUsageDelta[]): { ops: TransactItem[]; shiftIds: string[] } {
  const moved = deltas.filter((d) => d.gains > 0 || d.losses > 0);
  return { ops: moved.map((d) => usageOp(d.shiftId, d.gains - d.losses)), shiftIds: moved.map((d) => d.shiftId) };
}

/**
 * A staged change counts its gains when it starts (with its header: a shift it is about to use
 * cannot be deleted while it runs) and its losses at its commit point; a rollback takes the
 * gains back. Each of the three goes with a status change that happens once, so none is counted twice.
 */
export function gainOps(deltas: readonly ShiftUsageDelta[], sign: 1 | -1 = 1): { ops: TransactItem[]; shiftIds: string[] } {
  const gained = deltas.filter((d) => d.gains > 0);
  return { ops: gained.map((d) => usageOp(d.shiftId, sign * d.gains)), shiftIds: gained.map((d) => d.shiftId) };
}

export function lossOps(deltas: readonly ShiftUsageDelta[]): TransactItem[] {
  return deltas.filter((d) => d.losses > 0).map((d) => usageOp(d.shiftId, -d.losses));
}

export function checkShiftCount(deltas: readonly ShiftUsageDelta[]): void {
  if (deltas.length > maxShiftsPerChange) {
    throw new ValidationError(`This change uses or stops using ${deltas.length} different shifts; one change may move at most ${maxShiftsPerChange}. Split it (for example by agent) and send the parts.`, {
      errors: [{ field: "(body)", message: `at most ${maxShiftsPerChange} different shifts per change` }],
    });
  }
}

/**
 * The 409 for a change whose shift was deleted between its checks and its commit: the shift
 * conditions sit at `offset…` in the cancelled transaction. Undefined if none of them failed.
 */
export function shiftGoneError(error: unknown, offset: number, shiftIds: readonly string[]): ConflictError | undefined {
  if (!(error instanceof TransactionCancelledError)) return undefined;
  const gone = shiftIds.filter((_, i) => error.conditionFailedAt(offset + i));
  if (gone.length === 0) return undefined;
  return new ConflictError(`Shift ${gone.map((id) => `"${id}"`).join(", ")} was deleted while this change was being made; nothing was changed. Create the shift again or choose another, and retry.`, {
    extra: { deletedShifts: gone },
  });
}
