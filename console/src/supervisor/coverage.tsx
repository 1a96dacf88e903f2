/**
 * Coverage against a forecast (人力覆盖): for one local day and skill, agents scheduled vs agents
 * required per interval (`POST /rota/coverage`: chat-aware Erlang C on the server, each agent's
 * own `maxConcurrent` as its slots unless a concurrency is given). The forecast is typed in or
 * filled from history (`GET /forecast`): volumes per interval, AHT and its growth per extra chat,
 * answer seconds, target service level, shrinkage (./demand.tsx, shared with the plans screen). The
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
import { DemandFields, SkillField, staffingOf, useDemand, volumesOf } from "./demand.js";
import { todayIn } from "./rota-state.js";
import type { WallState } from "./state.js";

export type CoverageChartProps = { coverage: CoverageView; label: string };
type Interval = CoverageView["intervals"][number];

let chartModule: Promise<ComponentType<CoverageChartProps>> | undefined;
/** The chart's chunk (uPlot), fetched once, the first time a result is shown. */
const loadChart = () => (chartModule ??= import("./coverage-chart.js").then((m) => m.CoverageChart));

export function Coverage({ state }: { state: WallState }) {
  const zone = consoleConfig().shopTimeZone;
  const date = useSignal(todayIn(zone));
  const skill = useSignal("");
  const demand = useDemand();
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
        intervalMinutes: demand.interval.value as 15 | 30 | 60,
        volumes: volumesOf(demand),
        ...staffingOf(demand),
        ...(skill.value ? { skill: skill.value } : {}),
      };
      coverage.value = await api.coverage(input);
    } catch (error) {
      failure.value = error instanceof ApiError ? error.describe() : String(error);
    } finally {
      busy.value = false;
    }
  };

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
          <SkillField id="cov-skill" label={t("coverage.skill")} anyLabel={t("coverage.allSkills")} skills={state.skills.value} value={skill.value} onChange={(id) => (skill.value = id)} />
          <DemandFields demand={demand} idPrefix="cov" dates={[date.value]} timeZone={zone} skill={skill.value} onFailure={(detail) => (failure.value = detail)}>
            <button type="submit" class="primary" disabled={busy.value}>
              {t("coverage.submit")}
            </button>
          </DemandFields>
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
