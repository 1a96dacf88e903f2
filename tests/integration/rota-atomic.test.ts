/**
 * Rota changes are all or nothing (issue 12, item 1): concurrent writers over the same
 * assignments never leave a mix, and a writer that dies in the middle of a large change leaves
 * the old rota or the new one — never part — with the audit of whatever committed complete.
 */
import { describe, expect, it } from "vitest";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack();

// Imported lazily: the table client reads TABLE_NAME, which the stack sets in beforeAll.
const table = () => import("../../functions/shared/table/index.js");

/** An entity's whole audit trail, oldest first (read directly, whatever its length). */
async function auditTrail(entity: string, entityId: string) {
  const { AuditRecord, queryAll } = await table();
  const items = await queryAll({ KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": AuditRecord.partition({ entity, entityId }) }, ConsistentRead: true });
  return items.map((item) => AuditRecord.parse(item));
}

const dayAfter = (start: string, n: number) => new Date(Date.parse(`${start}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function setup(s: TestStack, agentCount: number) {
  const sup = await s.supervisor("sup-atomic");
  const agents = Array.from({ length: agentCount }, () => s.uid("agent"));
  for (const id of agents) expect((await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
  const shift = async (name: string, start: string, end: string) => {
    const id = s.uid(name);
    expect((await s.api("PUT", `/shifts/${id}`, { as: sup, body: { name, start, end, timeZone: "UTC" } })).status).toBe(201);
    return id;
  };
  return { sup, agents, shift };
}

/** Every (agent, date) → shiftId of these agents in [from, to], from GET /rota. */
async function cells(s: TestStack, sup: string, agents: readonly string[], from: string, to: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  // GET /rota resolves at most 62 days at a time.
  for (let start = from; start <= to; start = dayAfter(start, 60)) {
    const end = dayAfter(start, 59) < to ? dayAfter(start, 59) : to;
    const res = await s.api("GET", `/rota?from=${start}&to=${end}`, { as: sup });
    expect(res.status).toBe(200);
    for (const o of res.body.occurrences as { agentId: string; date: string; shiftId: string }[]) if (agents.includes(o.agentId)) out.set(`${o.agentId} ${o.date}`, o.shiftId);
  }
  return out;
}

describe("concurrent rota writers", () => {
  it("never leave a mix: three writers over the same 300 assignments; each agent's days all come from one writer, losers get 409", async () => {
    const s = stack();
    const { sup, agents, shift } = await setup(s, 5);
    const allday = await shift("allday", "00:00", "00:00");
    const early = await shift("early", "06:00", "14:00");
    const from = "2031-03-01";
    const days = Array.from({ length: 60 }, (_, i) => dayAfter(from, i));
    const to = days[days.length - 1] ?? from;
    const csv = (shiftId: string) => ["agent,date,shift", ...agents.flatMap((a) => days.map((d) => `${a},${d},${shiftId}`))].join("\n");
    const writers = {
      [allday]: () => s.api("POST", "/rota/import", { as: sup, raw: csv(allday), headers: { "content-type": "text/csv" } }),
      off: () => s.api("POST", "/rota/import", { as: sup, raw: csv("off"), headers: { "content-type": "text/csv" } }),
      [early]: () => s.api("PUT", "/rota", { as: sup, body: { assignments: agents.flatMap((agentId) => days.map((date) => ({ agentId, date, shiftId: early }))) } }),
    };
    let committed = 0;
    let previous: string | undefined;
    for (let round = 0; round < 3; round++) {
      const before = await Promise.all(agents.map(async (a) => (await auditTrail("rota", a)).length));
      const names = Object.keys(writers);
      const results = await Promise.all(Object.values(writers).map((write) => write()));
      const statuses = results.map((r) => r.status);
      for (const r of results) {
        expect([200, 409]).toContain(r.status);
        if (r.status === 409) {
          expect(r.headers.get("content-type")).toContain("application/problem+json");
          expect(r.body).toMatchObject({ type: "/problems/conflict", status: 409 });
          expect(r.body.changed.length).toBeGreaterThan(0);
          for (const c of r.body.changed) expect(agents).toContain(c.agentId);
        }
      }
      expect(statuses).toContain(200);
      const winners = names.filter((_, i) => statuses[i] === 200);
      committed += winners.length;

      const state = await cells(s, sup, agents, from, to);
      // GET /rota lists working days only: "off" days are absent.
      const values = new Set<string>();
      for (const a of agents) {
        const mine = new Set(days.map((d) => state.get(`${a} ${d}`) ?? "off"));
        expect(mine.size, `agent ${a} has a mix: ${[...mine].join(", ")} (statuses ${statuses.join(", ")})`).toBe(1);
        values.add([...mine][0] ?? "");
      }
      // Every writer named every agent, so the last one to commit set them all.
      expect(values.size).toBe(1);
      expect(winners).toContain([...values][0]);
      // One audit record per agent per committed writer that changed something, none for the losers.
      const after = await Promise.all(agents.map(async (a) => (await auditTrail("rota", a)).length));
      for (let i = 0; i < agents.length; i++) {
        const added = (after[i] ?? 0) - (before[i] ?? 0);
        expect(added).toBeLessThanOrEqual(winners.length);
        if ([...values][0] !== previous) expect(added).toBeGreaterThanOrEqual(1);
      }
      previous = [...values][0];
    }
    expect(committed).toBeGreaterThanOrEqual(3);
  }, 240_000);
});

/**
 * Simulates the writer's death: after `k` successful writes every further DynamoDB call of the
 * process fails (nothing more is written, no clean-up runs), as after a SIGKILL.
 */
async function crashAfter(k: number | undefined, work: () => Promise<unknown>): Promise<{ writes: number }> {
  const { dynamo } = await table();
  const original = dynamo.send.bind(dynamo);
  let writes = 0;
  let dead = false;
  const isWrite = (command: object) => /^(TransactWrite|BatchWrite|Put|Update|Delete)(Item)?Command$/.test(command.constructor.name);
  (dynamo as { send: unknown }).send = async (command: object, ...rest: unknown[]) => {
    if (dead) throw Object.assign(new Error("simulated crash: the writer is gone"), { name: "SimulatedCrash" });
    if (isWrite(command)) {
      if (k !== undefined && writes >= k) {
        dead = true;
        throw Object.assign(new Error("simulated crash: the writer is gone"), { name: "SimulatedCrash" });
      }
      writes++;
    }
    return (original as (c: object, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  try {
    await work();
  } finally {
    (dynamo as { send: unknown }).send = original;
  }
  return { writes };
}

describe("a writer dying in the middle of a large rota change", () => {
  it("leaves all or nothing, readers never see part of it, and the audit of what committed is complete", async () => {
    const s = stack();
    const from = "2032-01-01";
    // 600 assignments: six transactions' worth, so crashes land between chunks, at the commit point and after it.
    const days = Array.from({ length: 120 }, (_, i) => dayAfter(from, i));
    const to = days[days.length - 1] ?? from;
    const { sup, agents: probe, shift } = await setup(s, 5);
    const early = await shift("early", "06:00", "14:00");
    const late = await shift("late", "14:00", "22:00");
    // Real request time (dates far ahead, so no duty changes): the writer's lease runs on the request clock.
    const put = (agents: readonly string[], shiftId: string) =>
      s.api("PUT", "/rota", { as: sup, body: { assignments: agents.flatMap((agentId) => days.map((date) => ({ agentId, date, shiftId }))) } });

    // How many writes a whole change takes, to crash at points across it.
    expect((await put(probe, early)).status).toBe(200);
    const { writes: total } = await crashAfter(undefined, async () => expect((await put(probe, late)).status).toBe(200));
    expect(total).toBeGreaterThan(10);
    const points = [...new Set([1, 2, 4, Math.floor(total / 3), Math.floor(total / 2), total - 3, total - 1])].filter((k) => k > 0 && k < total);

    const outcomes = new Set<string>();
    for (const k of points) {
      const { agents } = await setup(s, 5);
      expect((await put(agents, early)).status).toBe(200);
      const trailsBefore = await Promise.all(agents.map(async (a) => (await auditTrail("rota", a)).length));
      let answered = 0;
      await crashAfter(k, async () => {
        answered = (await put(agents, late)).status;
      });
      // A writer that died may have answered 5xx, or 200 if it died after the commit point; never 4xx.
      expect(answered === 200 || answered >= 500, `answered ${answered}`).toBe(true);

      const seen = async () => {
        const state = await cells(s, sup, agents, from, to);
        const values = new Set(agents.flatMap((a) => days.map((d) => state.get(`${a} ${d}`) ?? "none")));
        return [...values];
      };
      // Before any recovery: readers see the old rota or the new one, whole.
      const visible = await seen();
      expect(visible.length, `crash after ${k}/${total} writes: readers see ${visible.join(", ")}`).toBe(1);

      // The duty clock (every minute) finds the dead writer's change once its lease is over and finishes or undoes it.
      await s.runSchedule("RotaDutyClock", new Date(Date.now() + 10 * 60_000));
      const settled = await seen();
      expect(settled.length, `crash after ${k}/${total} writes, after recovery: ${settled.join(", ")}`).toBe(1);
      const newRota = settled[0] === late;
      outcomes.add(newRota ? "forward" : "back");
      if (!newRota) expect(settled).toEqual([early]);
      if (answered === 200) expect(newRota).toBe(true);
      expect(visible).toEqual(settled);

      for (const [i, a] of agents.entries()) {
        const added = (await auditTrail("rota", a)).slice(trailsBefore[i] ?? 0);
        if (newRota) {
          expect(added.map((t) => t.action), `crash after ${k}: audit of ${a}`).toEqual(["rota.updated"]);
          const changes = (added[0]?.details as { assignments: { before: string; after: string }[] }).assignments;
          expect(changes).toHaveLength(days.length);
          expect(changes.every((c) => c.before === early && c.after === late)).toBe(true);
        } else {
          expect(added, `crash after ${k}: nothing committed, so no audit for ${a}`).toEqual([]);
        }
      }

      // And the agents are free again: the next change goes through.
      expect((await put(agents, newRota ? early : late)).status).toBe(200);
      expect(await seen()).toEqual([newRota ? early : late]);
    }
    // The points span the commit point: some crashes were rolled back, some forward.
    expect([...outcomes].sort()).toEqual(["back", "forward"]);
  }, 400_000);
});
