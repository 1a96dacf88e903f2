/**
 * A shift boundary larger than one part (issue 15 item 5: 1,000 agents took 82 s in one clock
 * invocation, over its 50 s timeout): the clock computes duty once and sends the differences as
 * part messages through the real dutyParts queue; RotaDutyParts applies each. Every agent ends on
 * duty, audited once, in the view; a redelivered part changes nothing; a malformed part fails
 * alone; a boundary of at most one part stays inline in the clock.
 */
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();
const at = (iso: string) => new Date(iso);
// Imported lazily: these modules read the environment the stack sets in beforeAll.
const auditTrail = async (entity: string, id: string) => (await import("../../functions/shared/audit.js")).auditTrail(entity, id);

describe("shift boundary in parts", () => {
  it("sends ⌈23/5⌉ parts, puts every agent on duty exactly once, and a redelivered part changes nothing", { timeout: 240_000 }, async () => {
    const s = stack();
    const sup = await s.supervisor("sup-parts");
    const shiftId = s.uid("late");
    expect((await s.api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "Late", start: "14:00", end: "22:00", timeZone: "UTC" } })).status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const id = s.uid("agent");
      expect((await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
      ids.push(id);
    }
    const put = await s.api("PUT", "/rota", { as: sup, at: at("2031-03-10T10:00:00Z"), body: { assignments: ids.map((agentId) => ({ agentId, date: "2031-03-10", shiftId })) } });
    expect(put.status).toBe(200);
    const { recomputeDuty } = await import("../../functions/rota/duty.js");

    // Prepare/Act: the clock's run at the boundary with parts of 5 (production: 400).
    const boundary = at("2031-03-10T14:00:00Z");
    const clock = await s.runAs("RotaDutyClock", () => recomputeDuty(boundary, undefined, { partSize: 5 }));
    expect(clock).toMatchObject({ checked: 23, parts: 5, started: [], failed: [] });

    // Assess: the parts' consumer brings every agent on duty (polled: the pollers take the parts).
    const window = { shiftId, from: "2031-03-10T14:00:00.000Z", to: "2031-03-10T22:00:00.000Z" };
    const onDuty = async () => (await s.api("GET", "/rota/on-duty", { as: sup, at: at("2031-03-10T15:00:00Z") })).body;
    const view = await s.eventually(async () => {
      const v = await onDuty();
      return v.agents.length === 23 ? v : undefined;
    }, 120_000);
    expect(view.source).toBe("view");
    expect(new Set(view.agents.map((a: { agentId: string }) => a.agentId))).toEqual(new Set(ids));
    for (const a of view.agents) expect(a).toMatchObject({ shiftId, from: window.from, to: window.to });
    const profiles = async () => Promise.all(ids.map(async (id) => (await s.api("GET", `/agents/${id}`, { as: sup, at: at("2031-03-10T15:00:00Z") })).body));
    const before = await profiles();
    for (const p of before) expect(p).toMatchObject({ onDuty: true, shift: window });
    const started = async (id: string) => (await auditTrail("agent", id)).filter((t) => t.action === "agent.duty-started");
    for (const id of ids) {
      const trail = await started(id);
      expect(trail, id).toHaveLength(1);
      expect(trail[0]).toMatchObject({ actor: "system:rota", at: boundary.toISOString() });
    }

    // A redelivered part (as the clock sent it: these agents read off duty) and a malformed one in one batch.
    const { dutyStamp } = await import("../../functions/rota/duty-parts.js");
    const seen = dutyStamp({ onDuty: false, shift: null, nextShift: null });
    const part = { kind: "duty-part", at: boundary.toISOString(), agents: ids.slice(0, 5).map((agentId) => ({ agentId, seen, want: window, next: null, viewOk: false })) };
    const record = (messageId: string, body: unknown) => ({ messageId, receiptHandle: messageId, body: JSON.stringify(body), attributes: { ApproximateReceiveCount: "2", SentTimestamp: String(Date.now()) }, messageAttributes: {} });
    const redelivered = await s.invoke("RotaDutyParts", { Records: [record("again", part), record("bad", { ...part, agents: [] })] });
    expect(redelivered).toEqual({ batchItemFailures: [{ itemIdentifier: "bad" }] });
    expect(await profiles()).toEqual(before);
    for (const id of ids) expect(await started(id), id).toHaveLength(1);
    expect(new Set((await onDuty()).agents.map((a: { agentId: string }) => a.agentId))).toEqual(new Set(ids));

    // A boundary of at most one part stays inline: the clock applies it before it returns.
    const end = await s.runAs("RotaDutyClock", () => recomputeDuty(at("2031-03-10T22:00:00Z"), undefined, { partSize: 23 }));
    expect(end.parts).toBeUndefined();
    expect(new Set(end.ended)).toEqual(new Set(ids));
    for (const p of await profiles()) expect(p).toMatchObject({ onDuty: false, shift: null });
  });
});
