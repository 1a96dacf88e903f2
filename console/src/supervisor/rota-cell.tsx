/**
 * One agent's day in the rota, from the grid: its shifts as resolved, then the three ways to
 * change it — the dated assignment (a shift, a day off, or cleared so the pattern applies again:
 * `PUT /rota` `assignments`), an exception (leave, an override, a swap: `POST /rota/exceptions`),
 * a rotation pattern starting that day (`PUT /rota` `patterns`) — and the agent's exceptions of
 * the week with delete. A refused change (overlap) is said in the panel and flagged in the grid.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { AgentView, RotaExceptionInput } from "../api/types.js";
import { t } from "../i18n/index.js";
import { dayLabel, ExceptionText, Outcome } from "./rota.js";
import { addDays, cellKey, clock, localInstant, type RotaState } from "./rota-state.js";

type Kind = "leave" | "override" | "swap";

export function RotaCellEditor({ rota, agent, date, onClose }: { rota: RotaState; agent: AgentView; date: string; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const occurrences = rota.byCell.value.get(cellKey(agent.agentId, date)) ?? [];
  const exceptions = rota.exceptions.value.filter((e) => e.agentId === agent.agentId || (e.kind === "swap" && e.withAgentId === agent.agentId));
  const headingId = `cell-${agent.agentId}-${date}`;
  return (
    <div class="drawer" role="dialog" aria-labelledby={headingId} onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <header>
        <h2 id={headingId} tabIndex={-1} ref={heading}>
          {t("rota.cellHeading", { name: agent.name, date: dayLabel(date) })}
        </h2>
        <button type="button" onClick={onClose}>
          {t("panel.close")}
        </button>
      </header>
      <Outcome rota={rota} />
      <section aria-labelledby={`${headingId}-now`}>
        <h3 id={`${headingId}-now`}>{t("rota.cellNow")}</h3>
        {occurrences.length === 0 ? (
          <p class="empty">{t("rota.noShift")}</p>
        ) : (
          <ul>
            {occurrences.map((o) => (
              <li key={`${o.shiftId}-${o.from}`}>
                {o.shiftName} {clock(o.localFrom)}–{clock(o.localTo)} <span class="meta">({t(`rota.source.${o.source}`)})</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <AssignmentForm rota={rota} agent={agent} date={date} />
      <ExceptionForm rota={rota} agent={agent} date={date} />
      <PatternForm rota={rota} agent={agent} date={date} />
      {exceptions.length > 0 && (
        <section aria-labelledby={`${headingId}-exceptions`}>
          <h3 id={`${headingId}-exceptions`}>{t("rota.exceptionsHeading")}</h3>
          <ul class="cards">
            {exceptions.map((e) => (
              <li key={e.exceptionId} class="card">
                <ExceptionText exception={e} name={agent.name} />
                <button type="button" onClick={() => void rota.deleteException(e.exceptionId, t("rota.exceptionDeleted"))}>
                  {t("rota.delete")}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function ShiftOptions({ rota }: { rota: RotaState }) {
  return (
    <>
      {rota.shifts.value.map((s) => (
        <option key={s.shiftId} value={s.shiftId}>
          {t("rota.shiftOption", { name: s.name, start: s.start, end: s.end })}
        </option>
      ))}
    </>
  );
}

function AssignmentForm({ rota, agent, date }: { rota: RotaState; agent: AgentView; date: string }) {
  const shift = useSignal(rota.byCell.value.get(cellKey(agent.agentId, date))?.find((o) => o.source === "assignment")?.shiftId ?? rota.shifts.value[0]?.shiftId ?? "off");
  const allowOverlap = useSignal(false);
  const id = `assign-${agent.agentId}-${date}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const shiftId = shift.value === "" ? null : shift.value;
    await rota.putRota({ assignments: [{ agentId: agent.agentId, date, shiftId }], ...(allowOverlap.value ? { allowOverlap: true } : {}) }, t("rota.assignmentSaved", { name: agent.name, date }));
  };
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{t("rota.assignmentHeading")}</h3>
      <form class="stack" onSubmit={submit}>
        <label for={`${id}-shift`}>{t("rota.shift")}</label>
        <select id={`${id}-shift`} value={shift.value} onChange={(e) => (shift.value = e.currentTarget.value)}>
          <ShiftOptions rota={rota} />
          <option value="off">{t("rota.dayOff")}</option>
          <option value="">{t("rota.clearAssignment")}</option>
        </select>
        <label class="check">
          <input type="checkbox" checked={allowOverlap.value} onChange={(e) => (allowOverlap.value = e.currentTarget.checked)} /> {t("rota.allowOverlap")}
        </label>
        <button type="submit" class="primary">
          {t("rota.saveAssignment")}
        </button>
      </form>
    </section>
  );
}

function ExceptionForm({ rota, agent, date }: { rota: RotaState; agent: AgentView; date: string }) {
  const kind = useSignal<Kind>("leave");
  const from = useSignal("00:00");
  const to = useSignal("23:59");
  const shift = useSignal(rota.shifts.value[0]?.shiftId ?? "");
  const endDate = useSignal("");
  const other = useSignal(rota.agents.value.find((a) => a.agentId !== agent.agentId)?.agentId ?? "");
  const reason = useSignal("");
  const id = `exception-${agent.agentId}-${date}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const zone = rota.shopTimeZone;
    const why = reason.value.trim() ? { reason: reason.value.trim() } : {};
    let input: RotaExceptionInput;
    if (kind.value === "leave") {
      // A `to` at or before `from` ends the next day (leave across midnight, like a night shift).
      const toDate = to.value <= from.value ? addDays(date, 1) : date;
      input = { kind: "leave", agentId: agent.agentId, from: localInstant(date, from.value, zone), to: localInstant(toDate, to.value, zone), ...why };
    } else if (kind.value === "override") {
      input = { kind: "override", agentId: agent.agentId, date, shiftId: shift.value, ...(endDate.value ? { endDate: endDate.value } : {}), ...why };
    } else {
      input = { kind: "swap", agentId: agent.agentId, withAgentId: other.value, date, ...why };
    }
    await rota.createException(input, t("rota.exceptionSaved", { what: t(`rota.kind.${kind.value}`), name: agent.name }));
  };
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{t("rota.exceptionHeading")}</h3>
      <form class="stack" onSubmit={submit}>
        <label for={`${id}-kind`}>{t("rota.exceptionKind")}</label>
        <select id={`${id}-kind`} value={kind.value} onChange={(e) => (kind.value = e.currentTarget.value as Kind)}>
          {(["leave", "override", "swap"] as const).map((k) => (
            <option key={k} value={k}>
              {t(`rota.kind.${k}`)}
            </option>
          ))}
        </select>
        {kind.value === "leave" && (
          <>
            <label for={`${id}-from`}>{t("rota.leaveFrom")}</label>
            <input id={`${id}-from`} type="time" required value={from.value} onInput={(e) => (from.value = e.currentTarget.value)} />
            <label for={`${id}-to`}>{t("rota.leaveTo")}</label>
            <input id={`${id}-to`} type="time" required value={to.value} onInput={(e) => (to.value = e.currentTarget.value)} />
          </>
        )}
        {kind.value === "override" && (
          <>
            <label for={`${id}-shift`}>{t("rota.shift")}</label>
            <select id={`${id}-shift`} required value={shift.value} onChange={(e) => (shift.value = e.currentTarget.value)}>
              <ShiftOptions rota={rota} />
            </select>
            <label for={`${id}-end`}>{t("rota.overrideUntil")}</label>
            <input id={`${id}-end`} type="date" min={date} value={endDate.value} onInput={(e) => (endDate.value = e.currentTarget.value)} />
          </>
        )}
        {kind.value === "swap" && (
          <>
            <label for={`${id}-with`}>{t("rota.swapWith")}</label>
            <select id={`${id}-with`} required value={other.value} onChange={(e) => (other.value = e.currentTarget.value)}>
              {rota.agents.value
                .filter((a) => a.agentId !== agent.agentId)
                .map((a) => (
                  <option key={a.agentId} value={a.agentId}>
                    {a.name} ({a.agentId})
                  </option>
                ))}
            </select>
          </>
        )}
        <label for={`${id}-reason`}>{t("rota.reason")}</label>
        <input id={`${id}-reason`} maxLength={200} value={reason.value} onInput={(e) => (reason.value = e.currentTarget.value)} />
        <button type="submit" class="primary">
          {t("rota.addException")}
        </button>
      </form>
    </section>
  );
}

function PatternForm({ rota, agent, date }: { rota: RotaState; agent: AgentView; date: string }) {
  const sequence = useSignal("");
  const endDate = useSignal("");
  const allowOverlap = useSignal(false);
  const id = `pattern-${agent.agentId}-${date}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const pattern = sequence.value
      .split(/[\s,，]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    await rota.putRota(
      { patterns: [{ agentId: agent.agentId, pattern, startDate: date, ...(endDate.value ? { endDate: endDate.value } : {}) }], ...(allowOverlap.value ? { allowOverlap: true } : {}) },
      t("rota.patternSaved", { name: agent.name, date }),
    );
  };
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{t("rota.patternHeading")}</h3>
      <form class="stack" onSubmit={submit}>
        <label for={`${id}-sequence`}>{t("rota.patternSequence")}</label>
        <input id={`${id}-sequence`} required value={sequence.value} onInput={(e) => (sequence.value = e.currentTarget.value)} aria-describedby={`${id}-hint`} />
        <p class="hint" id={`${id}-hint`}>
          {t("rota.patternHint", { shifts: rota.shifts.value.map((s) => s.shiftId).join(", ") || t("none") })}
        </p>
        <label for={`${id}-end`}>{t("rota.patternUntil")}</label>
        <input id={`${id}-end`} type="date" min={date} value={endDate.value} onInput={(e) => (endDate.value = e.currentTarget.value)} />
        <label class="check">
          <input type="checkbox" checked={allowOverlap.value} onChange={(e) => (allowOverlap.value = e.currentTarget.checked)} /> {t("rota.allowOverlap")}
        </label>
        <button type="submit" class="primary">
          {t("rota.savePattern")}
        </button>
      </form>
    </section>
  );
}
