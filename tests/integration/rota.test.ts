import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

const at = (iso: string) => new Date(iso);
// Imported lazily: the audit module reads TABLE_NAME, which the stack sets in beforeAll.
const auditTrail = async (entity: string, id: string) => (await import("../../functions/shared/audit.js")).auditTrail(entity, id);

async function setup(skills: string[] = ["presale"]) {
  const s = stack();
  const sup = await s.supervisor("sup-rota");
  const agent = async () => {
    const id = s.uid("agent");
    expect((await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills, maxConcurrent: 3 } })).status).toBe(201);
    return id;
  };
  const shift = async (start: string, end: string, timeZone = "Asia/Shanghai") => {
    const id = s.uid("shift");
    expect((await s.api("PUT", `/shifts/${id}`, { as: sup, body: { name: `${start}-${end}`, start, end, timeZone } })).status).toBe(201);
    return id;
  };
  const profile = async (id: string) => (await s.api("GET", `/agents/${id}`, { as: sup })).body;
  return { s, sup, agent, shift, profile };
}

describe("shifts", () => {
  it("creates and updates shifts, validating every field by name", async () => {
    const { s, sup } = await setup();
    const id = s.uid("night");
    const created = await s.api("PUT", `/shifts/${id}`, { as: sup, body: { name: "Night", start: "22:00", end: "06:00", timeZone: "Asia/Shanghai" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ shiftId: id, crossesMidnight: true, plannedMinutes: 480, updatedBy: "supervisor:sup-rota" });
    const updated = await s.api("PUT", `/shifts/${id}`, { as: sup, body: { name: "Night", start: "21:00", end: "06:00", timeZone: "Asia/Shanghai" } });
    expect(updated.status).toBe(200);
    expect(updated.body.plannedMinutes).toBe(540);
    const list = await s.api("GET", "/shifts", { as: sup });
    expect(list.body.shifts.find((x: { shiftId: string }) => x.shiftId === id)).toMatchObject({ start: "21:00" });

    const bad = await s.api("PUT", `/shifts/${s.uid("bad")}`, { as: sup, body: { name: "", start: "24:00", end: "6:00", timeZone: "Mars/Olympus" } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["end", "name", "start", "timeZone"]);
    expect((await s.api("PUT", "/shifts/off", { as: sup, body: { name: "x", start: "01:00", end: "02:00", timeZone: "UTC" } })).body.errors[0].field).toBe("shiftId");

    const trail = await auditTrail("shift", id);
    expect(trail.map((t) => [t.action, t.actor])).toEqual([["shift.created", "supervisor:sup-rota"], ["shift.updated", "supervisor:sup-rota"]]);
  });

  it("is for supervisors only", async () => {
    const { s } = await setup();
    expect((await s.api("GET", "/rota/on-duty")).status).toBe(401);
    const agentToken = await s.agentToken("someone");
    for (const [method, path] of [["GET", "/shifts"], ["PUT", "/rota"], ["GET", "/rota/on-duty"], ["POST", "/rota/exceptions"], ["POST", "/rota/coverage"]] as const) {
      expect((await s.api(method, path, { as: agentToken, ...(method === "GET" ? {} : { body: {} }) })).status).toBe(403);
    }
  });
});

describe("duty clock and on-duty view", () => {
  it("turns onDuty on at a night shift's start and off at its end, visible in GET /agents/{id}", async () => {
    const { s, sup, agent, shift, profile } = await setup(["presale", "vip"]);
    const id = await agent();
    const night = await shift("22:00", "06:00");
    // 2030-01-10 22:00-06:00 Shanghai = 14:00Z-22:00Z.
    const put = await s.api("PUT", "/rota", { as: sup, at: at("2030-01-10T10:00:00Z"), body: { assignments: [{ agentId: id, date: "2030-01-10", shiftId: night }] } });
    expect(put.status).toBe(200);
    expect(put.body.changed).toEqual({ assignments: 1, patterns: 0 });
    expect(await profile(id)).toMatchObject({ onDuty: false, shift: null });

    await s.runSchedule("RotaDutyClock", at("2030-01-10T13:59:00Z"));
    expect((await profile(id)).onDuty).toBe(false);
    await s.runSchedule("RotaDutyClock", at("2030-01-10T14:00:00Z"));
    expect(await profile(id)).toMatchObject({ onDuty: true, shift: { shiftId: night, from: "2030-01-10T14:00:00.000Z", to: "2030-01-10T22:00:00.000Z" } });

    // The current-instant read is the view (one query); skill filters apply.
    const view = await s.api("GET", "/rota/on-duty?skill=vip", { as: sup, at: at("2030-01-10T15:00:00Z") });
    expect(view.body.source).toBe("view");
    expect(view.body.agents).toContainEqual({ agentId: id, shiftId: night, from: "2030-01-10T14:00:00.000Z", to: "2030-01-10T22:00:00.000Z" });
    const otherSkill = await s.api("GET", "/rota/on-duty?skill=complaint", { as: sup, at: at("2030-01-10T15:00:00Z") });
    expect(otherSkill.body.agents.map((a: { agentId: string }) => a.agentId)).not.toContain(id);

    // After local midnight the shift "began yesterday" and still counts.
    const resolved = await s.api("GET", `/rota/on-duty?at=${encodeURIComponent("2030-01-10T20:30:00Z")}`, { as: sup });
    expect(resolved.body).toMatchObject({ at: "2030-01-10T20:30:00.000Z", source: "rota" });
    expect(resolved.body.agents.map((a: { agentId: string }) => a.agentId)).toContain(id);

    await s.runSchedule("RotaDutyClock", at("2030-01-10T21:59:00Z"));
    expect((await profile(id)).onDuty).toBe(true);
    await s.runSchedule("RotaDutyClock", at("2030-01-10T22:00:00Z"));
    expect(await profile(id)).toMatchObject({ onDuty: false, shift: null });
    const after = await s.api("GET", "/rota/on-duty", { as: sup, at: at("2030-01-10T22:01:00Z") });
    expect(after.body.agents.map((a: { agentId: string }) => a.agentId)).not.toContain(id);

    const trail = await auditTrail("agent", id);
    expect(trail.filter((t) => t.actor === "system:rota").map((t) => t.action)).toEqual(["agent.duty-started", "agent.duty-ended"]);
  });

  it("keeps an agent on duty across back-to-back shifts and refreshes the view's skills", async () => {
    const { s, sup, agent, shift, profile } = await setup(["presale"]);
    const id = await agent();
    const night = await shift("22:00", "06:00", "UTC");
    const early = await shift("06:00", "14:00", "UTC");
    const put = await s.api("PUT", "/rota", {
      as: sup,
      at: at("2030-01-20T00:00:00Z"),
      body: { assignments: [{ agentId: id, date: "2030-01-21", shiftId: night }, { agentId: id, date: "2030-01-22", shiftId: early }] },
    });
    expect(put.body.changed.assignments).toBe(2);
    await s.runSchedule("RotaDutyClock", at("2030-01-22T05:59:00Z"));
    expect(await profile(id)).toMatchObject({ onDuty: true, shift: { shiftId: night, to: "2030-01-22T06:00:00.000Z" } });
    await s.runSchedule("RotaDutyClock", at("2030-01-22T06:00:00Z"));
    expect(await profile(id)).toMatchObject({ onDuty: true, shift: { shiftId: early, from: "2030-01-22T06:00:00.000Z", to: "2030-01-22T14:00:00.000Z" } });
    const trail = await auditTrail("agent", id);
    expect(trail.filter((t) => t.actor === "system:rota").map((t) => t.action)).toEqual(["agent.duty-started", "agent.duty-moved"]);

    // A skills change reaches the on-duty view at the next tick.
    await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale", "logistics"], maxConcurrent: 3 } });
    await s.runSchedule("RotaDutyClock", at("2030-01-22T06:01:00Z"));
    const view = await s.api("GET", "/rota/on-duty?skill=logistics", { as: sup, at: at("2030-01-22T06:02:00Z") });
    expect(view.body.agents.map((a: { agentId: string }) => a.agentId)).toContain(id);
  });

  it("starts duty exactly once when the clock and rota changes race", async () => {
    const { s, sup, agent, shift } = await setup();
    const ids = await Promise.all(Array.from({ length: 6 }, () => agent()));
    const day = await shift("00:00", "12:00", "UTC");
    const now = at("2030-01-25T06:00:00Z");
    await Promise.all([
      ...ids.map((agentId) => s.api("PUT", "/rota", { as: sup, at: now, body: { assignments: [{ agentId, date: "2030-01-25", shiftId: day }] } })),
      s.runSchedule("RotaDutyClock", now),
      s.runSchedule("RotaDutyClock", now),
    ]);
    await s.runSchedule("RotaDutyClock", now);
    for (const id of ids) {
      expect((await s.api("GET", `/agents/${id}`, { as: sup })).body.onDuty).toBe(true);
      const trail = await auditTrail("agent", id);
      expect(trail.filter((t) => t.action === "agent.duty-started")).toHaveLength(1);
    }
  });

  it("applies rota changes and exceptions at once: leave, delete, swap", async () => {
    const { s, sup, agent, shift, profile } = await setup();
    const [a, b] = [await agent(), await agent()];
    const early = await shift("06:00", "14:00", "Europe/London");
    const now = at("2030-02-05T10:00:00Z");
    const put = await s.api("PUT", "/rota", { as: sup, at: now, body: { assignments: [{ agentId: a, date: "2030-02-05", shiftId: early }] } });
    expect(put.body.duty.started).toEqual([a]);
    expect((await profile(a)).onDuty).toBe(true);

    const leave = await s.api("POST", "/rota/exceptions", { as: sup, at: now, body: { kind: "leave", agentId: a, from: "2030-02-05T09:00:00Z", to: "2030-02-05T11:00:00Z", reason: "doctor" } });
    expect(leave.status).toBe(201);
    expect((await profile(a)).onDuty).toBe(false);
    const list = await s.api("GET", `/rota/exceptions?agentId=${a}`, { as: sup });
    expect(list.body.exceptions.map((e: { exceptionId: string }) => e.exceptionId)).toEqual([leave.body.exceptionId]);
    // Listed by overlap with the range, not by start: a range that only touches its day finds it.
    const ids = async (query: string) => (await s.api("GET", `/rota/exceptions?agentId=${a}&${query}`, { as: sup })).body.exceptions.map((e: { exceptionId: string }) => e.exceptionId);
    expect(await ids("from=2030-02-05&to=2030-02-09")).toEqual([leave.body.exceptionId]);
    expect(await ids("from=2030-01-01&to=2030-02-05")).toEqual([leave.body.exceptionId]);
    expect(await ids("from=2030-02-06&to=2030-02-09")).toEqual([]);

    const day = await s.api("GET", `/rota?from=2030-02-05&to=2030-02-05&agentId=${a}`, { as: sup });
    expect(day.body.occurrences[0]).toMatchObject({ shiftId: early, leave: [{ from: "2030-02-05T09:00:00.000Z", to: "2030-02-05T11:00:00.000Z" }], duty: [{ to: "2030-02-05T09:00:00.000Z" }, { from: "2030-02-05T11:00:00.000Z" }] });

    expect((await s.api("DELETE", `/rota/exceptions/${leave.body.exceptionId}`, { as: sup, at: now })).status).toBe(204);
    expect((await s.api("DELETE", `/rota/exceptions/${leave.body.exceptionId}`, { as: sup, at: now })).status).toBe(404);
    expect((await profile(a)).onDuty).toBe(true);

    // b is off that day; the swap gives b a's early shift and a the day off.
    const swap = await s.api("POST", "/rota/exceptions", { as: sup, at: now, body: { kind: "swap", agentId: a, withAgentId: b, date: "2030-02-05" } });
    expect(swap.status).toBe(201);
    expect((await profile(a)).onDuty).toBe(false);
    expect(await profile(b)).toMatchObject({ onDuty: true, shift: { shiftId: early } });
    const roster = await s.api("GET", "/rota?from=2030-02-05&to=2030-02-05", { as: sup });
    const mine = roster.body.occurrences.filter((o: { agentId: string }) => [a, b].includes(o.agentId));
    expect(mine).toEqual([expect.objectContaining({ agentId: b, source: "swap", swappedWith: a, exceptionId: swap.body.exceptionId })]);

    const bad = await s.api("POST", "/rota/exceptions", { as: sup, body: { kind: "override", agentId: s.uid("ghost"), date: "2030-02-31", shiftId: "nope" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(["date"]);
    const unknown = await s.api("POST", "/rota/exceptions", { as: sup, body: { kind: "override", agentId: s.uid("ghost"), date: "2030-02-06", shiftId: "nope" } });
    expect(unknown.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["agentId", "shiftId"]);
    const trail = await auditTrail("rota", a);
    // Same pinned request time for all four, so compare as a set.
    expect(trail.map((t) => t.action).sort()).toEqual(["rota.leave.created", "rota.leave.deleted", "rota.swap.created", "rota.updated"]);
    expect(trail.every((t) => t.actor === "supervisor:sup-rota")).toBe(true);
  });

  it("resolves patterns across a month end and shows DST honestly in GET /rota", async () => {
    const { s, sup, agent, shift } = await setup();
    const id = await agent();
    const early = await shift("02:30", "10:30", "America/New_York");
    const late = await shift("14:00", "22:00", "America/New_York");
    const put = await s.api("PUT", "/rota", {
      as: sup,
      at: at("2030-01-01T00:00:00Z"),
      body: { patterns: [{ agentId: id, pattern: [early, early, late, "off"], startDate: "2030-02-27" }], assignments: [{ agentId: id, date: "2030-03-04", shiftId: "off" }] },
    });
    expect(put.status).toBe(200);
    const rota = await s.api("GET", `/rota?from=2030-02-27&to=2030-03-11&agentId=${id}`, { as: sup });
    const byDate = Object.fromEntries(rota.body.occurrences.map((o: { date: string; shiftId: string }) => [o.date, o.shiftId]));
    expect(byDate).toEqual({
      "2030-02-27": early,
      "2030-02-28": early,
      "2030-03-01": late,
      // 03-02 is the pattern's off day; 03-04 would be early but a dated "off" beats the pattern.
      "2030-03-03": early,
      "2030-03-05": late,
      "2030-03-07": early,
      "2030-03-08": early,
      "2030-03-09": late,
      "2030-03-11": early,
    });
    // 2030-03-10 is off by the pattern; check the DST day with an override instead.
    await s.api("POST", "/rota/exceptions", { as: sup, at: at("2030-01-01T00:00:00Z"), body: { kind: "override", agentId: id, date: "2030-03-10", shiftId: early } });
    const dst = await s.api("GET", `/rota?from=2030-03-10&to=2030-03-10&agentId=${id}`, { as: sup });
    expect(dst.body.occurrences).toEqual([
      expect.objectContaining({ source: "override", localFrom: "2030-03-10T03:30:00-04:00", from: "2030-03-10T07:30:00.000Z", to: "2030-03-10T14:30:00.000Z", durationMinutes: 420, plannedMinutes: 480 }),
    ]);
  });

  it("rejects a rota naming unknown agents or shifts, and changes nothing", async () => {
    const { s, sup, agent, shift } = await setup();
    const id = await agent();
    const early = await shift("06:00", "14:00");
    const bad = await s.api("PUT", "/rota", {
      as: sup,
      body: {
        assignments: [
          { agentId: id, date: "2030-04-01", shiftId: early },
          { agentId: s.uid("ghost"), date: "2030-04-01", shiftId: early },
          { agentId: id, date: "2030-04-02", shiftId: "brunch" },
        ],
        patterns: [{ agentId: id, pattern: [early, "nap"], startDate: "2030-04-03" }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(["assignments.1.agentId", "assignments.2.shiftId", "patterns.0.pattern.1"]);
    const shape = await s.api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId: id, date: "2030-4-1", shiftId: early }, { agentId: id, date: "2030-04-09", shiftId: early }, { agentId: id, date: "2030-04-09", shiftId: "off" }] } });
    expect(shape.body.errors.map((e: { field: string }) => e.field)).toEqual(["assignments.0.date", "assignments.2.date"]);
    const rota = await s.api("GET", `/rota?from=2030-04-01&to=2030-04-30&agentId=${id}`, { as: sup });
    expect(rota.body.occurrences).toEqual([]);
  });

  it("reports chat-aware coverage per interval: slots from each scheduled agent's maxConcurrent, against Erlang C", async () => {
    const { s, sup, shift } = await setup(["aftersale"]);
    const ids: string[] = [];
    for (const maxConcurrent of [2, 5, 3]) {
      const id = s.uid("agent");
      expect((await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["aftersale"], maxConcurrent } })).status).toBe(201);
      ids.push(id);
    }
    const day = await shift("09:00", "17:00", "Asia/Shanghai");
    const late = await shift("10:00", "18:00", "Asia/Shanghai");
    const put = await s.api("PUT", "/rota", { as: sup, at: at("2030-01-01T00:00:00Z"), body: { assignments: [{ agentId: ids[0], date: "2030-05-20", shiftId: day }, { agentId: ids[1], date: "2030-05-20", shiftId: day }, { agentId: ids[2], date: "2030-05-20", shiftId: late }] } });
    expect(put.status).toBe(200);
    const volumes = Array.from({ length: 48 }, (_, i) => (i === 19 || i === 20 ? 60 : 0));
    const res = await s.api("POST", "/rota/coverage", { as: sup, body: { date: "2030-05-20", timeZone: "Asia/Shanghai", skill: "aftersale", ahtSeconds: 180, answerSeconds: 20, volumes } });
    expect(res.status).toBe(200);
    expect(res.body.model).toMatchObject({ ahtSeconds: 180, ahtGrowth: 1, concurrency: null, answerSeconds: 20 });
    // 09:30: the 2- and 5-slot agents (7 slots); 60 chats × 180 s / 1800 s = 6 Erlangs need 9 slots at 80/20.
    expect(res.body.intervals[19]).toMatchObject({ localFrom: "2030-05-20T09:30:00+08:00", trafficErlangs: 6, scheduled: 2, productiveSlots: 7, requiredSlots: 9, understaffed: true });
    // 10:00: the 3-slot agent joins → 10 slots meet it.
    expect(res.body.intervals[20]).toMatchObject({ scheduled: 3, productiveSlots: 10, requiredSlots: 9, understaffed: false });
    expect(res.body.intervals[20].predicted.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(res.body.intervals[19].predicted.serviceLevel).toBeLessThan(0.8);
    // Growth in handle time with concurrency: the same team falls short at 10:00 too.
    const grown = await s.api("POST", "/rota/coverage", { as: sup, body: { date: "2030-05-20", timeZone: "Asia/Shanghai", skill: "aftersale", ahtSeconds: 180, ahtGrowth: 1.2, answerSeconds: 20, volumes } });
    expect(grown.status).toBe(200);
    expect(grown.body.intervals[20].ahtSeconds).toBeGreaterThan(180);
    expect(grown.body.intervals[20].understaffed).toBe(true);
    const wrong = await s.api("POST", "/rota/coverage", { as: sup, body: { date: "2030-05-20", timeZone: "UTC", ahtSeconds: 180, volumes: [1, 2, 3] } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ field: "volumes", message: expect.stringContaining("needs 48 values") });
  });

  it("answers every bad coverage request with a 4xx problem naming it and changes nothing: no time zone, unknown fields, overflowing or unstaffable forecasts", async () => {
    const { s, sup } = await setup();
    const ones = Array.from({ length: 48 }, () => 1);
    const before = await s.api("GET", "/rota?from=2030-05-19&to=2030-05-21", { as: sup });
    const ask = (body: Record<string, unknown>) => s.api("POST", "/rota/coverage", { as: sup, body: { date: "2030-05-20", ...body } });
    const noZone = await ask({ ahtSeconds: 180, volumes: ones });
    expect(noZone.status).toBe(400);
    expect(noZone.body.errors).toEqual([expect.objectContaining({ field: "timeZone" })]);
    const unknown = await ask({ timeZone: "UTC", ahtSeconds: 180, volumes: ones, serviceLevl: 0.9 });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toContain("serviceLevl");
    const huge = await ask({ timeZone: "UTC", ahtSeconds: 180, volumes: Array.from({ length: 48 }, () => 1e308) });
    expect(huge.status).toBe(400);
    expect(huge.headers.get("content-type")).toContain("application/problem+json");
    expect(huge.body.errors[0].field).toMatch(/^volumes/);
    const unstaffable = await ask({ timeZone: "UTC", ahtSeconds: 3600, volumes: Array.from({ length: 48 }, () => 100_000) });
    expect(unstaffable.status).toBe(422);
    expect(unstaffable.headers.get("content-type")).toContain("application/problem+json");
    expect(unstaffable.body).toMatchObject({ type: "/problems/unstaffable-forecast", interval: 0, trafficErlangs: 200_000, errors: [{ field: "volumes" }] });
    const withinSlots = await ask({ timeZone: "UTC", ahtSeconds: 180, answerSeconds: 20, maxSlots: 13, volumes: Array.from({ length: 48 }, (_, i) => (i === 5 ? 100 : 0)) });
    expect(withinSlots.status).toBe(422);
    expect(withinSlots.body).toMatchObject({ interval: 5, maxSlots: 13 });
    expect((await s.api("GET", "/rota?from=2030-05-19&to=2030-05-21", { as: sup })).body).toEqual(before.body);
    // Unknown parameters are refused on the other rota queries too.
    expect((await s.api("GET", "/rota/on-duty?skil=vip", { as: sup })).status).toBe(400);
  });

  it("answers a malformed stored rota item with a logged 500, never a coerced value", async () => {
    const { s, sup, agent } = await setup();
    const id = await agent();
    const { RotaAssignment, dynamo, rotaAssignmentIndexAttributes, tableName } = await import("../../functions/shared/table/index.js");
    const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
    // No shiftId: before the registry this read as the string "undefined".
    const { shiftId: _missing, ...bad } = RotaAssignment.item(
      { agentId: id, date: "2030-07-01", shiftId: "x", updatedAt: "2030-01-01T00:00:00.000Z", updatedBy: "t" },
      rotaAssignmentIndexAttributes(id, "2030-07-01"),
    );
    await dynamo.send(new PutCommand({ TableName: tableName, Item: bad }));
    const res = await s.api("GET", `/rota?from=2030-07-01&to=2030-07-02&agentId=${id}`, { as: sup });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ type: "/problems/internal" });
  });
});
