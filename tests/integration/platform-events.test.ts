/**
 * The chat platform's side of the contract, inbound: events (agent replied, customer left,
 * platform closed) and arrivals with replay protection, ordered by `occurredAt` across episodes.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { agent, conversation, makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack({ env: { FIRST_RESPONSE_TIMEOUT_SECONDS: "180" } });

function event(s: TestStack, body: Record<string, unknown>, signed: boolean | { timestamp: number } = true) {
  return s.api("POST", "/webhooks/conversation-events", { body: { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...body }, signed });
}

const history = (c: { history: { action: string }[] }) => c.history.map((h) => h.action);

describe("platform events", () => {
  it("agent-replied records the episode's first response and stops the unanswered re-offer", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 2 });
    const b = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 2 });
    const { id } = await sendConversation(s, { skill: "logistics" });
    const routed = await settled(s, id);
    const eventId = randomUUID();
    const replied = await event(s, { eventId, conversationId: id, type: "agent-replied", agentId: routed.agentId });
    expect(replied.status).toBe(200);
    expect(replied.body).toMatchObject({ eventId, outcome: "applied", conversationId: id, status: "assigned" });
    const answered = await conversation(s, id);
    expect(answered.firstResponseAt).toBeDefined();
    expect(history(answered)).toContain("first-response");
    // Past the first-response timeout with someone else free: still with the agent who answered.
    await s.runSchedule("SupervisionClock", new Date(Date.now() + 4 * 60_000));
    expect(await conversation(s, id)).toMatchObject({ status: "assigned", agentId: routed.agentId });
    // The same eventId again: acknowledged, nothing happens.
    const again = await event(s, { eventId, conversationId: id, type: "agent-replied" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: "duplicate", duplicate: true });
    expect((await conversation(s, id)).history).toHaveLength(answered.history.length);
    await s.api("POST", `/conversations/${id}/close`, { as: await s.supervisor() });
    for (const x of [a, b]) await setDuty(x, false);
  });

  it("customer-left abandons a waiting conversation: out of the queue, counted as abandoned by the customer", async () => {
    const s = stack();
    const from = new Date(Date.now() - 60_000).toISOString();
    // Nobody has the vip skill in this file: it waits.
    const { id } = await sendConversation(s, { skill: "vip" });
    expect((await settled(s, id)).status).toBe("waiting");
    const left = await event(s, { conversationId: id, type: "customer-left" });
    expect(left.body).toMatchObject({ outcome: "applied", status: "abandoned" });
    const c = await conversation(s, id);
    expect(c).toMatchObject({ status: "abandoned", closeReason: "customer-left" });
    expect(c.closedAt).toBeDefined();
    const sup = await s.supervisor();
    const queue = (await s.api("GET", "/queue", { as: sup })).body;
    expect(JSON.stringify(queue.waiting)).not.toContain(id);
    const metrics = (await s.api("GET", `/metrics/routing?from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}`, { as: sup })).body;
    expect(metrics.abandonedByCustomer).toBeGreaterThanOrEqual(1);
    expect(metrics.abandoned).toBeGreaterThanOrEqual(metrics.abandonedByCustomer);
    // A supervisor's close afterwards changes nothing; the customer leaving twice neither.
    expect((await s.api("POST", `/conversations/${id}/close`, { as: sup })).body.status).toBe("abandoned");
    expect((await event(s, { conversationId: id, type: "customer-left" })).body.outcome).toBe("ignored");
  });

  it("customer-left on an assigned conversation closes it with reason customer-left and frees the slot", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 1 });
    const { id } = await sendConversation(s, { skill: "aftersale" });
    expect((await settled(s, id)).agentId).toBe(a);
    // The agent is full: the next one waits until the customer leaves the first.
    const { id: next } = await sendConversation(s, { skill: "aftersale" });
    expect((await settled(s, next)).status).toBe("waiting");
    const left = await event(s, { conversationId: id, type: "customer-left" });
    expect(left.body).toMatchObject({ outcome: "applied", status: "closed" });
    expect(await conversation(s, id)).toMatchObject({ status: "closed", closeReason: "customer-left", abandoned: false });
    const served = await s.eventually(async () => ((await conversation(s, next)).status === "assigned" ? conversation(s, next) : undefined));
    expect(served.agentId).toBe(a);
    expect((await agent(s, a)).load).toBe(1);
    await s.api("POST", `/conversations/${next}/close`, { as: await s.agentToken(a) });
    await setDuty(a, false);
  });

  it("closed by the platform frees the slot; unknown conversations are a 404 problem; unsigned calls a 401", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["complaint"], maxConcurrent: 2 });
    const { id } = await sendConversation(s, { skill: "complaint" });
    expect((await settled(s, id)).agentId).toBe(a);
    expect((await agent(s, a)).load).toBe(1);
    const closed = await event(s, { conversationId: id, type: "closed" });
    expect(closed.body).toMatchObject({ outcome: "applied", status: "closed" });
    expect(await conversation(s, id)).toMatchObject({ status: "closed", closeReason: "platform" });
    expect((await agent(s, a)).load).toBe(0);

    const unknown = await event(s, { conversationId: s.uid("nobody"), type: "closed" });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");
    expect((await event(s, { conversationId: id, type: "closed" }, false)).status).toBe(401);
    const bad = await event(s, { conversationId: id, type: "left-the-building" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("type");
    await setDuty(a, false);
  });

  it("ignores an event from before the conversation's last reopen", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["presale"], maxConcurrent: 2 });
    const customerId = s.uid("cust");
    const { id } = await sendConversation(s, { skill: "presale", customerId });
    await settled(s, id);
    const firstEpisode = new Date().toISOString();
    await s.api("POST", `/conversations/${id}/close`, { as: await s.agentToken(a) });
    const reopenedAt = new Date(Date.now() + 2_000).toISOString();
    const again = await sendConversation(s, { conversationId: id, customerId, skill: "presale", occurredAt: reopenedAt });
    expect(again.res.status).toBe(202);
    expect(again.res.body.reopened).toBe(true);
    const routed = await s.eventually(async () => ((await conversation(s, id)).status === "assigned" ? conversation(s, id) : undefined));
    // The platform delivers, late, that the customer left the FIRST episode.
    const late = await event(s, { conversationId: id, type: "customer-left", occurredAt: firstEpisode });
    expect(late.status).toBe(200);
    expect(late.body.outcome).toBe("stale");
    expect(await conversation(s, id)).toMatchObject({ status: "assigned", agentId: routed.agentId });
    await s.api("POST", `/conversations/${id}/close`, { as: await s.supervisor() });
    await setDuty(a, false);
  });
});

describe("arrivals with replay protection", () => {
  it("acknowledges a seen eventId with 200 duplicate, whatever else differs", async () => {
    const s = stack();
    const eventId = randomUUID();
    const conversationId = s.uid("conv");
    const first = await sendConversation(s, { conversationId, skill: "vip", eventId });
    expect(first.res.status).toBe(202);
    const replay = await s.api("POST", "/webhooks/conversations", { body: { conversationId, customerId: "other", channel: "jd", skill: "vip", eventId }, signed: { timestamp: Math.floor(Date.now() / 1000) - 30 } });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ conversationId, duplicate: true });
    const c = await conversation(s, conversationId);
    expect(history(c).filter((a) => a === "received")).toHaveLength(1);
    await s.api("POST", `/conversations/${conversationId}/close`, { as: await s.supervisor() });
  });

  it("a byte-identical signed request replayed after a close changes nothing; a new message reopens", async () => {
    const s = stack();
    const conversationId = s.uid("conv");
    const body = { conversationId, customerId: s.uid("cust"), channel: "tmall", skill: "vip" };
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await s.api("POST", "/webhooks/conversations", { body, signed: { timestamp } });
    expect(first.status).toBe(202);
    await settled(s, conversationId);
    await s.api("POST", `/conversations/${conversationId}/close`, { as: await s.supervisor() });
    // The very same bytes (timestamp and body) again, within the signature window: a replay.
    const replay = await s.api("POST", "/webhooks/conversations", { body, signed: { timestamp } });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ duplicate: true, status: "closed" });
    expect((await conversation(s, conversationId)).status).toBe("closed");
    // A message written before the close (occurredAt) does not reopen it either.
    const late = await s.api("POST", "/webhooks/conversations", { body: { ...body, occurredAt: new Date(timestamp * 1000 - 1_000).toISOString() }, signed: true });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ duplicate: true, stale: true, status: "closed" });
    expect((await conversation(s, conversationId)).status).toBe("closed");
    // Written after the close: a new episode.
    const later = await s.api("POST", "/webhooks/conversations", { body: { ...body, occurredAt: new Date(Date.now() + 1_000).toISOString() }, signed: true });
    expect(later.status).toBe(202);
    expect(later.body).toMatchObject({ reopened: true, status: "queued" });
    const c = await conversation(s, conversationId);
    expect(history(c)).toEqual(["received", "waiting", "abandoned", "reopened", ...history(c).slice(4)]);
    await s.api("POST", `/conversations/${conversationId}/close`, { as: await s.supervisor() });
  });

  it("a different request for an open conversation is acknowledged and changes nothing", async () => {
    const s = stack();
    const { id } = await sendConversation(s, { skill: "vip" });
    await settled(s, id);
    const retry = await sendConversation(s, { conversationId: id, skill: "vip", channel: "pdd" });
    expect(retry.res.status).toBe(200);
    expect(retry.res.body.duplicate).toBe(true);
    await s.api("POST", `/conversations/${id}/close`, { as: await s.supervisor() });
  });
});
