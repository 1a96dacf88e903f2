/**
 * Issue 17 item 3: the forecast from history on the local stack. Arrivals go through the real
 * signed webhook at controlled instants (the test clock); replays must not count; the forecast
 * reads the arrival counts, applies the day's multiplier and rescales the rest of the day.
 */
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

// The arrival counts come from the table's stream.
const stack = useLocalStack({ tableStream: true });

/** An instant of local (Asia/Shanghai, +08:00) wall-clock time. */
const local = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00+08:00`);

describe("GET /forecast", () => {
  it("forecasts a day from the same weekday's arrivals, times the day's multiplier, and rescales the rest of the day from the volume so far", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const skill = s.uid("fc").toLowerCase();
    const other = s.uid("fo").toLowerCase();
    for (const id of [skill, other]) expect((await s.api("PUT", `/skills/${id}`, { as: sup, body: { name: id } })).status).toBeLessThan(300);

    // The counts come from the table's stream (RoutingAggregates): each read below waits for it to take the arrivals first.
    const arrive = async (at: Date, n: number, withSkill = skill) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const conversationId = s.uid("c");
        const body = { conversationId, customerId: s.uid("cust"), channel: "tmall", skill: withSkill, eventId: s.uid("ev") };
        const res = await s.api("POST", "/webhooks/conversations", { body, signed: true, at });
        expect(res.status).toBe(202);
        ids.push(conversationId);
      }
      return ids;
    };

    // History: two Tuesdays before 2031-11-11 (a Tuesday), Shanghai time.
    const replayed = await arrive(local("2031-11-04", "10:05"), 4);
    await arrive(local("2031-11-04", "10:40"), 2);
    await arrive(local("2031-11-04", "10:05"), 5, other); // another skill: not in this skill's forecast
    await arrive(local("2031-10-28", "10:10"), 2);
    // Replays: the same eventId again, and the same conversation under a new delivery id: acknowledged, never counted.
    const first = replayed[0] ?? "";
    const again = await s.api("POST", "/webhooks/conversations", { body: { conversationId: first, customerId: "x", channel: "tmall", skill, eventId: s.uid("ev2") }, signed: true, at: local("2031-11-04", "10:06") });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true });

    const query = (extra = "") => `/forecast?date=2031-11-11&skill=${skill}&interval=30&weeks=2&timeZone=Asia/Shanghai${extra}`;
    await s.streamsSettled();
    const before = await s.api("GET", query(), { as: sup, at: local("2031-11-10", "12:00") });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ base: "weeks", weeks: 2, historyDates: ["2031-11-04", "2031-10-28"], multiplier: { value: 1 }, intraday: { elapsedIntervals: 0, ratio: null } });
    const at = (body: { intervals: { localFrom: string }[] }, hhmm: string) => body.intervals.find((i) => i.localFrom.slice(11, 16) === hhmm);
    expect(before.body.intervals).toHaveLength(48);
    expect(at(before.body, "10:00")).toMatchObject({ base: 3, forecast: 3, actual: null, reforecast: 3 });
    expect(at(before.body, "10:30")).toMatchObject({ base: 1, forecast: 1 });
    expect(at(before.body, "09:30")).toMatchObject({ base: 0, forecast: 0 });
    expect(before.body.totals).toMatchObject({ base: 4, forecast: 4 });
    // All skills: the other skill's 5 arrivals at 10:05 on 11-04 count too.
    const all = await s.api("GET", "/forecast?date=2031-11-11&interval=30&weeks=2&timeZone=Asia/Shanghai", { as: sup, at: local("2031-11-10", "12:00") });
    expect(at(all.body, "10:00")).toMatchObject({ base: 5.5 });

    // The campaign multiplier for the day, audited.
    const set = await s.api("PUT", "/forecast/multipliers/2031-11-11", { as: sup, body: { multiplier: 1.5, note: "Double 11" } });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ date: "2031-11-11", multiplier: 1.5, setBy: "supervisor:sup-test" });
    const withMultiplier = await s.api("GET", query(), { as: sup, at: local("2031-11-10", "12:00") });
    expect(withMultiplier.body.multiplier).toMatchObject({ value: 1.5, setBy: "supervisor:sup-test", note: "Double 11" });
    expect(at(withMultiplier.body, "10:00")).toMatchObject({ base: 3, forecast: 4.5 });

    // The day itself: 9 arrivals in 10:00-10:30 against 4.5 forecast, seen at 10:31 → ratio 2.
    await arrive(local("2031-11-11", "10:10"), 9);
    await s.streamsSettled();
    const intraday = await s.api("GET", query(), { as: sup, at: local("2031-11-11", "10:31") });
    expect(intraday.body.intraday).toMatchObject({ elapsedIntervals: 21, actualSoFar: 9, forecastSoFar: 4.5, ratio: 2 });
    expect(at(intraday.body, "10:00")).toMatchObject({ forecast: 4.5, actual: 9, reforecast: 9 });
    expect(at(intraday.body, "10:30")).toMatchObject({ forecast: 1.5, actual: 0, reforecast: 3 });
    expect(at(intraday.body, "11:00")).toMatchObject({ actual: null, reforecast: 0 });
    expect(intraday.body.totals).toMatchObject({ forecast: 6, actualSoFar: 9, reforecast: 12 });

    // Last year's same date as the base (Double 11 happens once a year).
    await arrive(local("2030-11-11", "20:00"), 5);
    await s.streamsSettled();
    const lastYear = await s.api("GET", `/forecast?date=2031-11-11&skill=${skill}&base=lastYear&timeZone=Asia/Shanghai`, { as: sup, at: local("2031-11-10", "12:00") });
    expect(lastYear.body).toMatchObject({ base: "lastYear", historyDates: ["2030-11-11"] });
    expect(lastYear.body.weeks).toBeUndefined();
    expect(at(lastYear.body, "20:00")).toMatchObject({ base: 5, forecast: 7.5 });
    // The multiplier can name the base, so the supervisor sets Double 11 once.
    expect((await s.api("PUT", "/forecast/multipliers/2031-11-11", { as: sup, body: { multiplier: 2, base: "lastYear" } })).status).toBe(200);
    const byMultiplier = await s.api("GET", `/forecast?date=2031-11-11&skill=${skill}&timeZone=Asia/Shanghai`, { as: sup, at: local("2031-11-10", "12:00") });
    expect(byMultiplier.body).toMatchObject({ base: "lastYear", multiplier: { value: 2 } });
    expect(at(byMultiplier.body, "20:00")).toMatchObject({ forecast: 10 });

    const audit = await s.api("GET", "/audit/forecast/2031-11-11", { as: sup });
    expect(audit.status).toBe(200);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(["forecast.multiplier-set", "forecast.multiplier-set"]);
  }, 180_000);

  it("bad parameters are a 400 naming each, and a bad multiplier changes nothing", async () => {
    const s = stack();
    const sup = await s.supervisor();
    for (const [q, field] of [
      ["date=2031-02-30", "date"],
      ["date=2031-11-11&weeks=13", "weeks"],
      ["date=2031-11-11&weeks=0", "weeks"],
      ["date=2031-11-11&interval=45", "interval"],
      ["date=2031-11-11&base=yesterday", "base"],
      ["date=2031-11-11&timeZone=Mars/Base", "timeZone"],
      ["date=2031-11-11&wekes=4", "wekes"],
      ["weeks=4", "date"],
    ] as const) {
      const res = await s.api("GET", `/forecast?${q}`, { as: sup });
      expect(res.status, q).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), q).toContain(field);
    }
    expect((await s.api("PUT", "/forecast/multipliers/2031-12-12", { as: sup, body: { multiplier: 1.2 } })).status).toBe(201);
    for (const body of [{ multiplier: 0 }, { multiplier: 101 }, { multiplier: "2" }, { multiplier: 2, base: "month" }, { multiplier: 2, extra: true }]) {
      expect((await s.api("PUT", "/forecast/multipliers/2031-12-12", { as: sup, body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await s.api("PUT", "/forecast/multipliers/2031-12-32", { as: sup, body: { multiplier: 2 } })).status).toBe(400);
    expect((await s.api("GET", "/forecast/multipliers/2031-12-12", { as: sup })).body).toMatchObject({ multiplier: 1.2 });
    expect((await s.api("GET", "/audit/forecast/2031-12-12", { as: sup })).body.entries).toHaveLength(1);
    expect((await s.api("GET", "/forecast?date=2031-11-11", { as: await s.agentToken("a1") })).status).toBe(403);
    // Removing it: the forecast is the base again; a second removal is a 404.
    expect((await s.api("DELETE", "/forecast/multipliers/2031-12-12", { as: sup })).status).toBe(204);
    expect((await s.api("DELETE", "/forecast/multipliers/2031-12-12", { as: sup })).status).toBe(404);
    expect((await s.api("GET", "/forecast/multipliers/2031-12-12", { as: sup })).status).toBe(404);
  }, 180_000);
});
