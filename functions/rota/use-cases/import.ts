/**
 * The rota CSV import (`POST /rota/import`), in its own module and function (RotaImportApi) so
 * csv-parse loads only where a file is imported, not at every RotaApi cold start (issue 11).
 * A file of more than `syncImportMaxRows` rows is accepted as a job (202) and applied by the
 * RotaImportJobs queue consumer (./import-apply.ts; docs/rota.md "Large imports").
 */
import { randomUUID } from "node:crypto";
import { sendMessage } from "../../shared/sqs.js";
import { changeCounts } from "../change-set.js";
import { commitRotaChange } from "../commit/change.js";
import { parseRotaCsv } from "../csv.js";
import { recomputeDuty } from "../duty.js";
import { createImportJob } from "../import-jobs.js";
import { rejectIfAny, type Actor } from "./common.js";
import { checkFile, importChange, importJobView, type ImportJobView, type ImportResult } from "./import-apply.js";

/** Files up to this many rows are applied in the request (≈ 10 transactions); larger ones become a job. */
export const syncImportMaxRows = 1_000;

/**
 * Replaces the named agents' assignments between the file's first and last date with the file.
 *
 * Primary course: parse the CSV → check every row (any problem → 400 listing each, nothing
 * changed) → up to `syncImportMaxRows` rows: compute the change (overlaps → 409), commit it all
 * or nothing with one audit record per changed agent (409 if another change moved or holds one of
 * them), recompute their duty, answer the result. Larger: store the checked rows as a job, queue
 * it, answer 202 with the job (applied by `applyImportJob`).
 */
export async function importRota(csv: string, by: Actor, options: { allowOverlap?: boolean } = {}): Promise<{ accepted: false; result: ImportResult } | { accepted: true; job: ImportJobView }> {
  const parsed = parseRotaCsv(csv);
  rejectIfAny(parsed.errors, "The CSV file cannot be read; nothing was imported.");
  const { plan, shifts } = await checkFile(parsed.rows);
  const allowOverlap = options.allowOverlap === true;
  if (parsed.rows.length > syncImportMaxRows) {
    const job = await createImportJob(
      { jobId: randomUUID(), actor: by.actor, acceptedAt: by.now.toISOString(), allowOverlap, rows: parsed.rows.length, agents: plan.byAgent.size, from: plan.fromDate, to: plan.toDate },
      parsed.rows,
    );
    await sendMessage("rotaImports", { body: { jobId: job.jobId } });
    return { accepted: true, job: importJobView(job) };
  }
  const change = await importChange(parsed.rows, plan, shifts, by, allowOverlap);
  await commitRotaChange(change, by.now);
  await recomputeDuty(by.now, [...plan.byAgent.keys()]);
  const { written, removed } = changeCounts(change.ops);
  return { accepted: false, result: { from: plan.fromDate, to: plan.toDate, rows: parsed.rows.length, agents: plan.byAgent.size, written, removed } };
}

