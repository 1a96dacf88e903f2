/** The overlap check every rota change runs before committing (unless `allowOverlap`), and its 409. */
import { AppError, type FieldError } from "../../shared/errors.js";
import type { RotaChangeOp } from "../change-set.js";
import type { Shift } from "../domain.js";
import { describeOverlap, introducedOverlaps, localSpan, type AgentRota, type OverlapSide, type ShiftOverlap } from "../overlap.js";

/** A change that would give an agent two shifts at once. */
export class ShiftOverlapError extends AppError {
  readonly status = 409;
  readonly title = "Overlapping shifts";
  readonly type = "/problems/shift-overlap";
}

/** Overlaps listed in one answer (the count is always complete). */
const maxListed = 100;
/** Overlaps spelled out in the detail sentence. */
const inDetail = 3;

/**
 * Refuses the change if it gives any agent overlapping shifts: a 409 naming both shifts of each
 * overlap (agent, dates, shift ids, local times in each shift's zone), with a field error on every
 * input entry involved (`field` maps a side to its request field or CSV row; an entry already in
 * the rota has none).
 */
export function rejectOverlaps(
  reads: readonly { agentId: string; ops: readonly RotaChangeOp[] }[],
  before: ReadonlyMap<string, AgentRota>,
  shifts: readonly Shift[],
  field: (agentId: string, side: OverlapSide) => string | undefined,
  howToAllow: string,
): void {
  const overlaps: ShiftOverlap[] = reads
    .flatMap(({ agentId, ops }) => introducedOverlaps({ agentId, shifts, before: before.get(agentId) ?? { assignments: [], patterns: [] }, ops }))
    .sort((x, y) => x.first.from.localeCompare(y.first.from) || x.agentId.localeCompare(y.agentId));
  if (overlaps.length === 0) return;
  const errors: FieldError[] = [];
  for (const o of overlaps) {
    const sides = [
      [o.first, o.second],
      [o.second, o.first],
    ] as const;
    for (const [mine, other] of sides) {
      const here = field(o.agentId, mine);
      if (!here) continue;
      const there = field(o.agentId, other);
      errors.push({
        field: here,
        message: `${mine.shiftId} on ${mine.date} (${localSpan(mine)}) overlaps ${other.shiftId} on ${other.date} (${localSpan(other)}${there ? `, ${there}` : ", already in the rota"}) by ${o.minutes} min`,
      });
    }
  }
  const named = overlaps.slice(0, inDetail).map(describeOverlap).join("; ");
  const more = overlaps.length > inDetail ? `; and ${overlaps.length - inDetail} more` : "";
  throw new ShiftOverlapError(`${overlaps.length} overlapping shift${overlaps.length === 1 ? "" : "s"}, nothing was changed: ${named}${more}. Change the rota, or ${howToAllow} to accept overlaps.`, {
    // In reading order (row 2 before row 10), whatever order the agents were read in.
    errors: errors.sort((x, y) => x.field.localeCompare(y.field, "en", { numeric: true })).slice(0, 2 * maxListed),
    extra: { overlaps: overlaps.slice(0, maxListed), overlapCount: overlaps.length },
  });
}
