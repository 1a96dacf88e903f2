/**
 * The CSV import (`POST /rota/import`, `agent,date,shift`): a file or pasted text, all or
 * nothing. A refused file lists each error as the API reports it, by row (as a spreadsheet
 * numbers them, the header being row 1) and column; overlaps also appear in the grid. A file of
 * more than 1,000 rows is accepted as a job (202): its progress is polled until it is done (the
 * same result) or failed (its problem, nothing applied).
 */
import { useSignal } from "@preact/signals";
import { api, ApiError } from "../api/client.js";
import type { Problem, RotaImportJob, RotaImportResult, ShiftOverlap } from "../api/types.js";
import { t } from "../i18n/index.js";
import { rowAndColumn, type RotaState } from "./rota-state.js";

const jobPollMs = 1_000;
const finished = (job: RotaImportJob) => job.status === "done" || job.status === "failed";

interface RowError {
  row: number | null;
  column: string | null;
  message: string;
}

export function RotaImport({ rota }: { rota: RotaState }) {
  const csv = useSignal("");
  const allowOverlap = useSignal(false);
  const busy = useSignal(false);
  const result = useSignal<RotaImportResult | null>(null);
  const job = useSignal<RotaImportJob | null>(null);
  const refusal = useSignal<{ detail: string; errors: RowError[] } | null>(null);

  const readFile = async (event: Event) => {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (file) csv.value = await file.text();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    busy.value = true;
    result.value = null;
    refusal.value = null;
    job.value = null;
    let overlaps: ShiftOverlap[] = [];
    try {
      const answer = await api.importRota(csv.value, allowOverlap.value);
      if ("jobId" in answer) {
        let current = (job.value = answer);
        while (!finished(current)) {
          await new Promise((resolve) => setTimeout(resolve, jobPollMs));
          current = job.value = await api.rotaImportJob(current.jobId);
        }
        if (current.status === "done") result.value = { from: current.from, to: current.to, rows: current.rows, agents: current.agents, written: current.written ?? 0, removed: current.removed ?? 0 };
        else refusal.value = { detail: current.detail ?? current.problem ?? current.status, errors: (current.errors ?? []).map((e) => ({ ...rowAndColumn(e.field), message: e.message })) };
      } else {
        result.value = answer;
      }
    } catch (error) {
      if (error instanceof ApiError) {
        const problem = error.problem as Problem & { overlaps?: ShiftOverlap[] };
        overlaps = Array.isArray(problem.overlaps) ? problem.overlaps : [];
        refusal.value = { detail: error.message, errors: (problem.errors ?? []).map((e) => ({ ...rowAndColumn(e.field), message: e.message })) };
      } else {
        refusal.value = { detail: String(error), errors: [] };
      }
    } finally {
      busy.value = false;
    }
    await rota.imported(overlaps);
  };

  return (
    <section class="panel" aria-labelledby="import-heading">
      <h2 id="import-heading">{t("import.heading")}</h2>
      <p class="hint" id="import-hint">
        {t("import.hint")}
      </p>
      <form class="stack" onSubmit={submit}>
        <label for="import-file">{t("import.file")}</label>
        <input id="import-file" type="file" accept=".csv,text/csv" onChange={readFile} />
        <label for="import-text">{t("import.text")}</label>
        <textarea id="import-text" rows={6} required spellcheck={false} aria-describedby="import-hint" value={csv.value} onInput={(e) => (csv.value = e.currentTarget.value)} />
        <label class="check">
          <input type="checkbox" checked={allowOverlap.value} onChange={(e) => (allowOverlap.value = e.currentTarget.checked)} /> {t("rota.allowOverlap")}
        </label>
        <button type="submit" class="primary" disabled={busy.value}>
          {t("import.submit")}
        </button>
      </form>
      <p role="status">
        {result.value ? t("import.done", result.value) : job.value && !finished(job.value) && t("import.progress", { applied: job.value.progress.applied, total: job.value.progress.total ?? job.value.rows })}
      </p>
      {refusal.value && (
        <div role="alert" class="import-refused">
          <p class="error">{t("import.refused", { detail: refusal.value.detail })}</p>
          {refusal.value.errors.length > 0 && (
            <table class="import-errors">
              <caption>{t("import.errorsCaption", { count: refusal.value.errors.length })}</caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    {t("import.row")}
                  </th>
                  <th scope="col">{t("import.column")}</th>
                  <th scope="col">{t("import.problem")}</th>
                </tr>
              </thead>
              <tbody>
                {refusal.value.errors.map((e, i) => (
                  <tr key={i} data-row={e.row ?? undefined}>
                    <td class="num">{e.row ?? t("none")}</td>
                    <td>{e.column ?? t("none")}</td>
                    <td class="wrap">{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
