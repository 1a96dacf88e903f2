/**
 * Live settings, the pure part: which value of each setting is in force (a live value a
 * supervisor set, else the environment's, else the built-in default), the checks a requested
 * value must pass, and what a change changes. No AWS.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { describeSetting, parseSettings, settingNames, settingsSchema, type FunctionSettingName, type FunctionSettings, type SettingInfo } from "../catalog/settings.js";
import { ValidationError, type FieldError } from "../shared/errors.js";

export type SettingValue = string | number;
/** Where a value in force comes from. */
export type SettingSource = "default" | "environment" | "live";

/** The live settings item (functions/shared/table/entities/settings.ts). */
export interface StoredSettings {
  version: number;
  values: Record<string, SettingValue>;
  updatedAt: string;
  updatedBy: string;
}

export function isSettingName(name: string): name is FunctionSettingName {
  return (settingNames as readonly string[]).includes(name);
}

/**
 * Checks one value in its JSON form: whole numbers must be JSON numbers, choices and zones
 * strings (environment text such as "10" is for the environment only), each within its range.
 * Returns the value as stored (a zone in its canonical spelling) or the message for the caller.
 *
 * @example
 * checkValue("LARGE_ORDER_AMOUNT", 8000); // { ok: true, value: 8000 }
 * checkValue("LARGE_ORDER_AMOUNT", "8000"); // { ok: false, message: "must be a JSON number: a whole number of shop currency from 1 to 1000000000" }
 */
export function checkValue(name: FunctionSettingName, value: unknown): { ok: true; value: SettingValue } | { ok: false; message: string } {
  const info = describeSetting(name);
  const json = info.kind === "whole-number" ? "number" : "string";
  if (typeof value !== json) return { ok: false, message: `must be a JSON ${json}: ${info.expects}` };
  const schema: z.core.$ZodType<SettingValue> = settingsSchema.shape[name];
  const result = z.safeParse(schema, value);
  if (!result.success) return { ok: false, message: result.error.issues[0]?.message ?? `must be ${info.expects}` };
  return { ok: true, value: result.data };
}

/** A stored live value that does not fit its setting any more (a deploy narrowed its range): ignored. */
export interface IgnoredValue {
  name: string;
  value: unknown;
  message: string;
}

export interface ResolvedSettings {
  values: FunctionSettings;
  sources: Record<FunctionSettingName, SettingSource>;
  /** 0 while no setting was ever changed live. */
  version: number;
  ignored: IgnoredValue[];
}

function setInEnvironment(environment: Readonly<Record<string, string | undefined>>, name: string): boolean {
  const text = environment[name];
  return text !== undefined && text.trim() !== "";
}

/**
 * The values in force: `stored`'s live values over the environment's (which CDK context or the
 * local stack set; absent ones take the schema's default). The environment was checked at cold
 * start, so parsing it here cannot fail.
 *
 * @example
 * resolveSettings({ LARGE_ORDER_AMOUNT: "6000" }, { version: 2, values: { LARGE_ORDER_AMOUNT: 8000 }, updatedAt, updatedBy }).values.LARGE_ORDER_AMOUNT; // 8000
 */
export function resolveSettings(environment: Readonly<Record<string, string | undefined>>, stored?: Pick<StoredSettings, "version" | "values">): ResolvedSettings {
  const live: Record<string, SettingValue> = {};
  const ignored: IgnoredValue[] = [];
  for (const [name, value] of Object.entries(stored?.values ?? {})) {
    if (!isSettingName(name)) {
      ignored.push({ name, value, message: "no longer a setting" });
      continue;
    }
    const checked = checkValue(name, value);
    if (checked.ok) live[name] = checked.value;
    else ignored.push({ name, value, message: checked.message });
  }
  const fromEnvironment = Object.fromEntries(settingNames.filter((n) => setInEnvironment(environment, n)).map((n) => [n, environment[n]]));
  const sources = Object.fromEntries(settingNames.map((n) => [n, n in live ? "live" : n in fromEnvironment ? "environment" : "default"])) as Record<FunctionSettingName, SettingSource>;
  return { values: parseSettings({ ...fromEnvironment, ...live }), sources, version: stored?.version ?? 0, ignored };
}

/** `PUT /settings`: the settings to change (null: back to the environment's value), and optionally the version read. */
const putBodySchema = lazy(() => z.strictObject({
  version: z.optional(z.number().check(z.int(), z.minimum(0))),
  values: z.record(z.string(), z.unknown()),
}));

export interface SettingsUpdate {
  /** The version the caller read: the change applies only on top of it. */
  version?: number;
  values: Partial<Record<FunctionSettingName, SettingValue | null>>;
}

/**
 * Reads a `PUT /settings` body; throws one 400 naming every bad field (`values.NAME`), so a
 * request with one bad value changes nothing. `ifMatch` is the `If-Match` header (`"3"`), an
 * alternative to `version`.
 */
export function parseUpdate(body: unknown, ifMatch?: string): SettingsUpdate {
  const parsed = z.safeParse(putBodySchema, body);
  if (!parsed.success) throw new ValidationError("The request body is invalid: send { \"values\": { NAME: value, … }, \"version\"?: n }.", {
      errors: parsed.error.issues.map((issue) => ({ field: issue.path.map(String).join(".") || "(body)", message: issue.message })),
    });
  const errors: FieldError[] = [];
  const values: SettingsUpdate["values"] = {};
  const names = Object.keys(parsed.data.values);
  if (names.length === 0) errors.push({ field: "values", message: "must name at least one setting" });
  for (const name of names) {
    const value = parsed.data.values[name];
    if (!isSettingName(name)) {
      errors.push({ field: `values.${name}`, message: `unknown setting; known: ${settingNames.join(", ")}` });
      continue;
    }
    if (value === null) {
      values[name] = null;
      continue;
    }
    const checked = checkValue(name, value);
    if (checked.ok) values[name] = checked.value;
    else errors.push({ field: `values.${name}`, message: checked.message });
  }
  const headerVersion = ifMatch === undefined ? undefined : versionOfIfMatch(ifMatch);
  if (headerVersion === null) errors.push({ field: "If-Match", message: 'must be a settings version as GET /settings gives it in ETag, e.g. "3"' });
  const version = parsed.data.version ?? headerVersion ?? undefined;
  if (parsed.data.version !== undefined && typeof headerVersion === "number" && headerVersion !== parsed.data.version) {
    errors.push({ field: "version", message: `disagrees with If-Match (${headerVersion}); send one of them` });
  }
  if (errors.length > 0) throw new ValidationError(`${errors.length === 1 ? "One value is" : `${errors.length} values are`} invalid; nothing was changed.`, { errors });
  return { ...(version !== undefined ? { version } : {}), values };
}

/** `"3"`, `W/"3"` or `3` → 3; `*` → undefined (any version); anything else → null. */
function versionOfIfMatch(header: string): number | undefined | null {
  const text = header.trim();
  if (text === "*") return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(text);
  return match ? Number(match[1]) : null;
}

/** The ETag of a settings version. */
export const etagOf = (version: number) => `"${version}"`;

/** One setting's change, as audited: the value in force before and after, and where each came from. */
export interface SettingChange {
  from: SettingValue;
  to: SettingValue;
  fromSource: SettingSource;
  toSource: SettingSource;
}

/**
 * The live values after `update`, and what changed in force. A value equal to the one in force
 * but now live (it no longer follows the environment) is a change too; naming a setting with the
 * value it already has live is not.
 */
export function applyUpdate(environment: Readonly<Record<string, string | undefined>>, stored: StoredSettings | undefined, update: SettingsUpdate) {
  const values: Record<string, SettingValue> = { ...(stored?.values ?? {}) };
  for (const [name, value] of Object.entries(update.values)) {
    if (value === null || value === undefined) delete values[name];
    else values[name] = value;
  }
  const before = resolveSettings(environment, stored);
  const after = resolveSettings(environment, { version: before.version + 1, values });
  const changes: Partial<Record<FunctionSettingName, SettingChange>> = {};
  for (const name of settingNames) {
    const from = before.values[name];
    const to = after.values[name];
    if (from !== to || before.sources[name] !== after.sources[name]) changes[name] = { from, to, fromSource: before.sources[name], toSource: after.sources[name] };
  }
  return { values, changes };
}

export interface SettingView extends Omit<SettingInfo, "default"> {
  /** In force (every function within the cache period). */
  value: SettingValue;
  source: SettingSource;
  /** What applies without a live value: the environment's, else the built-in default. */
  default: SettingValue;
  defaultSource: Exclude<SettingSource, "live">;
  builtInDefault: SettingValue;
}

/** `GET /settings`: every setting with its value in force, its default and where each comes from. */
export function settingsView(environment: Readonly<Record<string, string | undefined>>, stored: StoredSettings | undefined, cacheSeconds: number) {
  const resolved = resolveSettings(environment, stored);
  const withoutLive = resolveSettings(environment);
  const builtIn = parseSettings({});
  const settings: Partial<Record<FunctionSettingName, SettingView>> = {};
  for (const name of settingNames) {
    const { default: _text, ...info } = describeSetting(name);
    const defaultSource = withoutLive.sources[name] === "environment" ? "environment" : "default";
    settings[name] = { value: resolved.values[name], source: resolved.sources[name], default: withoutLive.values[name], defaultSource, builtInDefault: builtIn[name], ...info };
  }
  return {
    version: resolved.version,
    updatedAt: stored?.updatedAt ?? null,
    updatedBy: stored?.updatedBy ?? null,
    /** A change is in force in every function within this many seconds. */
    cacheSeconds,
    settings,
    ...(resolved.ignored.length > 0 ? { ignored: resolved.ignored } : {}),
  };
}
