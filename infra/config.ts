/**
 * Deployment settings an operator may change per environment without editing code, read from
 * CDK context (`cdk.json` "context", or `npx cdk deploy -c key=value`). Every value is checked
 * once here so a typo fails synth with a message naming the key, instead of deploying a stack
 * whose alarms never fire.
 */
import type { Construct } from "constructs";
import { describeSetting, settingNames, settingsSchema, settingIssues, type FunctionSettingName } from "../functions/catalog/settings.js";

export interface InfraSettings {
  /** Prefix of both stack names: `<prefix>-Stateful`, `<prefix>-Stateless`. */
  readonly stackPrefix: string;
  /** Alarm when the oldest message of a main queue is older than this (seconds). */
  readonly queueAgeAlarmSeconds: number;
  /** Alarm when a function reports more than this many errors in five minutes. */
  readonly functionErrorsAlarmThreshold: number;
  /**
   * Alarm when a table-stream consumer's oldest unprocessed record is older than this (seconds,
   * Lambda's IteratorAge) for five minutes: it is failing or falling behind, and it never skips a
   * window, so its aggregates are late (after 24 h the stream trims what it has not read).
   */
  readonly streamLagAlarmSeconds: number;
  /** Retention of function and API access logs, in days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** Steady-state request rate of the HTTP API default stage (requests per second). */
  readonly httpThrottleRateLimit: number;
  /** Burst limit of the HTTP API default stage. */
  readonly httpThrottleBurstLimit: number;
  /** Optional address subscribed to the alarm topic (a confirmation mail is sent on deploy). */
  readonly alarmEmail: string | undefined;
  /**
   * Whether this app sets the account/region-wide API Gateway CloudWatch Logs role that
   * WebSocket access logs need. Turn off where the account already manages that setting.
   */
  readonly manageApiGatewayAccountRole: boolean;
  /** The chat platform's URL for assignment callbacks (`-c assignmentCallbackUrl=https://…`); unset: callbacks off. */
  readonly assignmentCallbackUrl: string | undefined;
  /** Thresholds passed to every function as environment variables (see functions/catalog/settings.ts). */
  readonly functionSettings: Partial<Record<FunctionSettingName, string>>;
  /**
   * Prefix of the console's Cognito managed login domain (`<prefix>.auth.<region>.amazoncognito.com`):
   * unique in its region, so give each deployment its own (`-c consoleDomainPrefix=myshop-console`).
   * Default: the stack prefix in lower case, `-console`.
   */
  readonly consoleDomainPrefix: string;
}

export const defaultSettings: InfraSettings = {
  stackPrefix: "ShiftQueue",
  queueAgeAlarmSeconds: 300,
  functionErrorsAlarmThreshold: 0,
  // Ten 30 s windows: a window is normally read within seconds of its records.
  streamLagAlarmSeconds: 300,
  logRetentionDays: 30,
  // Sized for a Double 11 rush: tenfold chat volume on a few dozen agents' consoles.
  httpThrottleRateLimit: 500,
  httpThrottleBurstLimit: 1000,
  alarmEmail: undefined,
  manageApiGatewayAccountRole: true,
  assignmentCallbackUrl: undefined,
  functionSettings: {},
  consoleDomainPrefix: "shiftqueue-console",
};

/**
 * The `functionSettings` context: names and values checked against the same schema the functions
 * parse at cold start, so `-c functionSettings='{"HANDOVER_GRACE_MINUTES":"-5"}'` fails synth.
 * Numbers may be given as JSON numbers; every value is passed to the functions as text.
 */
function contextFunctionSettings(scope: Construct): Partial<Record<FunctionSettingName, string>> {
  const raw: unknown = scope.node.tryGetContext("functionSettings");
  if (raw === undefined || raw === null || raw === "") return {};
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`CDK context "functionSettings" must be a JSON object of setting name to value, got ${JSON.stringify(raw)}.`);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`CDK context "functionSettings" must be an object of setting name to value, got ${JSON.stringify(raw)}.`);
  }
  const out: Partial<Record<FunctionSettingName, string>> = {};
  for (const [name, setting] of Object.entries(value)) {
    const settingName = settingNames.find((n) => n === name);
    if (!settingName) {
      throw new Error(`CDK context "functionSettings" names an unknown setting "${name}". Known: ${settingNames.join(", ")}.`);
    }
    if (typeof setting !== "string" && typeof setting !== "number") {
      throw new Error(`CDK context "functionSettings.${name}" must be ${describeSetting(settingName).expects}, got ${JSON.stringify(setting)}.`);
    }
    out[settingName] = String(setting);
  }
  const checked = settingsSchema.safeParse(out);
  if (!checked.success) {
    throw new Error(`CDK context "functionSettings" has invalid values:\n  ${settingIssues(checked.error, out).join("\n  ")}\nFix them in cdk.json or pass -c functionSettings='{...}'.`);
  }
  return out;
}

/** Retention periods CloudWatch Logs accepts (mirrors `RetentionDays` without the infinite one). */
const allowedRetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function contextNumber(scope: Construct, key: string, fallback: number, check: (n: number) => boolean, expectation: string): number {
  const raw: unknown = scope.node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === "") return fallback;
  const value = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isFinite(value) || !check(value)) {
    throw new Error(`CDK context "${key}" must be ${expectation}, got ${JSON.stringify(raw)}. Fix it in cdk.json or pass -c ${key}=<value>.`);
  }
  return value;
}

function contextString(scope: Construct, key: string, fallback: string | undefined, pattern: RegExp, expectation: string): string | undefined {
  const raw: unknown = scope.node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === "") return fallback;
  if (typeof raw !== "string" || !pattern.test(raw)) {
    throw new Error(`CDK context "${key}" must be ${expectation}, got ${JSON.stringify(raw)}. Fix it in cdk.json or pass -c ${key}=<value>.`);
  }
  return raw;
}

function contextBoolean(scope: Construct, key: string, fallback: boolean): boolean {
  const raw: unknown = scope.node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === "") return fallback;
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  throw new Error(`CDK context "${key}" must be true or false, got ${JSON.stringify(raw)}. Fix it in cdk.json or pass -c ${key}=<value>.`);
}

/**
 * Reads the settings from the app's context, falling back to {@link defaultSettings}.
 *
 * @example
 * // npx cdk deploy --all -c queueAgeAlarmSeconds=120 -c alarmEmail=oncall@example.com
 * const settings = settingsFromContext(app);
 */
export function settingsFromContext(scope: Construct): InfraSettings {
  const isPositiveInt = (n: number) => Number.isInteger(n) && n > 0;
  const stackPrefix =
    contextString(scope, "stackPrefix", defaultSettings.stackPrefix, /^[A-Za-z][A-Za-z0-9-]{0,40}$/, "a letter followed by up to 40 letters, digits or hyphens") ?? defaultSettings.stackPrefix;
  return {
    stackPrefix,
    queueAgeAlarmSeconds: contextNumber(scope, "queueAgeAlarmSeconds", defaultSettings.queueAgeAlarmSeconds, isPositiveInt, "a positive whole number of seconds"),
    functionErrorsAlarmThreshold: contextNumber(
      scope,
      "functionErrorsAlarmThreshold",
      defaultSettings.functionErrorsAlarmThreshold,
      (n) => Number.isInteger(n) && n >= 0,
      "a whole number of errors, 0 or more",
    ),
    streamLagAlarmSeconds: contextNumber(scope, "streamLagAlarmSeconds", defaultSettings.streamLagAlarmSeconds, isPositiveInt, "a positive whole number of seconds"),
    logRetentionDays: contextNumber(
      scope,
      "logRetentionDays",
      defaultSettings.logRetentionDays,
      (n) => allowedRetentionDays.includes(n),
      `one of ${allowedRetentionDays.join(", ")}`,
    ),
    httpThrottleRateLimit: contextNumber(scope, "httpThrottleRateLimit", defaultSettings.httpThrottleRateLimit, isPositiveInt, "a positive whole number of requests per second"),
    httpThrottleBurstLimit: contextNumber(scope, "httpThrottleBurstLimit", defaultSettings.httpThrottleBurstLimit, isPositiveInt, "a positive whole number of requests"),
    alarmEmail: contextString(scope, "alarmEmail", defaultSettings.alarmEmail, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an e-mail address"),
    manageApiGatewayAccountRole: contextBoolean(scope, "manageApiGatewayAccountRole", defaultSettings.manageApiGatewayAccountRole),
    assignmentCallbackUrl: contextString(scope, "assignmentCallbackUrl", defaultSettings.assignmentCallbackUrl, /^https:\/\/[^\s]+$/, "an https:// URL"),
    functionSettings: contextFunctionSettings(scope),
    consoleDomainPrefix: consoleDomainPrefix(scope, stackPrefix),
  };
}

/** Cognito's rule for a domain prefix: lower-case letters, digits and hyphens, no reserved words. */
function consoleDomainPrefix(scope: Construct, stackPrefix: string): string {
  const fallback = `${stackPrefix.toLowerCase()}-console`;
  const value = contextString(scope, "consoleDomainPrefix", fallback, /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "1-63 lower-case letters, digits or hyphens (not at either end)") ?? fallback;
  if (/aws|amazon|cognito/.test(value)) {
    throw new Error(`CDK context "consoleDomainPrefix" must not contain aws, amazon or cognito (Cognito refuses it), got "${value}". Pass -c consoleDomainPrefix=<prefix>.`);
  }
  return value;
}
