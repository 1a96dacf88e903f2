/** The bar above every screen: title, who is signed in, the live connection, language, sign out. */
import { locale, setLocale, t } from "../i18n/index.js";
import { session, signOut } from "../auth/session.js";
import { now } from "../live/clock.js";
import { liveStatus } from "./live-status.js";

export function Header() {
  const current = session.value;
  const other = locale.value === "zh-CN" ? "en" : "zh-CN";
  const live = liveStatus.value?.value;
  return (
    <header class="app-bar">
      <span class="app-title">{t("app.title")}</span>
      {current && (
        <span class="who">{t("signedInAs", { role: t(current.role === "agent" ? "role.agent" : "role.supervisor"), user: current.userId })}</span>
      )}
      {current && live && (
        <span class={`live live-${live.state}`} role="status">
          {live.state === "open" ? t("live.open") : live.state === "connecting" ? t("live.connecting") : t("live.reconnecting", { seconds: Math.max(1, Math.ceil((live.retryAt - now.value) / 1000)) })}
        </span>
      )}
      <span class="spacer" />
      <button type="button" class="link" lang={other} aria-label={`${t("lang.switch")}: ${t("lang.other")}`} onClick={() => setLocale(other)}>
        {t("lang.other")}
      </button>
      {current && (
        <button type="button" class="link" onClick={() => signOut()}>
          {t("signOut")}
        </button>
      )}
    </header>
  );
}
