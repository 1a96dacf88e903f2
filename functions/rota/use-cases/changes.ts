/**
 * Rota change use cases: dated assignments and patterns (`PUT /rota`), and what the CSV import
 * (./import.ts) shares with it: each change is one change set committed all or nothing
 * (commit/change.ts), then duty recomputed for its agents.
 */
import { randomUUID } from "node:crypto";
import { ConflictError, ValidationError, type FieldError } from "../../shared/errors.js";
import { assignmentOps, changeCounts, patternOps, type RotaChangeOp, type RotaChangeSet } from "../change-set.js";
import { commitRotaChange, settleChange } from "../commit/change.js";
import { getRotaVersion } from "../commit/versions.js";
import { OFF, type Pattern, type RotaInput } from "../domain.js";
import { recomputeDuty } from "../duty.js";
import type { AgentRota, OverlapSide } from "../overlap.js";
import { agentPatterns, listAgentAssignments, listShifts } from "../store.js";
import { inLanes } from "../../shared/lanes.js";
import { formatDate, parseDate } from "../time.js";
import { rejectIfAny, unknownAgents, type Actor } from "./common.js";
import { rejectOverlaps } from "./overlaps.js";

/** Reads each agent's rota version, then what `read` needs of its rota, 8 agents at a time. */
export async function readAgents(agentIds: readonly string[], now: Date, read: (agentId: string) => Promise<RotaChangeOp[]>): Promise<{ agentId: string; version: number; ops: RotaChangeOp[] }[]> {
  return inLanes(agentIds, 8, async (agentId) => {
    // The version first: if the rota moves after this read, the commit sees the version moved.
    const version = await versionToChange(agentId, now);
    return { agentId, version, ops: await read(agentId) };
  });
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

/** `date` moved by `days` (the overlap check reads a few days either side of what a change writes). */
export const shifted = (date: string, days: number) => formatDate((parseDate(date) ?? 0) + days);
/** Anything that can overlap a day's shift is dated within this many days of it (shifts ≤ 24 h, zones span 26 h). */
export const overlapReach = 3;

export function changeSet(action: RotaChangeSet["action"], by: Actor, reads: readonly { agentId: string; version: number; ops: RotaChangeOp[] }[], range?: { from: string; to: string }): RotaChangeSet {
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
 * per agent, read its rota version and what is stored, keep only real changes → unless
 * `allowOverlap`, refuse with 409 any overlap the change would introduce (on the rota as it will
 * be, naming both shifts) → commit them with one audit record per changed agent, refused with
 * 409 if another change moved or holds one of those agents meanwhile → recompute those agents'
 * duty.
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
  const checkOverlaps = body.allowOverlap !== true;
  const agents = [...new Set([...assignments, ...patterns].map((e) => e.agentId))];
  const stored = new Map<string, AgentRota>();
  const reads = await readAgents(agents, by.now, async (agentId) => {
    const mine = assignments.filter((a) => a.agentId === agentId);
    const dates = mine.map((a) => a.date).sort();
    const theirPatterns = patterns.filter((p) => p.agentId === agentId);
    // The overlap check needs the neighbours too: a few days either side, and everything a pattern may run into.
    const reach = checkOverlaps ? overlapReach : 0;
    const first = [...dates.slice(0, 1), ...(checkOverlaps ? theirPatterns.map((p) => p.startDate) : [])].sort()[0];
    const last = checkOverlaps && theirPatterns.length ? "9999-12-31" : dates[dates.length - 1];
    const existing = first !== undefined && last !== undefined ? await listAgentAssignments(agentId, shifted(first, -reach), last === "9999-12-31" ? last : shifted(last, reach)) : [];
    const storedPatterns = theirPatterns.length || checkOverlaps ? await agentPatterns(agentId) : new Map<string, Pattern>();
    if (checkOverlaps) stored.set(agentId, { assignments: existing, patterns: [...storedPatterns.values()] });
    return [...assignmentOps(agentId, existing, new Map(mine.map((a) => [a.date, a.shiftId])), stamp), ...patternOps(agentId, storedPatterns, theirPatterns, stamp)];
  });
  if (checkOverlaps) {
    const field = (agentId: string, side: OverlapSide) => {
      if (side.source === "assignment") {
        const i = assignments.findIndex((a) => a.agentId === agentId && a.date === side.date);
        return i < 0 ? undefined : `assignments.${i}.shiftId`;
      }
      // The pattern in force on that date: the latest start on or before it that has not ended.
      const i = patterns.reduce<number>((best, p, j) => {
        if (p.agentId !== agentId || p.startDate > side.date || (p.endDate !== undefined && p.endDate < side.date)) return best;
        return best < 0 || p.startDate > (patterns[best]?.startDate ?? "") ? j : best;
      }, -1);
      return i < 0 ? undefined : `patterns.${i}`;
    };
    rejectOverlaps(reads, stored, shifts, field, "send allowOverlap: true");
  }
  const change = changeSet("rota.updated", by, reads);
  await commitRotaChange(change, by.now);
  const counts = changeCounts(change.ops);
  const duty = await recomputeDuty(by.now, agents);
  return { changed: { assignments: counts.assignments, patterns: counts.patterns }, agents, duty: { started: duty.started, ended: duty.ended } };
}
