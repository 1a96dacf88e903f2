/**
 * Shifts and the rota (issue 14, item 3): GET/DELETE /shifts/{id} with the 409 while the rota
 * uses a shift (also against a staged change in flight, with real concurrency), and overlapping
 * shifts refused in PUT /rota, patterns and the CSV import unless allowOverlap.
 */
import { describe, expect, it } from "vitest";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack();

// Imported lazily: the table client reads TABLE_NAME, which the stack sets in beforeAll.
const table = () => import("../../functions/shared/table/index.js");
const auditTrail = async (entity: string, id: string) => (await import("../../functions/shared/audit.js")).auditTrail(entity, id);
const at = (iso: string) => new Date(iso);
const dayAfter = (start: string, n: number) => new Date(Date.parse(`${start}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function setup(s: TestStack = stack()) {
  const sup = await s.supervisor("sup-shifts");
  const agent = async () => {
    const id = s.uid("agent");
    expect((await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    return id;
  };
  const shift = async (name: string, start: string, end: string, timeZone = "Asia/Shanghai") => {
    const id = s.uid(name);
    expect((await s.api("PUT", `/shifts/${id}`, { as: sup, body: { name, start, end, timeZone } })).status).toBe(201);
    return id;
  };
  const rota = async (agentId: string, from: string, to: string) => {
    const res = await s.api("GET", `/rota?from=${from}&to=${to}&agentId=${agentId}`, { as: sup });
    expect(res.status).toBe(200);
    return (res.body.occurrences as { date: string; shiftId: string }[]).map((o) => `${o.date} ${o.shiftId}`);
  };
  const uses = async (shiftId: string) => (await s.api("GET", `/shifts/${shiftId}`, { as: sup })).body.uses as number;
  const putRota = (body: unknown, when?: Date) => s.api("PUT", "/rota", { as: sup, body, ...(when ? { at: when } : {}) });
  const csv = (text: string, query = "") => s.api("POST", `/rota/import${query}`, { as: sup, raw: text, headers: { "content-type": "text/csv" } });
  return { s, sup, agent, shift, rota, uses, putRota, csv };
}

describe("GET and DELETE /shifts/{id}", () => {
  it("reads one shift with its use count; bad and unknown ids are a 400 and a 404", async () => {
    const { s, sup, shift } = await setup();
    const night = await shift("night", "22:00", "06:00");
    const one = await s.api("GET", `/shifts/${night}`, { as: sup });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ shiftId: night, name: "night", start: "22:00", end: "06:00", timeZone: "Asia/Shanghai", crossesMidnight: true, plannedMinutes: 480, uses: 0 });

    const unknown = await s.api("GET", `/shifts/${s.uid("ghost")}`, { as: sup });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");
    for (const bad of ["off", "not%20a%20shift", "x".repeat(65)]) {
      const res = await s.api("GET", `/shifts/${bad}`, { as: sup });
      expect(res.status, bad).toBe(400);
      expect(res.body.errors[0].field).toBe("shiftId");
    }
    const agentToken = await s.agentToken("someone");
    expect((await s.api("GET", `/shifts/${night}`, { as: agentToken })).status).toBe(403);
    expect((await s.api("DELETE", `/shifts/${night}`, { as: agentToken })).status).toBe(403);
  });

  it("deletes an unused shift with an audit record; bad, unknown and repeated deletes change nothing", async () => {
    const { s, sup, shift } = await setup();
    const spare = await shift("spare", "09:00", "17:00");
    const listed = async () => (await s.api("GET", "/shifts", { as: sup })).body.shifts.map((x: { shiftId: string }) => x.shiftId) as string[];
    const before = await listed();
    expect(before).toContain(spare);

    const bad = await s.api("DELETE", "/shifts/off", { as: sup });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("shiftId");
    const ghost = s.uid("ghost");
    expect((await s.api("DELETE", `/shifts/${ghost}`, { as: sup })).status).toBe(404);
    expect(await listed()).toEqual(before);
    expect(await auditTrail("shift", ghost)).toEqual([]);

    expect((await s.api("DELETE", `/shifts/${spare}`, { as: sup })).status).toBe(204);
    expect((await s.api("GET", `/shifts/${spare}`, { as: sup })).status).toBe(404);
    expect(await listed()).not.toContain(spare);
    expect((await s.api("DELETE", `/shifts/${spare}`, { as: sup })).status).toBe(404);
    const trail = await auditTrail("shift", spare);
    expect(trail.map((t) => [t.action, t.actor])).toEqual([
      ["shift.created", "supervisor:sup-shifts"],
      ["shift.deleted", "supervisor:sup-shifts"],
    ]);
    expect(trail[1]?.details).toMatchObject({ before: { shiftId: spare, start: "09:00", end: "17:00" } });
    // A rota can no longer name it; PUT /shifts creates it afresh.
    const naming = await s.api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId: "nobody", date: "2030-01-01", shiftId: spare }] } });
    expect(naming.status).toBe(400);
    expect(naming.body.errors).toContainEqual({ field: "assignments.0.shiftId", message: `unknown shift "${spare}"` });
  });

  it("refuses (409) to delete a shift the rota uses, naming where; allowed once every use is gone", async () => {
    const { s, sup, agent, shift, uses, putRota } = await setup();
    const [a, b] = [await agent(), await agent()];
    const day = await shift("day", "09:00", "17:00");
    const other = await shift("other", "10:00", "18:00");
    const when = at("2030-06-10T00:00:00Z");
    expect((await putRota({ assignments: [{ agentId: a, date: "2030-06-11", shiftId: day }, { agentId: a, date: "2030-06-12", shiftId: day }], patterns: [{ agentId: b, pattern: [day, day, "off"], startDate: "2030-07-01" }] }, when)).status).toBe(200);
    const override = await s.api("POST", "/rota/exceptions", { as: sup, at: when, body: { kind: "override", agentId: b, date: "2030-06-20", shiftId: day } });
    expect(override.status).toBe(201);
    // Two dated entries, one pattern (counted once however many of its days name it), one override.
    expect(await uses(day)).toBe(4);

    const refused = await s.api("DELETE", `/shifts/${day}`, { as: sup, at: when });
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.body).toMatchObject({ type: "/problems/conflict", shiftId: day, uses: 4 });
    expect(refused.body.usedBy).toEqual(
      expect.arrayContaining([
        { kind: "pattern", agentId: b, startDate: "2030-07-01" },
        { kind: "override", agentId: b, date: "2030-06-20", exceptionId: override.body.exceptionId },
        { kind: "assignment", agentId: a, date: "2030-06-11" },
        { kind: "assignment", agentId: a, date: "2030-06-12" },
      ]),
    );
    expect(refused.body.detail).toContain(`${a} on 2030-06-11`);
    expect(refused.body.detail).toContain(`the pattern of ${b} from 2030-07-01`);
    // Nothing changed: the shift is there, unaudited, and the rota still resolves it.
    expect((await s.api("GET", `/shifts/${day}`, { as: sup })).status).toBe(200);
    expect((await auditTrail("shift", day)).map((t) => t.action)).toEqual(["shift.created"]);

    // Take every use away: a dated entry cleared, one moved, the pattern replaced, the override deleted.
    expect((await putRota({ assignments: [{ agentId: a, date: "2030-06-11", shiftId: null }, { agentId: a, date: "2030-06-12", shiftId: other }], patterns: [{ agentId: b, pattern: [other, "off"], startDate: "2030-07-01" }] }, when)).status).toBe(200);
    expect(await uses(day)).toBe(1);
    expect(await uses(other)).toBe(2);
    const still = await s.api("DELETE", `/shifts/${day}`, { as: sup, at: when });
    expect(still.status).toBe(409);
    expect(still.body.usedBy).toEqual([{ kind: "override", agentId: b, date: "2030-06-20", exceptionId: override.body.exceptionId }]);
    expect((await s.api("DELETE", `/rota/exceptions/${override.body.exceptionId}`, { as: sup, at: when })).status).toBe(204);
    expect(await uses(day)).toBe(0);
    expect((await s.api("DELETE", `/shifts/${day}`, { as: sup, at: when })).status).toBe(204);
  });
});

/** Holds the writer's commit-point transaction (the header's flip to `committed`) until released. */
async function holdCommitPoint(): Promise<{ reached: Promise<void>; release(): void; restore(): void }> {
  const { dynamo } = await table();
  const original = dynamo.send.bind(dynamo);
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached = () => {};
  const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
  const isCommitPoint = (command: { constructor: { name: string }; input?: { TransactItems?: { Update?: { ExpressionAttributeValues?: Record<string, unknown> } }[] } }) =>
    command.constructor.name === "TransactWriteCommand" && (command.input?.TransactItems ?? []).some((item) => item.Update?.ExpressionAttributeValues?.[":to"] === "committed");
  (dynamo as { send: unknown }).send = async (command: Parameters<typeof isCommitPoint>[0], ...rest: unknown[]) => {
    if (isCommitPoint(command)) {
      reached();
      await gate;
    }
    return (original as (c: object, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  return { reached: reachedPromise, release, restore: () => ((dynamo as { send: unknown }).send = original) };
}

describe("a shift cannot be deleted while a rota change that uses it commits", () => {
  it("a staged change in flight holds its shifts: DELETE is a 409 until it commits, and the count is exact after", async () => {
    const { s, sup, agent, shift, uses, putRota, rota } = await setup();
    const agents = [await agent(), await agent()];
    const from = "2033-01-01";
    const days = Array.from({ length: 60 }, (_, i) => dayAfter(from, i));
    const fresh = await shift("fresh", "08:00", "16:00");
    const hold = await holdCommitPoint();
    try {
      // 120 assignments: more than one transaction, so the change is staged.
      const writing = putRota({ assignments: agents.flatMap((agentId) => days.map((date) => ({ agentId, date, shiftId: fresh }))) });
      await hold.reached;
      // Staged, not yet committed: readers see nothing of it, but the shift is held.
      expect(await rota(agents[0] ?? "", from, dayAfter(from, 5))).toEqual([]);
      expect(await uses(fresh)).toBe(120);
      const refused = await s.api("DELETE", `/shifts/${fresh}`, { as: sup });
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toContain("rota change still being committed");
      hold.release();
      expect((await writing).status).toBe(200);
    } finally {
      hold.release();
      hold.restore();
    }
    expect(await uses(fresh)).toBe(120);
    expect((await rota(agents[1] ?? "", from, dayAfter(from, 1)))).toEqual([`${from} ${fresh}`, `${dayAfter(from, 1)} ${fresh}`]);
    expect((await s.api("DELETE", `/shifts/${fresh}`, { as: sup })).status).toBe(409);
    expect((await auditTrail("shift", fresh)).map((t) => t.action)).toEqual(["shift.created"]);
  }, 120_000);

  it("a staged change rolled back gives its uses back", async () => {
    const { s, sup, agent, shift, uses, putRota } = await setup();
    const agents = [await agent(), await agent()];
    const days = Array.from({ length: 60 }, (_, i) => dayAfter("2033-05-01", i));
    const doomed = await shift("doomed", "08:00", "16:00");
    const { dynamo } = await table();
    const original = dynamo.send.bind(dynamo);
    // The commit point fails once (the store refuses it): the writer undoes what it staged.
    let failed = false;
    (dynamo as { send: unknown }).send = async (command: { constructor: { name: string }; input?: { TransactItems?: { Update?: { ExpressionAttributeValues?: Record<string, unknown> } }[] } }, ...rest: unknown[]) => {
      if (!failed && command.constructor.name === "TransactWriteCommand" && (command.input?.TransactItems ?? []).some((i) => i.Update?.ExpressionAttributeValues?.[":to"] === "committed")) {
        failed = true;
        throw Object.assign(new Error("simulated refusal at the commit point"), { name: "InternalServerError" });
      }
      return (original as (c: object, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
    };
    let status = 0;
    try {
      status = (await putRota({ assignments: agents.flatMap((agentId) => days.map((date) => ({ agentId, date, shiftId: doomed }))) })).status;
    } finally {
      (dynamo as { send: unknown }).send = original;
    }
    expect(failed).toBe(true);
    expect(status).toBeGreaterThanOrEqual(500);
    expect(await uses(doomed)).toBe(0);
    expect((await s.api("DELETE", `/shifts/${doomed}`, { as: sup })).status).toBe(204);
  }, 120_000);

  it("with real concurrency, a change and a delete never both win: either the rota uses the shift and it stays, or it is gone and the rota never names it", async () => {
    const { s, sup, agent, shift, uses, putRota, rota } = await setup();
    const agents = [await agent(), await agent()];
    const change = (shiftId: string, from: string, size: number) => putRota({ assignments: agents.flatMap((agentId) => Array.from({ length: size }, (_, i) => ({ agentId, date: dayAfter(from, i), shiftId }))) });
    // How long each kind of change takes here, so the deletes can be aimed across its whole length.
    const sizes = [60, 3]; // staged (120 items) and one transaction (6)
    const took = new Map<number, number>();
    for (const size of sizes) {
      const probe = await shift("probe", "08:00", "16:00");
      const started = performance.now();
      expect((await change(probe, "2035-01-01", size)).status).toBe(200);
      took.set(size, performance.now() - started);
    }
    const outcomes: string[] = [];
    const fractions = [0, 0.05, 0.1, 0.2, 0.4, 1];
    for (const [round, fraction] of fractions.flatMap((f) => sizes.map((size) => [size, f] as const)).entries()) {
      const [size, aim] = fraction;
      const from = dayAfter("2036-01-01", round * 70);
      const target = await shift("target", "08:00", "16:00");
      const write = change(target, from, size);
      await new Promise((resolve) => setTimeout(resolve, aim * (took.get(size) ?? 0)));
      // Two deletes a moment apart, racing the change and each other.
      const deleted = (await Promise.all([s.api("DELETE", `/shifts/${target}`, { as: sup }), s.api("DELETE", `/shifts/${target}`, { as: sup })])).map((r) => r.status);
      const written = (await write).status;
      for (const status of deleted) expect([204, 404, 409]).toContain(status);
      expect(deleted.filter((x) => x === 204).length, `round ${round}: two deletes both succeeded`).toBeLessThanOrEqual(1);
      const seen = await rota(agents[0] ?? "", from, dayAfter(from, size - 1));
      if (written === 200) {
        outcomes.push("change");
        expect(deleted, `round ${round}: the change committed and the shift was deleted too`).not.toContain(204);
        expect(seen).toHaveLength(size);
        expect(await uses(target)).toBe(agents.length * size);
      } else {
        outcomes.push("delete");
        // Refused before any write (the shift was already unknown) or at its first transaction (deleted meanwhile).
        expect([400, 409], `round ${round}: ${written}`).toContain(written);
        expect(deleted).toContain(204);
        expect(seen).toEqual([]);
        expect((await s.api("GET", `/shifts/${target}`, { as: sup })).status).toBe(404);
      }
    }
    expect(outcomes).toHaveLength(2 * fractions.length);
  }, 400_000);
});

describe("overlapping shifts for one agent", () => {
  it("PUT /rota: the night 22:00–06:00 and the next day's early 01:00–05:00 are a 409 naming both; nothing is changed", async () => {
    const { s, agent, shift, rota, putRota } = await setup();
    const a = await agent();
    const night = await shift("night", "22:00", "06:00");
    const early = await shift("early", "01:00", "05:00");
    const refused = await putRota({ assignments: [{ agentId: a, date: "2030-11-10", shiftId: night }, { agentId: a, date: "2030-11-11", shiftId: early }] });
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.body).toMatchObject({ type: "/problems/shift-overlap", title: "Overlapping shifts", overlapCount: 1 });
    expect(refused.body.overlaps).toEqual([
      {
        agentId: a,
        minutes: 240,
        first: expect.objectContaining({ date: "2030-11-10", shiftId: night, localFrom: "2030-11-10T22:00:00+08:00", localTo: "2030-11-11T06:00:00+08:00", timeZone: "Asia/Shanghai" }),
        second: expect.objectContaining({ date: "2030-11-11", shiftId: early, localFrom: "2030-11-11T01:00:00+08:00", localTo: "2030-11-11T05:00:00+08:00" }),
      },
    ]);
    expect(refused.body.detail).toContain(`${a}: ${night} on 2030-11-10 (2030-11-10 22:00 → 2030-11-11 06:00 Asia/Shanghai) overlaps ${early} on 2030-11-11 (2030-11-11 01:00 → 2030-11-11 05:00 Asia/Shanghai)`);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(["assignments.0.shiftId", "assignments.1.shiftId"]);
    expect(await rota(a, "2030-11-09", "2030-11-12")).toEqual([]);
    expect(await auditTrail("rota", a)).toEqual([]);

    // Touching is fine: 22:00–06:00 then 06:00–14:00.
    const morning = await shift("morning", "06:00", "14:00");
    expect((await putRota({ assignments: [{ agentId: a, date: "2030-11-10", shiftId: night }, { agentId: a, date: "2030-11-11", shiftId: morning }] })).status).toBe(200);

    // Against what is stored: the early on the 11th (replacing the morning) meets the stored night.
    const against = await putRota({ assignments: [{ agentId: a, date: "2030-11-11", shiftId: early }] });
    expect(against.status).toBe(409);
    expect(against.body.errors).toEqual([{ field: "assignments.0.shiftId", message: expect.stringContaining("already in the rota") }]);
    // Entries the same change replaces do not count: the night becomes a day off.
    expect((await putRota({ assignments: [{ agentId: a, date: "2030-11-10", shiftId: "off" }, { agentId: a, date: "2030-11-11", shiftId: early }] })).status).toBe(200);
    expect(await rota(a, "2030-11-09", "2030-11-12")).toEqual([`2030-11-11 ${early}`]);

    // allowOverlap: true accepts it, and the audit shows the change as usual.
    const allowed = await putRota({ allowOverlap: true, assignments: [{ agentId: a, date: "2030-11-10", shiftId: night }] });
    expect(allowed.status).toBe(200);
    expect(await rota(a, "2030-11-09", "2030-11-12")).toEqual([`2030-11-10 ${night}`, `2030-11-11 ${early}`]);
    expect((await s.api("PUT", "/rota", { as: await s.supervisor("sup-shifts"), body: { allowOverlap: "yes", assignments: [] } })).status).toBe(400);
    expect((await auditTrail("rota", a)).map((t) => t.action)).toEqual(["rota.updated", "rota.updated", "rota.updated"]);
  });

  it("patterns: one whose cycle overlaps itself, or a dated entry, is a 409 on the pattern; allowOverlap accepts it", async () => {
    const { agent, shift, rota, putRota } = await setup();
    const a = await agent();
    const night = await shift("night", "22:00", "06:00");
    const early = await shift("early", "01:00", "05:00");
    const looped = await putRota({ patterns: [{ agentId: a, pattern: [early, "off", night], startDate: "2030-12-01" }] });
    expect(looped.status).toBe(409);
    // The night on day 3 meets the next cycle's early on day 4.
    expect(looped.body.overlaps[0]).toMatchObject({ first: { shiftId: night, date: "2030-12-03" }, second: { shiftId: early, date: "2030-12-04" } });
    expect(looped.body.errors[0].field).toBe("patterns.0");
    expect(await rota(a, "2030-12-01", "2030-12-10")).toEqual([]);

    // A dated night two months in, against a pattern of earlies.
    expect((await putRota({ assignments: [{ agentId: a, date: "2031-02-14", shiftId: night }] })).status).toBe(200);
    const dated = await putRota({ patterns: [{ agentId: a, pattern: [early], startDate: "2030-12-01" }] });
    expect(dated.status).toBe(409);
    expect(dated.body.overlaps.map((o: { first: { date: string }; second: { date: string } }) => [o.first.date, o.second.date])).toEqual([["2031-02-14", "2031-02-15"]]);
    expect(await rota(a, "2030-12-01", "2030-12-10")).toEqual([]);

    expect((await putRota({ allowOverlap: true, patterns: [{ agentId: a, pattern: [early], startDate: "2030-12-01" }] })).status).toBe(200);
    expect(await rota(a, "2031-02-14", "2031-02-15")).toEqual([`2031-02-14 ${night}`, `2031-02-15 ${early}`]);
  });

  it("CSV import: each overlapping row is named, within the file and against the rota; allowOverlap=true imports it", async () => {
    const { agent, shift, rota, csv, putRota } = await setup();
    const [a, b] = [await agent(), await agent()];
    const night = await shift("night", "22:00", "06:00");
    const early = await shift("early", "01:00", "05:00");
    const morning = await shift("morning", "06:00", "14:00");
    // Stored: b's night on 11-19, just before the file's range.
    expect((await putRota({ assignments: [{ agentId: b, date: "2030-11-19", shiftId: night }] })).status).toBe(200);
    const file = ["agent,date,shift", `${a},2030-11-20,${night}`, `${a},2030-11-21,${early}`, `${b},2030-11-20,${early}`, `${b},2030-11-21,${morning}`, `${a},2030-11-22,${morning}`].join("\n");
    const refused = await csv(file);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: "/problems/shift-overlap", overlapCount: 2 });
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(["row 2, shift", "row 3, shift", "row 4, shift"]);
    expect(refused.body.errors[0].message).toContain("row 3, shift");
    expect(refused.body.errors[2].message).toContain("already in the rota");
    expect(refused.body.detail).toContain("allowOverlap=true");
    expect(await rota(a, "2030-11-19", "2030-11-23")).toEqual([]);
    expect(await rota(b, "2030-11-19", "2030-11-23")).toEqual([`2030-11-19 ${night}`]);

    expect((await csv(file, "?allowOverlap=maybe")).status).toBe(400);
    const allowed = await csv(file, "?allowOverlap=true");
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ rows: 5, written: 5 });
    expect(await rota(a, "2030-11-19", "2030-11-23")).toEqual([`2030-11-20 ${night}`, `2030-11-21 ${early}`, `2030-11-22 ${morning}`]);
  });
});
