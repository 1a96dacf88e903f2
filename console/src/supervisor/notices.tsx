/**
 * Notices: compose (title, text, urgency, target skills, validity) and the receipts of what was
 * published from this page, live: an acknowledgement pushed over the supervisors' WebSocket turns
 * its row at once (no read); a receipt the panel does not know yet (a late delivery), a push that
 * says `more`, and each reconnect re-read `GET /notices/{id}/receipts` once, coalesced; a slow
 * safety re-read (60 s) catches a lost push. The list of earlier notices comes with
 * `GET /notices` (design: "Lists").
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError, consoleConfig } from "../api/client.js";
import type { PublishedNotice, Receipts, ReceiptsPush, Urgency } from "../api/types.js";
import { formatTime, t } from "../i18n/index.js";
import { refresher } from "../live/refresher.js";
import { safetyRefreshMs, type WallState } from "./state.js";

const urgencyChoices: Urgency[] = ["info", "important", "urgent"];

/** Notices published from this page (kept while the supervisor switches screens). */
const published: PublishedNotice[] = [];

export function Notices({ state }: { state: WallState }) {
  const list = useSignal<PublishedNotice[]>([...published]);
  return (
    <div class="notices-screen">
      <h1>{t("nav.notices")}</h1>
      <Compose
        state={state}
        onPublished={(notice) => {
          published.unshift(notice);
          list.value = [...published];
        }}
      />
      {list.value.map((n) => (
        <ReceiptsPanel key={n.noticeId} notice={n} state={state} />
      ))}
    </div>
  );
}

function Compose({ state, onPublished }: { state: WallState; onPublished: (notice: PublishedNotice) => void }) {
  const title = useSignal("");
  const body = useSignal("");
  const urgency = useSignal<Urgency>("important");
  const targets = useSignal<string[]>([]);
  const hours = useSignal(8);
  const busy = useSignal(false);
  const failure = useSignal<string | null>(null);
  const done = useSignal<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    busy.value = true;
    failure.value = null;
    done.value = null;
    try {
      const notice = await api.publishNotice({
        title: title.value,
        body: body.value,
        urgency: urgency.value,
        targetSkills: targets.value.length > 0 ? targets.value : null,
        expiresAt: new Date(Date.now() + hours.value * 3_600_000).toISOString(),
      });
      onPublished(notice);
      done.value = t("compose.published", { title: notice.title });
      title.value = "";
      body.value = "";
    } catch (error) {
      failure.value = error instanceof ApiError ? error.describe() : String(error);
    } finally {
      busy.value = false;
    }
  };

  return (
    <section class="panel" aria-labelledby="compose-heading">
      <h2 id="compose-heading">{t("compose.heading")}</h2>
      <form class="stack" onSubmit={submit}>
        <label for="compose-title">{t("compose.title")}</label>
        <input id="compose-title" required maxLength={200} value={title.value} onInput={(e) => (title.value = e.currentTarget.value)} />
        <label for="compose-body">{t("compose.body")}</label>
        <textarea id="compose-body" required maxLength={5000} rows={4} value={body.value} onInput={(e) => (body.value = e.currentTarget.value)} />
        <label for="compose-urgency">{t("compose.urgency")}</label>
        <select id="compose-urgency" value={urgency.value} onChange={(e) => (urgency.value = e.currentTarget.value as Urgency)}>
          {urgencyChoices.map((u) => (
            <option key={u} value={u}>
              {t(`urgency.${u}`)}
            </option>
          ))}
        </select>
        <fieldset>
          <legend>{t("compose.targets")}</legend>
          {state.skills.value.map((s) => (
            <label key={s.skillId} class="check">
              <input
                type="checkbox"
                checked={targets.value.includes(s.skillId)}
                onChange={(e) => (targets.value = e.currentTarget.checked ? [...targets.value, s.skillId] : targets.value.filter((x) => x !== s.skillId))}
              />{" "}
              {s.name}
            </label>
          ))}
        </fieldset>
        <label for="compose-hours">{t("compose.expires")}</label>
        <input id="compose-hours" type="number" min={1} max={24 * 31} required value={hours.value} onInput={(e) => (hours.value = Number(e.currentTarget.value))} />
        <button type="submit" class="primary" disabled={busy.value}>
          {t("compose.submit")}
        </button>
        {failure.value && (
          <p class="error" role="alert">
            {t("action.failed", { detail: failure.value })}
          </p>
        )}
        {done.value && <p role="status">{done.value}</p>}
      </form>
    </section>
  );
}

/**
 * The receipts with the pushed acknowledgements applied; `undefined` when one names an agent the
 * receipts do not list yet (then only a read can tell its delivery).
 */
export function applyAcknowledgements(receipts: Receipts, push: ReceiptsPush): Receipts | undefined {
  let counts = receipts.counts;
  let agents = receipts.agents;
  for (const ack of push.acknowledgements) {
    if (ack.noticeId !== receipts.notice.noticeId) continue;
    const row = agents.find((a) => a.agentId === ack.agentId);
    if (!row) return undefined;
    if (row.status === "acknowledged") continue;
    agents = agents.map((a) => (a === row ? { ...a, status: "acknowledged" as const, acknowledgedAt: ack.acknowledgedAt } : a));
    counts = { ...counts, acknowledged: counts.acknowledged + 1, pending: row.status === "pending" ? Math.max(0, counts.pending - 1) : counts.pending };
  }
  return counts === receipts.counts ? receipts : { ...receipts, counts, agents };
}

function ReceiptsPanel({ notice, state }: { notice: PublishedNotice; state: WallState }) {
  const receipts = useSignal<Receipts | null>(null);
  useEffect(() => {
    const reader = refresher(
      async () => {
        receipts.value = await api.receipts(notice.noticeId);
      },
      { everyMs: safetyRefreshMs(), minGapMs: 2_000 },
    );
    reader.request();
    const unsubscribe = state.onLive((event) => {
      if (event.type === "open") return reader.request();
      const mine = event.acknowledgements.some((a) => a.noticeId === notice.noticeId);
      if (event.more || event.delivered.includes(notice.noticeId)) return reader.request();
      if (!mine) return;
      const applied = receipts.value ? applyAcknowledgements(receipts.value, event) : undefined;
      if (applied) receipts.value = applied;
      else reader.request();
    });
    return () => {
      unsubscribe();
      reader.stop();
    };
  }, [notice.noticeId]);
  const r = receipts.value;
  const zone = consoleConfig().shopTimeZone;
  const headingId = `receipts-${notice.noticeId}`;
  return (
    <section class="panel" aria-labelledby={headingId} data-notice-id={notice.noticeId}>
      <h2 id={headingId}>{t("receipts.heading", { title: notice.title })}</h2>
      {r && <p class="counts">{t("receipts.counts", r.counts)}</p>}
      {r && r.agents.length === 0 && <p class="empty">{t("receipts.none")}</p>}
      {r && r.agents.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("receipts.agent")}</th>
              <th scope="col">{t("receipts.status")}</th>
            </tr>
          </thead>
          <tbody>
            {r.agents.map((a) => (
              <tr key={a.agentId}>
                <th scope="row">{a.agentId}</th>
                <td class={`receipt-${a.status}`}>
                  {t(`receipts.${a.status}`)}
                  {a.acknowledgedAt && ` · ${formatTime(a.acknowledgedAt, zone)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
