/**
 * Issue 13 item 4: exact duty boundaries. The rota's duty clock only tidies; the profile and its
 * seats carry the routing window and the assignment transaction checks the decision's clock
 * (the request time carried by the route message, via the local stack's X-Local-Time) against it.
 */
import { describe, expect, it } from "vitest";
import { agent, conversation, makeAgent, settled } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();
const second = 1000;

describe("exact duty boundaries", () => {
  it("assigns 1 s before the shift ends and not 1 s after; withholds 1 s before it starts and serves 1 s after", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const skill = s.uid("duty");
    await s.api("PUT", `/skills/${skill}`, { as: sup, body: { name: "Duty edges" } });
    const shiftId = s.uid("edge");
    expect((await s.api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "Edge", start: "09:00", end: "10:00", timeZone: "UTC" } })).status).toBeLessThan(300);
    const id = await makeAgent(s, { skills: [skill], maxConcurrent: 5, onDuty: false });
    const start = new Date("2031-03-10T09:00:00.000Z");
    const end = new Date("2031-03-10T10:00:00.000Z");
    const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
    expect((await s.api("PUT", "/rota", { as: sup, at: at(start, -3_600_000), body: { assignments: [{ agentId: id, date: "2031-03-10", shiftId }] } })).status).toBe(200);
    const send = async (when: Date) => {
      const conversationId = s.uid("c");
      const res = await s.api("POST", "/webhooks/conversations", { body: { conversationId, customerId: s.uid("cust"), channel: "tmall", skill }, signed: true, at: when });
      expect(res.status).toBe(202);
      return settled(s, conversationId);
    };

    // The duty clock's tick shortly before the start writes the coming window (and a drain timed for it).
    const tick = (await s.runSchedule("RotaDutyClock", at(start, -5 * second))) as { upcoming: string[] };
    expect(tick.upcoming).toContain(id);
    expect(await agent(s, id)).toMatchObject({ onDuty: false, nextShift: { shiftId, from: start.toISOString(), to: end.toISOString() } });

    const early = await send(at(start, -second));
    expect(early.status).toBe("waiting");
    const onTime = await send(at(start, second));
    expect(onTime).toMatchObject({ status: "assigned", agentId: id, assignedAt: at(start, second).toISOString() });
    // The waiting one is served at the shift's first instant by the timed drain, not at a later tick.
    const served = await s.eventually(async () => {
      const c = await conversation(s, early.conversationId);
      return c.status === "assigned" ? c : undefined;
    }, 20_000);
    expect(served).toMatchObject({ agentId: id, assignedAt: start.toISOString() });

    // No tick at the start or the end: the flags are untidy, the window still decides.
    const beforeEnd = await send(at(end, -second));
    expect(beforeEnd).toMatchObject({ status: "assigned", agentId: id });
    const afterEnd = await send(at(end, second));
    expect(afterEnd.status).toBe("waiting");
    expect((await agent(s, id)).load).toBe(3);

    // The transaction's own condition refuses the agent after the end, whatever the caller checked.
    const { getAgent, seatAssignmentOps } = await import("../../functions/agents/store.js");
    const { transact, TransactionCancelledError } = await import("../../functions/shared/table/index.js");
    const profile = await getAgent(id);
    if (!profile) throw new Error("agent missing");
    const seat = { agentId: id, skills: profile.skills, load: profile.load, maxConcurrent: profile.maxConcurrent, lastAssignedAt: profile.lastAssignedAt, version: profile.version };
    await expect(transact(seatAssignmentOps(seat, at(end, second).toISOString()))).rejects.toBeInstanceOf(TransactionCancelledError);
    await expect(transact(seatAssignmentOps(seat, at(start, -second).toISOString()))).rejects.toBeInstanceOf(TransactionCancelledError);
    // The router's cheap path (no seat rewrite) carries the same window condition.
    const { spareSlotAssignmentOps } = await import("../../functions/agents/store.js");
    expect(profile.load + 1).toBeLessThan(profile.maxConcurrent);
    await expect(transact(spareSlotAssignmentOps({ ...seat, skill }, at(end, second).toISOString()))).rejects.toBeInstanceOf(TransactionCancelledError);
    await expect(transact(spareSlotAssignmentOps({ ...seat, skill }, at(start, -second).toISOString()))).rejects.toBeInstanceOf(TransactionCancelledError);

    // The tidy tick after the end clears the flags.
    await s.runSchedule("RotaDutyClock", at(end, 30 * second));
    expect(await agent(s, id)).toMatchObject({ onDuty: false, shift: null, nextShift: null });
    expect((await conversation(s, afterEnd.conversationId)).status).toBe("waiting");
  });
});
