/**
 * Issue 13 item 3: skills are data (`GET /skills`, `PUT /skills/{skillId}`) with fallback skills;
 * escalation (mode fallback-and-notify here) offers a long wait to agents with a fallback skill
 * only, and invariant 8 holds under a rush with every queue past the threshold.
 */
import { describe, expect, it } from "vitest";
import { agent, conversation, makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack({ env: { ESCALATE_AFTER_SECONDS: "120", ESCALATION_MODE: "fallback-and-notify", FIRST_RESPONSE_TIMEOUT_SECONDS: "3600" } });
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

describe("skills as data", () => {
  it("serves the five defaults, creates and updates skills, and checks fallbacks and agents' skills against them", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const listed = await s.api("GET", "/skills", { as: sup });
    expect(listed.status).toBe(200);
    expect(listed.body.skills.map((k: { skillId: string }) => k.skillId)).toEqual(expect.arrayContaining(["presale", "aftersale", "vip", "complaint", "logistics"]));
    expect(listed.body.skills.find((k: { skillId: string }) => k.skillId === "vip")).toMatchObject({ fallbackSkills: [] });

    const skill = s.uid("sk");
    const created = await s.api("PUT", `/skills/${skill}`, { as: sup, body: { name: "Cross-border", fallbackSkills: ["aftersale"] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ skillId: skill, name: "Cross-border", fallbackSkills: ["aftersale"], updatedBy: "supervisor:sup-test" });
    const updated = await s.api("PUT", `/skills/${skill}`, { as: sup, body: { name: "Cross-border", fallbackSkills: ["aftersale", "presale"] } });
    expect(updated.status).toBe(200);
    // Writing a default replaces it (200, it existed).
    expect((await s.api("PUT", "/skills/vip", { as: sup, body: { name: "VIP", fallbackSkills: ["complaint"] } })).status).toBe(200);
    expect((await s.api("GET", "/skills", { as: sup })).body.skills.find((k: { skillId: string }) => k.skillId === "vip")).toMatchObject({ fallbackSkills: ["complaint"] });
    await s.api("PUT", "/skills/vip", { as: sup, body: { name: "VIP", fallbackSkills: [] } });

    const unknownFallback = await s.api("PUT", `/skills/${skill}`, { as: sup, body: { name: "x", fallbackSkills: ["astrology"] } });
    expect(unknownFallback.status).toBe(400);
    expect(unknownFallback.body.errors[0].field).toBe("fallbackSkills.0");
    const self = await s.api("PUT", `/skills/${skill}`, { as: sup, body: { name: "x", fallbackSkills: [skill] } });
    expect(self.status).toBe(400);
    const badId = await s.api("PUT", "/skills/Not%20A%20Skill", { as: sup, body: { name: "x" } });
    expect(badId.status).toBe(400);
    const asAgent = await s.api("PUT", `/skills/${skill}`, { as: await s.agentToken("a1"), body: { name: "x" } });
    expect(asAgent.status).toBe(403);
    expect((await s.api("GET", "/skills", { as: await s.agentToken("a1") })).status).toBe(200);

    const unknownSkill = await s.api("PUT", `/agents/${s.uid("agent")}`, { as: sup, body: { name: "A", skills: ["presale", "astrology"], maxConcurrent: 3 } });
    expect(unknownSkill.status).toBe(400);
    expect(unknownSkill.body.errors).toEqual([{ field: "skills.1", message: 'unknown skill "astrology"' }]);
    const known = await s.api("PUT", `/agents/${s.uid("agent")}`, { as: sup, body: { name: "A", skills: [skill], maxConcurrent: 3 } });
    expect(known.status).toBe(201);
    const webhook = await s.api("POST", "/webhooks/conversations", { body: { conversationId: s.uid("c"), customerId: "c", channel: "tmall", skill: "astrology" }, signed: true });
    expect(webhook.status).toBe(400);
    expect(webhook.body.errors.map((e: { field: string }) => e.field)).toEqual(["skill"]);
  });

  it("offers a conversation waiting past the threshold to an agent with a fallback skill, never to one with neither", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const main = s.uid("main");
    const fallback = s.uid("fb");
    const unrelated = s.uid("un");
    for (const id of [fallback, unrelated]) await s.api("PUT", `/skills/${id}`, { as: sup, body: { name: id } });
    await s.api("PUT", `/skills/${main}`, { as: sup, body: { name: main, fallbackSkills: [fallback] } });
    const socket = await s.connect(sup);
    const stranger = await makeAgent(s, { skills: [unrelated], maxConcurrent: 5 });
    const { id } = await sendConversation(s, { skill: main });
    expect((await settled(s, id)).status).toBe("waiting");
    await s.runSchedule("SupervisionClock", minutes(3));
    const escalated = await conversation(s, id);
    expect(escalated).toMatchObject({ status: "waiting", escalated: true, skill: main, fallbackSkills: [fallback] });
    expect((await socket.waitFor((m) => m.type === "escalation" && m.conversationId === id)).skill).toBe(main);
    expect((await agent(s, stranger)).load).toBe(0);
    // A fallback agent arriving takes it at once (its presence wakes the drain of its skills).
    const helper = await makeAgent(s, { skills: [fallback], maxConcurrent: 2 });
    const served = await s.eventually(async () => {
      const c = await conversation(s, id);
      return c.status === "assigned" ? c : undefined;
    });
    expect(served.agentId).toBe(helper);
    expect((await agent(s, stranger)).load).toBe(0);
    await socket.close();
    for (const x of [stranger, helper]) await setDuty(x, false);
  });

  it("holds invariant 8 under a rush with every queue past the escalation threshold", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const [a, b, c, d, x] = ["a", "b", "c", "d", "x"].map((k) => s.uid(`r${k}`)) as [string, string, string, string, string];
    // Fallbacks: a -> b, b -> (none), c -> d, d -> a. x is nobody's fallback.
    const fallbacks: Record<string, string[]> = { [b]: [], [x]: [], [a]: [b], [c]: [d], [d]: [a] };
    for (const id of [b, x, a, d, c]) expect((await s.api("PUT", `/skills/${id}`, { as: sup, body: { name: id, fallbackSkills: fallbacks[id] } })).status).toBeLessThan(300);
    const skillSets = [[a], [b], [b], [c], [d], [a, c], [x], [x], [b, x], [d, x]];
    const agents = await Promise.all(skillSets.map((skills) => makeAgent(s, { skills, maxConcurrent: 3, presence: "offline" })));
    const skillsOf = new Map(agents.map((id, i) => [id, skillSets[i] ?? []]));
    // 60 conversations over every skill but x, all waiting (everyone offline), then all past the threshold.
    const mix = [a, b, c, d];
    const sent = await Promise.all(Array.from({ length: 60 }, (_, i) => sendConversation(s, { skill: mix[i % mix.length] ?? a })));
    const waiting = await Promise.all(sent.map((c) => settled(s, c.id)));
    expect(waiting.every((w) => w.status === "waiting")).toBe(true);
    const clock = (await s.runSchedule("SupervisionClock", minutes(3))) as { escalated: number };
    expect(clock.escalated).toBe(60);
    // The rush: every agent comes online at once, and agents close work as they go, freeing slots.
    await Promise.all(agents.map((id) => s.api("PUT", `/agents/${id}/presence`, { as: sup, body: { status: "online" } })));
    for (let round = 0; round < 3; round++) {
      const open = (await Promise.all(agents.map(async (id) => (await s.api("GET", `/agents/${id}/conversations`, { as: sup })).body.conversations as { conversationId: string }[]))).flat();
      await Promise.all(open.slice(0, 8).map((o) => s.api("POST", `/conversations/${o.conversationId}/close`, { as: sup })));
      await s.runSchedule("SupervisionClock", minutes(4 + round));
    }
    const finals = await Promise.all(sent.map((c) => conversation(s, c.id)));
    let byFallback = 0;
    let assignments = 0;
    for (const conv of finals) {
      const allowed = new Set([conv.requestedSkill, ...(fallbacks[conv.requestedSkill] ?? [])]);
      expect(conv.fallbackSkills ?? []).toEqual(fallbacks[conv.requestedSkill]);
      for (const h of conv.history as { action: string; agentId?: string }[]) {
        if (h.action !== "assigned" || !h.agentId) continue;
        assignments++;
        const has = skillsOf.get(h.agentId) ?? [];
        // Invariant 8: the skill itself or one of its fallback skills; never neither.
        expect(has.some((k) => allowed.has(k)), `${conv.conversationId} (${conv.requestedSkill}) went to ${h.agentId} [${has.join(",")}]`).toBe(true);
        if (!has.includes(conv.requestedSkill)) byFallback++;
      }
    }
    expect(assignments).toBeGreaterThanOrEqual(30);
    // Fallbacks were really used (c's conversations can only reach d-agents and a+c, etc.).
    expect(byFallback).toBeGreaterThan(0);
    for (const id of agents) {
      const view = await agent(s, id);
      expect(view.load).toBeLessThanOrEqual(view.maxConcurrent);
      // Agents with only x: nobody's skill, nobody's fallback.
      if ((skillsOf.get(id) ?? []).every((k) => k === x)) expect(finals.some((f) => (f.history as { agentId?: string }[]).some((h) => h.agentId === id))).toBe(false);
    }
    for (const id of agents) await setDuty(id, false);
  });
});
