/**
 * Ad-hoc notices end to end on the local stack: broadcast audience, exact receipts, acks,
 * WebSocket pushes (and a vanished phone), idempotent redelivery, urgent reminders.
 */
import { afterEach, describe, expect, it } from "vitest";
import { noticeFixtures } from "../support/notices.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

// A short interval proves the setting is read (default 5).
const stack = useLocalStack({ env: { NOTICE_REMINDER_MINUTES: "3" } });

const hour = 60 * 60 * 1000;
const { agent, fannedOut, offDutyAll } = noticeFixtures();

async function publish(s: TestStack, body: Record<string, unknown>, at?: Date): Promise<string> {
  const res = await s.api("POST", "/notices", {
    as: await s.supervisor("sup-ops"),
    body: { title: "Coupon change", body: "Threshold is now 200", urgency: "important", expiresAt: new Date(Date.now() + 2 * hour).toISOString(), ...body },
    ...(at ? { at } : {}),
  });
  expect(res.status).toBe(201);
  return res.body.noticeId as string;
}

const receiptsOf = async (s: TestStack, noticeId: string) => (await s.api("GET", `/notices/${noticeId}/receipts`, { as: await s.supervisor() })).body;
const inboxOf = async (s: TestStack, agentId: string) => (await s.api("GET", "/notices/inbox", { as: await s.agentToken(agentId) })).body;

// Tests in this file share one table: each leaves nobody on duty, so audiences stay exact.
afterEach(async () => {
  await offDutyAll();
});

describe("ad-hoc notices", () => {
  it("reaches on-duty agents in the audience only, with exact receipts, idempotent acks and an audit trail", async () => {
    const s = stack();
    const presale = await agent(s, ["presale"], true);
    const both = await agent(s, ["vip", "presale"], true);
    const vipOnly = await agent(s, ["vip"], true);
    const offDuty = await agent(s, ["presale"], false);

    const noticeId = await publish(s, { targetSkills: ["presale"] });
    await fannedOut(s, noticeId);

    const before = await receiptsOf(s, noticeId);
    expect(before.agents.map((a: { agentId: string }) => a.agentId)).toEqual([presale, both].sort());
    expect(before.counts).toEqual({ targeted: 2, delivered: 2, acknowledged: 0, pending: 2 });
    expect(before.notice).toMatchObject({ noticeId, publishedBy: "supervisor:sup-ops", urgency: "important" });

    expect((await inboxOf(s, vipOnly)).notices).toEqual([]);
    expect((await inboxOf(s, offDuty)).notices).toEqual([]);
    const mine = await inboxOf(s, presale);
    expect(mine.notices.map((n: { noticeId: string }) => n.noticeId)).toEqual([noticeId]);
    expect(mine.notices[0]).toMatchObject({ title: "Coupon change", acknowledged: false, acknowledgedAt: null });

    const ackAt = new Date(Date.now() + 60_000);
    const ack = await s.api("POST", `/notices/${noticeId}/ack`, { as: await s.agentToken(presale), at: ackAt });
    expect(ack.status).toBe(200);
    expect(ack.body).toEqual({ noticeId, acknowledgedAt: ackAt.toISOString(), alreadyAcknowledged: false });
    const again = await s.api("POST", `/notices/${noticeId}/ack`, { as: await s.agentToken(presale), at: new Date(ackAt.getTime() + 60_000) });
    expect(again.body).toEqual({ noticeId, acknowledgedAt: ackAt.toISOString(), alreadyAcknowledged: true });

    // Agents acknowledge only what they were sent; supervisors-only routes refuse agents.
    expect((await s.api("POST", `/notices/${noticeId}/ack`, { as: await s.agentToken(offDuty) })).status).toBe(404);
    expect((await s.api("GET", `/notices/${noticeId}/receipts`, { as: await s.agentToken(presale) })).status).toBe(403);
    expect((await s.api("POST", "/notices", { as: await s.agentToken(presale), body: {} })).status).toBe(403);
    expect((await s.api("GET", "/notices/inbox", { as: await s.supervisor() })).status).toBe(403);

    const after = await receiptsOf(s, noticeId);
    expect(after.counts).toEqual({ targeted: 2, delivered: 2, acknowledged: 1, pending: 1 });
    expect(after.agents).toEqual(
      [
        { agentId: presale, status: "acknowledged", acknowledgedAt: ackAt.toISOString() },
        { agentId: both, status: "pending", acknowledgedAt: null },
      ]
        .sort((a, b) => a.agentId.localeCompare(b.agentId))
        .map((row) => expect.objectContaining(row)),
    );
    expect((await inboxOf(s, presale)).notices[0]).toMatchObject({ acknowledged: true, acknowledgedAt: ackAt.toISOString() });

    const { auditTrail } = await import("../../functions/shared/audit.js");
    const trail = await auditTrail("notice", noticeId);
    expect(trail.map((t) => [t.action, t.actor])).toEqual([
      ["notice.published", "supervisor:sup-ops"],
      ["notice.acknowledged", `agent:${presale}`],
    ]);
  });

  it("rejects bad notices naming the fields, and publishes nothing", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const { activeNotices } = await import("../../functions/notices/store/index.js");
    const activeBefore = (await activeNotices(new Date())).length;
    const bad = await s.api("POST", "/notices", { as: sup, body: { title: "", body: "x", urgency: "panic", targetSkills: ["cooking"], expiresAt: "tomorrow" } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["expiresAt", "targetSkills.0", "title", "urgency"]);
    const past = await s.api("POST", "/notices", { as: sup, body: { title: "t", body: "b", urgency: "info", expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ field: "expiresAt", message: "expiresAt must be in the future" }]);
    const extra = await s.api("POST", "/notices", { as: sup, body: { title: "t", body: "b", urgency: "info", expiresAt: new Date(Date.now() + hour).toISOString(), to: "all" } });
    expect(extra.status).toBe(400);
    expect((await activeNotices(new Date())).length).toBe(activeBefore);
    expect((await s.api("GET", "/notices/n.nope/receipts", { as: sup })).status).toBe(404);
  });

  it("publishes once per Idempotency-Key, even for concurrent repeats, and refuses a reused key with another body", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-idem");
    const key = s.uid("publish");
    const body = { title: "Coupon change", body: "Threshold is now 199", urgency: "important", expiresAt: new Date(Date.now() + hour).toISOString() };
    const results = await Promise.all(Array.from({ length: 4 }, () => s.api("POST", "/notices", { as: sup, body, headers: { "idempotency-key": key } })));
    const ids = new Set(results.map((r) => r.body.noticeId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200 && r.body.replayed === true)).toHaveLength(3);
    const reused = await s.api("POST", "/notices", { as: sup, body: { ...body, body: "something else" }, headers: { "idempotency-key": key } });
    expect(reused.status).toBe(409);
    const badKey = await s.api("POST", "/notices", { as: sup, body, headers: { "idempotency-key": "no spaces allowed" } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.errors[0].field).toBe("idempotency-key");
    // Without a key every publish is a new notice.
    const a = await s.api("POST", "/notices", { as: sup, body });
    const b = await s.api("POST", "/notices", { as: sup, body });
    expect(a.body.noticeId).not.toBe(b.body.noticeId);
  });

  it("pushes to a connected WebSocket; a vanished phone's connection is removed and the fan-out still succeeds", async () => {
    const s = stack();
    const id = await agent(s, ["logistics"], true);
    const token = await s.agentToken(id);
    const live = await s.connect(token);
    const known = new Set(s.connectionIds());
    const phone = await s.connect(token);
    const phoneId = s.connectionIds().find((c) => !known.has(c));
    expect(phoneId).toBeDefined();
    s.dropSocket(phoneId ?? "");
    const { connectionsOf } = await import("../../functions/shared/push.js");
    expect(await connectionsOf(id)).toContain(phoneId);

    const noticeId = await publish(s, { urgency: "urgent", targetSkills: ["logistics"] });
    const pushed = await live.waitFor((m) => m.type === "notice" && m.notice.noticeId === noticeId);
    expect(pushed.notice).toMatchObject({ title: "Coupon change", urgency: "urgent" });
    await fannedOut(s, noticeId);
    expect(await connectionsOf(id)).not.toContain(phoneId);
    expect((await connectionsOf(id)).length).toBe(1);
    expect((await receiptsOf(s, noticeId)).counts.delivered).toBe(1);
    expect(phone.messages).toEqual([]);
    await live.close();
  });

  it("creates no duplicates when the fan-out message is delivered again, and never clears an ack", async () => {
    const s = stack();
    const a = await agent(s, ["aftersale"], true);
    const b = await agent(s, ["aftersale"], true);
    const noticeId = await publish(s, { targetSkills: ["aftersale"] });
    await fannedOut(s, noticeId);
    expect((await s.api("POST", `/notices/${noticeId}/ack`, { as: await s.agentToken(a) })).status).toBe(200);

    const record = (messageId: string, body: unknown) => ({
      messageId,
      receiptHandle: messageId,
      body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: "2", SentTimestamp: String(Date.now()) },
      messageAttributes: {},
    });
    // Two concurrent redeliveries plus a poisoned record in the same batch.
    const [first, second] = await Promise.all([
      s.invoke("NoticeFanout", { Records: [record("m1", { noticeId }), record("bad", { noticeId: "n.missing" })] }),
      s.invoke("NoticeFanout", { Records: [record("m2", { noticeId })] }),
    ]);
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: "bad" }] });
    expect(second).toEqual({ batchItemFailures: [] });
    // And once more through the real queue.
    const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
    const sqs = new SQSClient({ endpoint: s.sqsEndpoint, region: "us-east-1" });
    const mark = new Date().toISOString();
    await sqs.send(new SendMessageCommand({ QueueUrl: s.queueUrls.notices, MessageBody: JSON.stringify({ noticeId }) }));
    await s.eventually(async () => {
      const { QueryCommand } = await import("@aws-sdk/lib-dynamodb");
      const { dynamo, tableName, NoticeDelivery } = await import("../../functions/shared/table/index.js");
      const res = await dynamo.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": NoticeDelivery.partition({ agentId: b }) } }));
      // The redelivered write refreshes deliveredAt; wait for it so the queue run is done.
      return (res.Items ?? []).some((i) => typeof i.deliveredAt === "string" && i.deliveredAt >= mark);
    });

    const { QueryCommand } = await import("@aws-sdk/lib-dynamodb");
    const { dynamo, tableName, NoticeDelivery } = await import("../../functions/shared/table/index.js");
    for (const agentId of [a, b]) {
      const items = await dynamo.send(
        new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk AND begins_with(sk, :n)", ExpressionAttributeValues: { ":pk": NoticeDelivery.partition({ agentId }), ":n": NoticeDelivery.sortPrefix } }),
      );
      expect(items.Items?.length).toBe(1);
      expect((await inboxOf(s, agentId)).notices).toHaveLength(1);
    }
    const receipts = await receiptsOf(s, noticeId);
    expect(receipts.counts).toEqual({ targeted: 2, delivered: 2, acknowledged: 1, pending: 1 });
    expect(receipts.agents.find((r: { agentId: string }) => r.agentId === a).status).toBe("acknowledged");
  });

  it("answers a malformed stored notice with a 500 problem, never a coerced value", async () => {
    const s = stack();
    const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
    const { dynamo, tableName, Notice } = await import("../../functions/shared/table/index.js");
    const noticeId = s.uid("n.bad");
    // No title and an unknown urgency: before the registry these read back as "undefined".
    await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...Notice.key({ noticeId }), type: "Notice", noticeId, body: "b", urgency: "panic", targetSkills: null, publishedAt: "2030-01-01T00:00:00.000Z", publishedBy: "x", expiresAt: "2030-01-02T00:00:00.000Z" },
      }),
    );
    const res = await s.api("GET", `/notices/${noticeId}/receipts`, { as: await s.supervisor() });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(JSON.stringify(res.body)).not.toContain("undefined");
  });

  it("sends a fan-out message that can never succeed to the dead-letter queue", async () => {
    const s = stack();
    const { SQSClient, SendMessageCommand, ReceiveMessageCommand } = await import("@aws-sdk/client-sqs");
    const sqs = new SQSClient({ endpoint: s.sqsEndpoint, region: "us-east-1" });
    const marker = s.uid("n.poison");
    await sqs.send(new SendMessageCommand({ QueueUrl: s.queueUrls.notices, MessageBody: JSON.stringify({ noticeId: marker }) }));
    const dead = await s.eventually(async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: s.dlqUrls.notices, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      return (got.Messages ?? []).find((m) => m.Body?.includes(marker));
    }, 30_000);
    expect(JSON.parse(dead.Body ?? "{}")).toEqual({ noticeId: marker });
  });

  it("reminds unacknowledged agents of urgent notices on the configured interval, and stops at ack and at expiry", async () => {
    const s = stack();
    const id = await agent(s, ["complaint"], true);
    const other = await agent(s, ["complaint"], true);
    const socket = await s.connect(await s.agentToken(id));
    const t0 = new Date();
    const expiresAt = new Date(t0.getTime() + 20 * 60_000);
    const urgent = await publish(s, { urgency: "urgent", targetSkills: ["complaint"], expiresAt: expiresAt.toISOString() }, t0);
    const important = await publish(s, { urgency: "important", targetSkills: ["complaint"], expiresAt: expiresAt.toISOString() }, t0);
    await socket.waitFor((m) => m.type === "notice" && m.notice.noticeId === urgent && !m.reminder);
    await fannedOut(s, urgent);
    await fannedOut(s, important);
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
    type Run = { reminded: { noticeId: string; agentIds: string[] }[] };
    const remindedBy = async (minutes: number) => {
      const run = (await s.runSchedule("NoticeReminders", at(minutes))) as Run;
      return Object.fromEntries(run.reminded.filter((r) => r.noticeId === urgent || r.noticeId === important).map((r) => [r.noticeId, r.agentIds.sort()]));
    };

    expect(await remindedBy(2)).toEqual({});
    expect(await remindedBy(3.5)).toEqual({ [urgent]: [id, other].sort() });
    const reminder = await socket.waitFor((m) => m.type === "notice" && m.reminder === true && m.notice.noticeId === urgent);
    expect(reminder.notice.urgency).toBe("urgent");
    // Not due again until a full interval after the last reminder.
    expect(await remindedBy(5)).toEqual({});

    expect((await s.api("POST", `/notices/${urgent}/ack`, { as: await s.agentToken(id) })).status).toBe(200);
    expect(await remindedBy(7)).toEqual({ [urgent]: [other] });
    expect((await s.api("POST", `/notices/${urgent}/ack`, { as: await s.agentToken(other) })).status).toBe(200);
    expect(await remindedBy(11)).toEqual({ [urgent]: [] });
    // Past expiry the notice has left the active set: nothing more.
    expect(await remindedBy(21)).toEqual({});
    expect(socket.messages.filter((m) => (m as { reminder?: boolean }).reminder === true)).toHaveLength(1);
    await socket.close();
  });
});
