/**
 * Live settings, the pure part (functions/settings/domain.ts) and the per-container cache
 * (functions/shared/ttl-cache.ts): which value is in force and where it comes from, the checks a
 * requested value passes, what a change changes, and how often the item is read.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { settingNames } from "../../functions/catalog/settings.js";
import { ValidationError } from "../../functions/shared/errors.js";
import { ttlCache } from "../../functions/shared/ttl-cache.js";
import { applyUpdate, checkValue, parseUpdate, resolveSettings, settingsView, type StoredSettings } from "../../functions/settings/domain.js";

const stored = (values: StoredSettings["values"], version = 1): StoredSettings => ({ version, values, updatedAt: "2026-11-11T00:00:00.000Z", updatedBy: "supervisor:s1" });

function validationErrors(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("the settings in force", () => {
  it("takes a live value over the environment's, the environment's over the built-in default, and says which", () => {
    const resolved = resolveSettings({ LARGE_ORDER_AMOUNT: "6000", ESCALATE_AFTER_SECONDS: "90" }, stored({ LARGE_ORDER_AMOUNT: 8000, SHOP_TIME_ZONE: "Europe/Berlin" }, 4));
    expect(resolved.values).toMatchObject({ LARGE_ORDER_AMOUNT: 8000, ESCALATE_AFTER_SECONDS: 90, SHOP_TIME_ZONE: "Europe/Berlin", STOCK_HOLD_MINUTES: 15 });
    expect(resolved.sources).toMatchObject({ LARGE_ORDER_AMOUNT: "live", ESCALATE_AFTER_SECONDS: "environment", SHOP_TIME_ZONE: "live", STOCK_HOLD_MINUTES: "default" });
    expect(resolved.version).toBe(4);
    expect(resolveSettings({}).version).toBe(0);
  });

  it("ignores a stored value that no longer fits its setting, or names no setting, and uses the environment's", () => {
    const resolved = resolveSettings({ HANDOVER_GRACE_MINUTES: "7" }, stored({ HANDOVER_GRACE_MINUTES: 9999, RETIRED_SETTING: 1, AWAY_POLICY: "keep" }));
    expect(resolved.values.HANDOVER_GRACE_MINUTES).toBe(7);
    expect(resolved.sources.HANDOVER_GRACE_MINUTES).toBe("environment");
    expect(resolved.values.AWAY_POLICY).toBe("keep");
    expect(resolved.ignored.map((i) => i.name)).toEqual(["HANDOVER_GRACE_MINUTES", "RETIRED_SETTING"]);
  });
});

describe("a requested value", () => {
  it.each([
    ["LARGE_ORDER_AMOUNT", 0, "must be a whole number of shop currency from 1 to 1000000000"],
    ["LARGE_ORDER_AMOUNT", 1.5, "must be a whole number of shop currency from 1 to 1000000000"],
    ["LARGE_ORDER_AMOUNT", "8000", "must be a JSON number: a whole number of shop currency from 1 to 1000000000"],
    ["ESCALATE_AFTER_SECONDS", 86_401, "must be a whole number of seconds from 0 to 86400"],
    ["ESCALATION_MODE", "any", "must be one of notify, fallback, fallback-and-notify"],
    ["ESCALATION_MODE", 1, "must be a JSON string: one of notify, fallback, fallback-and-notify"],
    ["SHOP_TIME_ZONE", "+08:00", "must be an IANA time zone such as Asia/Shanghai"],
    ["SHOP_TIME_ZONE", true, "must be a JSON string: an IANA time zone such as Asia/Shanghai"],
  ] as const)("%s = %j is refused: %s", (name, value, message) => {
    expect(checkValue(name, value)).toEqual({ ok: false, message });
  });

  it("is accepted at the edges of its range, a zone in its canonical spelling", () => {
    expect(checkValue("ESCALATE_AFTER_SECONDS", 0)).toEqual({ ok: true, value: 0 });
    expect(checkValue("LARGE_ORDER_AMOUNT", 1_000_000_000)).toEqual({ ok: true, value: 1_000_000_000 });
    expect(checkValue("SHOP_TIME_ZONE", "asia/tokyo")).toEqual({ ok: true, value: "Asia/Tokyo" });
  });
});

describe("PUT /settings body", () => {
  it("names every bad value under values.NAME at once", () => {
    const errors = validationErrors(() => parseUpdate({ values: { LARGE_ORDER_AMOUNT: -1, ESCALATION_MODE: "loud", NOT_A_SETTING: 3, STOCK_HOLD_MINUTES: 30 } }));
    expect(errors?.map((e) => e.field)).toEqual(["values.LARGE_ORDER_AMOUNT", "values.ESCALATION_MODE", "values.NOT_A_SETTING"]);
    expect(errors?.[2]?.message).toContain("unknown setting; known: LARGE_ORDER_AMOUNT");
  });

  it("refuses an empty change, a body without values, extra fields and a bad version", () => {
    expect(validationErrors(() => parseUpdate({ values: {} }))).toEqual([{ field: "values", message: "must name at least one setting" }]);
    expect(validationErrors(() => parseUpdate(undefined))?.[0]?.field).toBe("(body)");
    expect(validationErrors(() => parseUpdate({ LARGE_ORDER_AMOUNT: 8000 }))?.map((e) => e.field)).toContain("values");
    expect(validationErrors(() => parseUpdate({ values: { LARGE_ORDER_AMOUNT: 8000 }, version: -1 }))?.[0]?.field).toBe("version");
    expect(validationErrors(() => parseUpdate({ values: { LARGE_ORDER_AMOUNT: 8000 } }, "abc"))).toEqual([{ field: "If-Match", message: expect.stringContaining("ETag") }]);
    expect(validationErrors(() => parseUpdate({ values: { LARGE_ORDER_AMOUNT: 8000 }, version: 2 }, '"3"'))?.[0]?.field).toBe("version");
  });

  it("takes null as 'back to the environment', and the version from the body or If-Match", () => {
    expect(parseUpdate({ values: { LARGE_ORDER_AMOUNT: null, SHOP_TIME_ZONE: "europe/paris" } })).toEqual({ values: { LARGE_ORDER_AMOUNT: null, SHOP_TIME_ZONE: "Europe/Paris" } });
    expect(parseUpdate({ values: { LARGE_ORDER_AMOUNT: 1 }, version: 0 }).version).toBe(0);
    expect(parseUpdate({ values: { LARGE_ORDER_AMOUNT: 1 } }, '"7"').version).toBe(7);
    expect(parseUpdate({ values: { LARGE_ORDER_AMOUNT: 1 } }, 'W/"7"').version).toBe(7);
    expect(parseUpdate({ values: { LARGE_ORDER_AMOUNT: 1 } }, "*").version).toBeUndefined();
  });
});

describe("a change", () => {
  it("records old → new and the sources of each changed setting, and only those", () => {
    const { values, changes } = applyUpdate({ ESCALATE_AFTER_SECONDS: "120" }, stored({ LARGE_ORDER_AMOUNT: 8000, AWAY_POLICY: "keep" }), { values: { LARGE_ORDER_AMOUNT: 9000, ESCALATE_AFTER_SECONDS: 30, AWAY_POLICY: null } });
    expect(values).toEqual({ LARGE_ORDER_AMOUNT: 9000, ESCALATE_AFTER_SECONDS: 30 });
    expect(changes).toEqual({
      LARGE_ORDER_AMOUNT: { from: 8000, to: 9000, fromSource: "live", toSource: "live" },
      ESCALATE_AFTER_SECONDS: { from: 120, to: 30, fromSource: "environment", toSource: "live" },
      AWAY_POLICY: { from: "keep", to: "handover", fromSource: "live", toSource: "default" },
    });
  });

  it("is nothing when the named values are already live; pinning the environment's value live is one", () => {
    expect(applyUpdate({}, stored({ LARGE_ORDER_AMOUNT: 8000 }), { values: { LARGE_ORDER_AMOUNT: 8000 } }).changes).toEqual({});
    expect(applyUpdate({ LARGE_ORDER_AMOUNT: "8000" }, undefined, { values: { LARGE_ORDER_AMOUNT: 8000 } }).changes).toEqual({ LARGE_ORDER_AMOUNT: { from: 8000, to: 8000, fromSource: "environment", toSource: "live" } });
  });
});

describe("GET /settings view", () => {
  it("lists every setting with its value, default, sources and limits, and the version and last change", () => {
    const view = settingsView({ ESCALATE_AFTER_SECONDS: "90" }, stored({ ESCALATE_AFTER_SECONDS: 30 }, 2), 10);
    expect(Object.keys(view.settings)).toEqual([...settingNames]);
    expect(view).toMatchObject({ version: 2, updatedBy: "supervisor:s1", cacheSeconds: 10 });
    expect(view.settings.ESCALATE_AFTER_SECONDS).toMatchObject({ value: 30, source: "live", default: 90, defaultSource: "environment", builtInDefault: 120, kind: "whole-number", min: 0, max: 86_400, unit: "seconds" });
    expect(view.settings.ESCALATION_MODE).toMatchObject({ value: "notify", source: "default", default: "notify", defaultSource: "default", kind: "choice", choices: ["notify", "fallback", "fallback-and-notify"] });
    expect(view.settings.SHOP_TIME_ZONE).toMatchObject({ value: "Asia/Shanghai", kind: "time-zone" });
    expect(settingsView({}, undefined, 10)).toMatchObject({ version: 0, updatedAt: null, updatedBy: null });
  });
});

describe("use sites", () => {
  it("read the settings in force (currentSettings), never the cold-start environment's settings() directly", () => {
    const root = join(import.meta.dirname, "..", "..");
    const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith(".ts") ? [join(dir, name)] : []));
    const allowed = new Set(["functions/shared/env.ts", "functions/settings/current.ts"]);
    const offenders = files(join(root, "functions"))
      .map((file) => relative(root, file))
      .filter((file) => !allowed.has(file) && /(^|[^\w.])settings\(\)/.test(readFileSync(join(root, file), "utf8").replace(/^\s*(\*|\/\/).*$/gm, "")));
    expect(offenders).toEqual([]);
  });
});

describe("the per-container cache", () => {
  function clock() {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }

  it("reads once per period however many calls, and again once the period is over", async () => {
    const time = clock();
    let reads = 0;
    const get = ttlCache(async () => ++reads, { ttlMs: 10_000, now: time.now });
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    time.advance(9_999);
    expect(await get()).toBe(1);
    time.advance(1);
    expect(await get()).toBe(2);
    expect(reads).toBe(2);
  });

  it("counts a value's age from the start of its read, so a slow read is not served past the period", async () => {
    const time = clock();
    let reads = 0;
    const get = ttlCache(
      async () => {
        time.advance(4_000);
        return ++reads;
      },
      { ttlMs: 10_000, now: time.now },
    );
    await get();
    time.advance(6_000);
    expect(await get()).toBe(2);
  });

  it("keeps the last value when a refresh fails and tries again after the retry pause; with no value the error is the caller's", async () => {
    const time = clock();
    let fail = true;
    const stale: unknown[] = [];
    const failing = ttlCache(async () => (fail ? Promise.reject(new Error("down")) : 1), { ttlMs: 10_000, now: time.now, onStale: (e) => stale.push(e) });
    await expect(failing()).rejects.toThrow("down");
    fail = false;
    expect(await failing()).toBe(1);

    let value = 1;
    let down = false;
    const get = ttlCache(async () => (down ? Promise.reject(new Error("down")) : value), { ttlMs: 10_000, retryMs: 1_000, now: time.now, onStale: (e) => stale.push(e) });
    expect(await get()).toBe(1);
    down = true;
    value = 2;
    time.advance(10_000);
    expect(await get()).toBe(1);
    expect(stale).toHaveLength(1);
    down = false;
    time.advance(999);
    expect(await get()).toBe(1);
    time.advance(1);
    expect(await get()).toBe(2);
  });

  it("reads on every call with a period of 0", async () => {
    let reads = 0;
    const get = ttlCache(async () => ++reads, { ttlMs: 0 });
    await get();
    await get();
    expect(reads).toBe(2);
  });
});
