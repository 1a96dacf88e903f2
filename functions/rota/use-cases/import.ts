/**
 * The rota CSV import (`POST /rota/import`), in its own module and function (RotaImportApi) so
 * csv-parse loads only where a file is imported, not at every RotaApi cold start (issue 11).
 */
import { ValidationError } from "../../shared/errors.js";
import { assignmentOps, changeCounts } from "../change-set.js";
import { commitRotaChange } from "../commit/change.js";
import { checkImportRows, parseRotaCsv } from "../csv.js";
import type { Pattern } from "../domain.js";
import { recomputeDuty } from "../duty.js";
import type { AgentRota, OverlapSide } from "../overlap.js";
import { agentPatterns, listAgentAssignments, listShifts } from "../store.js";
import { changeSet, overlapReach, readAgents, shifted } from "./changes.js";
import { rejectIfAny, unknownAgents, type Actor } from "./common.js";
import { rejectOverlaps } from "./overlaps.js";

/**
 * Replaces the named agents' assignments between the file's first and last date with the file.
 *
 * Primary course: parse the CSV → check every row (any problem → 400 listing each, nothing
 * changed) → per agent, read its rota version and its assignments in the range; dates missing
 * from the file are removed, changed ones written → unless `allowOverlap`, refuse with 409 any
 * overlap (within the file or with the rota around it), each named on its rows → commit all or
 * nothing with one audit record per changed agent (409 if another change moved or holds one of
 * them) → recompute their duty.
 */
export async function importRota(csv: string, by: Actor, options: { allowOverlap?: boolean } = {}) {
  const parsed = parseRotaCsv(csv);
  rejectIfAny(parsed.errors, "The CSV file cannot be read; nothing was imported.");
  const [missingAgents, shifts] = await Promise.all([unknownAgents(parsed.rows.map((r) => r.agent).filter((a) => /^[A-Za-z0-9_.-]{1,64}$/.test(a))), listShifts()]);
  const shiftIds = new Set(shifts.map((s) => s.shiftId));
  const checked = checkImportRows(parsed.rows, (id) => !missingAgents.has(id), (id) => shiftIds.has(id));
  if (!checked.plan) throw new ValidationError(`${checked.errors.length} problem(s) in the file; nothing was imported.`, { errors: checked.errors });
  const { fromDate, toDate, byAgent } = checked.plan;

  const stamp = { at: by.now.toISOString(), actor: by.actor };
  const range = { from: fromDate, to: toDate };
  const checkOverlaps = options.allowOverlap !== true;
  const reach = checkOverlaps ? overlapReach : 0;
  const stored = new Map<string, AgentRota>();
  const reads = await readAgents([...byAgent.keys()], by.now, async (agentId) => {
    const [existing, patterns] = await Promise.all([listAgentAssignments(agentId, shifted(fromDate, -reach), shifted(toDate, reach)), checkOverlaps ? agentPatterns(agentId) : new Map<string, Pattern>()]);
    if (checkOverlaps) stored.set(agentId, { assignments: existing, patterns: [...patterns.values()] });
    return assignmentOps(agentId, existing, byAgent.get(agentId) ?? new Map<string, string>(), stamp, range);
  });
  if (checkOverlaps) {
    const lines = new Map(parsed.rows.map((r) => [`${r.agent}|${r.date}`, r.line]));
    const field = (agentId: string, side: OverlapSide) => {
      const line = side.source === "assignment" ? lines.get(`${agentId}|${side.date}`) : undefined;
      return line === undefined ? undefined : `row ${line}, shift`;
    };
    rejectOverlaps(reads, stored, shifts, field, "import with ?allowOverlap=true");
  }
  const change = changeSet("rota.imported", by, reads, range);
  await commitRotaChange(change, by.now);
  await recomputeDuty(by.now, [...byAgent.keys()]);
  const { written, removed } = changeCounts(change.ops);
  return { from: fromDate, to: toDate, rows: parsed.rows.length, agents: byAgent.size, written, removed };
}
