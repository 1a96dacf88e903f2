/**
 * Every tunable threshold of the backend, declared once: name, type, range, default and meaning.
 * The same schema checks the values in both runtimes: the CDK app validates the `functionSettings`
 * context at synth (`-c functionSettings='{"HANDOVER_GRACE_MINUTES":"10"}'`) and sets them on
 * every function as environment variables; each function parses its environment with it once,
 * at cold start (functions/shared/env.ts `settings()`), so a bad value fails the deploy or the
 * function's start with a message naming the variable, never a request later.
 *
 * Values arrive as environment strings; a blank or absent value means the default. These are the
 * defaults only: a supervisor changes any of them live with `PUT /settings` (functions/settings),
 * checked by the same schema, and every function reads the values in force through
 * `currentSettings()` (functions/settings/current.ts), never `settings()` directly.
 */
import * as z from "zod/mini";

export interface SettingInfo {
  description: string;
  /** The default as the environment would spell it. */
  default: string;
  /** What a valid value looks like, for error messages and docs. */
  expects: string;
  /** Its JSON form in `PUT /settings`: whole numbers are JSON numbers, choices and zones strings. */
  kind: "whole-number" | "choice" | "time-zone";
  /** Whole numbers: the inclusive range and the unit. */
  min?: number;
  max?: number;
  unit?: string;
  /** Choices: the allowed values. */
  choices?: readonly string[];
}

/** Description, default and expected form of each setting, keyed by its schema. */
export const settingInfo = z.registry<SettingInfo>();

const blankIsAbsent = (value: unknown) => (value === "" ? undefined : value);

/** Environment text to number when it reads as one ("1.5" stays a number so the int check names it). */
function numberFromText(value: unknown): unknown {
  if (value === "") return undefined;
  if (typeof value !== "string") return value;
  const number = Number(value.trim());
  return value.trim() !== "" && Number.isFinite(number) ? number : value;
}

function wholeNumber(options: { default: number; min: number; max: number; unit: string; description: string }) {
  const expects = `a whole number of ${options.unit} from ${options.min} to ${options.max}`;
  const error = `must be ${expects}`;
  return z
    .pipe(z.transform(numberFromText), z._default(z.int({ error }).check(z.minimum(options.min, { error }), z.maximum(options.max, { error })), options.default))
    .register(settingInfo, { description: options.description, default: String(options.default), expects, kind: "whole-number", min: options.min, max: options.max, unit: options.unit });
}

function oneOf<const T extends readonly [string, ...string[]]>(choices: T, options: { default: T[number]; description: string }) {
  const expects = `one of ${choices.join(", ")}`;
  return z
    .pipe(z.transform(blankIsAbsent), z._default(z.enum(choices, { error: `must be ${expects}` }), options.default))
    .register(settingInfo, { description: options.description, default: options.default, expects, kind: "choice", choices });
}

/** The canonical spelling of an IANA zone name (`asia/shanghai` → `Asia/Shanghai`, as the rota stores zones), or undefined (an offset such as +08:00, an unknown name). */
function canonicalZone(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function zoneFromText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const name = value.trim();
  return name === "" ? undefined : (canonicalZone(name) ?? value);
}

function ianaZone(options: { default: string; description: string }) {
  const expects = "an IANA time zone such as Asia/Shanghai";
  const isZone = (name: string) => canonicalZone(name) === name;
  return z
    .pipe(z.transform(zoneFromText), z._default(z.string({ error: `must be ${expects}` }).check(z.refine(isZone, { error: `must be ${expects}` })), options.default))
    .register(settingInfo, { description: options.description, default: options.default, expects, kind: "time-zone" });
}

export const settingsSchema = z.object({
  LARGE_ORDER_AMOUNT: wholeNumber({ default: 5000, min: 1, max: 1_000_000_000, unit: "shop currency", description: "Order amount (shop currency) at or above which a conversation is raised to high priority" }),
  KNOWN_AGENT_WINDOW_HOURS: wholeNumber({ default: 24, min: 0, max: 24 * 90, unit: "hours", description: "A returning customer goes back to the agent who served them within this many hours (0: never)" }),
  REQUEUE_AFTER_SECONDS: wholeNumber({ default: 60, min: 1, max: 3600, unit: "seconds", description: "The sweeper re-drives conversations still queued this long after arrival" }),
  HANDOVER_GRACE_MINUTES: wholeNumber({ default: 5, min: 0, max: 240, unit: "minutes", description: "After a shift ends, open conversations are handed over after this grace period" }),
  SHIFT_END_POLICY: oneOf(["handover", "keep"], { default: "handover", description: "handover | keep: what happens to open conversations at shift end" }),
  AWAY_HANDOVER_MINUTES: wholeNumber({ default: 10, min: 0, max: 1440, unit: "minutes", description: "Away/offline agents' open conversations are handed over after this long" }),
  AWAY_POLICY: oneOf(["handover", "keep"], { default: "handover", description: "handover | keep: what happens to an away/offline agent's open conversations" }),
  FIRST_RESPONSE_TIMEOUT_SECONDS: wholeNumber({ default: 180, min: 10, max: 3600, unit: "seconds", description: "No first response within this time: the conversation is offered to another agent" }),
  ESCALATE_AFTER_SECONDS: wholeNumber({ default: 120, min: 0, max: 86_400, unit: "seconds", description: "A conversation waiting longer than this is escalated" }),
  ESCALATION_MODE: oneOf(["notify", "fallback", "fallback-and-notify"], { default: "notify", description: "notify | fallback | fallback-and-notify: tell supervisors and/or let agents with one of the skill's fallback skills take it (never any skill)" }),
  NOTICE_REMINDER_MINUTES: wholeNumber({ default: 5, min: 1, max: 1440, unit: "minutes", description: "Unacknowledged urgent notices are pushed again at this interval" }),
  STOCK_HOLD_MINUTES: wholeNumber({ default: 15, min: 1, max: 1440, unit: "minutes", description: "Reservations for unpaid orders release themselves after this long" }),
  ADHERENCE_ALERT_MINUTES: wholeNumber({ default: 5, min: 1, max: 240, unit: "minutes", description: "Supervisors are alerted (WebSocket) when an on-duty agent has not been online for longer than this" }),
  SHOP_TIME_ZONE: ianaZone({ default: "Asia/Shanghai", description: "The shop's time zone (IANA name): notices and views show times in it" }),
});

export type FunctionSettings = z.infer<typeof settingsSchema>;
export type FunctionSettingName = keyof FunctionSettings;

export const settingNames = z.keyof(settingsSchema).options;

/** A setting's description, default and expected form (README, CDK error messages). */
export function describeSetting(name: FunctionSettingName): SettingInfo {
  const info = settingInfo.get(settingsSchema.shape[name]);
  if (!info) throw new Error(`Setting ${name} is declared without its description (declare it with wholeNumber or oneOf)`);
  return info;
}

/** One problem per invalid setting: `NAME: must be … (got "value")`. */
export function settingIssues(error: z.core.$ZodError, source: Record<string, unknown>): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "(settings)");
    return `${name}: ${issue.message} (got ${JSON.stringify(source[name])})`;
  });
}

/**
 * Parses settings from environment-style text; throws one error listing every invalid value.
 *
 * @example
 * parseSettings({ HANDOVER_GRACE_MINUTES: "10" }).HANDOVER_GRACE_MINUTES; // 10
 * parseSettings({ HANDOVER_GRACE_MINUTES: "-5" }); // throws: must be a whole number of minutes from 0 to 240
 */
export function parseSettings(source: Record<string, unknown>, where = "environment"): FunctionSettings {
  const result = z.safeParse(settingsSchema, source);
  if (!result.success) throw new Error(`Invalid settings in the ${where}:\n  ${settingIssues(result.error, source).join("\n  ")}`);
  return result.data;
}
