import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { describeSetting, parseSettings, settingNames } from "../../functions/catalog/settings.js";
import { settingsFromContext } from "../../infra/config.js";

describe("settings schema", () => {
  it("gives every setting its documented default when absent or blank", () => {
    const defaults = parseSettings({});
    // ESCALATION_MODE's choices belong to supervision (checked there); the rest are the documented defaults.
    const { ESCALATION_MODE: escalationMode, ...rest } = defaults;
    expect(escalationMode).toBe(describeSetting("ESCALATION_MODE").default);
    expect(rest).toEqual({
      LARGE_ORDER_AMOUNT: 5000,
      KNOWN_AGENT_WINDOW_HOURS: 24,
      REQUEUE_AFTER_SECONDS: 60,
      HANDOVER_GRACE_MINUTES: 5,
      SHIFT_END_POLICY: "handover",
      AWAY_HANDOVER_MINUTES: 10,
      AWAY_POLICY: "handover",
      FIRST_RESPONSE_TIMEOUT_SECONDS: 180,
      ESCALATE_AFTER_SECONDS: 120,
      NOTICE_REMINDER_MINUTES: 5,
      STOCK_HOLD_MINUTES: 15,
      ADHERENCE_ALERT_MINUTES: 5,
      SHOP_TIME_ZONE: "Asia/Shanghai",
    });
    expect(parseSettings({ HANDOVER_GRACE_MINUTES: "", ESCALATION_MODE: "" })).toEqual(defaults);
    for (const name of settingNames) expect(describeSetting(name).default).toBe(String(defaults[name]));
  });

  it("parses whole numbers from environment text, at the edges of their ranges", () => {
    expect(parseSettings({ HANDOVER_GRACE_MINUTES: "0", STOCK_HOLD_MINUTES: " 1440 ", LARGE_ORDER_AMOUNT: "1" })).toMatchObject({ HANDOVER_GRACE_MINUTES: 0, STOCK_HOLD_MINUTES: 1440, LARGE_ORDER_AMOUNT: 1 });
  });

  it.each([
    ["HANDOVER_GRACE_MINUTES", "-5", "must be a whole number of minutes from 0 to 240"],
    ["HANDOVER_GRACE_MINUTES", "1.5", "must be a whole number of minutes from 0 to 240"],
    ["HANDOVER_GRACE_MINUTES", "241", "must be a whole number of minutes from 0 to 240"],
    ["STOCK_HOLD_MINUTES", "0", "must be a whole number of minutes from 1 to 1440"],
    ["LARGE_ORDER_AMOUNT", "5k", "must be a whole number of shop currency from 1 to 1000000000"],
    ["REQUEUE_AFTER_SECONDS", "Infinity", "must be a whole number of seconds from 1 to 3600"],
    ["SHIFT_END_POLICY", "handoff", "must be one of handover, keep"],
    ["AWAY_POLICY", "drop", "must be one of handover, keep"],
    ["SHOP_TIME_ZONE", "+08:00", "must be an IANA time zone such as Asia/Shanghai"],
    ["SHOP_TIME_ZONE", "Mars/Olympus", "must be an IANA time zone such as Asia/Shanghai"],
  ])("rejects %s=%s naming the variable and the range", (name, value, message) => {
    expect(() => parseSettings({ [name]: value })).toThrow(`${name}: ${message} (got "${value}")`);
  });

  it("stores the shop's time zone in its canonical spelling, as the rota does", () => {
    expect(parseSettings({ SHOP_TIME_ZONE: " asia/shanghai " }).SHOP_TIME_ZONE).toBe("Asia/Shanghai");
    expect(parseSettings({ SHOP_TIME_ZONE: "europe/berlin" }).SHOP_TIME_ZONE).toBe("Europe/Berlin");
  });

  it("lists every invalid setting at once", () => {
    expect(() => parseSettings({ HANDOVER_GRACE_MINUTES: "-1", AWAY_POLICY: "drop" })).toThrow(/HANDOVER_GRACE_MINUTES: .*\n\s+AWAY_POLICY: /);
  });
});

describe("functionSettings CDK context", () => {
  it("accepts valid values as text or JSON numbers", () => {
    const app = new App({ context: { functionSettings: '{"HANDOVER_GRACE_MINUTES":"10","ESCALATE_AFTER_SECONDS":60}' } });
    expect(settingsFromContext(app).functionSettings).toEqual({ HANDOVER_GRACE_MINUTES: "10", ESCALATE_AFTER_SECONDS: "60" });
  });

  it("fails synth on a value out of range, not only on an unknown name", () => {
    expect(() => settingsFromContext(new App({ context: { functionSettings: { HANDOVER_GRACE_MINUTES: "-5" } } }))).toThrow(/HANDOVER_GRACE_MINUTES: must be a whole number of minutes from 0 to 240 \(got "-5"\)/);
    expect(() => settingsFromContext(new App({ context: { functionSettings: { FIRST_RESPONSE_TIMEOUT_SECONDS: 1.5 } } }))).toThrow(/FIRST_RESPONSE_TIMEOUT_SECONDS: must be a whole number/);
    expect(() => settingsFromContext(new App({ context: { functionSettings: { AWAY_POLICY: true } } }))).toThrow(/functionSettings.AWAY_POLICY" must be one of handover, keep, got true/);
    expect(() => settingsFromContext(new App({ context: { functionSettings: { GRACE: "1" } } }))).toThrow(/unknown setting "GRACE"/);
    expect(() => settingsFromContext(new App({ context: { functionSettings: "{not json" } }))).toThrow(/must be a JSON object/);
  });
});

describe("settings at run time", () => {
  it("are parsed once per function at cold start: a bad value fails the function's start, naming it", async () => {
    const { baseEnv, runAsFunction, settings } = await import("../../functions/shared/env.js");
    const bad = { TABLE_NAME: "t", AWS_LAMBDA_FUNCTION_NAME: "SupervisionClock", HANDOVER_GRACE_MINUTES: "-5" };
    expect(() => runAsFunction(bad, () => baseEnv())).toThrow(/environment of SupervisionClock:\n\s+HANDOVER_GRACE_MINUTES: must be a whole number of minutes from 0 to 240 \(got "-5"\)/);
    const good = { TABLE_NAME: "t", HANDOVER_GRACE_MINUTES: "7" };
    const first = runAsFunction(good, () => settings());
    expect(first.HANDOVER_GRACE_MINUTES).toBe(7);
    expect(runAsFunction(good, () => settings())).toBe(first);
    expect(runAsFunction({ TABLE_NAME: "t" }, () => settings()).HANDOVER_GRACE_MINUTES).toBe(5);
  });

  it("take the local store's request timeout as whole milliseconds and refuse anything else", async () => {
    const { baseEnv, runAsFunction } = await import("../../functions/shared/env.js");
    expect(runAsFunction({ TABLE_NAME: "t", DYNAMODB_REQUEST_TIMEOUT_MS: "15000" }, () => baseEnv()).DYNAMODB_REQUEST_TIMEOUT_MS).toBe(15_000);
    expect(runAsFunction({ TABLE_NAME: "t" }, () => baseEnv()).DYNAMODB_REQUEST_TIMEOUT_MS).toBeUndefined();
    for (const bad of ["-5", "1.5", "soon", "50"]) expect(() => runAsFunction({ TABLE_NAME: "t", DYNAMODB_REQUEST_TIMEOUT_MS: bad }, () => baseEnv())).toThrow(/DYNAMODB_REQUEST_TIMEOUT_MS: must be 100-999999 \(ms\)/);
  });
});
