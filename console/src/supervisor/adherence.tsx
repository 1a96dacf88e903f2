/**
 * Schedule adherence (出勤遵从率) for one local day in the shop's zone (`GET /adherence`): the
 * team's rate, and per agent minutes scheduled, in and out of adherence, with each interval's
 * scheduled minutes split by the presence the agent actually had. Agents are sorted by minutes
 * out of adherence, most first. Tables only: every figure is text.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError, consoleConfig } from "../api/client.js";
import type { Adherence as AdherenceView } from "../api/types.js";
import { formatPercent, t } from "../i18n/index.js";
import { addDays, localInstant, todayIn } from "./rota-state.js";
import type { WallState } from "./state.js";

type AgentRow = AdherenceView["agents"][number];

const clock = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));

const minutes = (n: number) => String(Math.round(n * 10) / 10);

/** Agents most out of adherence first. */
export const byOutOfAdherence = (rows: AgentRow[]): AgentRow[] =>
  [...rows].sort((a, b) => b.outOfAdherenceMinutes - a.outOfAdherenceMinutes || a.agentId.localeCompare(b.agentId));

export function Adherence({ state }: { state: WallState }) {
  const zone = consoleConfig().shopTimeZone;
  const date = useSignal(todayIn(zone));
  const report = useSignal<AdherenceView | null>(null);
  const failure = useSignal<string | null>(null);
  const busy = useSignal(false);

  const load = async (event?: Event) => {
    event?.preventDefault();
    busy.value = true;
    failure.value = null;
    try {
      report.value = await api.adherence({
        from: localInstant(date.value, "00:00", zone),
        to: localInstant(addDays(date.value, 1), "00:00", zone),
        interval: 30,
      });
    } catch (error) {
      failure.value = error instanceof ApiError ? error.describe() : String(error);
    } finally {
      busy.value = false;
    }
  };
  useEffect(() => void load(), []);

  const names = new Map(state.agents.value.map((a) => [a.agentId, a.name]));
  const r = report.value;
  return (
    <div class="adherence-screen">
      <h1>{t("adherence.heading")}</h1>
      <form class="panel" onSubmit={load}>
        <div class="field">
          <label for="adh-date">{t("adherence.date")}</label>
          <input id="adh-date" type="date" required value={date.value} onInput={(e) => (date.value = e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={busy.value}>
          {t("adherence.load")}
        </button>
      </form>
      {failure.value && (
        <p role="alert" class="error">
          {failure.value}
        </p>
      )}
      {r && (
        <section class="panel" aria-labelledby="adh-result">
          <h2 id="adh-result">{t("adherence.result", { date: date.value })}</h2>
          <p class="team-adherence" aria-live="polite">
            {t("adherence.team", {
              rate: r.team.adherence === null ? t("none") : formatPercent(r.team.adherence),
              agents: r.team.agents,
              out: minutes(r.team.outOfAdherenceMinutes),
            })}
          </p>
          {r.agents.length === 0 ? (
            <p>{t("adherence.noAgents")}</p>
          ) : (
            <table class="adherence-agents">
              <caption>{t("adherence.agentsCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("adherence.agent")}</th>
                  <th scope="col">{t("adherence.scheduled")}</th>
                  <th scope="col">{t("adherence.inAdherence")}</th>
                  <th scope="col">{t("adherence.outOfAdherence")}</th>
                  <th scope="col">{t("adherence.rate")}</th>
                  <th scope="col">{t("adherence.intervals")}</th>
                </tr>
              </thead>
              <tbody>
                {byOutOfAdherence(r.agents).map((a) => (
                  <tr key={a.agentId} data-agent={a.agentId}>
                    <th scope="row">{names.get(a.agentId) ?? a.agentId}</th>
                    <td>{minutes(a.scheduledMinutes)}</td>
                    <td>{minutes(a.inAdherenceMinutes)}</td>
                    <td class="out-of-adherence">{minutes(a.outOfAdherenceMinutes)}</td>
                    <td>{a.adherence === null ? t("none") : formatPercent(a.adherence)}</td>
                    <td>
                      <details>
                        <summary>{t("adherence.showIntervals", { count: a.intervals.length })}</summary>
                        <table>
                          <thead>
                            <tr>
                              <th scope="col">{t("adherence.interval")}</th>
                              <th scope="col">{t("adherence.scheduled")}</th>
                              <th scope="col">{t("adherence.actual")}</th>
                              <th scope="col">{t("adherence.outOfAdherence")}</th>
                            </tr>
                          </thead>
                          <tbody>
                            {a.intervals.map((i) => (
                              <tr key={i.from}>
                                <th scope="row">
                                  {clock(i.from, zone)}–{clock(i.to, zone)}
                                </th>
                                <td>{minutes(i.scheduledMinutes)}</td>
                                <td>
                                  {t("adherence.split", {
                                    online: minutes(i.scheduled.online),
                                    paused: minutes(i.scheduled.paused),
                                    away: minutes(i.scheduled.away),
                                    offline: minutes(i.scheduled.offline),
                                    unscheduled: minutes(i.unscheduledOnlineMinutes),
                                  })}
                                </td>
                                <td>{minutes(i.outOfAdherenceMinutes)}</td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </div>
  );
}
