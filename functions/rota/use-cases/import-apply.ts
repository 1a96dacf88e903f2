/**
 * Applying rota CSV imports: the checks and the change both paths share, and the asynchronous
 * job (`applyImportJob`, the RotaImportJobs consumer; docs/rota.md "Large imports"). Free of
 * csv-parse: a job's rows were parsed when the file was accepted.
 */
import { AppError, NotFoundError, ValidationError, type FieldError } from "../../shared/errors.js";
import { logger } from "../../shared/logger.js";
import { assignmentOps, changeCounts, type RotaChangeSet } from "../change-set.js";
import { commitRotaChange, settleChange } from "../commit/change.js";
import { checkImportRows, type CsvRow, type ImportPlan } from "../csv-rows.js";
import type { Pattern, Shift } from "../domain.js";
import type { RotaImportJobView, RotaImportResult } from "../responses.js";
import { recomputeDuty } from "../duty.js";
import { claimImportJob, endImportJob, getImportJob, importRows, recordImportProgress, releaseImportJob, type ImportJob, type ImportOutcome } from "../import-jobs.js";
import type { AgentRota, OverlapSide } from "../overlap.js";
import { agentPatterns, listAgentAssignments, listShifts } from "../store.js";
import { changeSet, overlapReach, readAgents, shifted } from "./changes.js";
import { unknownAgents, type Actor } from "./common.js";
import { rejectOverlaps } from "./overlaps.js";
import { randomUUID } from "node:crypto";

/**
 * How long a job's consumer holds the job and its change's agents: longer than RotaImportJobs'
 * timeout (functions.ts), so a live consumer is never taken over or rolled back under its feet.
 */
export const importLeaseMs = 360_000;
/** Claims of one job before it is failed (a consumer that keeps dying, e.g. out of memory). */
const maxAttempts = 5;

/** What a synchronous import answers, and a done job holds: the response schema's type (one declaration). */
export type ImportResult = RotaImportResult;

/** Parses and checks every row against the agents and shifts; any problem → 400 listing each, nothing changed. */
export async function checkFile(rows: readonly CsvRow[]): Promise<{ plan: ImportPlan; shifts: Shift[] }> {
  const [missingAgents, shifts] = await Promise.all([unknownAgents(rows.map((r) => r.agent).filter((a) => /^[A-Za-z0-9_.-]{1,64}$/.test(a))), listShifts()]);
  const shiftIds = new Set(shifts.map((s) => s.shiftId));
  const checked = checkImportRows(rows, (id) => !missingAgents.has(id), (id) => shiftIds.has(id));
  if (!checked.plan) throw new ValidationError(`${checked.errors.length} problem(s) in the file; nothing was imported.`, { errors: checked.errors });
  return { plan: checked.plan, shifts };
}

/**
 * The change an import makes: per agent, read its rota version and its assignments in the range;
 * dates missing from the file are removed, changed ones written → unless `allowOverlap`, refuse
 * with 409 any overlap (within the file or with the rota around it), each named on its rows.
 */
export async function importChange(rows: readonly CsvRow[], plan: ImportPlan, shifts: readonly Shift[], by: Actor, allowOverlap: boolean): Promise<RotaChangeSet> {
  const { fromDate, toDate, byAgent } = plan;
  const stamp = { at: by.now.toISOString(), actor: by.actor };
  const range = { from: fromDate, to: toDate };
  const checkOverlaps = !allowOverlap;
  const reach = checkOverlaps ? overlapReach : 0;
  const stored = new Map<string, AgentRota>();
  const reads = await readAgents([...byAgent.keys()], by.now, async (agentId) => {
    const [existing, patterns] = await Promise.all([listAgentAssignments(agentId, shifted(fromDate, -reach), shifted(toDate, reach)), checkOverlaps ? agentPatterns(agentId) : new Map<string, Pattern>()]);
    if (checkOverlaps) stored.set(agentId, { assignments: existing, patterns: [...patterns.values()] });
    return assignmentOps(agentId, existing, byAgent.get(agentId) ?? new Map<string, string>(), stamp, range);
  });
  if (checkOverlaps) {
    const lines = new Map(rows.map((r) => [`${r.agent}|${r.date}`, r.line]));
    const field = (agentId: string, side: OverlapSide) => {
      const line = side.source === "assignment" ? lines.get(`${agentId}|${side.date}`) : undefined;
      return line === undefined ? undefined : `row ${line}, shift`;
    };
    rejectOverlaps(reads, stored, shifts, field, "import with ?allowOverlap=true");
  }
  return changeSet("rota.imported", by, reads, range);
}

/**
 * Applies an accepted import job (the RotaImportJobs consumer), once however often its message
 * is delivered.
 *
 * Primary course: read the job; ended → nothing to do → claim it (conditional: queued, or a
 * claim given back or whose lease is over; otherwise another delivery holds it → nothing to do) → settle the change
 * an earlier claim left (committed → the job is done) → read the rows, check them again against
 * today's agents and shifts, compute the change (overlaps refused) → record its size → commit it
 * as one staged change (nothing visible before its commit point; a conflicting change refuses it
 * whole) recording progress → recompute duty → done. A refusal (4xx) fails the job with its
 * reasons and nothing changed; anything else gives the claim back and is retried — unless this
 * is the message's last delivery (`lastDelivery`: SQS moves it to the dead-letter queue after
 * this one), when the change is rolled back and the job fails, so it never stays `applying`.
 */
export async function applyImportJob(jobId: string, now: Date, options: { lastDelivery?: boolean } = {}): Promise<ImportJob["status"] | "missing" | "busy"> {
  const job = await getImportJob(jobId);
  if (!job) return "missing";
  if (job.status === "done" || job.status === "failed") return job.status;
  const changeId = randomUUID();
  const claimed = await claimImportJob(job, changeId, now, importLeaseMs);
  if (!claimed) {
    const current = await getImportJob(jobId);
    // Another delivery's consumer holds it: that delivery stays in the queue until it ends (and
    // comes back after its visibility timeout, past the lease, if that consumer dies), so this
    // copy is done.
    return current?.status ?? "missing";
  }
  const fail = async (outcome: Omit<Extract<ImportOutcome, { status: "failed" }>, "status">) => {
    await endImportJob(jobId, changeId, { status: "failed", ...outcome }, new Date());
    return "failed" as const;
  };
  try {
    if (job.changeId) {
      // An earlier claim's change: finished if it reached its commit point, else rolled back first.
      // Its consumer is gone (it gave the claim back, or its lease — past its timeout — is over),
      // so no lease of the change is waited for.
      const outcome = await settleChange(job.changeId, now, { claim: false });
      if (outcome === "done") {
        await endImportJob(jobId, changeId, { status: "done", written: job.written ?? 0, removed: job.removed ?? 0, applied: job.total ?? 0 }, new Date());
        return "done";
      }
    }
    if (claimed.attempts > maxAttempts) return await fail({ problem: "/problems/unavailable", detail: `Gave up after ${maxAttempts} attempts; nothing was imported. Import the file again.` });
    const by = { actor: job.actor, now };
    const rows = await importRows(job);
    const { plan, shifts } = await checkFile(rows);
    const change = { ...(await importChange(rows, plan, shifts, by, job.allowOverlap)), changeId };
    const { written, removed } = changeCounts(change.ops);
    await recordImportProgress(jobId, changeId, { total: change.ops.length, written, removed, applied: 0 });
    let lastReport = Date.now();
    const reports: Promise<unknown>[] = [];
    await commitRotaChange(change, now, {
      leaseMs: importLeaseMs,
      onStaged: (staged) => {
        if (Date.now() - lastReport < 1_000) return;
        lastReport = Date.now();
        reports.push(recordImportProgress(jobId, changeId, { applied: staged }).catch((error: unknown) => logger.warn("Import progress not recorded", { jobId, error: error as Error })));
      },
    });
    await Promise.all(reports);
    // Committed: a duty update that fails now is the duty clock's to finish within a minute, not a reason to retry the job.
    await recomputeDuty(new Date(), [...plan.byAgent.keys()]).catch((error: unknown) => logger.warn("Duty not recomputed after an import; the duty clock will", { jobId, error: error as Error }));
    await endImportJob(jobId, changeId, { status: "done", written, removed, applied: change.ops.length }, new Date());
    return "done";
  } catch (error) {
    if (error instanceof AppError && error.status < 500) {
      return await fail({ problem: error.type, detail: error.message, ...(error.errors ? { errors: error.errors } : conflictErrors(error)) });
    }
    if (options.lastDelivery) {
      // Nobody retries after this: undo what this attempt staged (or finish it, had it reached
      // its commit point), then end the job so its status says what happened.
      logger.error("Rota import failed on its last delivery; failing the job", { jobId, error: error as Error });
      if ((await settleChange(changeId, new Date(), { claim: false })) === "done") {
        const settled = await getImportJob(jobId);
        await endImportJob(jobId, changeId, { status: "done", written: settled?.written ?? 0, removed: settled?.removed ?? 0, applied: settled?.total ?? 0 }, new Date());
        return "done";
      }
      const reason = error instanceof Error ? error.message : String(error);
      return await fail({ problem: "/problems/unavailable", detail: `Gave up after the import's last delivery failed (${reason.slice(0, 200)}); nothing was imported. Import the file again.` });
    }
    await releaseImportJob(jobId, changeId, new Date()).catch((releaseError: unknown) => logger.warn("Import claim not given back; it ends with its lease", { jobId, error: releaseError as Error }));
    throw error;
  }
}

/** A conflict's agents as field errors (`agent <id>`), so a failed job names them as a 409 would. */
function conflictErrors(error: AppError): { errors?: FieldError[] } {
  const changed = error.extra?.changed;
  if (!Array.isArray(changed)) return {};
  return { errors: changed.map((c: { agentId?: string; changeId?: string }) => ({ field: `agent ${c.agentId ?? "?"}`, message: c.changeId ? `being changed by another change (${c.changeId})` : "its rota changed after the import read it" })) };
}

export type ImportJobView = RotaImportJobView;

export function importJobView(job: ImportJob): ImportJobView {
  return {
    jobId: job.jobId,
    status: job.status,
    acceptedAt: job.acceptedAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    from: job.from,
    to: job.to,
    rows: job.rows,
    agents: job.agents,
    progress: { applied: job.applied, total: job.total ?? null },
    ...(job.status === "done" ? { written: job.written ?? 0, removed: job.removed ?? 0 } : {}),
    ...(job.status === "failed" ? { problem: job.problem ?? "/problems/internal", detail: job.detail ?? "", errors: job.errors ?? [] } : {}),
  };
}

/** `GET /rota/imports/{jobId}`: the job's status and progress; 404 if unknown (or older than 7 days). */
export async function getImport(jobId: string): Promise<ImportJobView> {
  const job = await getImportJob(jobId);
  if (!job) throw new NotFoundError(`No rota import ${jobId}.`);
  return importJobView(job);
}
