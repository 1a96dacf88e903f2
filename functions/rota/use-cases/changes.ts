/**
 * Rota change use cases: dated assignments and patterns (`PUT /rota`) and the CSV import, each
 * one change set committed all or nothing (commit/change.ts), then duty recomputed for its agents.
 */
import { randomUUID } from "node:crypto";
import { ConflictError, ValidationError, type FieldError } from "../../shared/errors.js";
import { assignmentOps, changeCounts, patternOps, type RotaChangeOp, type RotaChangeSet } from "../change-set.js";
import { commitRotaChange, settleChange } from "../commit/change.js";
import { getRotaVersion } from "../commit/versions.js";
import { checkImportRows, parseRotaCsv } from "../csv.js";
import { OFF, type Pattern, type RotaInput } from "../domain.js";
import { recomputeDuty } from "../duty.js";
import { agentPatterns, listAgentAssignments, listShifts } from "../store.js";
import { rejectIfAny, unknownAgents, type Actor } from "./common.js";

/** Reads each agent's rota version, then what `read` needs of its rota, 8 agents at a time. */
async function readAgents(agentIds: readonly string[], now: Date, read: (agentId: string) => Promise<RotaChangeOp[]>): Promise<{ agentId: string; version: number; ops: RotaChangeOp[] }[]> {
  const out: { agentId: string; version: number; ops: RotaChangeOp[] }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < agentIds.length) {
      const agentId = agentIds[next++];
      if (agentId === undefined) continue;
      // The version first: if the rota moves after this read, the commit sees the version moved.
      const version = await versionToChange(agentId, now);
      out.push({ agentId, version, ops: await read(agentId) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, agentIds.length) }, lane));
  return out;
}

/** An agent's rota version, once any change its dead writer left on the agent is settled; a live one is a 409. */
export async function versionToChange(agentId: string, now: Date): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const state = await getRotaVersion(agentId);
    if (!state.changeId) return state.version;
    if (attempt === 0 && (await settleChange(state.changeId, now, { claim: true })) !== "busy") continue;
    throw new ConflictError(`The rota of ${agentId} is being changed by another change (${state.changeId}); nothing was changed. Retry when it is done.`, {
      extra: { changed: [{ agentId, version: state.version, changeId: state.changeId, heldUntil: state.leaseUntil }] },
    });
  }
}

function changeSet(action: RotaChangeSet["action"], by: Actor, reads: readonly { agentId: string; version: number; ops: RotaChangeOp[] }[], range?: { from: string; to: string }): RotaChangeSet {
  const changed = reads.filter((r) => r.ops.length > 0).sort((a, b) => a.agentId.localeCompare(b.agentId));
  return {
    changeId: randomUUID(),
    action,
    actor: by.actor,
    at: by.now.toISOString(),
    ...(range ? { range } : {}),
    versions: changed.map(({ agentId, version }) => ({ agentId, version })),
    ops: changed.flatMap((r) => r.ops),
  };
}

/**
 * Sets dated assignments and patterns for some agents, all or nothing.
 *
 * Primary course: check every agent and shift exists (any unknown → 400, nothing changed) →
 * per agent, read its rota version and what is stored, keep only real changes → commit them
 * with one audit record per changed agent, refused with 409 if another change moved or holds
 * one of those agents meanwhile → recompute those agents' duty.
 */
export async function putRota(body: RotaInput, by: Actor) {
  const assignments = body.assignments ?? [];
  const patterns = body.patterns ?? [];
  if (assignments.length + patterns.length === 0) throw new ValidationError("Nothing to change.", { errors: [{ field: "(body)", message: "give assignments and/or patterns" }] });

  const [missingAgents, shifts] = await Promise.all([unknownAgents([...assignments, ...patterns].map((e) => e.agentId)), listShifts()]);
  const shiftIds = new Set(shifts.map((s) => s.shiftId));
  const errors: FieldError[] = [];
  assignments.forEach((a, i) => {
    if (missingAgents.has(a.agentId)) errors.push({ field: `assignments.${i}.agentId`, message: `unknown agent "${a.agentId}"` });
    if (a.shiftId !== null && a.shiftId !== OFF && !shiftIds.has(a.shiftId)) errors.push({ field: `assignments.${i}.shiftId`, message: `unknown shift "${a.shiftId}"` });
  });
  patterns.forEach((p, i) => {
    if (missingAgents.has(p.agentId)) errors.push({ field: `patterns.${i}.agentId`, message: `unknown agent "${p.agentId}"` });
    p.pattern.forEach((s, j) => {
      if (s !== OFF && !shiftIds.has(s)) errors.push({ field: `patterns.${i}.pattern.${j}`, message: `unknown shift "${s}"` });
    });
  });
  rejectIfAny(errors, "The rota refers to unknown agents or shifts; nothing was changed.");

  const stamp = { at: by.now.toISOString(), actor: by.actor };
  const agents = [...new Set([...assignments, ...patterns].map((e) => e.agentId))];
  const reads = await readAgents(agents, by.now, async (agentId) => {
    const mine = assignments.filter((a) => a.agentId === agentId);
    const dates = mine.map((a) => a.date).sort();
    const existing = dates.length ? await listAgentAssignments(agentId, dates[0] ?? "", dates[dates.length - 1] ?? "") : [];
    const theirPatterns = patterns.filter((p) => p.agentId === agentId);
    const storedPatterns = theirPatterns.length ? await agentPatterns(agentId) : new Map<string, Pattern>();
    return [...assignmentOps(agentId, existing, new Map(mine.map((a) => [a.date, a.shiftId])), stamp), ...patternOps(agentId, storedPatterns, theirPatterns, stamp)];
  });
  const change = changeSet("rota.updated", by, reads);
  await commitRotaChange(change, by.now);
  const counts = changeCounts(change.ops);
  const duty = await recomputeDuty(by.now, agents);
  return { changed: { assignments: counts.assignments, patterns: counts.patterns }, agents, duty: { started: duty.started, ended: duty.ended } };
}

/**
 * Replaces the named agents' assignments between the file's first and last date with the file.
 *
 * Primary course: parse the CSV → check every row (any problem → 400 listing each, nothing
 * changed) → per agent, read its rota version and its assignments in the range; dates missing
 * from the file are removed, changed ones written → commit all or nothing with one audit record
 * per changed agent (409 if another change moved or holds one of them) → recompute their duty.
 */
export async function importRota(csv: string, by: Actor) {
  const parsed = parseRotaCsv(csv);
  rejectIfAny(parsed.errors, "The CSV file cannot be read; nothing was imported.");
  const [missingAgents, shifts] = await Promise.all([unknownAgents(parsed.rows.map((r) => r.agent).filter((a) => /^[A-Za-z0-9_.-]{1,64}$/.test(a))), listShifts()]);
  const shiftIds = new Set(shifts.map((s) => s.shiftId));
  const checked = checkImportRows(parsed.rows, (id) => !missingAgents.has(id), (id) => shiftIds.has(id));
  if (!checked.plan) throw new ValidationError(`${checked.errors.length} problem(s) in the file; nothing was imported.`, { errors: checked.errors });
  const { fromDate, toDate, byAgent } = checked.plan;

  const stamp = { at: by.now.toISOString(), actor: by.actor };
  const range = { from: fromDate, to: toDate };
  const reads = await readAgents([...byAgent.keys()], by.now, async (agentId) =>
    assignmentOps(agentId, await listAgentAssignments(agentId, fromDate, toDate), byAgent.get(agentId) ?? new Map<string, string>(), stamp, range),
  );
  const change = changeSet("rota.imported", by, reads, range);
  await commitRotaChange(change, by.now);
  await recomputeDuty(by.now, [...byAgent.keys()]);
  const { written, removed } = changeCounts(change.ops);
  return { from: fromDate, to: toDate, rows: parsed.rows.length, agents: byAgent.size, written, removed };
}
