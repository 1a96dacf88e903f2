/** Shift use cases: create or replace a shift, list them. */
import { ConflictError } from "../../shared/errors.js";
import { isWriteConflict, transact } from "../../shared/table/index.js";
import { shiftView, type Shift, type ShiftInput } from "../domain.js";
import { recomputeDuty } from "../duty.js";
import { auditOp, getShift, listShifts, shiftPut } from "../store.js";
import type { Actor } from "./common.js";

/**
 * Creates or replaces a shift.
 *
 * Primary course: read the shift → write it with its audit record (only if unchanged since the
 * read) → if it existed, recompute everyone's duty (anyone may work it).
 */
export async function saveShift(shiftId: string, input: ShiftInput, by: Actor): Promise<{ created: boolean; shift: ReturnType<typeof shiftView> }> {
  const before = await getShift(shiftId);
  const at = by.now.toISOString();
  const shift: Shift = { shiftId, ...input, updatedAt: at, updatedBy: by.actor };
  try {
    await transact([
      shiftPut(shift, before),
      auditOp({ entity: "shift", entityId: shiftId, action: before ? "shift.updated" : "shift.created", actor: by.actor, at, details: { before: before ?? null, after: input } }),
    ]);
  } catch (error) {
    if (isWriteConflict(error)) throw new ConflictError(`Shift "${shiftId}" was changed by someone else meanwhile; nothing was changed. Read it again and retry.`);
    throw error;
  }
  if (before) await recomputeDuty(by.now);
  return { created: !before, shift: shiftView(shift) };
}

/** Every shift, by id. */
export async function allShifts() {
  const shifts = await listShifts();
  return shifts.sort((a, b) => a.shiftId.localeCompare(b.shiftId)).map(shiftView);
}
