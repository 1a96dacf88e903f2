/**
 * A rota change set: what one request changes (every item's before and after), the version of
 * each agent's rota it was computed from, and the audit record each changed agent gets. Pure:
 * the use cases build it from what they read, the commit adapter (commit/change.ts) writes it all or
 * nothing, and recovery rebuilds the same audit records from the stored change set.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { assignmentSchema, patternSchema, type Assignment, type Pattern } from "./domain.js";

/** A staged change's life: the single status flip to `committed` is its commit point. */
export const rotaChangeStatuses = ["applying", "committed", "done", "aborting", "aborted"] as const;
export type RotaChangeStatus = (typeof rotaChangeStatuses)[number];

/** Whether readers see a staged change's new values (or still the previous ones). */
export const isCommitted = (status: RotaChangeStatus | undefined): boolean => status === "committed" || status === "done";

export const rotaChangeOpSchema = lazy(() => z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("assignment"), agentId: z.string(), date: z.string(), before: z.nullable(assignmentSchema), after: z.nullable(assignmentSchema) }),
  z.object({ kind: z.literal("pattern"), agentId: z.string(), startDate: z.string(), before: z.nullable(patternSchema), after: patternSchema }),
]));

export type RotaChangeOp = z.infer<typeof rotaChangeOpSchema>;

export interface AgentVersion {
  agentId: string;
  version: number;
}

export interface RotaChangeSet {
  changeId: string;
  action: "rota.updated" | "rota.imported";
  actor: string;
  at: string;
  /** The date range an import replaced (in its audit records). */
  range?: { from: string; to: string };
  /** Every agent the change writes, by id, with the rota version its ops were computed from. */
  versions: AgentVersion[];
  ops: RotaChangeOp[];
}

const shiftOf = (a: Assignment | null) => a?.shiftId ?? null;
const patternInput = ({ updatedAt: _at, updatedBy: _by, ...rest }: Pattern) => rest;

/**
 * One agent's assignment changes: `wanted` maps dates to a shift id, `"off"`, or null (remove).
 * With `replaceRange`, stored dates in that range missing from `wanted` are removed (import),
 * listed first, as the import's audit has always shown them.
 */
export function assignmentOps(
  agentId: string,
  existing: readonly Assignment[],
  wanted: ReadonlyMap<string, string | null>,
  stamp: { at: string; actor: string },
  replaceRange?: { from: string; to: string },
): RotaChangeOp[] {
  const ops: RotaChangeOp[] = [];
  const current = new Map(existing.map((a) => [a.date, a]));
  if (replaceRange) {
    for (const old of existing) {
      if (old.date < replaceRange.from || old.date > replaceRange.to || wanted.has(old.date)) continue;
      ops.push({ kind: "assignment", agentId, date: old.date, before: old, after: null });
    }
  }
  for (const [date, shiftId] of wanted) {
    const before = current.get(date) ?? null;
    if (shiftOf(before) === shiftId) continue;
    ops.push({ kind: "assignment", agentId, date, before, after: shiftId === null ? null : { agentId, date, shiftId, updatedAt: stamp.at, updatedBy: stamp.actor } });
  }
  return ops;
}

/** One agent's pattern changes: a pattern equal to the stored one (same entries and end) is no change. */
export function patternOps(agentId: string, existing: ReadonlyMap<string, Pattern>, wanted: readonly Omit<Pattern, "updatedAt" | "updatedBy">[], stamp: { at: string; actor: string }): RotaChangeOp[] {
  const ops: RotaChangeOp[] = [];
  for (const p of wanted) {
    const before = existing.get(p.startDate) ?? null;
    if (before && before.pattern.join() === p.pattern.join() && before.endDate === p.endDate) continue;
    ops.push({ kind: "pattern", agentId, startDate: p.startDate, before, after: { ...p, updatedAt: stamp.at, updatedBy: stamp.actor } });
  }
  return ops;
}

export interface RotaAuditEntry {
  agentId: string;
  action: RotaChangeSet["action"];
  details: Record<string, unknown>;
}

/** The audit record of each changed agent, in `versions` order (by agent id). */
export function auditEntries(change: Pick<RotaChangeSet, "action" | "range" | "versions" | "ops">): RotaAuditEntry[] {
  const byAgent = new Map<string, RotaChangeOp[]>();
  for (const op of change.ops) byAgent.set(op.agentId, [...(byAgent.get(op.agentId) ?? []), op]);
  return change.versions.flatMap(({ agentId }): RotaAuditEntry[] => {
    const ops = byAgent.get(agentId) ?? [];
    if (ops.length === 0) return [];
    const assignments = ops.flatMap((op) => (op.kind === "assignment" ? [{ date: op.date, before: shiftOf(op.before), after: shiftOf(op.after) }] : []));
    if (change.action === "rota.imported") return [{ agentId, action: change.action, details: { from: change.range?.from, to: change.range?.to, changes: assignments } }];
    const patterns = ops.flatMap((op) => (op.kind === "pattern" ? [{ startDate: op.startDate, before: op.before, after: patternInput(op.after) }] : []));
    return [{ agentId, action: change.action, details: { assignments, patterns } }];
  });
}

/** How many assignments a change writes and removes, and how many patterns it sets. */
export function changeCounts(ops: readonly RotaChangeOp[]): { written: number; removed: number; assignments: number; patterns: number } {
  let written = 0;
  let removed = 0;
  let patterns = 0;
  for (const op of ops) {
    if (op.kind === "pattern") patterns++;
    else if (op.after === null) removed++;
    else written++;
  }
  return { written, removed, assignments: written + removed, patterns };
}
