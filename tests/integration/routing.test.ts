import { GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { sqsClient } from "../../local/sqs.js";
import { agent, conversation, makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

// Each test uses its own skill where isolation matters: agents of other tests must not interfere.
const stack = useLocalStack();

describe("conversation routing", () => {
  it("accepts a signed webhook, routes it to an on-duty online agent and pushes the assignment", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 2 });
    const socket = await s.connect(await s.agentToken(a));
    const { id, res } = await sendConversation(s, { skill: "logistics" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ conversationId: id, status: "queued" });
    const routed = await settled(s, id);
    expect(routed).toMatchObject({ status: "assigned", agentId: a });
    const push = await socket.waitFor((m) => m.type === "assignment" && m.conversation.conversationId === id);
    expect(push.conversation.agentId).toBe(a);
    expect((await agent(s, a)).load).toBe(1);
    const mine = await s.api("GET", `/agents/${a}/conversations`, { as: await s.agentToken(a) });
    expect(mine.body.conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual([id]);
    expect(routed.history.map((h: { action: string }) => h.action)).toEqual(["received", "assigned"]);
    await socket.close();
    const closed = await s.api("POST", `/conversations/${id}/close`, { as: await s.agentToken(a) });
    expect(closed.body.status).toBe("closed");
    expect((await agent(s, a)).load).toBe(0);
    await setDuty(a, false);
  });

  it("never creates a second conversation for a retried webhook", async () => {
    const s = stack();
    const conversationId = s.uid("conv");
    const results = await Promise.all(Array.from({ length: 5 }, () => sendConversation(s, { conversationId, skill: "complaint" })));
    // One is accepted (202); the retries are acknowledged as duplicates (200, design: arrivals).
    expect(results.filter((r) => r.res.status === 202 && r.res.body.duplicate === undefined)).toHaveLength(1);
    expect(results.filter((r) => r.res.status === 200 && r.res.body.duplicate === true)).toHaveLength(4);
    const c = await settled(s, conversationId);
    expect(c.history.filter((h: { action: string }) => h.action === "received")).toHaveLength(1);
  });

  it("reopens a closed conversation the customer writes to again, and routes it afresh (not to an offline agent)", async () => {
    const s = stack();
    const first = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 2 });
    const customerId = s.uid("cust");
    const { id } = await sendConversation(s, { customerId, skill: "aftersale" });
    expect((await settled(s, id)).agentId).toBe(first);
    const closed = await s.api("POST", `/conversations/${id}/close`, { as: await s.agentToken(first) });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    await s.api("PUT", `/agents/${first}/presence`, { as: await s.agentToken(first), body: { status: "offline" } });
    const second = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 2 });
    // A new message (its own occurredAt): the byte-identical request again would be a replay.
    const again = await sendConversation(s, { conversationId: id, customerId, skill: "aftersale", occurredAt: new Date().toISOString() });
    expect(again.res.status, JSON.stringify({ again: again.res.body, closed: closed.body })).toBe(202);
    expect(again.res.body).toMatchObject({ status: "queued", reopened: true });
    const routed = await s.eventually(async () => ((await conversation(s, id)).status === "assigned" ? conversation(s, id) : undefined));
    expect(routed.agentId).toBe(second);
    expect(routed.history.map((h: { action: string }) => h.action)).toEqual(["received", "assigned", "closed", "reopened", "assigned"]);
    expect((await agent(s, first)).load).toBe(0);
    for (const x of [first, second]) await setDuty(x, false);
  });

  it("rejects unsigned, stale-signed and malformed webhooks with 4xx and records nothing", async () => {
    const s = stack();
    const body = { conversationId: s.uid("conv"), customerId: "c1", channel: "tmall" };
    const unsigned = await s.api("POST", "/webhooks/conversations", { body });
    expect(unsigned.status).toBe(401);
    const stale = await s.api("POST", "/webhooks/conversations", { body, signed: { timestamp: Math.floor(Date.now() / 1000) - 600 } });
    expect(stale.status).toBe(401);
    expect(stale.body.detail).toMatch(/replay/);
    const wrongSecret = await s.api("POST", "/webhooks/conversations", { body, signed: { secret: "another-secret-of-enough-length" } });
    expect(wrongSecret.status).toBe(401);
    const malformed = await s.api("POST", "/webhooks/conversations", { body: { ...body, skill: "astrology", priority: "asap", orderAmount: -1 }, signed: true });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["orderAmount", "priority", "skill"]);
    const read = await s.api("GET", `/conversations/${body.conversationId}`, { as: await s.supervisor() });
    expect(read.status).toBe(404);
  });

  it("never exceeds capacity under a burst of parallel webhooks, and drains exactly as many as free up", async () => {
    const s = stack();
    const agents = await Promise.all([1, 2, 3].map(() => makeAgent(s, { skills: ["aftersale"], maxConcurrent: 2 })));
    const sent = await Promise.all(Array.from({ length: 20 }, () => sendConversation(s, { skill: "aftersale" })));
    const states = await Promise.all(sent.map((c) => settled(s, c.id)));
    const assigned = states.filter((c) => c.status === "assigned");
    expect(assigned).toHaveLength(6);
    expect(states.filter((c) => c.status === "waiting")).toHaveLength(14);
    for (const a of agents) {
      const view = await agent(s, a);
      expect(view.load).toBe(2);
      expect(assigned.filter((c) => c.agentId === a)).toHaveLength(2);
    }
    // Free three slots at once: exactly three waiting conversations move, the oldest first.
    const waitingByArrival = states.filter((c) => c.status === "waiting").sort((x, y) => (x.arrivedAt < y.arrivedAt ? -1 : 1));
    const sup = await s.supervisor();
    await Promise.all(assigned.slice(0, 3).map((c) => s.api("POST", `/conversations/${c.conversationId}/close`, { as: sup })));
    await s.eventually(async () => {
      const now = await Promise.all(waitingByArrival.map((c) => conversation(s, c.conversationId)));
      return now.filter((c) => c.status === "assigned").length >= 3;
    });
    const after = await Promise.all(waitingByArrival.map((c) => conversation(s, c.conversationId)));
    expect(after.filter((c) => c.status === "assigned")).toHaveLength(3);
    const loads = await Promise.all(agents.map((a) => agent(s, a)));
    expect(loads.map((l) => l.load)).toEqual([2, 2, 2]);
  });

  it("serves waiting conversations by priority, then arrival", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["vip"], maxConcurrent: 1 });
    const first = await sendConversation(s, { skill: "vip" });
    expect((await settled(s, first.id)).agentId).toBe(a);
    const order: string[] = [];
    for (const input of [{}, {}, { customerTier: "vip" }, { priority: "urgent" }, { orderAmount: 99999 }]) {
      const c = await sendConversation(s, { skill: "vip", ...input });
      expect((await settled(s, c.id)).status).toBe("waiting");
      order.push(c.id);
    }
    const [normal1, normal2, vip, urgent, large] = order;
    const served: string[] = [];
    let current = first.id;
    for (let i = 0; i < 5; i++) {
      await s.api("POST", `/conversations/${current}/close`, { as: await s.agentToken(a) });
      const next = await s.eventually(async () => {
        const list = (await s.api("GET", `/agents/${a}/conversations`, { as: await s.supervisor() })).body.conversations;
        return list.length === 1 ? list[0].conversationId : undefined;
      });
      served.push(next);
      current = next;
    }
    expect(served).toEqual([urgent, vip, large, normal1, normal2]);
  });

  it("gives nothing to off-duty, away or offline agents, and drains when one comes online", async () => {
    const s = stack();
    await makeAgent(s, { skills: ["complaint"], onDuty: false, presence: "online" });
    const away = await makeAgent(s, { skills: ["complaint"], presence: "away" });
    await makeAgent(s, { skills: ["complaint"], presence: "offline" });
    const c = await sendConversation(s, { skill: "complaint" });
    expect((await settled(s, c.id)).status).toBe("waiting");
    await s.api("PUT", `/agents/${away}/presence`, { as: await s.agentToken(away), body: { status: "online" } });
    const routed = await s.eventually(async () => {
      const now = await conversation(s, c.id);
      return now.status === "assigned" ? now : undefined;
    });
    expect(routed.agentId).toBe(away);
    await setDuty(away, false);
  });

  it("sends a returning customer to the agent who served them, and falls back when that agent is full", async () => {
    const s = stack();
    const customerId = s.uid("cust");
    const x = await makeAgent(s, { skills: ["presale"], maxConcurrent: 2, presence: "offline" });
    const first = await sendConversation(s, { customerId, skill: "presale" });
    // Only x online for the first conversation.
    await s.api("PUT", `/agents/${x}/presence`, { as: await s.supervisor(), body: { status: "online" } });
    expect((await s.eventually(async () => ((await conversation(s, first.id)).status === "assigned" ? conversation(s, first.id) : undefined))).agentId).toBe(x);
    const y = await makeAgent(s, { skills: ["presale"], maxConcurrent: 5 });
    // x has load 1/2, y 0/5: without known-agent routing y would win.
    const second = await sendConversation(s, { customerId, skill: "presale" });
    expect((await settled(s, second.id)).agentId).toBe(x);
    // x is now full: the same customer falls back to y.
    const third = await sendConversation(s, { customerId, skill: "presale" });
    expect((await settled(s, third.id)).agentId).toBe(y);
    await setDuty(x, false);
  });

  it("assigns once whatever SQS redelivers or a handler crashing after its write", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 5 });
    const b = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 5 });
    const { id } = await sendConversation(s, { skill: "logistics" });
    await settled(s, id);
    // Redeliver the same routing message many times, concurrently, through the real queue and directly.
    const client = sqsClient(s.sqsEndpoint);
    await Promise.all(Array.from({ length: 5 }, () => client.send(new SendMessageCommand({ QueueUrl: s.queueUrls.conversations, MessageBody: JSON.stringify({ kind: "route", conversationId: id }) }))));
    const event = { Records: [{ messageId: "m1", receiptHandle: "r", body: JSON.stringify({ kind: "route", conversationId: id }), attributes: { ApproximateReceiveCount: "2", SentTimestamp: String(Date.now()) }, messageAttributes: {}, md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: "arn", awsRegion: "us-east-1" }] };
    const direct = await Promise.all(Array.from({ length: 4 }, () => s.invoke("Router", event)));
    expect(direct.every((r) => (r as { batchItemFailures: unknown[] }).batchItemFailures.length === 0)).toBe(true);
    // Wait until the redeliveries have been consumed (the queue holds none, visible or in flight).
    await s.eventually(async () => {
      const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: s.queueUrls.conversations, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
      return Attributes?.ApproximateNumberOfMessages === "0" && Attributes.ApproximateNumberOfMessagesNotVisible === "0";
    }, 30_000);
    const c = await conversation(s, id);
    expect(c.status).toBe("assigned");
    expect(c.assignments).toBe(1);
    const loads = (await agent(s, a)).load + (await agent(s, b)).load;
    expect(loads).toBe(1);
    await setDuty(a, false);
    await setDuty(b, false);
  });

  it("moves a poison message to the DLQ without blocking the good ones", async () => {
    const s = stack();
    const client = sqsClient(s.sqsEndpoint);
    await client.send(new SendMessageCommand({ QueueUrl: s.queueUrls.conversations, MessageBody: JSON.stringify({ kind: "teleport" }) }));
    const good = await sendConversation(s, { skill: "aftersale" });
    expect(["assigned", "waiting"]).toContain((await settled(s, good.id)).status);
    const { ReceiveMessageCommand } = await import("@aws-sdk/client-sqs");
    const dead = await s.eventually(async () => {
      const r = await client.send(new ReceiveMessageCommand({ QueueUrl: s.dlqUrls.conversations, WaitTimeSeconds: 1 }));
      return r.Messages?.find((m) => m.Body?.includes("teleport"));
    }, 30_000);
    expect(dead).toBeDefined();
  });

  it("re-drives a conversation whose queue message was lost", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 5 });
    const { createConversation } = await import("../../functions/routing/store/index.js");
    const id = s.uid("lost");
    const arrivedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    await createConversation({ conversationId: id, customerId: "c", channel: "jd", skill: "logistics", requestedSkill: "logistics", priority: "normal", status: "queued", arrivedAt, assignments: 0, history: [{ at: arrivedAt, action: "received", actor: "test" }] });
    const result = (await s.runSchedule("RoutingSweeper", new Date())) as { requeued: number };
    expect(result.requeued).toBeGreaterThanOrEqual(1);
    const routed = await s.eventually(async () => ((await conversation(s, id)).status === "assigned" ? conversation(s, id) : undefined));
    expect(routed.agentId).toBe(a);
    await setDuty(a, false);
  });

  it("finds an accepted conversation whose route message was lost by reading the arrivals once: listed, re-driven, routed, and not read again", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 5 });
    const { createConversationOnce, getConversation, sweepCursor } = await import("../../functions/routing/store/index.js");
    const { dynamo, tableName, Conversation } = await import("../../functions/shared/table/index.js");
    const { GetCommand } = await import("@aws-sdk/lib-dynamodb");
    const stored = async (conversationId: string) => (await dynamo.send(new GetCommand({ TableName: tableName, Key: Conversation.key({ conversationId }), ConsistentRead: true }))).Item ?? {};
    // As the webhook writes it (stamped now, not listed as queued), and its message never sent.
    const arrivedAt = new Date().toISOString();
    const lost = s.uid("lost-arrival");
    const base = { customerId: "c", channel: "jd", skill: "logistics", requestedSkill: "logistics", priority: "normal" as const, status: "queued" as const, arrivedAt, assignments: 0, history: [{ at: arrivedAt, action: "received", actor: "test" }] };
    expect(await createConversationOnce({ ...base, conversationId: lost }, `k-${lost}`)).toEqual({ created: true });
    expect((await stored(lost)).gsi2pk).toBeUndefined();
    // Another arrival, routed normally before the sweeper looks: never listed.
    const sent = await sendConversation(s, { skill: "logistics" });
    expect((await settled(s, sent.id)).status).toBe("assigned");

    // REQUEUE_AFTER_SECONDS (60 s) after the arrivals: the sweeper reads them once.
    const later = new Date(Date.parse(arrivedAt) + 61_000);
    const result = (await s.runSchedule("RoutingSweeper", later)) as { requeued: number; scanned: number };
    expect(result.scanned).toBeGreaterThanOrEqual(1);
    expect(result.requeued).toBeGreaterThanOrEqual(1);
    const routed = await s.eventually(async () => ((await getConversation(lost))?.status === "assigned" ? getConversation(lost) : undefined));
    expect(routed?.agentId).toBe(a);
    expect((await stored(sent.id)).gsi2pk).not.toBe("QUEUED");
    // The cursor moved past both arrivals: the next run reads neither again.
    const cursor = (await sweepCursor()) ?? "";
    expect(cursor >= `${arrivedAt}#${lost}` && cursor >= `${arrivedAt}#${sent.id}`, cursor).toBe(true);
    const again = (await s.runSchedule("RoutingSweeper", later)) as { requeued: number; scanned: number };
    expect(again.requeued).toBe(0);
    await setDuty(a, false);
  });
});
