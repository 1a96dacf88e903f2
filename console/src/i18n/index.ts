/**
 * The locale: zh-CN by default, en with `?lang=en`; the choice is remembered (localStorage) so
 * later visits without the parameter keep it. `t()` reads the locale signal, so every component
 * that shows text re-renders when it changes.
 */
import { effect, signal } from "@preact/signals";
import { en } from "./en.js";
import { zhCN, type MessageKey } from "./zh-CN.js";

export type { MessageKey };
export const locales = ["zh-CN", "en"] as const;
export type Locale = (typeof locales)[number];

const storageKey = "console.lang";
const catalogs: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zhCN, en };

function isLocale(value: string | null | undefined): value is Locale {
  return value === "zh-CN" || value === "en";
}

function remembered(): string | null {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

function initialLocale(): Locale {
  const asked = new URLSearchParams(location.search).get("lang");
  // `?lang=zh` and `?lang=zh-cn` mean the default too.
  if (asked !== null) return asked.toLowerCase().startsWith("en") ? "en" : "zh-CN";
  const stored = remembered();
  return isLocale(stored) ? stored : "zh-CN";
}

export const locale = signal<Locale>(initialLocale());

effect(() => {
  const current = locale.value;
  document.documentElement.lang = current;
  document.title = catalogs[current]["app.title"];
  try {
    localStorage.setItem(storageKey, current);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
});

export function setLocale(next: Locale): void {
  locale.value = next;
  const url = new URL(location.href);
  url.searchParams.set("lang", next);
  history.replaceState(history.state, "", url);
}

/** The text for `key` in the current locale, `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogs[locale.value][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** `m:ss` (or `h:mm:ss`) for a timer. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** A clock time (with the date when not today) in the shop's zone. */
export function formatTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return t("none");
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return t("none");
  const sameDay = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const withDate = sameDay.format(at) !== sameDay.format(new Date());
  const key = `${locale.value}|${timeZone}|${withDate}`;
  let format = timeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale.value, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...(withDate ? { month: "numeric", day: "numeric" } : {}) });
    timeFormats.set(key, format);
  }
  return format.format(at);
}

export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return t("none");
  return new Intl.NumberFormat(locale.value, { style: "percent", maximumFractionDigits: 1 }).format(rate);
}
