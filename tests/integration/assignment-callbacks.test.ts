/**
 * Assignment callbacks, end to end: a real HTTP receiver (node:http on port 0) that fails the
 * first attempts — a 5xx, then a request it never answers (past the deliverer's timeout) — and the
 * moves of one conversation (assigned, transferred, reassigned, transferred to a skill,
 * re-offered). Every accepted callback must be signed with the callback secret, each move must
 * arrive exactly under one stable eventId (duplicates only repeat it), with consecutive sequence
 * numbers matching the conversation's history, and a callback that never succeeds must end as a
 * failed delivery a supervisor can list and redrive.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../functions/shared/auth.js";
import { sqsClient } from "../../local/sqs.js";
import { conversation, makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

const callbackSecret = "callback-secret-for-the-tests-0123456789";

interface Received {
  eventId: string;
  body: Record<string, unknown>;
  raw: string;
  timestamp: string;
  signature: string;
  answered: number | "hung";
}

const received: Received[] = [];
const attempts = new Map<string, number>();
/** Conversations whose callbacks always fail (until the test says otherwise). */
const refusing = new Set<string>();
const hung: ServerResponse[] = [];

function handle(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on("data", (c: Buffer) => chunks.push(c));
  request.on("end", () => {
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = JSON.parse(raw) as Record<string, unknown>;
    const eventId = String(body.eventId);
    const attempt = (attempts.get(eventId) ?? 0) + 1;
    attempts.set(eventId, attempt);
    const record = { eventId, body, raw, timestamp: String(request.headers["x-signature-timestamp"]), signature: String(request.headers["x-signature"]) };
    if (refusing.has(String(body.conversationId))) {
      received.push({ ...record, answered: 500 });
      response.writeHead(500).end();
    } else if (attempt === 1) {
      received.push({ ...record, answered: 503 });
      response.writeHead(503).end("try later");
    } else if (attempt === 2) {
      // Never answered: the deliverer must give up after its timeout and try again.
      received.push({ ...record, answered: "hung" });
      hung.push(response);
    } else {
      received.push({ ...record, answered: 200 });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    }
  });
}

const receiver = createServer(handle);
const env: Record<string, string> = { CALLBACK_SECRET: callbackSecret, CALLBACK_TIMEOUT_MS: "300", FIRST_RESPONSE_TIMEOUT_SECONDS: "180" };
beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  env.ASSIGNMENT_CALLBACK_URL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks`;
});
// Registered after the receiver's hook, so the stack starts with its URL.
const stack = useLocalStack({ env });
afterAll(async () => {
  for (const response of hung) response.destroy();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const delivered = (conversationId: string) => received.filter((r) => r.answered === 200 && r.body.conversationId === conversationId);

async function movedTo(s: TestStack, id: string, predicate: (c: { status: string; agentId?: string; assignments: number }) => boolean) {
  return s.eventually(async () => {
    const c = await conversation(s, id);
    return predicate(c) ? c : undefined;
  });
}

describe("assignment callbacks", () => {
  it("delivers every move of a conversation, signed, under one stable eventId each, through 5xx and timeouts", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const a = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 3 });
    const { id } = await sendConversation(s, { skill: "aftersale" });
    expect((await settled(s, id)).agentId).toBe(a);
    const b = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 3 });
    const c = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 3 });

    // 2: the agent transfers it to a colleague.
    expect((await s.api("POST", `/conversations/${id}/transfer`, { as: await s.agentToken(a), body: { toAgentId: b } })).status).toBe(200);
    // 3: a supervisor reassigns it (主账号调配).
    expect((await s.api("POST", `/conversations/${id}/reassign`, { as: sup, body: { toAgentId: c } })).status).toBe(200);
    // 4: that agent sends it back to the skill's line; routing gives it to someone else.
    expect((await s.api("POST", `/conversations/${id}/transfer`, { as: await s.agentToken(c), body: { toSkill: "aftersale" } })).status).toBe(200);
    const fourth = await movedTo(s, id, (x) => x.status === "assigned" && x.assignments === 4);
    expect(fourth.agentId).not.toBe(c);
    // 5: nobody answers within the first-response timeout: re-offered to another agent.
    await s.runSchedule("SupervisionClock", new Date(Date.now() + 4 * 60_000));
    const fifth = await movedTo(s, id, (x) => x.status === "assigned" && x.assignments === 5);
    expect(fifth.agentId).not.toBe(fourth.agentId);

    // 6: that agent's shift ends; past the grace period the conversation is handed over to the
    // one agent it has not left yet.
    const d = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 3 });
    await setDuty(fifth.agentId, false);
    await s.runSchedule("SupervisionClock", new Date(Date.now() + 10 * 60_000));
    const sixth = await movedTo(s, id, (x) => x.status === "assigned" && x.assignments === 6);
    expect(sixth.agentId).toBe(d);

    // Every move delivered: sequences 1..6, nothing lost. A 200 the deliverer did not see in time
    // (its 300 ms timeout on a loaded machine) is delivered again under the same eventId, so the
    // moves are counted by eventId (the duplicates' bytes are checked below).
    const acceptedMoves = () => [...new Map(delivered(id).map((r) => [String(r.body.eventId), r.body])).values()];
    await s.eventually(async () => acceptedMoves().length >= 6, 60_000);
    const accepted = acceptedMoves().sort((x, y) => Number(x.sequence) - Number(y.sequence));
    expect(accepted.map((x) => x.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(accepted.map((x) => x.eventId)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `${id}:${n}`));
    expect(accepted.map((x) => x.reason)).toEqual(["assigned", "transferred", "reassigned", "transferred", "reoffered", "handed-over"]);
    expect(accepted.map((x) => x.agentId)).toEqual([a, b, c, fourth.agentId, fifth.agentId, sixth.agentId]);
    expect(accepted.map((x) => x.previousAgentId)).toEqual([null, a, b, c, fourth.agentId, fifth.agentId]);
    for (const x of accepted) expect(x).toMatchObject({ type: "conversation.assigned", conversationId: id });
    // The platform's view in order of occurrence matches the conversation's own history of moves.
    // The platform's order (by sequence) is the order the moves happened, each one a history entry
    // of that instant naming the agent who got it.
    const history = (await conversation(s, id)).history as { action: string; at: string; agentId?: string }[];
    const times = accepted.map((x) => String(x.occurredAt));
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
    for (const x of accepted) expect(history.some((h) => h.at === x.occurredAt && h.agentId === x.agentId && ["assigned", "transferred", "reassigned"].includes(h.action))).toBe(true);

    const all = received.filter((r) => r.body.conversationId === id);
    // Each move was tried through a 503 and a request left unanswered before it was accepted.
    for (const eventId of accepted.map((x) => String(x.eventId))) {
      const tries = all.filter((r) => r.eventId === eventId);
      expect(tries.slice(0, 3).map((r) => r.answered)).toEqual([503, "hung", 200]);
      // Duplicates only ever repeat the same move: the same bytes under the same eventId.
      expect(new Set(tries.map((r) => r.raw)).size).toBe(1);
    }
    expect(new Set(all.map((r) => r.eventId))).toEqual(new Set(accepted.map((x) => x.eventId)));
    // Signed with the callback secret, the webhooks' header scheme.
    for (const r of all) expect(r.signature).toBe(signBody(callbackSecret, r.timestamp, r.raw));
    expect(all.every((r) => r.signature !== signBody(s.webhookSecret, r.timestamp, r.raw))).toBe(true);

    // Nothing is left pending for these moves.
    await s.eventually(async () => {
      const pending = (await s.api("GET", "/integrations/deliveries?status=pending&limit=100", { as: sup })).body.deliveries as { conversationId: string }[];
      return !pending.some((d) => d.conversationId === id);
    });
    await s.api("POST", `/conversations/${id}/close`, { as: sup });
    for (const x of [a, b, c, d]) await setDuty(x, false);
  }, 120_000);

  it("re-sends a pending callback whose queue message was lost (crash between the move and the send)", async () => {
    const s = stack();
    const { CallbackDelivery, dynamo, tableName } = await import("../../functions/shared/table/index.js");
    const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
    const conversationId = s.uid("lost");
    const eventId = `${conversationId}:1`;
    const at = new Date(Date.now() - 10 * 60_000).toISOString();
    const payload = { eventId, type: "conversation.assigned" as const, conversationId, agentId: "someone", previousAgentId: null, reason: "assigned" as const, sequence: 1, occurredAt: at };
    // The outbox record as the move's transaction wrote it; no message was ever sent.
    await dynamo.send(new PutCommand({ TableName: tableName, Item: CallbackDelivery.item({ eventId, conversationId, sequence: 1, payload, status: "pending", attempts: 0, createdAt: at, updatedAt: at }, CallbackDelivery.index.byStatus.attributes({ status: "pending", updatedAt: at, eventId })) }));
    const result = (await s.runSchedule("CallbackRelay", new Date())) as { resent: number };
    expect(result.resent).toBeGreaterThanOrEqual(1);
    await s.eventually(async () => delivered(conversationId).length === 1, 30_000);
    expect(delivered(conversationId)[0]?.body).toEqual(payload);
    // Delivered: no longer pending, so the next relay run sends nothing for it.
    await s.eventually(async () => {
      const pending = (await s.api("GET", "/integrations/deliveries?status=pending&limit=100", { as: await s.supervisor() })).body.deliveries as { eventId: string }[];
      return !pending.some((d) => d.eventId === eventId);
    });
  });

  it("dead-letters a callback that never succeeds, lists it as failed (paginated) and redrives it", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const a = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 3 });
    const ids = [s.uid("dead"), s.uid("dead")];
    for (const id of ids) refusing.add(id);
    for (const id of ids) await sendConversation(s, { conversationId: id, skill: "logistics" });
    for (const id of ids) expect((await settled(s, id)).agentId).toBe(a);

    const failed = await s.eventually(async () => {
      const list = (await s.api("GET", "/integrations/deliveries?status=failed", { as: sup })).body.deliveries as { eventId: string; attempts: number; lastError: string; status: string }[];
      const mine = list.filter((d) => ids.some((id) => d.eventId === `${id}:1`));
      return mine.length === 2 ? mine : undefined;
    }, 90_000);
    for (const d of failed) expect(d).toMatchObject({ status: "failed", attempts: 8, lastError: "HTTP 500" });
    // The queue's retry budget is spent: the message is in the dead-letter queue (its alarm fires).
    // (SQS moves it when the next receive would exceed maxReceiveCount, i.e. after the last try.)
    await s.eventually(async () => {
      const dlq = await sqsClient(s.sqsEndpoint).send(new GetQueueAttributesCommand({ QueueUrl: s.dlqUrls.callbacks, AttributeNames: ["ApproximateNumberOfMessages"] }));
      return Number(dlq.Attributes?.ApproximateNumberOfMessages) >= 2;
    }, 30_000);

    // Cursor pagination: one per page, both found, then no next cursor.
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await s.api("GET", `/integrations/deliveries?status=failed&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { as: sup });
      expect(res.status).toBe(200);
      seen.push(...(res.body.deliveries as { eventId: string }[]).map((d) => d.eventId));
      cursor = res.body.next ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(expect.arrayContaining(ids.map((id) => `${id}:1`)));
    expect((await s.api("GET", "/integrations/deliveries?status=failed&cursor=nonsense", { as: sup })).status).toBe(400);
    expect((await s.api("GET", "/integrations/deliveries?status=failed", { as: await s.agentToken(a) })).status).toBe(403);

    // The platform is back: a supervisor redrives one; it is delivered under the same eventId.
    refusing.delete(ids[0] ?? "");
    attempts.set(`${ids[0]}:1`, 10);
    const redriven = await s.api("POST", `/integrations/deliveries/${encodeURIComponent(`${ids[0]}:1`)}/redrive`, { as: sup });
    expect(redriven.status).toBe(202);
    expect(redriven.body).toMatchObject({ eventId: `${ids[0]}:1`, status: "pending" });
    await s.eventually(async () => delivered(ids[0] ?? "").length === 1, 30_000);
    expect(delivered(ids[0] ?? "")[0]?.body).toMatchObject({ eventId: `${ids[0]}:1`, sequence: 1, agentId: a, reason: "assigned" });
    // Only a failed delivery can be redriven; an unknown one is a 404.
    await s.eventually(async () => (await s.api("POST", `/integrations/deliveries/${encodeURIComponent(`${ids[0]}:1`)}/redrive`, { as: sup })).status === 409);
    expect((await s.api("POST", "/integrations/deliveries/nothing:1/redrive", { as: sup })).status).toBe(404);

    for (const id of ids) await s.api("POST", `/conversations/${id}/close`, { as: sup });
    await setDuty(a, false);
  }, 150_000);
});
