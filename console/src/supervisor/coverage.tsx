/**
 * Coverage against a forecast (人力覆盖): for one local day and skill, agents scheduled vs agents
 * required per interval (`POST /rota/coverage`: chat-aware Erlang C on the server, each agent's
 * own `maxConcurrent` as its slots unless a concurrency is given). The forecast is typed in or
 * filled from history (`GET /forecast`): volumes per interval, AHT and its growth per extra chat,
 * answer seconds, target service level, shrinkage. The
 * understaffed intervals are highlighted on the chart and listed in a table beside it; the chart
 * (uPlot, ./coverage-chart.tsx) is a separate chunk loaded only when this screen shows a result,
 * so the console's initial JavaScript stays small, and the page is complete without it: the
 * chart is an image whose text alternative sums it up, the tables hold every figure.
 */
import { useSignal } from "@preact/signals";
import type { ComponentType } from "preact";
import { useEffect } from "preact/hooks";
import { api, ApiError, consoleConfig } from "../api/client.js";
import type { Coverage as CoverageView, CoverageInput } from "../api/types.js";
import { formatPercent, t } from "../i18n/index.js";
import { todayIn } from "./rota-state.js";
import type { WallState } from "./state.js";

export type CoverageChartProps = { coverage: CoverageView; label: string };
type Interval = CoverageView["intervals"][number];

/** Chats per hour of a plausible shop day: a quiet night, a morning rise, the 20:00–22:00 rush. */
const sampleDay = [16, 8, 4, 4, 4, 8, 16, 32, 64, 96, 120, 128, 112, 104, 112, 120, 112, 104, 112, 136, 192, 208, 144, 56];

/** The sample day as volumes for `count` intervals (24, 48 or 96). */
export function sampleVolumes(count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((sampleDay[Math.floor((i * 24) / count)] ?? 0) * (24 / count)));
}

let chartModule: Promise<ComponentType<CoverageChartProps>> | undefined;
/** The chart's chunk (uPlot), fetched once, the first time a result is shown. */
const loadChart = () => (chartModule ??= import("./coverage-chart.js").then((m) => m.CoverageChart));

export function Coverage({ state }: { state: WallState }) {
  const zone = consoleConfig().shopTimeZone;
  const date = useSignal(todayIn(zone));
  const skill = useSignal("");
  const interval = useSignal(30);
  const volumes = useSignal(sampleVolumes(48).join(","));
  const aht = useSignal(300);
  const ahtGrowth = useSignal(1);
  const answerSeconds = useSignal(180);
  const serviceLevel = useSignal(80);
  /** Blank: each agent's own maxConcurrent. */
  const concurrency = useSignal<number | null>(null);
  const shrinkage = useSignal(0);
  const busy = useSignal(false);
  const failure = useSignal<string | null>(null);
  const coverage = useSignal<CoverageView | null>(null);

  const submit = async (event?: Event) => {
    event?.preventDefault();
    busy.value = true;
    failure.value = null;
    try {
      const input: CoverageInput = {
        date: date.value,
        timeZone: zone,
        intervalMinutes: interval.value as 15 | 30 | 60,
        volumes: volumes.value
          .split(/[\s,，]+/)
          .filter(Boolean)
          .map(Number),
        ahtSeconds: aht.value,
        ahtGrowth: ahtGrowth.value,
        answerSeconds: answerSeconds.value,
        serviceLevel: serviceLevel.value / 100,
        shrinkage: shrinkage.value / 100,
        ...(concurrency.value !== null ? { concurrency: concurrency.value } : {}),
        ...(skill.value ? { skill: skill.value } : {}),
      };
      coverage.value = await api.coverage(input);
    } catch (error) {
      failure.value = error instanceof ApiError ? error.describe() : String(error);
    } finally {
      busy.value = false;
    }
  };

  const fromHistory = async () => {
    failure.value = null;
    try {
      const forecast = await api.forecast({ date: date.value, timeZone: zone, interval: interval.value, ...(skill.value ? { skill: skill.value } : {}) });
      volumes.value = forecast.intervals.map((i) => Math.round(i.reforecast * 10) / 10).join(",");
    } catch (error) {
      failure.value = error instanceof ApiError ? error.describe() : String(error);
    }
  };

  const count = Math.round((24 * 60) / interval.value);
  return (
    <div class="coverage-screen">
      <h1>{t("coverage.heading")}</h1>
      <section class="panel" aria-labelledby="forecast-heading">
        <h2 id="forecast-heading">{t("coverage.forecast")}</h2>
        <form class="forecast" onSubmit={submit}>
          <div class="field">
            <label for="cov-date">{t("coverage.date")}</label>
            <input id="cov-date" type="date" required value={date.value} onInput={(e) => (date.value = e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="cov-skill">{t("coverage.skill")}</label>
            <select id="cov-skill" value={skill.value} onChange={(e) => (skill.value = e.currentTarget.value)}>
              <option value="">{t("coverage.allSkills")}</option>
              {state.skills.value.map((s) => (
                <option key={s.skillId} value={s.skillId}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="cov-interval">{t("coverage.interval")}</label>
            <select
              id="cov-interval"
              value={interval.value}
              onChange={(e) => {
                interval.value = Number(e.currentTarget.value);
                volumes.value = sampleVolumes(Math.round((24 * 60) / interval.value)).join(",");
              }}
            >
              {[15, 30, 60].map((m) => (
                <option key={m} value={m}>
                  {t("coverage.minutes", { count: m })}
                </option>
              ))}
            </select>
          </div>
          <NumberField id="cov-aht" label={t("coverage.aht")} value={aht.value} min={1} max={86_400} onInput={(v) => (aht.value = v)} />
          <NumberField id="cov-growth" label={t("coverage.ahtGrowth")} value={ahtGrowth.value} min={1} max={3} onInput={(v) => (ahtGrowth.value = v)} />
          <NumberField id="cov-answer" label={t("coverage.answerSeconds")} value={answerSeconds.value} min={0} max={3_600} onInput={(v) => (answerSeconds.value = v)} />
          <NumberField id="cov-sl" label={t("coverage.serviceLevel")} value={serviceLevel.value} min={1} max={99} onInput={(v) => (serviceLevel.value = v)} />
          <div class="field">
            <label for="cov-concurrency">{t("coverage.concurrency")}</label>
            <input
              id="cov-concurrency"
              type="number"
              min={1}
              max={50}
              step={1}
              placeholder={t("coverage.ownCapacity")}
              aria-describedby="cov-concurrency-hint"
              value={concurrency.value ?? ""}
              onInput={(e) => (concurrency.value = e.currentTarget.value === "" ? null : Number(e.currentTarget.value))}
            />
            <p class="hint" id="cov-concurrency-hint">
              {t("coverage.concurrencyHint")}
            </p>
          </div>
          <NumberField id="cov-shrinkage" label={t("coverage.shrinkage")} value={shrinkage.value} min={0} max={95} onInput={(v) => (shrinkage.value = v)} />
          <div class="field wide">
            <label for="cov-volumes">{t("coverage.volumes")}</label>
            <textarea id="cov-volumes" rows={3} required spellcheck={false} aria-describedby="cov-volumes-hint" value={volumes.value} onInput={(e) => (volumes.value = e.currentTarget.value)} />
            <p class="hint" id="cov-volumes-hint">
              {t("coverage.volumesHint", { count, minutes: interval.value })}
            </p>
          </div>
          <p class="actions wide">
            <button type="submit" class="primary" disabled={busy.value}>
              {t("coverage.submit")}
            </button>
            <button type="button" onClick={() => void fromHistory()}>
              {t("coverage.fromHistory")}
            </button>
            <button type="button" onClick={() => (volumes.value = sampleVolumes(count).join(","))}>
              {t("coverage.sample")}
            </button>
          </p>
        </form>
        {failure.value && (
          <p class="error" role="alert">
            {t("action.failed", { detail: failure.value })}
          </p>
        )}
      </section>
      {coverage.value && <Result coverage={coverage.value} />}
    </div>
  );
}

function NumberField(props: { id: string; label: string; value: number; min: number; max: number; onInput: (value: number) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type="number" required min={props.min} max={props.max} step="any" value={props.value} onInput={(e) => props.onInput(Number(e.currentTarget.value))} />
    </div>
  );
}

const clock = (local: string) => local.slice(11, 16);
const figure = (n: number) => (Math.round(n * 10) / 10).toLocaleString();

function Result({ coverage }: { coverage: CoverageView }) {
  const Chart = useSignal<ComponentType<CoverageChartProps> | null>(null);
  const chartFailed = useSignal(false);
  useEffect(() => {
    loadChart().then(
      (component) => (Chart.value = component),
      () => (chartFailed.value = true),
    );
  }, []);
  const short = coverage.intervals.filter((i) => i.understaffed);
  const { intervals, understaffedIntervals } = coverage.summary;
  const summary = t("coverage.summary", { short: understaffedIntervals, total: intervals, date: coverage.date, skill: coverage.skill ?? t("coverage.allSkills") });
  const worst = short.reduce<Interval | null>((w, i) => (w === null || i.requiredAgents - i.scheduled > w.requiredAgents - w.scheduled ? i : w), null);
  const label = worst ? `${t("coverage.chartLabel")} ${summary} ${t("coverage.worst", { time: clock(worst.localFrom), scheduled: figure(worst.scheduled), required: worst.requiredAgents })}` : `${t("coverage.chartLabel")} ${summary}`;
  const ChartComponent = Chart.value;
  return (
    <section class="panel" aria-labelledby="coverage-result-heading">
      <h2 id="coverage-result-heading">{t("coverage.resultHeading", { date: coverage.date })}</h2>
      <p class="counts" role="status">
        {summary}
      </p>
      <div class="coverage-columns">
        <div class="coverage-chart-box">
          {ChartComponent ? <ChartComponent coverage={coverage} label={label} /> : <p class="empty">{chartFailed.value ? t("coverage.chartFailed") : t("coverage.chartLoading")}</p>}
          <p class="legend" aria-hidden="true">
            <span class="key scheduled">{t("coverage.scheduled")}</span> <span class="key required">{t("coverage.required")}</span> <span class="key short">{t("coverage.understaffed")}</span>
          </p>
        </div>
        <div class="coverage-short" tabIndex={0} role="region" aria-label={t("coverage.shortCaption", { count: short.length })}>
          <table class="understaffed">
            <caption>{t("coverage.shortCaption", { count: short.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("coverage.time")}</th>
                <th scope="col" class="num">
                  {t("coverage.scheduled")}
                </th>
                <th scope="col" class="num">
                  {t("coverage.required")}
                </th>
                <th scope="col" class="num">
                  {t("coverage.shortBy")}
                </th>
                <th scope="col" class="num">
                  {t("coverage.predicted")}
                </th>
              </tr>
            </thead>
            <tbody>
              {short.length === 0 ? (
                <tr>
                  <td colSpan={5} class="empty">
                    {t("coverage.noneShort")}
                  </td>
                </tr>
              ) : (
                short.map((i) => <IntervalRow key={i.from} interval={i} />)
              )}
            </tbody>
          </table>
        </div>
      </div>
      <details class="all-intervals">
        <summary>{t("coverage.allIntervals", { count: coverage.intervals.length })}</summary>
        <table>
          <caption class="visually-hidden">{t("coverage.allIntervals", { count: coverage.intervals.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("coverage.time")}</th>
              <th scope="col" class="num">
                {t("coverage.volume")}
              </th>
              <th scope="col" class="num">
                {t("coverage.scheduled")}
              </th>
              <th scope="col" class="num">
                {t("coverage.required")}
              </th>
              <th scope="col" class="num">
                {t("coverage.shortBy")}
              </th>
              <th scope="col" class="num">
                {t("coverage.slots")}
              </th>
              <th scope="col" class="num">
                {t("coverage.predicted")}
              </th>
            </tr>
          </thead>
          <tbody>
            {coverage.intervals.map((i) => (
              <IntervalRow key={i.from} interval={i} full />
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

/** One interval's figures; `full` adds its volume and slots (the table of all intervals). */
function IntervalRow({ interval: i, full = false }: { interval: Interval; full?: boolean }) {
  const shortBy = Math.max(0, i.requiredAgents - i.scheduled);
  return (
    <tr class={i.understaffed ? "understaffed-row" : undefined} data-from={i.from}>
      <th scope="row">{clock(i.localFrom)}</th>
      {full && <td class="num">{figure(i.volume)}</td>}
      <td class="num">{figure(i.scheduled)}</td>
      <td class="num">{i.requiredAgents}</td>
      <td class="num">{shortBy > 0 ? figure(shortBy) : t("none")}</td>
      {full && (
        <td class="num">
          {i.productiveSlots}/{i.requiredSlots}
        </td>
      )}
      <td class="num">{formatPercent(i.predicted.serviceLevel)}</td>
    </tr>
  );
}
