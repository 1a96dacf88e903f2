/**
 * Which shifts the rota uses, and how a change moves that count. Pure.
 *
 * A shift's use count (`uses` on its item) is the number of rota entries naming it: each dated
 * assignment to it, each pattern naming it (once, however many entries), each override to it.
 * `DELETE /shifts/{id}` is allowed only at zero, and every change adds its delta in the same
 * transaction as the entries it writes, so the count and the rota never disagree.
 */
import type { RotaChangeOp } from "./change-set.js";
import { OFF, type Assignment, type Pattern } from "./domain.js";

/** The shifts one side of an op names (`off` is no shift). */
function shiftsOf(value: Assignment | Pattern | null): Set<string> {
  if (!value) return new Set();
  const ids = "shiftId" in value ? [value.shiftId] : value.pattern;
  return new Set(ids.filter((id) => id !== OFF));
}

export interface ShiftUsageDelta {
  shiftId: string;
  /** References the change adds (the shift must still exist). */
  gains: number;
  /** References it removes. */
  losses: number;
}

/**
 * Per shift, the references a change adds and removes, by shift id; shifts it leaves alone are
 * absent. An assignment moved from `a` to `b` is a loss for `a` and a gain for `b`; a pattern
 * that keeps naming a shift is neither.
 *
 * @example
 * shiftUsageDeltas([{ kind: "assignment", agentId: "li.na", date: "2030-11-10", before: null, after: { ...night } }]);
 * // [{ shiftId: "night", gains: 1, losses: 0 }]
 */
export function shiftUsageDeltas(ops: readonly RotaChangeOp[]): ShiftUsageDelta[] {
  const deltas = new Map<string, ShiftUsageDelta>();
  const add = (shiftId: string, field: "gains" | "losses") => {
    const delta = deltas.get(shiftId) ?? { shiftId, gains: 0, losses: 0 };
    delta[field]++;
    deltas.set(shiftId, delta);
  };
  for (const op of ops) {
    const before = shiftsOf(op.before);
    const after = shiftsOf(op.after);
    for (const id of after) if (!before.has(id)) add(id, "gains");
    for (const id of before) if (!after.has(id)) add(id, "losses");
  }
  return [...deltas.values()].sort((a, b) => a.shiftId.localeCompare(b.shiftId));
}

/** Most shifts whose use one change may move (each is one more item in the change's transactions). */
export const maxShiftsPerChange = 60;
