import { afterEach, describe, expect, it } from "vitest";
import { agent, conversation, makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

// Thresholds are pinned so the controllable clock (runSchedule(name, at)) drives each rule.
// Whole-hour metrics come from the table's stream.
const stack = useLocalStack({ tableStream: true, env: { HANDOVER_GRACE_MINUTES: "5", FIRST_RESPONSE_TIMEOUT_SECONDS: "180", ESCALATE_AFTER_SECONDS: "120", AWAY_HANDOVER_MINUTES: "10" } });
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

async function assignedTo(s: ReturnType<typeof stack>, skill: string, agentId: string) {
  const { id } = await sendConversation(s, { skill });
  const c = await settled(s, id);
  expect(c.agentId).toBe(agentId);
  return id;
}

describe("supervision", () => {
  // The rules act on everything in the table: close what a test left open or waiting and take its
  // agents off duty, so the next test starts clean.
  afterEach(async () => {
    const s = stack();
    const sup = await s.supervisor();
    const queue = (await s.api("GET", "/queue", { as: sup })).body;
    const waiting = Object.values(queue.waiting as Record<string, { conversationId: string }[]>).flat();
    await Promise.all(waiting.map((w) => s.api("POST", `/conversations/${w.conversationId}/close`, { as: sup })));
    const agents = (await s.api("GET", "/agents", { as: sup })).body.agents as { agentId: string; onDuty: boolean }[];
    for (const a of agents) {
      const open = (await s.api("GET", `/agents/${a.agentId}/conversations`, { as: sup })).body.conversations as { conversationId: string }[];
      await Promise.all(open.map((c) => s.api("POST", `/conversations/${c.conversationId}/close`, { as: sup })));
      if (a.onDuty) await setDuty(a.agentId, false);
    }
  });

  it("lets an agent transfer to an eligible agent, refuses a full one, and keeps loads exact", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 3 });
    const id = await assignedTo(s, "aftersale", a);
    await setDuty(a, false);
    const full = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 1 });
    await assignedTo(s, "aftersale", full);
    await setDuty(a, true);
    const b = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 1 });

    const stranger = await s.api("POST", `/conversations/${id}/transfer`, { as: await s.agentToken(b), body: { toAgentId: b } });
    expect(stranger.status).toBe(404);
    const refused = await s.api("POST", `/conversations/${id}/transfer`, { as: await s.agentToken(a), body: { toAgentId: full } });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/full/);
    expect((await conversation(s, id)).agentId).toBe(a);
    const bad = await s.api("POST", `/conversations/${id}/transfer`, { as: await s.agentToken(a), body: { toAgentId: b, toSkill: "vip" } });
    expect(bad.status).toBe(400);

    const moved = await s.api("POST", `/conversations/${id}/transfer`, { as: await s.agentToken(a), body: { toAgentId: b } });
    expect(moved.status).toBe(200);
    expect(moved.body.agentId).toBe(b);
    expect((await agent(s, a)).load).toBe(0);
    expect((await agent(s, b)).load).toBe(1);
    expect(moved.body.history.at(-1)).toMatchObject({ action: "transferred", agentId: b, actor: `agent:${a}` });
    for (const x of [a, b, full]) await setDuty(x, false);
  });

  it("transfers to a skill through routing, keeping arrival and priority", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["presale"], maxConcurrent: 2 });
    const id = await assignedTo(s, "presale", a);
    const before = await conversation(s, id);
    const v = await makeAgent(s, { skills: ["vip"], maxConcurrent: 2 });
    const res = await s.api("POST", `/conversations/${id}/transfer`, { as: await s.agentToken(a), body: { toSkill: "vip" } });
    expect(res.status).toBe(200);
    const after = await conversation(s, id);
    expect(after).toMatchObject({ status: "assigned", agentId: v, skill: "vip", arrivedAt: before.arrivedAt, priority: before.priority });
    expect((await agent(s, a)).load).toBe(0);
    for (const x of [a, v]) await setDuty(x, false);
  });

  it("lets a supervisor force a reassignment over capacity and audits it", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["complaint"], maxConcurrent: 2 });
    const id = await assignedTo(s, "complaint", a);
    const b = await makeAgent(s, { skills: ["complaint"], maxConcurrent: 1 });
    await assignedTo(s, "complaint", b);
    const sup = await s.supervisor("sup-boss");
    const refused = await s.api("POST", `/conversations/${id}/reassign`, { as: sup, body: { toAgentId: b } });
    expect(refused.status).toBe(409);
    const asAgent = await s.api("POST", `/conversations/${id}/reassign`, { as: await s.agentToken(a), body: { toAgentId: b, force: true } });
    expect(asAgent.status).toBe(403);
    const forced = await s.api("POST", `/conversations/${id}/reassign`, { as: sup, body: { toAgentId: b, force: true } });
    expect(forced.status).toBe(200);
    expect(forced.body.history.at(-1)).toMatchObject({ action: "reassigned", actor: "supervisor:sup-boss", agentId: b });
    expect(forced.body.history.at(-1).detail).toMatch(/forced over capacity/);
    expect((await agent(s, b)).load).toBe(2);
    expect((await agent(s, a)).load).toBe(0);
    for (const x of [a, b]) await setDuty(x, false);
  });

  it("hands over open conversations after the shift-end grace period, not before", async () => {
    const s = stack();
    const leaving = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 2 });
    const id = await assignedTo(s, "logistics", leaving);
    const next = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 2 });
    await setDuty(leaving, false);
    await s.runSchedule("SupervisionClock", minutes(2));
    expect((await conversation(s, id)).agentId).toBe(leaving);
    const result = (await s.runSchedule("SupervisionClock", minutes(6))) as { handedOver: number };
    expect(result.handedOver).toBeGreaterThanOrEqual(1);
    const after = await conversation(s, id);
    expect(after).toMatchObject({ status: "assigned", agentId: next });
    expect(after.history.map((h: { action: string }) => h.action)).toContain("handed-over");
    expect((await agent(s, leaving)).load).toBe(0);
    await setDuty(next, false);
  });

  it("stops new work at once when an agent goes away, and hands open work over after the away timeout", async () => {
    const s = stack();
    const away = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 3 });
    const id = await assignedTo(s, "aftersale", away);
    // Answered, so only the away rule (not the unanswered re-offer) can move it.
    await s.api("POST", `/conversations/${id}/first-response`, { as: await s.agentToken(away) });
    await s.api("PUT", `/agents/${away}/presence`, { as: await s.agentToken(away), body: { status: "away" } });
    const meanwhile = await sendConversation(s, { skill: "aftersale" });
    expect((await settled(s, meanwhile.id)).status).toBe("waiting");
    const other = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 3 });
    expect((await s.eventually(async () => ((await conversation(s, meanwhile.id)).status === "assigned" ? conversation(s, meanwhile.id) : undefined))).agentId).toBe(other);
    await s.runSchedule("SupervisionClock", minutes(5));
    expect((await conversation(s, id)).agentId).toBe(away);
    await s.runSchedule("SupervisionClock", minutes(11));
    const after = await conversation(s, id);
    expect(after.agentId).toBe(other);
    expect(after.history.find((h: { action: string }) => h.action === "handed-over").detail).toBe("agent away");
    for (const x of [away, other]) await setDuty(x, false);
  });

  it("re-offers a conversation with no first response after 3 minutes, and records it", async () => {
    const s = stack();
    const slow = await makeAgent(s, { skills: ["vip"], maxConcurrent: 2 });
    const id = await assignedTo(s, "vip", slow);
    const answered = await assignedTo(s, "vip", slow);
    await s.api("POST", `/conversations/${answered}/first-response`, { as: await s.agentToken(slow) });
    const other = await makeAgent(s, { skills: ["vip"], maxConcurrent: 2 });
    await s.runSchedule("SupervisionClock", minutes(2));
    expect((await conversation(s, id)).agentId).toBe(slow);
    await s.runSchedule("SupervisionClock", minutes(4));
    const after = await conversation(s, id);
    expect(after.agentId).toBe(other);
    expect(after.history.find((h: { action: string }) => h.action === "reoffered")).toMatchObject({ agentId: slow });
    expect((await conversation(s, answered)).agentId).toBe(slow);
    for (const x of [slow, other]) await setDuty(x, false);
  });

  // Contract change (issue 13 item 3): the default escalation (ESCALATION_MODE=notify) tells
  // supervisors and widens nothing; it used to turn a long wait into "any skill".
  it("escalates a long wait by notifying supervisors, and widens nothing by default", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-watch");
    const socket = await s.connect(sup);
    // Even with a fallback configured, the default mode does not use it.
    const main = s.uid("esc");
    const fallback = s.uid("fb");
    expect((await s.api("PUT", `/skills/${fallback}`, { as: sup, body: { name: "Fallback" } })).status).toBe(201);
    expect((await s.api("PUT", `/skills/${main}`, { as: sup, body: { name: "Main", fallbackSkills: [fallback] } })).status).toBe(201);
    const { id } = await sendConversation(s, { skill: main });
    expect((await settled(s, id)).status).toBe("waiting");
    const generalist = await makeAgent(s, { skills: ["presale", fallback], maxConcurrent: 5 });
    await s.runSchedule("SupervisionClock", minutes(1));
    expect((await conversation(s, id)).status).toBe("waiting");
    await s.runSchedule("SupervisionClock", minutes(3));
    const after = await conversation(s, id);
    expect(after).toMatchObject({ status: "waiting", escalated: true, requestedSkill: main, skill: main });
    expect(after.fallbackSkills).toBeUndefined();
    const note = await socket.waitFor((m) => m.type === "escalation" && m.conversationId === id);
    expect(note.skill).toBe(main);
    await s.runSchedule("SupervisionClock", minutes(4));
    expect((await conversation(s, id)).status).toBe("waiting");
    expect((await agent(s, generalist)).load).toBe(0);
    await socket.close();
    await setDuty(generalist, false);
  });

  it("repairs injected load drift and reports it", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 5 });
    await assignedTo(s, "aftersale", a);
    const { mutateAgent } = await import("../../functions/agents/store.js");
    await mutateAgent(a, (x) => (x ? { after: { ...x, load: 4 } } : undefined));
    expect((await agent(s, a)).load).toBe(4);
    const report = (await s.runSchedule("LoadReconciler", new Date())) as { repaired: number; repairs: { agentId: string; from: number; to: number }[] };
    expect(report.repairs).toContainEqual({ agentId: a, from: 4, to: 1 });
    expect((await agent(s, a)).load).toBe(1);
    const trail = await s.api("GET", `/audit/agent/${a}?order=newest`, { as: await s.supervisor() });
    expect(trail.body.entries).toContainEqual(expect.objectContaining({ action: "load-repaired", actor: "system:load-reconciler", details: expect.objectContaining({ from: 4, to: 1 }) }));
    const again = (await s.runSchedule("LoadReconciler", new Date())) as { repairs: { agentId: string }[] };
    expect(again.repairs.find((r) => r.agentId === a)).toBeUndefined();
    await setDuty(a, false);
  });

  it("keeps every load exact under concurrent transfers, reassigns and closes", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["complaint"], maxConcurrent: 8 });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await assignedTo(s, "complaint", a));
    const b = await makeAgent(s, { skills: ["complaint"], maxConcurrent: 3 });
    const c = await makeAgent(s, { skills: ["complaint"], maxConcurrent: 3 });
    const sup = await s.supervisor();
    const tokenA = await s.agentToken(a);
    const ops = ids.flatMap((id, i) => [
      s.api("POST", `/conversations/${id}/transfer`, { as: tokenA, body: { toAgentId: i % 2 ? b : c } }),
      s.api("POST", `/conversations/${id}/reassign`, { as: sup, body: { toAgentId: i % 2 ? c : b } }),
      i % 3 === 0 ? s.api("POST", `/conversations/${id}/close`, { as: sup }) : Promise.resolve({ status: 0 }),
    ]);
    const results = await Promise.all(ops);
    expect(results.every((r) => r.status === 0 || r.status === 200 || r.status === 409 || r.status === 404)).toBe(true);
    const convs = await Promise.all(ids.map((id) => conversation(s, id)));
    for (const x of [a, b, c]) {
      const view = await agent(s, x);
      const held = convs.filter((cv) => cv.status === "assigned" && cv.agentId === x).length;
      expect(view.load).toBe(held);
      expect(view.load).toBeLessThanOrEqual(view.maxConcurrent);
      const records = (await s.api("GET", `/agents/${x}/conversations`, { as: sup })).body.conversations.length;
      expect(records).toBe(held);
    }
    for (const x of [a, b, c]) await setDuty(x, false);
  });

  it("shows the live queue and routing metrics for a time range", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const base = new Date("2031-11-11T01:00:00.000Z");
    const at = (sec: number) => new Date(base.getTime() + sec * 1000);
    const a = await makeAgent(s, { skills: ["presale"], maxConcurrent: 1 });
    const first = s.uid("m");
    await s.api("POST", "/webhooks/conversations", { body: { conversationId: first, customerId: "c1", channel: "tmall" }, signed: true, at: at(0) });
    expect((await settled(s, first)).agentId).toBe(a);
    await s.api("POST", `/conversations/${first}/first-response`, { as: await s.agentToken(a), at: at(60) });
    const second = s.uid("m");
    await s.api("POST", "/webhooks/conversations", { body: { conversationId: second, customerId: "c2", channel: "tmall", priority: "urgent" }, signed: true, at: at(10) });
    expect((await settled(s, second)).status).toBe("waiting");
    const queue = await s.api("GET", "/queue", { as: sup });
    expect(queue.status).toBe(200);
    expect(queue.body.waiting.presale.map((w: { conversationId: string }) => w.conversationId)).toContain(second);
    expect(queue.body.agents.find((x: { agentId: string }) => x.agentId === a)).toMatchObject({ load: 1, maxConcurrent: 1, presence: "online" });
    await s.api("POST", `/conversations/${second}/close`, { as: sup, at: at(100) });

    // Whole hours come from the aggregates the table's stream keeps: wait for it to take the writes above.
    await s.streamsSettled();
    const metrics = await s.api("GET", `/metrics/routing?from=${encodeURIComponent(base.toISOString())}&to=${encodeURIComponent(at(3600).toISOString())}`, { as: sup });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatchObject({ received: 2, assigned: 1, abandoned: 1, firstResponseWithin3MinRate: 0.5 });
    // Contract change (issue 13 item 5): per-agent first-response figures beside the counts.
    expect(metrics.body.perAgent).toEqual([{ agentId: a, assigned: 1, closed: 0, firstResponses: 1, firstResponseWithin3MinRate: 1 }]);
    expect(metrics.body).toMatchObject({ abandonedByCustomer: 0, closedWhileWaiting: 1 });
    expect(metrics.body.perSkill).toEqual([{ skill: "presale", received: 2, answered: 1, firstResponseSeconds: { median: 60, p90: 60 }, firstResponseWithin3MinRate: 0.5 }]);
    const badRange = await s.api("GET", "/metrics/routing?from=yesterday&to=2031-01-01T00:00:00Z", { as: sup });
    expect(badRange.status).toBe(400);
    expect(badRange.body.errors[0].field).toBe("from");
    await setDuty(a, false);
  });
});
