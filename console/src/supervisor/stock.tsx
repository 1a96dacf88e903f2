/**
 * Stock: warehouse vs page stock per SKU, campaign locks and drift, from the stock API. The API
 * has no list of every SKU (a shop has thousands), so the screen shows the SKUs the supervisor
 * watches (remembered in this browser, at most 50) with `GET /stock/{sku}` each, and the last
 * reconciliation's drift report (`GET /stock/drift`), whose SKUs can be watched in one click.
 * Stock is not pushed: the screen re-reads every 30 s while visible, one request per watched
 * SKU (at most four at a time) and one for the report, and at once on Refresh.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError, consoleConfig } from "../api/client.js";
import type { DriftReport, SkuView } from "../api/types.js";
import { formatPercent, formatTime, t } from "../i18n/index.js";
import { refresher } from "../live/refresher.js";

const storageKey = "console.stock.skus";
const maxWatched = 50;
const skuPattern = "[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}";

function rememberedSkus(): string[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(storageKey) ?? "[]") as unknown;
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === "string").slice(0, maxWatched) : [];
  } catch {
    return [];
  }
}

function remember(skus: string[]): void {
  try {
    localStorage.setItem(storageKey, JSON.stringify(skus));
  } catch {
    // Private mode: the list lasts for this page only.
  }
}

type Row = { sku: string; view?: SkuView; missing?: boolean; failure?: string };

/** `task` over `items`, at most `limit` at once. */
async function eachLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function readRow(sku: string): Promise<Row> {
  try {
    return { sku, view: await api.sku(sku) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { sku, missing: true };
    return { sku, failure: error instanceof ApiError ? error.describe() : String(error) };
  }
}

export function Stock() {
  const watched = useSignal<string[]>(rememberedSkus());
  const rows = useSignal<Row[]>([]);
  const report = useSignal<DriftReport | null>(null);
  const failure = useSignal<string | null>(null);
  const input = useSignal("");
  const reader = useSignal<ReturnType<typeof refresher> | null>(null);

  useEffect(() => {
    const r = refresher(
      async () => {
        const [read, drift] = await Promise.all([eachLimited(watched.value, 4, readRow), api.stockDrift()]);
        rows.value = read;
        report.value = drift;
        failure.value = null;
      },
      { everyMs: 30_000, minGapMs: 1_000, onError: (error) => (failure.value = error instanceof ApiError ? error.describe() : String(error)) },
    );
    reader.value = r;
    r.request();
    return () => r.stop();
  }, []);

  const watch = (sku: string) => {
    const next = [sku, ...watched.value.filter((s) => s !== sku)].slice(0, maxWatched);
    watched.value = next;
    remember(next);
    reader.value?.request();
  };
  const unwatch = (sku: string) => {
    const next = watched.value.filter((s) => s !== sku);
    watched.value = next;
    remember(next);
    rows.value = rows.value.filter((r) => r.sku !== sku);
  };

  const zone = consoleConfig().shopTimeZone;
  return (
    <div class="stock-screen">
      <h1>{t("stock.heading")}</h1>
      <section class="panel" aria-labelledby="stock-lookup-heading">
        <h2 id="stock-lookup-heading">{t("stock.lookup")}</h2>
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            const sku = input.value.trim();
            if (sku) watch(sku);
            input.value = "";
          }}
        >
          <label for="stock-sku">{t("stock.sku")}</label>
          <input id="stock-sku" required pattern={skuPattern} maxLength={64} value={input.value} onInput={(e) => (input.value = e.currentTarget.value)} />
          <button type="submit" class="primary">
            {t("stock.show")}
          </button>
          <button type="button" onClick={() => reader.value?.request()}>
            {t("stock.refresh")}
          </button>
        </form>
      </section>
      {failure.value && (
        <p class="error" role="alert">
          {t("action.failed", { detail: failure.value })}
        </p>
      )}
      <section class="panel" aria-labelledby="stock-watched-heading">
        <h2 id="stock-watched-heading">{t("stock.watched")}</h2>
        {watched.value.length === 0 && <p class="empty">{t("stock.none")}</p>}
        {watched.value.length > 0 && (
          <div class="table-scroll" role="region" aria-label={t("stock.scroll")} tabIndex={0}>
            <table class="stock-table">
              <thead>
                <tr>
                  <th scope="col">SKU</th>
                  <th scope="col">{t("stock.warehouse")}</th>
                  <th scope="col">{t("stock.reserved")}</th>
                  <th scope="col">{t("stock.locked")}</th>
                  <th scope="col">{t("stock.safety")}</th>
                  <th scope="col">{t("stock.syncRatio")}</th>
                  <th scope="col">{t("stock.available")}</th>
                  <th scope="col">{t("stock.pageStock")}</th>
                  <th scope="col">{t("stock.published")}</th>
                  <th scope="col">{t("stock.drift")}</th>
                  <th scope="col">{t("stock.lastSynced")}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t("stock.remove", { sku: "" })}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {watched.value.map((sku) => (
                  <SkuRow key={sku} sku={sku} row={rows.value.find((r) => r.sku === sku)} zone={zone} onRemove={() => unwatch(sku)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <DriftPanel report={report.value} zone={zone} watched={watched.value} onWatch={watch} />
    </div>
  );
}

function SkuRow({ sku, row, zone, onRemove }: { sku: string; row: Row | undefined; zone: string; onRemove: () => void }) {
  const v = row?.view;
  const remove = (
    <td>
      <button type="button" onClick={onRemove} aria-label={t("stock.remove", { sku })}>
        ×
      </button>
    </td>
  );
  if (!v) {
    return (
      <tr data-sku={sku}>
        <th scope="row">{sku}</th>
        <td colSpan={10} class={row?.missing || row?.failure ? "error" : "empty"}>
          {row?.missing ? t("stock.notFound", { sku }) : (row?.failure ?? t("none"))}
        </td>
        {remove}
      </tr>
    );
  }
  const drifted = v.drift.pageStock !== 0;
  return (
    <tr data-sku={sku}>
      <th scope="row">{sku}</th>
      <td data-testid="stock-onhand">{v.onHand}</td>
      <td>{v.reserved}</td>
      <td data-testid="stock-lock">{v.lock ? t("stock.lockOf", { campaign: v.lock.campaignId, qty: v.lock.qty, until: formatTime(v.lock.expiresAt, zone) }) : t("stock.noLock")}</td>
      <td>{v.safetyStock}</td>
      <td>{formatPercent(v.syncRatio)}</td>
      <td data-testid="stock-available">{v.available}</td>
      <td data-testid="stock-page">{v.pageStock}</td>
      <td data-testid="stock-published">{v.published.pageStock === null ? t("none") : t("stock.publishedAt", { stock: v.published.pageStock, at: formatTime(v.published.at, zone) })}</td>
      <td data-testid="stock-drift" class={drifted ? "wait-amber" : undefined}>
        {drifted ? t("stock.driftPage", { count: v.drift.pageStock > 0 ? `+${v.drift.pageStock}` : v.drift.pageStock }) : t("stock.driftNone")}
      </td>
      <td>{formatTime(v.lastSyncedAt, zone)}</td>
      {remove}
    </tr>
  );
}

function DriftPanel({ report, zone, watched, onWatch }: { report: DriftReport | null; zone: string; watched: string[]; onWatch: (sku: string) => void }) {
  return (
    <section class="panel" aria-labelledby="stock-drift-heading">
      <h2 id="stock-drift-heading">{t("stock.driftHeading")}</h2>
      {report && !report.at && <p class="empty">{t("stock.driftNever")}</p>}
      {report?.at && (
        <p class="counts">
          {t("stock.driftSummary", { at: formatTime(report.at, zone), skus: report.skus, drifted: report.drifted, repaired: report.repaired, busy: report.busy, republished: report.republished })}
        </p>
      )}
      {report?.at && report.findings.length === 0 && <p class="empty">{t("stock.driftClean")}</p>}
      {report && report.findings.length > 0 && (
        <ul class="findings">
          {report.findings.map((f) => (
            <li key={f.sku} data-sku={f.sku}>
              {t("stock.finding", { sku: f.sku, reserved: f.reserved, available: f.available, pageStock: f.pageStock })} · {f.repaired ? t("stock.repaired") : t("stock.notRepaired")}{" "}
              {!watched.includes(f.sku) && (
                <button type="button" onClick={() => onWatch(f.sku)}>
                  {t("stock.watch", { sku: f.sku })}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
