/**
 * The rota editor (排班): a week grid of agents × days with each agent's resolved shifts
 * (`GET /rota`), overlaps flagged in the cells, and from each cell an editor of that agent's
 * day (dated assignment, exceptions, rotation pattern: ./rota-cell.tsx); the shifts and a form
 * to create one; the week's exceptions; the CSV import with each bad row's error
 * (./rota-import.tsx). State: ./rota-state.ts.
 */
import { useComputed, useSignal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import { consoleConfig } from "../api/client.js";
import type { AgentView, ShiftOccurrence } from "../api/types.js";
import { locale, t } from "../i18n/index.js";
import { RotaCellEditor } from "./rota-cell.js";
import { RotaImport } from "./rota-import.js";
import { addDays, cellKey, clock, createRota, mondayOf, todayIn, type CellOverlap, type RotaState } from "./rota-state.js";

export function RotaEditor() {
  const [rota] = useState(() => createRota(consoleConfig().shopTimeZone));
  const editing = useSignal<{ agent: AgentView; date: string; opener: HTMLElement | null } | null>(null);
  const close = () => {
    // Back to the cell's button the panel was opened from (keyboard users keep their place).
    const opener = editing.value?.opener;
    editing.value = null;
    opener?.focus();
  };
  useEffect(() => {
    rota.load();
    return () => rota.dispose();
  }, [rota]);
  return (
    <div class="rota-screen">
      <h1>{t("rota.heading")}</h1>
      <WeekBar rota={rota} />
      <Outcome rota={rota} />
      <Grid rota={rota} onEdit={(agent, date, opener) => (editing.value = { agent, date, opener })} />
      <div class="columns">
        <ShiftsPanel rota={rota} />
        <ExceptionsPanel rota={rota} />
      </div>
      <RotaImport rota={rota} />
      {editing.value && <RotaCellEditor key={cellKey(editing.value.agent.agentId, editing.value.date)} rota={rota} agent={editing.value.agent} date={editing.value.date} onClose={close} />}
    </div>
  );
}

/** Mon 11-30 (in the page's language). */
export function dayLabel(date: string): string {
  return new Intl.DateTimeFormat(locale.value, { timeZone: "UTC", weekday: "short", month: "numeric", day: "numeric" }).format(new Date(`${date}T00:00:00Z`));
}

function WeekBar({ rota }: { rota: RotaState }) {
  const from = rota.weekStart.value;
  return (
    <div class="week-bar" role="group" aria-label={t("rota.week")}>
      <button type="button" onClick={() => rota.setWeek(addDays(from, -7))}>
        {t("rota.previousWeek")}
      </button>
      <button type="button" onClick={() => rota.setWeek(mondayOf(todayIn(rota.shopTimeZone)))}>
        {t("rota.thisWeek")}
      </button>
      <button type="button" onClick={() => rota.setWeek(addDays(from, 7))}>
        {t("rota.nextWeek")}
      </button>
      <span class="week-label" aria-live="polite">
        {t("rota.weekOf", { from, to: addDays(from, 6) })}
      </span>
    </div>
  );
}

/** The last change's answer: success in a status line, a refusal (with its overlaps) in an alert. */
export function Outcome({ rota }: { rota: RotaState }) {
  const retry = rota.refusedChange.value;
  return (
    <>
      <p role="status" class="outcome">
        {rota.message.value}
      </p>
      {rota.failure.value && (
        <div class="error" role="alert">
          <p>{t("action.failed", { detail: rota.failure.value })}</p>
          {rota.refused.value.length > 0 && (
            <ul class="overlap-list">
              {rota.refused.value.map((o, i) => (
                <li key={i}>
                  {t("rota.overlapRefused", {
                    agent: o.agentId,
                    first: side(o.first),
                    second: side(o.second),
                    minutes: o.minutes,
                  })}
                </li>
              ))}
            </ul>
          )}
          {retry && (
            <button type="button" onClick={() => void rota.putRota({ ...retry, allowOverlap: true }, t("rota.savedAnyway"))}>
              {t("rota.saveAnyway")}
            </button>
          )}
        </div>
      )}
    </>
  );
}

/** `night 11-10 22:00–06:00`. */
function side(o: Pick<ShiftOccurrence, "shiftName" | "date" | "localFrom" | "localTo">): string {
  return `${o.shiftName} ${o.date.slice(5)} ${clock(o.localFrom)}–${clock(o.localTo)}`;
}

type OnEdit = (agent: AgentView, date: string, opener: HTMLElement | null) => void;

function Grid({ rota, onEdit }: { rota: RotaState; onEdit: OnEdit }) {
  const filter = useSignal("");
  const rows = useComputed(() => {
    const needle = filter.value.trim().toLowerCase();
    return needle ? rota.agents.value.filter((a) => a.name.toLowerCase().includes(needle) || a.agentId.toLowerCase().includes(needle)) : rota.agents.value;
  });
  const days = rota.days.value;
  const today = todayIn(rota.shopTimeZone);
  return (
    <section class="panel" aria-labelledby="rota-grid-heading">
      <h2 id="rota-grid-heading">{t("rota.gridHeading")}</h2>
      <label class="filter">
        {t("agents.filter")} <input type="search" value={filter.value} onInput={(e) => (filter.value = e.currentTarget.value)} />
      </label>
      {rota.rota.value === null ? (
        <p class="empty">{t("rota.loading")}</p>
      ) : rows.value.length === 0 ? (
        <p class="empty">{t("rota.noAgents")}</p>
      ) : (
        <div class="rota-scroller" tabIndex={0} role="region" aria-label={t("rota.gridScroll")}>
          <table class="rota-grid">
            <thead>
              <tr>
                <th scope="col">{t("agents.agent")}</th>
                {days.map((d) => (
                  <th scope="col" key={d} class={d === today ? "today" : undefined} aria-current={d === today ? "date" : undefined}>
                    {dayLabel(d)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.value.map((agent) => (
                <tr key={agent.agentId} data-agent-id={agent.agentId}>
                  <th scope="row" class="agent-name">
                    {agent.name}
                    {agent.name !== agent.agentId && <span class="agent-id"> {agent.agentId}</span>}
                  </th>
                  {days.map((date) => (
                    <Cell key={date} rota={rota} agent={agent} date={date} onEdit={onEdit} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Cell({ rota, agent, date, onEdit }: { rota: RotaState; agent: AgentView; date: string; onEdit: OnEdit }) {
  const key = cellKey(agent.agentId, date);
  const occurrences = rota.byCell.value.get(key) ?? [];
  const overlaps = rota.overlapsByCell.value.get(key) ?? [];
  return (
    <td class={`rota-cell${overlaps.length > 0 ? " has-overlap" : ""}`} data-date={date}>
      {occurrences.length === 0 && <span class="off">{t("rota.noShift")}</span>}
      {occurrences.map((o) => (
        <p key={`${o.shiftId}-${o.from}`} class={`shift-chip source-${o.source}`} data-shift-id={o.shiftId}>
          <span class="shift-name">{o.shiftName}</span> <span class="shift-time">{`${clock(o.localFrom)}–${clock(o.localTo)}`}</span>
          {o.source !== "assignment" && <span class="badge">{t(`rota.source.${o.source}`)}</span>}
          {o.leave.map((l) => (
            <span key={l.exceptionId} class="badge leave">
              {t("rota.leaveBadge")}
            </span>
          ))}
        </p>
      ))}
      {overlaps.map((o, i) => (
        <OverlapFlag key={i} overlap={o} />
      ))}
      <button type="button" class="cell-edit" aria-label={t("rota.editCell", { name: agent.name, date })} onClick={(e) => onEdit(agent, date, e.currentTarget)}>
        {t("rota.edit")}
      </button>
    </td>
  );
}

function OverlapFlag({ overlap: o }: { overlap: CellOverlap }) {
  return (
    <p class={`overlap-flag${o.refused ? " refused" : ""}`} data-testid="overlap">
      {t(o.refused ? "rota.overlapNotSaved" : "rota.overlapIn", { mine: side(o.mine), other: side(o.other), minutes: o.minutes })}
    </p>
  );
}

function ShiftsPanel({ rota }: { rota: RotaState }) {
  const shiftId = useSignal("");
  const name = useSignal("");
  const start = useSignal("09:00");
  const end = useSignal("17:00");
  const zone = useSignal(rota.shopTimeZone);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (await rota.putShift(shiftId.value.trim(), { name: name.value, start: start.value, end: end.value, timeZone: zone.value }, t("rota.shiftSaved", { name: name.value }))) {
      shiftId.value = "";
      name.value = "";
    }
  };
  return (
    <section class="panel" aria-labelledby="shifts-heading">
      <h2 id="shifts-heading">{t("rota.shiftsHeading")}</h2>
      {rota.shifts.value.length === 0 ? (
        <p class="empty">{t("rota.noShifts")}</p>
      ) : (
        <table class="shifts">
          <thead>
            <tr>
              <th scope="col">{t("rota.shiftId")}</th>
              <th scope="col">{t("rota.shiftName")}</th>
              <th scope="col">{t("rota.shiftHours")}</th>
              <th scope="col">{t("rota.shiftZone")}</th>
            </tr>
          </thead>
          <tbody>
            {rota.shifts.value.map((s) => (
              <tr key={s.shiftId}>
                <td>
                  <code>{s.shiftId}</code>
                </td>
                <th scope="row">{s.name}</th>
                <td>
                  {s.start}–{s.end}
                  {s.crossesMidnight && ` ${t("rota.nextDay")}`}
                </td>
                <td>{s.timeZone}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t("rota.newShift")}</h3>
      <form class="stack" onSubmit={submit}>
        <label for="shift-id">{t("rota.shiftId")}</label>
        <input id="shift-id" required pattern="[A-Za-z0-9_.\-]{1,64}" value={shiftId.value} onInput={(e) => (shiftId.value = e.currentTarget.value)} aria-describedby="shift-id-hint" />
        <p class="hint" id="shift-id-hint">
          {t("rota.shiftIdHint")}
        </p>
        <label for="shift-name">{t("rota.shiftName")}</label>
        <input id="shift-name" required maxLength={100} value={name.value} onInput={(e) => (name.value = e.currentTarget.value)} />
        <label for="shift-start">{t("rota.shiftStart")}</label>
        <input id="shift-start" type="time" required value={start.value} onInput={(e) => (start.value = e.currentTarget.value)} />
        <label for="shift-end">{t("rota.shiftEnd")}</label>
        <input id="shift-end" type="time" required value={end.value} onInput={(e) => (end.value = e.currentTarget.value)} aria-describedby="shift-end-hint" />
        <p class="hint" id="shift-end-hint">
          {t("rota.shiftEndHint")}
        </p>
        <label for="shift-zone">{t("rota.shiftZone")}</label>
        <input id="shift-zone" required value={zone.value} onInput={(e) => (zone.value = e.currentTarget.value)} />
        <button type="submit" class="primary">
          {t("rota.saveShift")}
        </button>
      </form>
    </section>
  );
}

function ExceptionsPanel({ rota }: { rota: RotaState }) {
  const names = new Map(rota.agents.value.map((a) => [a.agentId, a.name]));
  return (
    <section class="panel" aria-labelledby="exceptions-heading">
      <h2 id="exceptions-heading">{t("rota.exceptionsHeading")}</h2>
      {rota.exceptions.value.length === 0 ? (
        <p class="empty">{t("rota.noExceptions")}</p>
      ) : (
        <ul class="cards">
          {rota.exceptions.value.map((e) => (
            <li key={e.exceptionId} class="card">
              <ExceptionText exception={e} name={names.get(e.agentId) ?? e.agentId} />
              <button
                type="button"
                aria-label={t("rota.deleteExceptionOf", { what: t(`rota.kind.${e.kind}`), name: names.get(e.agentId) ?? e.agentId })}
                onClick={() => void rota.deleteException(e.exceptionId, t("rota.exceptionDeleted"))}
              >
                {t("rota.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function ExceptionText({ exception: e, name }: { exception: RotaState["exceptions"]["value"][number]; name: string }) {
  const zone = consoleConfig().shopTimeZone;
  const when = (iso: string) => new Intl.DateTimeFormat(locale.value, { timeZone: zone, month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
  const text =
    e.kind === "leave"
      ? t("rota.leaveText", { name, from: when(e.from), to: when(e.to) })
      : e.kind === "override"
        ? t("rota.overrideText", { name, shift: e.shiftId, from: e.date, to: e.endDate ?? e.date })
        : t("rota.swapText", { name, other: e.withAgentId, date: e.date });
  return (
    <p>
      <span class="badge">{t(`rota.kind.${e.kind}`)}</span> {text}
      {e.reason && <span class="meta"> · {e.reason}</span>}
    </p>
  );
}
