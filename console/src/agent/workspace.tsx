/** The agent's workspace: presence switch, open conversations with their timers, notices. */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Conversation, InboxNotice, Presence } from "../api/types.js";
import type { Session } from "../auth/session.js";
import { consoleConfig } from "../api/client.js";
import { formatTime, t } from "../i18n/index.js";
import { liveStatus } from "../ui/live-status.js";
import { soundOn } from "../ui/sound.js";
import { Timer } from "../ui/timer.js";
import { createAgentWorkspace, type AgentWorkspaceState } from "./state.js";

const presences: Presence[] = ["online", "paused", "away", "offline"];

export function AgentWorkspace(props: { session: Session }) {
  const [state] = useState(() => createAgentWorkspace(props.session));
  useEffect(() => {
    liveStatus.value = state.live;
    return () => {
      liveStatus.value = null;
      state.dispose();
    };
  }, [state]);

  return (
    <div class="workspace">
      <h1>{t("agent.heading")}</h1>
      {state.failure.value && (
        <p class="error" role="alert">
          {t("action.failed", { detail: state.failure.value })}
        </p>
      )}
      <PresenceSwitch state={state} />
      <div class="columns">
        <Conversations state={state} />
        <Notices state={state} />
      </div>
      <UrgentNotice state={state} />
    </div>
  );
}

function PresenceSwitch({ state }: { state: AgentWorkspaceState }) {
  const current = state.presence.value;
  return (
    <fieldset class="presence">
      <legend>{t("presence.label")}</legend>
      {presences.map((p) => (
        <label key={p} class={`segment presence-${p}${current === p ? " checked" : ""}`}>
          <input type="radio" name="presence" value={p} checked={current === p} onChange={() => void state.setPresence(p)} />
          {t(`presence.${p}`)}
        </label>
      ))}
      <SoundToggle />
    </fieldset>
  );
}

function SoundToggle() {
  return (
    <button type="button" class="sound" aria-pressed={soundOn.value} onClick={() => (soundOn.value = !soundOn.value)}>
      {t(soundOn.value ? "sound.on" : "sound.off")}
    </button>
  );
}

function Conversations({ state }: { state: AgentWorkspaceState }) {
  const list = state.conversations.value;
  return (
    <section class="panel" aria-labelledby="conversations-heading">
      <h2 id="conversations-heading">
        {t("conversations.heading")} <span class="count">{list.length}</span>
      </h2>
      {list.length === 0 ? <p class="empty">{t("conversations.empty")}</p> : <ul class="cards">{list.map((c) => <ConversationCard key={c.conversationId} conversation={c} state={state} />)}</ul>}
    </section>
  );
}

function ConversationCard({ conversation: c, state }: { conversation: Conversation; state: AgentWorkspaceState }) {
  const idLabel = `conversation-${c.conversationId}`;
  return (
    <li class="card conversation" aria-labelledby={idLabel} data-conversation-id={c.conversationId}>
      <p class="conversation-id" id={idLabel}>
        <span class="label">{t("conversation.id")}</span> <code>{c.conversationId}</code>
        {c.priority !== "normal" && <span class={`badge priority-${c.priority}`}>{t(`priority.${c.priority}`)}</span>}
      </p>
      <p class="meta">
        {t("conversation.channel")} {c.channel} · {t("conversation.skill")} {c.requestedSkill} · {t("conversation.customer")} {c.customerId}
      </p>
      <p class="timers">
        <Timer label={t("conversation.waiting")} from={c.arrivedAt} until={c.assignedAt} testId="waiting-timer" />
        <Timer label={c.firstResponseAt ? t("conversation.answered") : t("conversation.firstResponse")} from={c.arrivedAt} until={c.firstResponseAt} testId="first-response-timer" />
      </p>
      <p class="actions">
        {!c.firstResponseAt && (
          <button type="button" onClick={() => void state.markReplied(c.conversationId)}>
            {t("conversation.markReplied")}
          </button>
        )}
        <button type="button" onClick={() => void state.close(c.conversationId)}>
          {t("conversation.close")}
        </button>
      </p>
    </li>
  );
}

function Notices({ state }: { state: AgentWorkspaceState }) {
  const list = state.notices.value;
  const unread = state.unacknowledged.value.length;
  return (
    <section class="panel" aria-labelledby="notices-heading">
      <h2 id="notices-heading">
        {t("notices.heading")} {unread > 0 && <span class="count unread">{t("notices.unread", { count: unread })}</span>}
      </h2>
      {list.length === 0 ? <p class="empty">{t("notices.empty")}</p> : <ul class="cards">{list.map((n) => <NoticeCard key={n.noticeId} notice={n} state={state} />)}</ul>}
    </section>
  );
}

function NoticeBody({ notice: n }: { notice: InboxNotice }) {
  const zone = consoleConfig().shopTimeZone;
  return (
    <>
      <p class="notice-body">{n.body}</p>
      <p class="meta">
        {t("notice.published", { time: formatTime(n.publishedAt, zone) })} · {t("notice.expires", { time: formatTime(n.expiresAt, zone) })}
      </p>
    </>
  );
}

function NoticeCard({ notice: n, state }: { notice: InboxNotice; state: AgentWorkspaceState }) {
  const titleId = `notice-${n.noticeId}`;
  return (
    <li class={`card notice urgency-${n.urgency}${n.acknowledged ? " read" : ""}`} aria-labelledby={titleId}>
      <h3 id={titleId}>
        <span class={`badge urgency-${n.urgency}`}>{t(`urgency.${n.urgency}`)}</span> {n.title}
      </h3>
      <NoticeBody notice={n} />
      {n.acknowledged ? (
        <p class="acked">{t("notice.acked", { time: formatTime(n.acknowledgedAt, consoleConfig().shopTimeZone) })}</p>
      ) : (
        <button type="button" class="primary" onClick={() => void state.acknowledge(n.noticeId)}>
          {t("notice.ack")}
        </button>
      )}
    </li>
  );
}

/** Urgent notices are modal until acknowledged: Escape does not dismiss them. */
function UrgentNotice({ state }: { state: AgentWorkspaceState }) {
  const notice = state.urgentOpen.value;
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (notice && !element.open) element.showModal();
    if (!notice && element.open) element.close();
  }, [notice]);
  return (
    <dialog ref={dialog} class="urgent" aria-labelledby="urgent-heading" onCancel={(e) => e.preventDefault()}>
      {notice && (
        <>
          <p class="urgent-kicker">{t("notice.urgentHeading")}</p>
          <h2 id="urgent-heading">{notice.title}</h2>
          <NoticeBody notice={notice} />
          <p class="actions">
            <button type="button" class="primary" autofocus onClick={() => void state.acknowledge(notice.noticeId)}>
              {t("notice.ack")}
            </button>
            <SoundToggle />
          </p>
        </>
      )}
    </dialog>
  );
}
