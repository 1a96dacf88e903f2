/**
 * One agent's open conversations, each with a reassign: to another on-duty agent (`force` may
 * exceed that agent's capacity, nothing else) or back to a skill's waiting line.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { Conversation, QueueAgent, ReassignRequest } from "../api/types.js";
import { t } from "../i18n/index.js";
import { Timer } from "../ui/timer.js";
import type { WallState } from "./state.js";

export function ReassignPanel({ state, agent, onClose }: { state: WallState; agent: QueueAgent; onClose: () => void }) {
  const conversations = useSignal<Conversation[] | null>(null);
  /** Said at the panel's level: the moved conversation's row leaves the list with the re-read. */
  const done = useSignal<string | null>(null);
  const load = () => state.conversationsOf(agent.agentId).then((list) => (conversations.value = list), () => (conversations.value = []));
  useEffect(() => {
    void load();
  }, [agent.agentId]);
  const headingId = `reassign-${agent.agentId}`;
  return (
    <div class="drawer" role="dialog" aria-labelledby={headingId} onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <header>
        <h2 id={headingId}>{t("reassign.heading", { name: agent.name })}</h2>
        <button type="button" onClick={onClose}>
          {t("panel.close")}
        </button>
      </header>
      <p role="status">{done.value && t("reassign.done", { id: done.value })}</p>
      {state.failure.value && (
        <p class="error" role="alert">
          {t("action.failed", { detail: state.failure.value })}
        </p>
      )}
      {conversations.value?.length === 0 && <p class="empty">{t("reassign.none")}</p>}
      <ul class="cards">
        {(conversations.value ?? []).map((c) => (
          <ReassignRow
            key={c.conversationId}
            conversation={c}
            from={agent}
            state={state}
            onDone={(id) => {
              done.value = id;
              void load();
            }}
          />
        ))}
      </ul>
    </div>
  );
}

function ReassignRow({ conversation: c, from, state, onDone }: { conversation: Conversation; from: QueueAgent; state: WallState; onDone: (conversationId: string) => void }) {
  const target = useSignal("");
  const force = useSignal(false);
  const others = state.onDuty.value.filter((a) => a.agentId !== from.agentId);
  const selectId = `target-${c.conversationId}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const [kind, value] = target.value.split(":", 2) as [string, string];
    const request: ReassignRequest = kind === "skill" ? { toSkill: value } : { toAgentId: value, force: force.value };
    if (await state.reassign(c.conversationId, request)) onDone(c.conversationId);
  };
  return (
    <li class="card">
      <p>
        <span class="label">{t("conversation.id")}</span> <code>{c.conversationId}</code>
      </p>
      <p class="timers">
        <Timer label={c.firstResponseAt ? t("conversation.answered") : t("conversation.firstResponse")} from={c.arrivedAt} until={c.firstResponseAt} />
      </p>
      <form class="inline" onSubmit={submit}>
        <label for={selectId}>{t("reassign.target")}</label>
        <select id={selectId} required value={target.value} onChange={(e) => (target.value = e.currentTarget.value)}>
          <option value="" disabled>
            {t("none")}
          </option>
          {others.map((a) => (
            <option key={a.agentId} value={`agent:${a.agentId}`}>
              {t("reassign.toAgent", { name: a.name, load: a.load, capacity: a.maxConcurrent })}
            </option>
          ))}
          {state.skills.value.map((s) => (
            <option key={s.skillId} value={`skill:${s.skillId}`}>
              {t("reassign.toSkill", { skill: s.name })}
            </option>
          ))}
        </select>
        <label class="check">
          <input type="checkbox" checked={force.value} disabled={target.value.startsWith("skill:")} onChange={(e) => (force.value = e.currentTarget.checked)} /> {t("reassign.force")}
        </label>
        <button type="submit" class="primary" disabled={!target.value}>
          {t("reassign.submit")}
        </button>
      </form>
    </li>
  );
}
