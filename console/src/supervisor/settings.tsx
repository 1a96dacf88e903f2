/**
 * Settings: every live setting (`GET /settings`) with the value in force, where it comes from
 * and its default; a change (`PUT /settings`, naming the version read) sends only the fields
 * changed, and "Back to default" sends `null`. A 400 names each bad field (`values.NAME`): the
 * message is shown under that field (aria-invalid, aria-describedby) and nothing was changed; a
 * 409 (someone else changed them since) reads them again. The browser's own constraint checks
 * are off (`noValidate`) so the server, which owns the rules, names every error at once.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError, consoleConfig } from "../api/client.js";
import type { SettingsView, SettingView } from "../api/types.js";
import { formatTime, t } from "../i18n/index.js";

/** What the form holds for a setting: the text typed, or `null` for "back to default". */
type Draft = Record<string, string | null>;

function shown(setting: SettingView): string {
  return String(setting.value);
}

export function Settings() {
  const view = useSignal<SettingsView | null>(null);
  const draft = useSignal<Draft>({});
  const fieldErrors = useSignal<Record<string, string>>({});
  const failure = useSignal<string | null>(null);
  const done = useSignal<string | null>(null);
  const busy = useSignal(false);

  const load = async () => {
    try {
      view.value = await api.settings();
      draft.value = {};
    } catch (error) {
      failure.value = error instanceof ApiError ? error.describe() : String(error);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const current = view.value;
    if (!current) return;
    failure.value = null;
    done.value = null;
    fieldErrors.value = {};
    const values: Record<string, string | number | null> = {};
    for (const [name, text] of Object.entries(draft.value)) {
      const setting = current.settings[name];
      if (!setting) continue;
      if (text === null) values[name] = null;
      else if (text !== shown(setting)) values[name] = setting.kind === "whole-number" && text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
    }
    if (Object.keys(values).length === 0) {
      done.value = t("settings.nothing");
      return;
    }
    busy.value = true;
    try {
      const result = await api.changeSettings({ version: current.version, values });
      done.value = t("settings.saved", { version: result.version, names: result.changed.join(", ") || t("none") });
      view.value = { version: result.version, updatedAt: result.updatedAt, updatedBy: result.updatedBy, cacheSeconds: result.cacheSeconds, settings: result.settings };
      draft.value = {};
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && (error.problem.errors ?? []).length > 0) {
        const byField: Record<string, string> = {};
        for (const e of error.problem.errors ?? []) byField[e.field.replace(/^values\./, "")] = e.message;
        fieldErrors.value = byField;
        failure.value = t("settings.invalid");
      } else if (error instanceof ApiError && error.status === 409) {
        failure.value = t("settings.conflict");
        await load();
      } else {
        failure.value = error instanceof ApiError ? error.describe() : String(error);
      }
    } finally {
      busy.value = false;
    }
  };

  const v = view.value;
  const zone = consoleConfig().shopTimeZone;
  return (
    <div class="settings-screen">
      <h1>{t("settings.heading")}</h1>
      {v && (
        <p class="counts">
          {t("settings.version", { version: v.version })} · {v.updatedAt ? t("settings.updated", { by: v.updatedBy ?? t("none"), at: formatTime(v.updatedAt, zone) }) : t("settings.neverChanged")} ·{" "}
          {t("settings.cache", { seconds: v.cacheSeconds })}
        </p>
      )}
      {failure.value && (
        <p class="error" role="alert">
          {failure.value}
        </p>
      )}
      {done.value && <p role="status">{done.value}</p>}
      {v && (
        <form class="settings-form" noValidate onSubmit={submit}>
          {Object.entries(v.settings).map(([name, setting]) => (
            <SettingField
              key={name}
              name={name}
              setting={setting}
              value={draft.value[name]}
              error={fieldErrors.value[name]}
              onChange={(text) => (draft.value = { ...draft.value, [name]: text })}
            />
          ))}
          <button type="submit" class="primary" disabled={busy.value}>
            {t("settings.save")}
          </button>
        </form>
      )}
    </div>
  );
}

function SettingField(props: { name: string; setting: SettingView; value: string | null | undefined; error: string | undefined; onChange: (text: string | null) => void }) {
  const { name, setting } = props;
  const id = `setting-${name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const reset = props.value === null;
  const text = props.value ?? shown(setting);
  const describedBy = props.error ? `${hintId} ${errorId}` : hintId;
  return (
    <div class="setting" data-setting={name}>
      <label for={id}>
        <code>{name}</code> <span class={`badge source-${setting.source}`}>{t(`settings.source.${setting.source}`)}</span>
      </label>
      {setting.kind === "choice" ? (
        <select id={id} value={reset ? String(setting.default) : text} aria-describedby={describedBy} aria-invalid={props.error ? true : undefined} onChange={(e) => props.onChange(e.currentTarget.value)}>
          {(setting.choices ?? []).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : setting.kind === "whole-number" ? (
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={setting.min}
          max={setting.max}
          value={reset ? String(setting.default) : text}
          aria-describedby={describedBy}
          aria-invalid={props.error ? true : undefined}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
      ) : (
        <input
          id={id}
          type="text"
          value={reset ? String(setting.default) : text}
          aria-describedby={describedBy}
          aria-invalid={props.error ? true : undefined}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
      )}
      <p class="hint" id={hintId}>
        {setting.description} · {setting.expects} · {t("settings.defaultIs", { value: String(setting.default) })}
        {reset && ` · ${t("settings.resetPending")}`}
      </p>
      {props.error && (
        <p class="error" id={errorId}>
          {props.error}
        </p>
      )}
      {setting.source === "live" && !reset && (
        <button type="button" onClick={() => props.onChange(null)}>
          {t("settings.useDefault")}
        </button>
      )}
    </div>
  );
}
