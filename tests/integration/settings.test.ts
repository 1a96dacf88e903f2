/**
 * Issue 14 item 1: live settings. `GET /settings` shows every threshold and the shop's time zone
 * with the value in force, its default and where each comes from; `PUT /settings` checks each
 * value (a 400 per field, a 409 on a stale version, nothing changed either way), versions and
 * audits the change, and a running stack follows it within the cache period (default 10 s; the
 * design's bound is 30 s) without a deploy.
 */
import { describe, expect, it } from "vitest";
import { conversation, makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

// The defaults the running stack was deployed with; the tests change them live. SETTINGS_CACHE_SECONDS
// is left at its default (10 s), so the propagation test measures what production does.
const stack = useLocalStack({ env: { LARGE_ORDER_AMOUNT: "10000", ESCALATE_AFTER_SECONDS: "120", FIRST_RESPONSE_TIMEOUT_SECONDS: "3600" } });
/** The design's bound for a change to be in force everywhere. */
const inForceWithinMs = 30_000;

async function getSettings(s: TestStack) {
  const res = await s.api("GET", "/settings", { as: await s.supervisor() });
  expect(res.status).toBe(200);
  return res;
}

async function auditEntries(s: TestStack) {
  const res = await s.api("GET", "/audit/settings/live?order=newest", { as: await s.supervisor() });
  expect(res.status).toBe(200);
  return res.body.entries as { action: string; actor: string; at: string; details: { version: number; previousVersion: number; changes: Record<string, { from: unknown; to: unknown; fromSource: string; toSource: string }> } }[];
}

/** Polls `probe` (no fixed sleep) until it is truthy or the deadline passes; returns the value and the time it took. */
async function within<T>(ms: number, probe: () => Promise<T | undefined | false>): Promise<{ value: T; tookMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return { value, tookMs: Date.now() - started };
    if (Date.now() - started > ms) throw new Error(`not in force within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("live settings", () => {
  it("GET shows every setting with its value in force, default, source and limits, the version and the last change", async () => {
    const s = stack();
    const res = await getSettings(s);
    expect(res.headers.get("etag")).toBe(`"${res.body.version}"`);
    expect(res.body).toMatchObject({ version: 0, updatedAt: null, updatedBy: null, cacheSeconds: 10 });
    const names = Object.keys(res.body.settings);
    expect(names).toEqual(expect.arrayContaining(["LARGE_ORDER_AMOUNT", "KNOWN_AGENT_WINDOW_HOURS", "FIRST_RESPONSE_TIMEOUT_SECONDS", "ESCALATE_AFTER_SECONDS", "ESCALATION_MODE", "HANDOVER_GRACE_MINUTES", "SHIFT_END_POLICY", "AWAY_POLICY", "NOTICE_REMINDER_MINUTES", "STOCK_HOLD_MINUTES", "SHOP_TIME_ZONE"]));
    expect(res.body.settings.LARGE_ORDER_AMOUNT).toEqual({
      value: 10_000,
      source: "environment",
      default: 10_000,
      defaultSource: "environment",
      builtInDefault: 5000,
      description: expect.stringContaining("high priority"),
      expects: "a whole number of shop currency from 1 to 1000000000",
      kind: "whole-number",
      min: 1,
      max: 1_000_000_000,
      unit: "shop currency",
    });
    expect(res.body.settings.ESCALATION_MODE).toMatchObject({ value: "notify", source: "default", defaultSource: "default", kind: "choice", choices: ["notify", "fallback", "fallback-and-notify"] });
    expect(res.body.settings.SHOP_TIME_ZONE).toMatchObject({ value: "Asia/Shanghai", source: "default", kind: "time-zone" });
    expect((await s.api("GET", "/settings", { as: await s.agentToken("a1") })).status).toBe(403);
    expect((await s.api("GET", "/settings")).status).toBe(401);
  });

  it("refuses each bad value with a 400 naming it, a stale version with a 409, and changes nothing", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const before = (await getSettings(s)).body;
    const trail = (await auditEntries(s)).length;
    const put = (body: unknown, headers: Record<string, string> = {}) => s.api("PUT", "/settings", { as: sup, body, headers });

    const cases: [string, unknown, string, string][] = [
      ["out of range", { values: { LARGE_ORDER_AMOUNT: 0 } }, "values.LARGE_ORDER_AMOUNT", "must be a whole number of shop currency from 1 to 1000000000"],
      ["above the range", { values: { ESCALATE_AFTER_SECONDS: 86_401 } }, "values.ESCALATE_AFTER_SECONDS", "must be a whole number of seconds from 0 to 86400"],
      ["not whole", { values: { STOCK_HOLD_MINUTES: 2.5 } }, "values.STOCK_HOLD_MINUTES", "must be a whole number of minutes from 1 to 1440"],
      ["a number as text", { values: { ESCALATE_AFTER_SECONDS: "30" } }, "values.ESCALATE_AFTER_SECONDS", "must be a JSON number: a whole number of seconds from 0 to 86400"],
      ["a choice as a number", { values: { ESCALATION_MODE: 1 } }, "values.ESCALATION_MODE", "must be a JSON string: one of notify, fallback, fallback-and-notify"],
      ["not a choice", { values: { ESCALATION_MODE: "any" } }, "values.ESCALATION_MODE", "must be one of notify, fallback, fallback-and-notify"],
      ["an offset for a zone", { values: { SHOP_TIME_ZONE: "+08:00" } }, "values.SHOP_TIME_ZONE", "must be an IANA time zone such as Asia/Shanghai"],
      ["an unknown zone", { values: { SHOP_TIME_ZONE: "Mars/Olympus" } }, "values.SHOP_TIME_ZONE", "must be an IANA time zone such as Asia/Shanghai"],
      ["an unknown name", { values: { GRACE_MINUTES: 5 } }, "values.GRACE_MINUTES", "unknown setting; known: LARGE_ORDER_AMOUNT"],
      ["no setting named", { values: {} }, "values", "must name at least one setting"],
      ["a bare value instead of values", { LARGE_ORDER_AMOUNT: 7000 }, "values", ""],
      ["a negative version", { values: { LARGE_ORDER_AMOUNT: 7000 }, version: -1 }, "version", ""],
    ];
    for (const [what, body, field, message] of cases) {
      const res = await put(body);
      expect(res.status, what).toBe(400);
      expect(res.headers.get("content-type"), what).toContain("application/problem+json");
      const error = (res.body.errors as { field: string; message: string }[]).find((e) => e.field === field);
      expect(error, `${what}: ${JSON.stringify(res.body.errors)}`).toBeDefined();
      expect(error?.message, what).toContain(message);
    }

    // One bad value among good ones: the whole request is refused, the good ones are not applied.
    const mixed = await put({ values: { LARGE_ORDER_AMOUNT: 7000, AWAY_POLICY: "drop", SHOP_TIME_ZONE: "Europe/Berlin" } });
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors).toEqual([{ field: "values.AWAY_POLICY", message: "must be one of handover, keep" }]);
    expect(mixed.body.detail).toContain("nothing was changed");

    expect((await s.api("PUT", "/settings", { as: sup, raw: "{", headers: { "content-type": "application/json" } })).status).toBe(400);
    expect((await s.api("PUT", "/settings", { as: sup, raw: "LARGE_ORDER_AMOUNT=7000", headers: { "content-type": "text/plain" } })).status).toBe(415);
    expect((await put({ values: { LARGE_ORDER_AMOUNT: 7000 } }, { "if-match": "yesterday" })).body.errors).toEqual([{ field: "If-Match", message: expect.stringContaining("ETag") }]);
    expect((await s.api("PUT", "/settings", { as: await s.agentToken("a1"), body: { values: { LARGE_ORDER_AMOUNT: 7000 } } })).status).toBe(403);

    // A version other than the current one (in the body or as If-Match): 409 naming the current version.
    const stale = await put({ values: { LARGE_ORDER_AMOUNT: 7000 }, version: before.version + 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ status: 409, currentVersion: before.version });
    expect((await put({ values: { LARGE_ORDER_AMOUNT: 7000 } }, { "if-match": `"${before.version + 5}"` })).status).toBe(409);

    expect((await getSettings(s)).body).toEqual(before);
    expect(await auditEntries(s)).toHaveLength(trail);
  });

  it("versions and audits a change (who, when, old → new per changed setting), and null goes back to the default", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-settings");
    const before = (await getSettings(s)).body;

    const changed = await s.api("PUT", "/settings", { as: sup, body: { version: before.version, values: { KNOWN_AGENT_WINDOW_HOURS: 48, SHOP_TIME_ZONE: "europe/berlin", AWAY_POLICY: "handover" } } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).toBe(`"${before.version + 1}"`);
    expect(changed.body).toMatchObject({ version: before.version + 1, updatedBy: "supervisor:sup-settings", changed: ["KNOWN_AGENT_WINDOW_HOURS", "AWAY_POLICY", "SHOP_TIME_ZONE"] });
    const after = (await getSettings(s)).body;
    expect(after.settings.KNOWN_AGENT_WINDOW_HOURS).toMatchObject({ value: 48, source: "live", default: 24, defaultSource: "default" });
    // Stored in its canonical spelling; a value equal to the default, now live, no longer follows the environment.
    expect(after.settings.SHOP_TIME_ZONE).toMatchObject({ value: "Europe/Berlin", source: "live" });
    expect(after.settings.AWAY_POLICY).toMatchObject({ value: "handover", source: "live" });
    expect(after).toMatchObject({ version: before.version + 1, updatedBy: "supervisor:sup-settings" });
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.now() - 60_000);

    const [entry] = await auditEntries(s);
    expect(entry).toMatchObject({ action: "settings.changed", actor: "supervisor:sup-settings", at: after.updatedAt });
    expect(entry?.details).toEqual({
      version: before.version + 1,
      previousVersion: before.version,
      changes: {
        KNOWN_AGENT_WINDOW_HOURS: { from: 24, to: 48, fromSource: "default", toSource: "live" },
        AWAY_POLICY: { from: "handover", to: "handover", fromSource: "default", toSource: "live" },
        SHOP_TIME_ZONE: { from: "Asia/Shanghai", to: "Europe/Berlin", fromSource: "default", toSource: "live" },
      },
    });

    // Naming values already in force live changes nothing: no new version, no audit record.
    const trail = (await auditEntries(s)).length;
    const same = await s.api("PUT", "/settings", { as: sup, body: { values: { KNOWN_AGENT_WINDOW_HOURS: 48 } } });
    expect(same.body).toMatchObject({ version: before.version + 1, changed: [] });
    expect(await auditEntries(s)).toHaveLength(trail);

    const reset = await s.api("PUT", "/settings", { as: sup, headers: { "if-match": `"${before.version + 1}"` }, body: { values: { KNOWN_AGENT_WINDOW_HOURS: null, SHOP_TIME_ZONE: null, AWAY_POLICY: null } } });
    expect(reset.status).toBe(200);
    expect(reset.body.settings.KNOWN_AGENT_WINDOW_HOURS).toMatchObject({ value: 24, source: "default" });
    expect(reset.body.settings.SHOP_TIME_ZONE).toMatchObject({ value: "Asia/Shanghai", source: "default" });
    expect((await auditEntries(s))[0]?.details.changes.KNOWN_AGENT_WINDOW_HOURS).toEqual({ from: 48, to: 24, fromSource: "live", toSource: "default" });
  });

  it("lets one of two writers of the same version win (the other a 409), and merges writers that name no version", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const { version } = (await getSettings(s)).body;
    const racing = await Promise.all([700, 800].map((hours) => s.api("PUT", "/settings", { as: sup, body: { version, values: { KNOWN_AGENT_WINDOW_HOURS: hours } } })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = racing.find((r) => r.status === 200);
    const now = (await getSettings(s)).body;
    expect(now.version).toBe(version + 1);
    expect(now.settings.KNOWN_AGENT_WINDOW_HOURS.value).toBe(winner?.body.settings.KNOWN_AGENT_WINDOW_HOURS.value);

    const merged = await Promise.all([
      s.api("PUT", "/settings", { as: sup, body: { values: { HANDOVER_GRACE_MINUTES: 9 } } }),
      s.api("PUT", "/settings", { as: sup, body: { values: { NOTICE_REMINDER_MINUTES: 7 } } }),
    ]);
    expect(merged.map((r) => r.status)).toEqual([200, 200]);
    const both = (await getSettings(s)).body;
    expect(both.version).toBe(version + 3);
    expect(both.settings.HANDOVER_GRACE_MINUTES.value).toBe(9);
    expect(both.settings.NOTICE_REMINDER_MINUTES.value).toBe(7);
    const reset = await s.api("PUT", "/settings", { as: sup, body: { values: { KNOWN_AGENT_WINDOW_HOURS: null, HANDOVER_GRACE_MINUTES: null, NOTICE_REMINDER_MINUTES: null } } });
    expect(reset.status).toBe(200);
  });

  it(
    "on a running stack, the next conversations follow a new large-order amount, escalation threshold and mode within 30 s",
    async () => {
      const s = stack();
      const sup = await s.supervisor();
      // Orders arrive in a skill of their own (no fallbacks, nobody serves it): the escalation
      // below concerns only the one conversation waiting in `skill`.
      const orders = s.uid("orders");
      const skill = s.uid("sk");
      const fallback = s.uid("fb");
      for (const id of [orders, fallback]) expect((await s.api("PUT", `/skills/${id}`, { as: sup, body: { name: id } })).status).toBe(201);
      expect((await s.api("PUT", `/skills/${skill}`, { as: sup, body: { name: skill, fallbackSkills: [fallback] } })).status).toBe(201);
      const helper = await makeAgent(s, { skills: [fallback], maxConcurrent: 5 });
      const inSeconds = (n: number) => new Date(Date.now() + n * 1000);

      // Old values in force, and cached by the functions that apply them: 7,000 is below the
      // environment's 10,000, and 60 s of waiting is under its 120 s threshold (mode notify).
      const normal = await sendConversation(s, { skill: orders, orderAmount: 7000 });
      expect((await settled(s, normal.id)).priority).toBe("normal");
      const waiting = await sendConversation(s, { skill });
      expect((await settled(s, waiting.id)).status).toBe("waiting");
      await s.runSchedule("SupervisionClock", inSeconds(60));
      expect(await conversation(s, waiting.id)).toMatchObject({ status: "waiting" });
      expect((await conversation(s, waiting.id)).escalated).toBeFalsy();

      const { version } = (await getSettings(s)).body;
      const changed = await s.api("PUT", "/settings", { as: sup, body: { version, values: { LARGE_ORDER_AMOUNT: 6000, ESCALATE_AFTER_SECONDS: 30, ESCALATION_MODE: "fallback" } } });
      expect(changed.status).toBe(200);

      // The webhook function: each new conversation of 7,000 is high priority once the change is in force.
      const priority = await within(inForceWithinMs, async () => {
        const next = await sendConversation(s, { skill: orders, orderAmount: 7000 });
        const c = await settled(s, next.id);
        return c.priority === "high" ? c : undefined;
      });
      // Stays in force: the next one too, and one below the new amount stays normal.
      expect((await settled(s, (await sendConversation(s, { skill: orders, orderAmount: 6000 })).id)).priority).toBe("high");
      expect((await settled(s, (await sendConversation(s, { skill: orders, orderAmount: 5999 })).id)).priority).toBe("normal");

      // The supervision clock: 60 s of waiting is now past the threshold, and in mode fallback the
      // conversation is offered to the agent with the fallback skill (not only announced).
      const escalation = await within(inForceWithinMs, async () => {
        await s.runSchedule("SupervisionClock", inSeconds(60));
        const c = await conversation(s, waiting.id);
        return c.escalated ? c : undefined;
      });
      expect(escalation.value).toMatchObject({ escalated: true, fallbackSkills: [fallback] });
      const served = await s.eventually(async () => {
        const c = await conversation(s, waiting.id);
        return c.status === "assigned" ? c : undefined;
      });
      expect(served.agentId).toBe(helper);
      console.info(`live settings in force after ${priority.tookMs} ms (webhook) and ${escalation.tookMs} ms more (supervision clock)`);

      await setDuty(helper, false);
      const reset = await s.api("PUT", "/settings", { as: sup, body: { values: { LARGE_ORDER_AMOUNT: null, ESCALATE_AFTER_SECONDS: null, ESCALATION_MODE: null } } });
      expect(reset.body.settings.LARGE_ORDER_AMOUNT).toMatchObject({ value: 10_000, source: "environment" });
    },
    120_000,
  );
});
