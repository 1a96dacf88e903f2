/**
 * An agent who leaves (`DELETE /agents/{id}`, a deactivation): the rota from today on goes, what
 * already happened stays for history. One change set like any rota change (all or nothing, one
 * audit record, refused with 409 while another change holds the agent's rota), then duty.
 */
import { randomUUID } from "node:crypto";
import { NotFoundError } from "../../shared/errors.js";
import type { RotaChangeOp, RotaChangeSet } from "../change-set.js";
import { commitRotaChange } from "../commit/change.js";
import { OFF, type Shift } from "../domain.js";
import { recomputeDuty } from "../duty.js";
import { agentPatterns, listAgentAssignments, listShifts } from "../store.js";
import { formatDate, localDate, parseDate, utcDay } from "../time.js";
import type { Actor } from "./common.js";
import { versionToChange } from "./changes.js";
import { deleteException, exceptionsIn } from "./exceptions.js";

export interface RotaRemoval {
  /** Dated assignments removed (dated today or later in their shift's zone). */
  assignmentsRemoved: number;
  /** Patterns ended the day before today (a pattern starting later ends before it starts: it never applies). */
  patternsEnded: number;
  /** Overrides and swaps dated today or later, deleted. */
  exceptionsRemoved: number;
}

/** Today's calendar date in `zone` at `now` (a rota date is the shift's local date). */
function localToday(now: Date, zone: string | undefined): string {
  if (!zone) return formatDate(utcDay(now.getTime()));
  return localDate(now.getTime(), zone);
}

/**
 * Removes an agent's future rota.
 *
 * Primary course: read the shifts, the agent's rota version, its assignments from yesterday (UTC)
 * on and its patterns; "today" is read in each entry's shift zone (UTC for a day off), so in
 * Shanghai at 07:00 yesterday's shift stays. Assignments dated today or later are removed,
 * patterns still running today end yesterday; commit as one change set with its audit record
 * (`rota.updated`, actor the supervisor); delete the agent's overrides and swaps dated today or
 * later (each audited by the exception use case); recompute the agent's duty.
 *
 * @example
 * await removeFutureRota("li.na", { actor: "supervisor:wang", now: new Date() });
 */
export async function removeFutureRota(agentId: string, by: Actor): Promise<RotaRemoval> {
  const at = by.now.toISOString();
  const shifts = new Map<string, Shift>((await listShifts()).map((s) => [s.shiftId, s]));
  const todayFor = (shiftId: string) => localToday(by.now, shiftId === OFF ? undefined : shifts.get(shiftId)?.timeZone);
  // Zones run from UTC-12 to UTC+14: no zone's today is before yesterday (UTC).
  const earliest = formatDate(utcDay(by.now.getTime()) - 1);

  // The version first: a rota change after this read makes the commit a 409, never a lost write.
  const version = await versionToChange(agentId, by.now);
  const [assignments, patterns] = await Promise.all([listAgentAssignments(agentId, earliest, "9999-12-31"), agentPatterns(agentId)]);
  const ops: RotaChangeOp[] = [];
  for (const a of assignments) {
    if (a.date >= todayFor(a.shiftId)) ops.push({ kind: "assignment", agentId, date: a.date, before: a, after: null });
  }
  let patternsEnded = 0;
  for (const p of patterns.values()) {
    const firstShift = p.pattern.find((s) => s !== OFF) ?? OFF;
    const today = parseDate(todayFor(firstShift));
    if (today === undefined) continue;
    const lastDay = formatDate(today - 1);
    if (p.endDate !== undefined && p.endDate <= lastDay) continue;
    ops.push({ kind: "pattern", agentId, startDate: p.startDate, before: p, after: { ...p, endDate: lastDay, updatedAt: at, updatedBy: by.actor } });
    patternsEnded++;
  }
  const change: RotaChangeSet = { changeId: randomUUID(), action: "rota.updated", actor: by.actor, at, versions: ops.length > 0 ? [{ agentId, version }] : [], ops };
  await commitRotaChange(change, by.now);

  let exceptionsRemoved = 0;
  for (const e of await exceptionsIn({ from: earliest, agentId })) {
    if (e.kind === "leave") continue;
    const today = todayFor(e.kind === "override" ? e.shiftId : OFF);
    if (e.date < today) continue;
    try {
      await deleteException(e.exceptionId, by);
      exceptionsRemoved++;
    } catch (error) {
      // Deleted meanwhile by someone else: gone either way.
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  await recomputeDuty(by.now, [agentId]);
  return { assignmentsRemoved: ops.length - patternsEnded, patternsEnded, exceptionsRemoved };
}
