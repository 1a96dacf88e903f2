/** Shift use cases: create or replace a shift, read one, list them, delete an unused one. */
import { ConflictError, NotFoundError } from "../../shared/errors.js";
import { TransactionCancelledError, isWriteConflict, transact } from "../../shared/table/index.js";
import { OFF, shiftView, type Shift, type ShiftInput } from "../domain.js";
import { recomputeDuty } from "../duty.js";
import { assignmentsUsing, auditOp, getShift, getShiftWithUses, listExceptions, listPatterns, listShifts, shiftDelete, shiftPut } from "../store.js";
import type { Actor } from "./common.js";

/**
 * Creates or replaces a shift.
 *
 * Primary course: read the shift → write it with its audit record (only if unchanged since the
 * read; its use count is kept) → if it existed, recompute everyone's duty (anyone may work it).
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

/**
 * One shift and how many rota entries name it.
 *
 * Primary course: read it (absent → 404) → the shift with `uses`.
 */
export async function shiftById(shiftId: string) {
  const found = await getShiftWithUses(shiftId);
  if (!found) throw new NotFoundError(`No shift "${shiftId}".`);
  return { ...shiftView(found.shift), uses: found.uses ?? null };
}

/** How many places a 409 names. */
const placesNamed = 5;
/** Months around today searched for dated assignments to name (each month is one filtered query). */
const monthsSearched = 6;

/** `YYYY-MM` of `now` plus `delta` months. */
function monthFrom(now: Date, delta: number): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + delta, 1));
  return d.toISOString().slice(0, 7);
}

/** A rota entry that names a shift. */
export type ShiftUse =
  | { kind: "assignment"; agentId: string; date: string }
  | { kind: "pattern"; agentId: string; startDate: string; endDate?: string }
  | { kind: "override"; agentId: string; date: string; endDate?: string; exceptionId: string };

function describeUse(use: ShiftUse): string {
  switch (use.kind) {
    case "assignment":
      return `${use.agentId} on ${use.date}`;
    case "pattern":
      return `the pattern of ${use.agentId} from ${use.startDate}${use.endDate ? ` to ${use.endDate}` : ""}`;
    case "override":
      return `an override for ${use.agentId} on ${use.date}${use.endDate ? `…${use.endDate}` : ""}`;
  }
}

/**
 * A few of the rota entries naming a shift, for the 409: its patterns and overrides (two small
 * queries), then dated assignments, searched month by month outward from the current one (up to
 * six months each way), stopping once enough are found or the count is accounted for.
 */
async function usesOf(shiftId: string, uses: number, now: Date): Promise<{ found: ShiftUse[]; named: number }> {
  const [patterns, exceptions] = await Promise.all([listPatterns(), listExceptions("0000", "9999")]);
  const found: ShiftUse[] = [
    ...patterns.filter((p) => p.pattern.includes(shiftId)).map((p): ShiftUse => ({ kind: "pattern", agentId: p.agentId, startDate: p.startDate, ...(p.endDate ? { endDate: p.endDate } : {}) })),
    ...exceptions.flatMap((e): ShiftUse[] => (e.kind === "override" && e.shiftId === shiftId ? [{ kind: "override", agentId: e.agentId, date: e.date, ...(e.endDate ? { endDate: e.endDate } : {}), exceptionId: e.exceptionId }] : [])),
  ];
  let named = found.length;
  for (let step = 0; step <= 2 * monthsSearched && found.length < placesNamed && named < uses; step++) {
    const delta = step % 2 === 0 ? step / 2 : -(step + 1) / 2;
    const dated = (await assignmentsUsing(shiftId, [monthFrom(now, delta)])).sort((a, b) => a.date.localeCompare(b.date) || a.agentId.localeCompare(b.agentId));
    named += dated.length;
    found.push(...dated.map((a): ShiftUse => ({ kind: "assignment", agentId: a.agentId, date: a.date })));
  }
  return { found: found.slice(0, placesNamed), named };
}

/**
 * Deletes a shift no rota entry uses.
 *
 * Primary course: read it (absent → 404) → delete it with its audit record, only if its use
 * count is 0 (a rota change that uses it, even one still being staged, keeps it above 0) and it
 * is unchanged since the read → otherwise 409 naming a few of the entries that use it.
 */
export async function deleteShift(shiftId: string, by: Actor): Promise<void> {
  const found = await getShiftWithUses(shiftId);
  if (!found) throw new NotFoundError(`No shift "${shiftId}".`);
  const at = by.now.toISOString();
  try {
    await transact([shiftDelete(found.shift), auditOp({ entity: "shift", entityId: shiftId, action: "shift.deleted", actor: by.actor, at, details: { before: found.shift } })]);
    return;
  } catch (error) {
    if (!(error instanceof TransactionCancelledError && error.conditionFailedAt(0))) throw error;
  }
  // Refused: say why, from what is stored now.
  const now = await getShiftWithUses(shiftId);
  if (!now) throw new NotFoundError(`No shift "${shiftId}".`);
  if (now.uses === undefined) {
    throw new ConflictError(`Shift "${shiftId}" predates use counts, so whether the rota uses it is unknown; it was not deleted.`, { extra: { shiftId, uses: null } });
  }
  if (now.uses > 0) {
    const { found: usedBy, named } = await usesOf(shiftId, now.uses, by.now);
    const more = now.uses - usedBy.length;
    const pending = named < now.uses ? " (including any rota change still being committed)" : "";
    const list = usedBy.length ? `: ${usedBy.map(describeUse).join("; ")}${more > 0 ? `; and ${more} more${pending}` : ""}` : pending;
    throw new ConflictError(`Shift "${shiftId}" is used by ${now.uses} rota entr${now.uses === 1 ? "y" : "ies"}${list}. Nothing was deleted; move those entries to another shift or "${OFF}" first.`, {
      extra: { shiftId, uses: now.uses, usedBy },
    });
  }
  throw new ConflictError(`Shift "${shiftId}" was changed by someone else meanwhile; nothing was deleted. Read it again and retry.`, { extra: { shiftId } });
}
