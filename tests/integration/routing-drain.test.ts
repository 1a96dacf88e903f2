/**
 * The drain does not stop at a queue head nobody may take: it serves the next conversation
 * someone may take, and the head keeps its place (it is served first once someone who may take it
 * has room). Two heads nobody may take: one that excludes the only free agent (it was transferred
 * away from them), and one not yet escalated in front of an escalated one a fallback agent may take.
 * And a drain's decisions are each made at their own instant, never by a clock taken earlier.
 */
import { describe, expect, it } from "vitest";
import { agent, conversation, makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack({ env: { ESCALATE_AFTER_SECONDS: "120", ESCALATION_MODE: "fallback", FIRST_RESPONSE_TIMEOUT_SECONDS: "3600" } });

async function assignedTo(s: TestStack, id: string) {
  return s.eventually(async () => {
    const c = await conversation(s, id);
    return c.status === "assigned" ? (c.agentId as string) : undefined;
  });
}

describe("draining past a head nobody may take", () => {
  it("serves the conversation behind a head that excludes the only free agent, then the head first", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const skill = s.uid("dr");
    await s.api("PUT", `/skills/${skill}`, { as: sup, body: { name: "Drain" } });
    const a = await makeAgent(s, { skills: [skill], maxConcurrent: 1 });
    const b = await makeAgent(s, { skills: [skill], maxConcurrent: 1 });
    const first = await sendConversation(s, { skill });
    const second = await sendConversation(s, { skill });
    const holders = [await assignedTo(s, first.id), await assignedTo(s, second.id)];
    expect(new Set(holders)).toEqual(new Set([a, b]));
    // Both full: the next customer waits.
    const next = await sendConversation(s, { skill });
    expect((await settled(s, next.id)).status).toBe("waiting");

    // The first one's agent sends it back to the line: it keeps its earlier place (the head) but
    // may not go back to that agent, the only one free now.
    const leaver = holders[0] as string;
    const moved = await s.api("POST", `/conversations/${first.id}/transfer`, { as: await s.agentToken(leaver), body: { toSkill: skill } });
    expect(moved.status).toBe(200);
    // The drain passes over the head: the customer behind it gets the free agent at once.
    expect(await assignedTo(s, next.id)).toBe(leaver);
    const head = await conversation(s, first.id);
    expect(head).toMatchObject({ status: "waiting", excludeAgentIds: [leaver] });
    expect((await agent(s, leaver)).load).toBe(1);

    // Another customer queues behind the head; when the other agent frees a slot, the head
    // (first in line, and it may go there) gets it, not the newer one.
    const later = await sendConversation(s, { skill });
    expect((await settled(s, later.id)).status).toBe("waiting");
    const other = holders[1] as string;
    expect((await s.api("POST", `/conversations/${second.id}/close`, { as: await s.agentToken(other) })).status).toBe(200);
    expect(await assignedTo(s, first.id)).toBe(other);
    expect((await conversation(s, later.id)).status).toBe("waiting");

    for (const id of [first.id, next.id, later.id]) await s.api("POST", `/conversations/${id}/close`, { as: sup });
    for (const x of [a, b]) await setDuty(x, false);
  });

  it("serves an escalated conversation behind an unescalated head when only a fallback agent has room", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const fallback = s.uid("fb");
    const main = s.uid("main");
    await s.api("PUT", `/skills/${fallback}`, { as: sup, body: { name: "Fallback" } });
    await s.api("PUT", `/skills/${main}`, { as: sup, body: { name: "Main", fallbackSkills: [fallback] } });
    // Nobody has `main`; the fallback agent is not online yet.
    const helper = await makeAgent(s, { skills: [fallback], maxConcurrent: 2, presence: "offline" });
    const old = await sendConversation(s, { skill: main });
    expect((await settled(s, old.id)).status).toBe("waiting");
    // Past the threshold: escalated, its skill's fallback allowed.
    await s.runSchedule("SupervisionClock", new Date(Date.now() + 3 * 60_000));
    expect(await conversation(s, old.id)).toMatchObject({ status: "waiting", escalated: true, fallbackSkills: [fallback] });
    // An urgent one arrives: ahead of it in the line, but not escalated (only `main` agents may take it).
    const urgent = await sendConversation(s, { skill: main, priority: "urgent" });
    expect((await settled(s, urgent.id)).status).toBe("waiting");
    const queue = (await s.api("GET", "/queue", { as: sup })).body;
    expect((queue.waiting[main] as { conversationId: string }[]).map((w) => w.conversationId)).toEqual([urgent.id, old.id]);

    // The fallback agent comes online: its drain passes the unescalated head for the escalated one.
    expect((await s.api("PUT", `/agents/${helper}/presence`, { as: sup, body: { status: "online" } })).status).toBe(200);
    expect(await assignedTo(s, old.id)).toBe(helper);
    expect((await conversation(s, urgent.id)).status).toBe("waiting");
    expect((await agent(s, helper)).load).toBe(1);

    for (const id of [old.id, urgent.id]) await s.api("POST", `/conversations/${id}/close`, { as: sup });
    await setDuty(helper, false);
  });

  it("dates each assignment by its own instant: a drain asked for an earlier instant assigns nobody whose shift has ended since", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const skill = s.uid("late");
    await s.api("PUT", `/skills/${skill}`, { as: sup, body: { name: "Late drain" } });
    // On duty by its flag, but its shift ended a minute ago (the duty clock has not tidied yet).
    const gone = await makeAgent(s, { skills: [skill], maxConcurrent: 3 });
    await setDuty(gone, true, { from: new Date(Date.now() - 2 * 3_600_000), to: new Date(Date.now() - 60_000) });
    const { id } = await sendConversation(s, { skill });
    expect((await settled(s, id)).status).toBe("waiting");
    // A drain whose clock was taken five minutes ago (a slow drain, a late message), when the
    // shift still ran: each decision is made at its own instant, after the shift's end.
    const { drainWaiting } = await import("../../functions/routing/use-cases/index.js");
    expect(await s.runAs("Router", () => drainWaiting([skill], new Date(Date.now() - 5 * 60_000)))).toBe(0);
    expect(await conversation(s, id)).toMatchObject({ status: "waiting" });
    expect((await agent(s, gone)).load).toBe(0);
    // Someone on duty now takes it, dated now (not five minutes ago, before it arrived).
    const here = await makeAgent(s, { skills: [skill], maxConcurrent: 3, presence: "offline" });
    const before = Date.now();
    await s.api("PUT", `/agents/${here}/presence`, { as: sup, body: { status: "online" } });
    const served = await s.eventually(async () => {
      const c = await conversation(s, id);
      return c.status === "assigned" ? c : undefined;
    });
    expect(served.agentId).toBe(here);
    expect(Date.parse(served.assignedAt)).toBeGreaterThanOrEqual(before);
    await s.api("POST", `/conversations/${id}/close`, { as: sup });
    for (const x of [gone, here]) await setDuty(x, false);
  });
});
