/** The supervisor's live wall: tiles, adherence alerts, waiting per skill, every on-duty agent with one-click actions. */
import { useComputed, useSignal } from "@preact/signals";
import { consoleConfig } from "../api/client.js";
import type { QueueAgent } from "../api/types.js";
import { formatDuration, formatPercent, formatTime, t } from "../i18n/index.js";
import { now } from "../live/clock.js";
import { lapseMinutes } from "./alerts.js";
import { VirtualTable } from "../ui/virtual-table.js";
import { ReassignPanel } from "./reassign.js";
import type { WallState } from "./state.js";

export function Wall({ state }: { state: WallState }) {
  const selected = useSignal<QueueAgent | null>(null);
  return (
    <div class="wall">
      <h1>{t("wall.heading")}</h1>
      {state.failure.value && (
        <p class="error" role="alert">
          {t("action.failed", { detail: state.failure.value })}
        </p>
      )}
      <Tiles state={state} />
      <AdherenceAlerts state={state} />
      <SkillLines state={state} />
      <AgentsTable state={state} onOpen={(agent) => (selected.value = agent)} />
      {selected.value && <ReassignPanel key={selected.value.agentId} state={state} agent={selected.value} onClose={() => (selected.value = null)} />}
    </div>
  );
}

function Tile(props: { id: string; label: string; value: string; hint?: string | undefined; level?: string }) {
  return (
    <div class={`tile${props.level ? ` tile-${props.level}` : ""}`} role="group" aria-labelledby={`${props.id}-label`} data-tile={props.id}>
      <p class="tile-label" id={`${props.id}-label`}>
        {props.label}
      </p>
      <p class="tile-value">{props.value}</p>
      {props.hint && <p class="tile-hint">{props.hint}</p>}
    </div>
  );
}

function waitLevel(seconds: number | null): string | undefined {
  if (seconds === null) return undefined;
  return seconds >= 180 ? "red" : seconds >= 100 ? "amber" : undefined;
}

function Tiles({ state }: { state: WallState }) {
  const longest = state.longestWaitSeconds.value;
  const longestNow = longest === null ? null : longest + state.age();
  const metrics = state.metrics.value;
  const totals = state.queue.value?.agentTotals;
  return (
    <section class="tiles" aria-label={t("wall.heading")}>
      <Tile id="waiting" label={t("tile.waiting")} value={String(state.queue.value?.totalWaiting ?? 0)} />
      <Tile id="longest" label={t("tile.longestWait")} value={longestNow === null ? t("none") : formatDuration(longestNow)} level={waitLevel(longestNow)} />
      <Tile
        id="rate3m"
        label={t("tile.rate3m")}
        value={formatPercent(metrics?.firstResponseWithin3MinRate)}
        hint={metrics ? t("tile.rate3mHint", { count: metrics.received }) : undefined}
      />
      {/* The queue lists at most its busiest 1,000 agents; its totals count everyone. */}
      <Tile id="free" label={t("tile.freeSlots")} value={String(totals?.freeSlots ?? state.freeSlots.value)} />
      <Tile id="duty" label={t("tile.onDutyOnline")} value={`${totals?.onDuty ?? state.onDuty.value.length} / ${totals?.online ?? state.online.value.length}`} />
    </section>
  );
}

/** Agents on duty and not online for too long (pushed by RotaDutyClock); each goes when the agent is online again or is dismissed. */
function AdherenceAlerts({ state }: { state: WallState }) {
  const alerts = state.alerts.value;
  const names = new Map(state.agents.value.map((a) => [a.agentId, a.name]));
  const zone = consoleConfig().shopTimeZone;
  return (
    <section class="panel adherence-alerts" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">{t("wall.alerts")}</h2>
      <div role="alert" aria-relevant="additions text">
        {alerts.length > 0 && (
          <ul>
            {alerts.map((a) => {
              const name = names.get(a.agentId) ?? a.agentId;
              return (
                <li key={a.agentId} data-agent={a.agentId} class="adherence-alert">
                  <span>
                    {t("wall.alert", {
                      name,
                      presence: t(`presence.${a.presence}`).toLocaleLowerCase(),
                      minutes: lapseMinutes(a, now.value),
                      since: formatTime(a.since, zone),
                      threshold: a.thresholdMinutes,
                    })}
                  </span>{" "}
                  <button type="button" aria-label={t("wall.dismiss", { name })} onClick={() => state.dismissAlert(a.agentId)}>
                    {t("wall.dismissShort")}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
      {alerts.length === 0 && <p class="empty">{t("wall.alertsNone")}</p>}
    </section>
  );
}

function SkillLines({ state }: { state: WallState }) {
  const age = state.age();
  return (
    <section class="panel" aria-labelledby="skills-heading">
      <h2 id="skills-heading">{t("skills.heading")}</h2>
      <table class="skills">
        <thead>
          <tr>
            <th scope="col">{t("skills.skill")}</th>
            <th scope="col" class="num">
              {t("skills.waiting")}
            </th>
            <th scope="col" class="num">
              {t("skills.longest")}
            </th>
            <th scope="col" class="num">
              {t("skills.escalated")}
            </th>
          </tr>
        </thead>
        <tbody>
          {state.lines.value.map((line) => {
            const longest = line.longestWaitSeconds === null ? null : line.longestWaitSeconds + age;
            return (
              <tr key={line.skill} data-skill={line.skill}>
                <th scope="row">{line.skill === "any" ? t("skills.any") : line.name}</th>
                <td class="num" data-testid="skill-waiting">
                  {line.waiting}
                </td>
                <td class={`num${waitLevel(longest) ? ` wait-${waitLevel(longest)}` : ""}`}>{longest === null ? t("none") : formatDuration(longest)}</td>
                <td class="num">{line.escalated}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function AgentsTable({ state, onOpen }: { state: WallState; onOpen: (agent: QueueAgent) => void }) {
  const filter = useSignal("");
  const rows = useComputed(() => {
    const needle = filter.value.trim().toLowerCase();
    return needle ? state.agents.value.filter((a) => a.name.toLowerCase().includes(needle) || a.agentId.toLowerCase().includes(needle) || a.skills.some((s) => s.includes(needle))) : state.agents.value;
  });
  const zone = consoleConfig().shopTimeZone;
  return (
    <section class="panel" aria-labelledby="agents-heading">
      <h2 id="agents-heading">{t("agents.heading", { count: state.onDuty.value.length })}</h2>
      <label class="filter">
        {t("agents.filter")} <input type="search" value={filter.value} onInput={(e) => (filter.value = e.currentTarget.value)} />
      </label>
      {rows.value.length === 0 ? (
        <p class="empty">{t("agents.empty")}</p>
      ) : (
        <VirtualTable
          label={t("agents.list")}
          rows={rows.value}
          rowHeight={48}
          height={528}
          columns={6}
          keyOf={(a) => a.agentId}
          head={
            <tr>
              <th scope="col">{t("agents.agent")}</th>
              <th scope="col">{t("agents.presence")}</th>
              <th scope="col">{t("agents.load")}</th>
              <th scope="col">{t("agents.skills")}</th>
              <th scope="col">{t("agents.shiftEnd")}</th>
              <th scope="col">{t("agents.actions")}</th>
            </tr>
          }
          renderRow={(a) => <AgentCells agent={a} state={state} zone={zone} onOpen={onOpen} />}
        />
      )}
    </section>
  );
}

function AgentCells({ agent: a, state, zone, onOpen }: { agent: QueueAgent; state: WallState; zone: string; onOpen: (agent: QueueAgent) => void }) {
  const full = a.load >= a.maxConcurrent;
  return (
    <>
      <th scope="row" class="agent-name">
        {a.name}
        {a.name !== a.agentId && <span class="agent-id"> {a.agentId}</span>}
      </th>
      <td>
        <span class={`badge presence-${a.presence}`}>{t(`presence.${a.presence}`)}</span>
        {!a.onDuty && <span class="badge off-duty">{t("agents.offDuty")}</span>}
      </td>
      <td>
        <span class="load-cell">
        <button type="button" class="icon" aria-label={t("action.capacityDown", { name: a.name })} disabled={a.maxConcurrent <= 1} onClick={() => void state.setCapacity(a, a.maxConcurrent - 1)}>
          −
        </button>
        <span class={`load${full ? " full" : ""}`} data-testid="load">
          {a.load}/{a.maxConcurrent}
        </span>
        <button type="button" class="icon" aria-label={t("action.capacityUp", { name: a.name })} disabled={a.maxConcurrent >= 50} onClick={() => void state.setCapacity(a, a.maxConcurrent + 1)}>
          +
        </button>
        {a.overCapacityBy > 0 && <span class="badge over">{t("agents.over", { count: a.overCapacityBy })}</span>}
        </span>
      </td>
      <td class="skills-cell">{a.skills.join(", ")}</td>
      <td>{formatTime(a.shiftEnd, zone)}</td>
      <td class="actions">
        {a.presence === "online" ? (
          <button type="button" aria-label={t("action.pauseAgent", { name: a.name })} onClick={() => void state.setPresence(a.agentId, "paused")}>
            {t("action.pause")}
          </button>
        ) : (
          <button type="button" aria-label={t("action.resumeAgent", { name: a.name })} onClick={() => void state.setPresence(a.agentId, "online")}>
            {t("action.resume")}
          </button>
        )}
        <button type="button" aria-label={t("action.conversationsOf", { name: a.name })} onClick={() => onOpen(a)}>
          {t("action.conversations")}
        </button>
      </td>
    </>
  );
}
