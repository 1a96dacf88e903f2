/**
 * Rota plans (排班方案): the supervisor asks the MIP solver for a draft rota (`POST /rota/plans`)
 * over a date range — shift templates from the existing shifts, the agents (every active one by
 * default), the rules (the contract's defaults: 40 h/week, 11 h rest, 6 days in a row, 1 day off)
 * and the demand: forecast chats (the coverage screen's input, ./demand.tsx) or agents required
 * per interval. The draft (`GET /rota/plans/{id}` shape) shows its assignments as an agent × day
 * grid, its facts (paid hours, solver status and time, objective), the rules it breaks, and per
 * interval required vs planned with the unmet intervals highlighted and by how much. A draft's
 * cells may be changed and saved (`PATCH`, re-checked against the rules: a 422 names each
 * break), then published into the rota (`POST …/publish`: all or nothing; a 409 says why).
 * A chunk of its own (console.tsx loads it lazily).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError, consoleConfig } from "../api/client.js";
import type { AgentView, PlanInput, RotaPlan, Shift } from "../api/types.js";
import { formatTime, t } from "../i18n/index.js";
import { DemandFields, IntervalField, intervalsPerDay, NumberField, SkillField, sampleVolumes, staffingOf, useDemand, volumesOf } from "./demand.js";
import { addDays, todayIn } from "./rota-state.js";
import type { WallState } from "./state.js";

type PlanInterval = RotaPlan["coverage"]["intervals"][number];

/** The calendar dates from `from` to `to` (none when reversed; at most 31, the API refuses more than 7). */
export function datesOf(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let d = from; d <= to && dates.length < 31; d = addDays(d, 1)) dates.push(d);
  return dates;
}

const numbers = (text: string) =>
  text
    .split(/[\s,，]+/)
    .filter(Boolean)
    .map(Number);

const hours = (n: number) => (Math.round(n * 100) / 100).toLocaleString();

/** A failed call as the screen shows it: the problem's words and each field it names. */
interface Failure {
  line: string;
  items: string[];
}

function failureOf(error: unknown): Failure {
  if (!(error instanceof ApiError)) return { line: String(error), items: [] };
  const p = error.problem;
  const items = (p.errors ?? []).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  return { line: t("plans.problem", { status: error.status, title: p.title ?? "", detail: p.detail ?? error.message }), items };
}

function FailureNotice({ failure }: { failure: Failure }) {
  return (
    <div class="error" role="alert">
      <p>{failure.line}</p>
      {failure.items.length > 0 && (
        <ul>
          {failure.items.map((item, i) => (
            <li key={i}>{item}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Plans({ state }: { state: WallState }) {
  const zone = consoleConfig().shopTimeZone;
  const from = useSignal(addDays(todayIn(zone), 1));
  const to = useSignal(addDays(todayIn(zone), 1));
  const skill = useSignal("");
  const shifts = useSignal<Shift[] | null>(null);
  const chosenShifts = useSignal<string[]>([]);
  const agents = useSignal<AgentView[] | null>(null);
  const chosenAgents = useSignal<string[]>([]);
  const maxHoursPerWeek = useSignal(40);
  const minRestHours = useSignal(11);
  const maxConsecutiveDays = useSignal(6);
  const daysOffPerWeek = useSignal(1);
  const demandKind = useSignal<"forecast" | "required">("forecast");
  const demand = useDemand(1);
  const required = useSignal("");
  const busy = useSignal(false);
  const failure = useSignal<Failure | null>(null);
  const plan = useSignal<RotaPlan | null>(null);

  useEffect(() => {
    api.shifts().then(
      (r) => (shifts.value = [...r.shifts].sort((a, b) => a.start.localeCompare(b.start) || a.name.localeCompare(b.name))),
      (error) => (failure.value = failureOf(error)),
    );
    api.activeAgents().then(
      (list) => {
        const active = list.filter((a) => a.active).sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId));
        agents.value = active;
        chosenAgents.value = active.map((a) => a.agentId);
      },
      (error) => (failure.value = failureOf(error)),
    );
  }, []);

  const dates = datesOf(from.value, to.value);
  const perDay = intervalsPerDay(demand.interval.value);
  /** A new range: the sample demand again for its days (typed volumes of another length would not fit). */
  const setRange = (next: { from?: string; to?: string }) => {
    if (next.from !== undefined) from.value = next.from;
    if (next.to !== undefined) to.value = next.to;
    if (to.value < from.value) to.value = from.value;
    const days = Math.max(1, datesOf(from.value, to.value).length);
    demand.volumes.value = Array.from({ length: days }, () => sampleVolumes(perDay)).flat().join(",");
  };
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list.filter((x) => x !== id), id] : list.filter((x) => x !== id));

  const submit = async (event?: Event) => {
    event?.preventDefault();
    failure.value = null;
    if (chosenShifts.value.length === 0) return void (failure.value = { line: t("plans.pickShift"), items: [] });
    if (chosenAgents.value.length === 0) return void (failure.value = { line: t("plans.pickAgent"), items: [] });
    busy.value = true;
    try {
      const input: PlanInput = {
        from: from.value,
        to: to.value,
        timeZone: zone,
        intervalMinutes: demand.interval.value as 15 | 30 | 60,
        shifts: (shifts.value ?? []).filter((s) => chosenShifts.value.includes(s.shiftId)).map((s) => ({ shiftId: s.shiftId })),
        agents: (agents.value ?? []).filter((a) => chosenAgents.value.includes(a.agentId)).map((a) => a.agentId),
        rules: { maxHoursPerWeek: maxHoursPerWeek.value, minRestHours: minRestHours.value, maxConsecutiveDays: maxConsecutiveDays.value, daysOffPerWeek: daysOffPerWeek.value },
        ...(demandKind.value === "required" ? { required: numbers(required.value) } : { forecast: { volumes: volumesOf(demand), ...staffingOf(demand) } }),
        ...(skill.value ? { skill: skill.value } : {}),
      };
      plan.value = await api.createPlan(input);
    } catch (error) {
      failure.value = failureOf(error);
    } finally {
      busy.value = false;
    }
  };

  const allChosen = agents.value !== null && agents.value.length > 0 && chosenAgents.value.length === agents.value.length;
  return (
    <div class="plans-screen">
      <h1>{t("plans.heading")}</h1>
      <section class="panel" aria-labelledby="plan-request-heading">
        <h2 id="plan-request-heading">{t("plans.request")}</h2>
        <form class="forecast plan-form" onSubmit={submit}>
          <div class="field">
            <label for="plan-from">{t("plans.from")}</label>
            <input id="plan-from" type="date" required aria-describedby="plan-range-hint" value={from.value} onInput={(e) => setRange({ from: e.currentTarget.value })} />
          </div>
          <div class="field">
            <label for="plan-to">{t("plans.to")}</label>
            <input id="plan-to" type="date" required aria-describedby="plan-range-hint" value={to.value} onInput={(e) => setRange({ to: e.currentTarget.value })} />
            <p class="hint" id="plan-range-hint">
              {t("plans.rangeHint", { zone })}
            </p>
          </div>
          <SkillField id="plan-skill" label={t("plans.skill")} anyLabel={t("plans.anySkill")} skills={state.skills.value} value={skill.value} onChange={(id) => (skill.value = id)} />
          <fieldset class="wide choices">
            <legend>{t("plans.shifts")}</legend>
            {shifts.value === null ? (
              <p class="empty">{t("screen.loading")}</p>
            ) : shifts.value.length === 0 ? (
              <p class="empty">{t("plans.noShifts")}</p>
            ) : (
              shifts.value.map((s) => (
                <label key={s.shiftId} class="choice">
                  <input type="checkbox" checked={chosenShifts.value.includes(s.shiftId)} onChange={(e) => (chosenShifts.value = toggle(chosenShifts.value, s.shiftId, e.currentTarget.checked))} />{" "}
                  {t("plans.shiftOption", { name: s.name, start: s.start, end: s.end })}
                </label>
              ))
            )}
          </fieldset>
          <fieldset class="wide choices">
            <legend>{t("plans.agents")}</legend>
            {agents.value === null ? (
              <p class="empty">{t("screen.loading")}</p>
            ) : agents.value.length === 0 ? (
              <p class="empty">{t("plans.noAgents")}</p>
            ) : (
              <>
                <label class="choice">
                  <input type="checkbox" checked={allChosen} onChange={(e) => (chosenAgents.value = e.currentTarget.checked ? (agents.value ?? []).map((a) => a.agentId) : [])} /> {t("plans.allAgents")}
                </label>
                {agents.value.map((a) => (
                  <label key={a.agentId} class="choice">
                    <input type="checkbox" checked={chosenAgents.value.includes(a.agentId)} onChange={(e) => (chosenAgents.value = toggle(chosenAgents.value, a.agentId, e.currentTarget.checked))} /> {a.name}
                    {a.name !== a.agentId && <span class="agent-id"> {a.agentId}</span>}
                  </label>
                ))}
              </>
            )}
          </fieldset>
          <fieldset class="wide rules">
            <legend>{t("plans.rules")}</legend>
            <NumberField
              id="plan-max-hours"
              label={t("plans.maxHoursPerWeek")}
              value={maxHoursPerWeek.value}
              min={1}
              max={168}
              hint={t("plans.hoursHint", { days: Math.max(1, dates.length), hours: hours((maxHoursPerWeek.value * Math.max(1, dates.length)) / 7) })}
              onInput={(v) => (maxHoursPerWeek.value = v)}
            />
            <NumberField id="plan-min-rest" label={t("plans.minRestHours")} value={minRestHours.value} min={0} max={48} onInput={(v) => (minRestHours.value = v)} />
            <NumberField id="plan-max-days" label={t("plans.maxConsecutiveDays")} value={maxConsecutiveDays.value} min={1} max={7} step={1} onInput={(v) => (maxConsecutiveDays.value = v)} />
            <NumberField id="plan-days-off" label={t("plans.daysOffPerWeek")} value={daysOffPerWeek.value} min={0} max={6} step={1} onInput={(v) => (daysOffPerWeek.value = v)} />
          </fieldset>
          <fieldset class="wide choices">
            <legend>{t("plans.demand")}</legend>
            <label class="choice">
              <input type="radio" name="plan-demand" checked={demandKind.value === "forecast"} onChange={() => (demandKind.value = "forecast")} /> {t("plans.demandForecast")}
            </label>
            <label class="choice">
              <input type="radio" name="plan-demand" checked={demandKind.value === "required"} onChange={() => (demandKind.value = "required")} /> {t("plans.demandRequired")}
            </label>
          </fieldset>
          {demandKind.value === "forecast" ? (
            <DemandFields demand={demand} idPrefix="plan" dates={dates} timeZone={zone} skill={skill.value} onFailure={(detail) => (failure.value = detail === null ? null : { line: detail, items: [] })}>
              <button type="submit" class="primary" disabled={busy.value}>
                {busy.value ? t("plans.solving") : t("plans.submit")}
              </button>
            </DemandFields>
          ) : (
            <>
              <IntervalField id="plan-interval" value={demand.interval.value} onChange={(minutes) => (demand.interval.value = minutes)} />
              <div class="field wide">
                <label for="plan-required">{t("plans.required")}</label>
                <textarea id="plan-required" rows={3} required spellcheck={false} aria-describedby="plan-required-hint" value={required.value} onInput={(e) => (required.value = e.currentTarget.value)} />
                <p class="hint" id="plan-required-hint">
                  {t("plans.requiredHint", { count: perDay * Math.max(1, dates.length), days: Math.max(1, dates.length), perDay, minutes: demand.interval.value })}
                </p>
              </div>
              <p class="actions wide">
                <button type="submit" class="primary" disabled={busy.value}>
                  {busy.value ? t("plans.solving") : t("plans.submit")}
                </button>
              </p>
            </>
          )}
        </form>
        {failure.value && <FailureNotice failure={failure.value} />}
      </section>
      {plan.value && <Draft key={plan.value.planId} plan={plan.value} shifts={shifts.value ?? []} agents={agents.value ?? []} onChange={(next) => (plan.value = next)} />}
    </div>
  );
}

const cellKey = (agentId: string, date: string) => `${agentId}|${date}`;

/** The plan's assignments as agent|date → shift id (`off` where none). */
function assignmentMap(plan: RotaPlan): Map<string, string> {
  return new Map(plan.assignments.map((a) => [cellKey(a.agentId, a.date), a.shiftId]));
}

function Draft({ plan, shifts, agents, onChange }: { plan: RotaPlan; shifts: Shift[]; agents: AgentView[]; onChange: (plan: RotaPlan) => void }) {
  const edits = useSignal<Map<string, string>>(new Map());
  const busy = useSignal(false);
  const failure = useSignal<Failure | null>(null);
  const notice = useSignal<string | null>(null);
  const zone = consoleConfig().shopTimeZone;
  const names = new Map(agents.map((a) => [a.agentId, a.name]));
  const shiftNames = new Map(shifts.map((s) => [s.shiftId, s.name]));
  const shiftLabel = (shiftId: string) => {
    if (shiftId === "off") return t("plans.off");
    const template = plan.shifts.find((s) => s.shiftId === shiftId);
    return shiftNames.get(shiftId) ?? (template ? t("plans.newShift", { start: template.start, end: template.end }) : shiftId);
  };
  const dates = datesOf(plan.from, plan.to);
  const current = assignmentMap(plan);
  const valueAt = (agentId: string, date: string) => edits.value.get(cellKey(agentId, date)) ?? current.get(cellKey(agentId, date)) ?? "off";
  const draft = plan.status === "draft";
  const pending = edits.value.size;

  const run = async (call: () => Promise<RotaPlan>, done: (next: RotaPlan) => string) => {
    busy.value = true;
    failure.value = null;
    notice.value = null;
    try {
      const next = await call();
      edits.value = new Map();
      onChange(next);
      notice.value = done(next);
    } catch (error) {
      failure.value = failureOf(error);
    } finally {
      busy.value = false;
    }
  };
  const save = () =>
    run(
      () =>
        api.editPlan(plan.planId, {
          version: plan.version,
          assignments: plan.agents.flatMap((agentId) => dates.map((date) => ({ agentId, date, shiftId: valueAt(agentId, date) }))).filter((a) => a.shiftId !== "off"),
        }),
      (next) => t("plans.saved", { version: next.version }),
    );
  const publish = () =>
    run(
      () => api.publishPlan(plan.planId),
      (next) => (next.rota && next.rota.assignments === 0 && next.rota.agents.length === 0 ? t("plans.publishedAgain") : t("plans.published", { assignments: next.rota?.assignments ?? 0, agents: next.rota?.agents.length ?? 0 })),
    );

  const c = plan.coverage;
  const multiDay = dates.length > 1;
  return (
    <section class="panel plan-draft" aria-labelledby="plan-draft-heading" data-plan={plan.planId}>
      <h2 id="plan-draft-heading">
        {t("plans.draftHeading", { from: plan.from, to: plan.to })} <span class={`badge plan-${plan.status}`}>{t(`plans.status.${plan.status}`)}</span>
      </h2>
      <p class="counts" role="status">
        {c.shortIntervals > 0
          ? t("plans.summary", { shifts: c.shifts, hours: hours(c.paidHours), short: c.shortIntervals, agentIntervals: c.shortAgentIntervals })
          : t("plans.summaryMet", { shifts: c.shifts, hours: hours(c.paidHours) })}
      </p>
      <dl class="plan-facts" aria-label={t("plans.facts")}>
        <div>
          <dt>{t("plans.state")}</dt>
          <dd>{t(`plans.status.${plan.status}`)}</dd>
        </div>
        <div>
          <dt>{t("plans.version")}</dt>
          <dd>{plan.version}</dd>
        </div>
        <div>
          <dt>{t("plans.paidHours")}</dt>
          <dd data-testid="paid-hours">{hours(c.paidHours)}</dd>
        </div>
        <div>
          <dt>{t("plans.solverStatus")}</dt>
          <dd data-testid="solver-status">{plan.solver.status}</dd>
        </div>
        <div>
          <dt>{t("plans.solveSeconds")}</dt>
          <dd>{plan.solver.solveSeconds}</dd>
        </div>
        <div>
          <dt>{t("plans.candidates")}</dt>
          <dd>{plan.solver.candidates}</dd>
        </div>
        <div>
          <dt>{t("plans.objective")}</dt>
          <dd>{hours(plan.solver.objective)}</dd>
        </div>
        {plan.solver.lowerBound === undefined ? null : (
          <div>
            <dt>{t("plans.lowerBound")}</dt>
            <dd data-testid="lower-bound">{hours(plan.solver.lowerBound)}</dd>
          </div>
        )}
        {plan.solver.gap === undefined || plan.solver.gap === null ? null : (
          <div>
            <dt>{t("plans.gap")}</dt>
            <dd data-testid="gap">{(plan.solver.gap * 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} %</dd>
          </div>
        )}
        <div>
          <dt>{t("plans.requiredFrom")}</dt>
          <dd>{t(`plans.requiredFrom.${plan.requiredFrom}`)}</dd>
        </div>
      </dl>
      {plan.publishedAt && <p class="meta">{t("plans.publishedBy", { by: plan.publishedBy ?? "", at: formatTime(plan.publishedAt, zone) })}</p>}
      {plan.violations.length > 0 && (
        <div class="error">
          <h3>{t("plans.violations", { count: plan.violations.length })}</h3>
          <ul>
            {plan.violations.map((v, i) => (
              <li key={i}>{v.message}</li>
            ))}
          </ul>
        </div>
      )}

      <div class="plan-grid-box" tabIndex={0} role="region" aria-label={t("plans.grid")}>
        <table class="plan-grid">
          <caption>{t("plans.grid")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("plans.agent")}</th>
              {dates.map((d) => (
                <th scope="col" key={d}>
                  {d}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {plan.agents.map((agentId) => {
              const name = names.get(agentId) ?? agentId;
              return (
                <tr key={agentId} data-agent={agentId}>
                  <th scope="row">{name}</th>
                  {dates.map((date) => {
                    const value = valueAt(agentId, date);
                    const changed = edits.value.has(cellKey(agentId, date));
                    return (
                      <td key={date} data-date={date} data-shift-id={value} class={`${value === "off" ? "plan-off" : "plan-shift"}${changed ? " plan-changed" : ""}`}>
                        {draft ? (
                          <select
                            aria-label={t("plans.cellLabel", { agent: name, date })}
                            value={value}
                            disabled={busy.value}
                            onChange={(e) => {
                              const next = new Map(edits.value);
                              const chosen = e.currentTarget.value;
                              if (chosen === (current.get(cellKey(agentId, date)) ?? "off")) next.delete(cellKey(agentId, date));
                              else next.set(cellKey(agentId, date), chosen);
                              edits.value = next;
                            }}
                          >
                            <option value="off">{t("plans.off")}</option>
                            {plan.shifts.map((s) => (
                              <option key={s.shiftId} value={s.shiftId}>
                                {shiftLabel(s.shiftId)}
                              </option>
                            ))}
                          </select>
                        ) : (
                          shiftLabel(value)
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {draft && (
        <p class="actions">
          <button type="button" disabled={busy.value || pending === 0} onClick={() => void save()}>
            {t("plans.saveEdits")}
          </button>
          <button type="button" disabled={busy.value || pending === 0} onClick={() => (edits.value = new Map())}>
            {t("plans.discardEdits")}
          </button>
          <button type="button" class="primary" disabled={busy.value || pending > 0} onClick={() => void publish()}>
            {busy.value ? t("plans.publishing") : t("plans.publish")}
          </button>
          {pending > 0 && <span class="hint">{t("plans.edited", { count: pending })}</span>}
        </p>
      )}
      {notice.value && (
        <p class="notice-ok" role="status">
          {notice.value}
        </p>
      )}
      {failure.value && <FailureNotice failure={failure.value} />}

      <h3 id="plan-coverage-heading">{t("plans.coverage")}</h3>
      <div class="plan-coverage" tabIndex={0} role="region" aria-labelledby="plan-coverage-heading">
        <table>
          <caption>{t("plans.coverageCaption", { short: c.shortIntervals })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("plans.time")}</th>
              <th scope="col" class="num">
                {t("plans.requiredAgents")}
              </th>
              <th scope="col" class="num">
                {t("plans.planned")}
              </th>
              <th scope="col" class="num">
                {t("plans.short")}
              </th>
            </tr>
          </thead>
          <tbody>
            {c.intervals.map((i) => (
              <CoverageRow key={i.from} interval={i} withDate={multiDay} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function CoverageRow({ interval: i, withDate }: { interval: PlanInterval; withDate: boolean }) {
  const time = i.localFrom.slice(11, 16);
  return (
    <tr class={i.short > 0 ? "understaffed-row" : undefined} data-from={i.from}>
      <th scope="row">{withDate ? `${i.localFrom.slice(0, 10)} ${time}` : time}</th>
      <td class="num">{i.required}</td>
      <td class="num">{i.planned}</td>
      <td class="num">{i.short > 0 ? t("plans.shortBy", { count: i.short }) : t("none")}</td>
    </tr>
  );
}
