/**
 * Issue 12, routing's findings: ids a URL normaliser rewrites are refused at every boundary, a
 * conversation that is someone else's reads exactly like a missing one, a transfer naming both
 * targets says so, and the sweeper re-drives a whole backlog in one run (not 100 a minute).
 */
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack();

/** Sends the path exactly as written (fetch would resolve `..` and `.` before sending). */
function rawCall(s: TestStack, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const { hostname, port } = new URL(s.url);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(text === undefined ? {} : { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) }) };
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (data += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data ? (JSON.parse(data) as Record<string, unknown>) : {} }));
    });
    req.on("error", reject);
    if (text !== undefined) req.write(text);
    req.end();
  });
}

const fieldsOf = (body: Record<string, unknown>) => ((body.errors ?? []) as { field: string; message: string }[]).map((e) => e.field);

describe("routing hardening (issue 12)", () => {
  it("refuses conversation ids made only of dots at the webhook, and records nothing", async () => {
    const s = stack();
    const { getConversation } = await import("../../functions/routing/store/index.js");
    for (const conversationId of [".", "..", "..."]) {
      const res = await s.api("POST", "/webhooks/conversations", { body: { conversationId, customerId: "c1", channel: "tmall" }, signed: true });
      expect(res.status, `webhook with conversationId ${conversationId}`).toBe(400);
      expect(fieldsOf(res.body)).toEqual(["conversationId"]);
      expect(await getConversation(conversationId)).toBeUndefined();
    }
    // Still a valid id: dots inside an id are fine.
    const fine = await sendConversation(s, { conversationId: s.uid("a.b..c"), skill: "complaint" });
    expect(fine.res.status).toBe(202);
  });

  it("answers every conversation path naming an all-dots id with 400, never a 2xx or 5xx", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const agentId = await makeAgent(s, { skills: ["logistics"], maxConcurrent: 1 });
    const agent = await s.agentToken(agentId);
    const routes: [string, string, string, unknown?][] = [
      ["GET", "/conversations/{id}", sup],
      ["POST", "/conversations/{id}/first-response", agent, {}],
      ["POST", "/conversations/{id}/close", sup, {}],
      ["POST", "/conversations/{id}/transfer", agent, { toSkill: "presale" }],
      ["POST", "/conversations/{id}/reassign", sup, { toAgentId: agentId }],
    ];
    for (const [method, template, token, body] of routes) {
      // `...` is no dot segment to a URL parser: it reaches the function, whose id grammar refuses it.
      for (const segment of ["...", "%2E%2E%2E", "....", "%2e%2E%2e%2E"]) {
        const path = template.replace("{id}", segment);
        const res = await rawCall(s, method, path, token, body);
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(fieldsOf(res.body)).toEqual(["conversationId"]);
      }
      // `.` and `..` (plain or encoded) are resolved by the gateway's URL parser, as by API
      // Gateway, before any route matches: a 4xx problem, never a function call.
      for (const segment of [".", "..", "%2E", "%2e%2e"]) {
        const path = template.replace("{id}", segment);
        const res = await rawCall(s, method, path, token, body);
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
      }
    }
    await setDuty(agentId, false);
  });

  it("answers an agent asking for someone else's conversation exactly as for a missing one", async () => {
    const s = stack();
    const owner = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 2 });
    const other = await makeAgent(s, { skills: ["presale"], maxConcurrent: 2 });
    const { id } = await sendConversation(s, { skill: "aftersale" });
    expect((await settled(s, id)).agentId).toBe(owner);
    const missing = s.uid("conv");
    const asOther = await s.agentToken(other);
    const calls: [string, string, unknown?][] = [
      ["GET", ""],
      ["POST", "/first-response", {}],
      ["POST", "/close", {}],
      ["POST", "/transfer", { toAgentId: other }],
      ["POST", "/transfer", { toSkill: "presale" }],
    ];
    for (const [method, suffix, body] of calls) {
      const theirs = await s.api(method, `/conversations/${id}${suffix}`, { as: asOther, ...(body === undefined ? {} : { body }) });
      const nobodys = await s.api(method, `/conversations/${missing}${suffix}`, { as: asOther, ...(body === undefined ? {} : { body }) });
      expect(theirs.status, `${method} ${suffix}`).toBe(404);
      expect(nobodys.status).toBe(404);
      // Same document but for the id itself: nothing tells the caller the conversation exists.
      expect(JSON.stringify(theirs.body).replaceAll(id, "<id>")).toBe(JSON.stringify(nobodys.body).replaceAll(missing, "<id>"));
      expect(theirs.body.detail).not.toMatch(/assigned|you/);
    }
    // Still the owner's, untouched.
    expect((await s.api("GET", `/conversations/${id}`, { as: await s.supervisor() })).body).toMatchObject({ status: "assigned", agentId: owner });
    for (const x of [owner, other]) await setDuty(x, false);
  });

  it("names both fields when a transfer gives toAgentId and toSkill, and asks for one when it gives neither", async () => {
    const s = stack();
    const a = await makeAgent(s, { skills: ["vip"], maxConcurrent: 2 });
    const { id } = await sendConversation(s, { skill: "vip" });
    expect((await settled(s, id)).agentId).toBe(a);
    const token = await s.agentToken(a);
    const both = await s.api("POST", `/conversations/${id}/transfer`, { as: token, body: { toAgentId: "someone", toSkill: "presale" } });
    expect(both.status).toBe(400);
    const errors = both.body.errors as { field: string; message: string }[];
    expect(errors.map((e) => e.field).sort()).toEqual(["toAgentId", "toSkill"]);
    for (const e of errors) {
      expect(e.message).toMatch(/toAgentId/);
      expect(e.message).toMatch(/toSkill/);
      expect(e.message).not.toBe("Invalid input");
    }
    const neither = await s.api("POST", `/conversations/${id}/transfer`, { as: token, body: { note: "please take it" } });
    expect(neither.status).toBe(400);
    expect((neither.body.errors as { message: string }[])[0]?.message).toMatch(/toAgentId.*toSkill/);
    expect((await s.api("GET", `/conversations/${id}`, { as: token })).body.agentId).toBe(a);
    await setDuty(a, false);
  });

  it("re-drives a whole backlog of queued conversations in one sweep, not 100 a run", async () => {
    const s = stack();
    const { createConversation } = await import("../../functions/routing/store/index.js");
    const arrivedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const ids = Array.from({ length: 230 }, (_, i) => s.uid(`backlog-${String(i).padStart(3, "0")}`));
    // Accepted while the queue was unreachable: recorded, never enqueued (what an outage leaves).
    for (let i = 0; i < ids.length; i += 25) {
      await Promise.all(
        ids.slice(i, i + 25).map((conversationId) =>
          createConversation({ conversationId, customerId: "c", channel: "jd", skill: "complaint", requestedSkill: "complaint", priority: "normal", status: "queued", arrivedAt, assignments: 0, history: [{ at: arrivedAt, action: "received", actor: "test" }] }),
        ),
      );
    }
    const result = (await s.runSchedule("RoutingSweeper", new Date())) as { requeued: number };
    expect(result.requeued).toBeGreaterThanOrEqual(ids.length);
    // Nobody has the skill: every one of them is routed to the waiting line, none left queued.
    const sup = await s.supervisor();
    await s.eventually(async () => {
      // The waiting list is paged (default 100): ask for the whole complaint line.
      const queue = (await s.api("GET", "/queue?skill=complaint&limit=500", { as: sup })).body as { waiting: Record<string, { conversationId: string }[]> };
      const waiting = new Set((queue.waiting.complaint ?? []).map((w) => w.conversationId));
      return ids.every((id) => waiting.has(id));
    }, 60_000);
  }, 120_000);

  it("answers a malformed stored conversation with a logged 500, never a coerced value", async () => {
    const s = stack();
    // Imported lazily: function modules read their environment, which the local stack sets in beforeAll.
    const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
    const { dynamo, tableName, Conversation } = await import("../../functions/shared/table/index.js");
    const conversationId = s.uid("broken");
    const at = new Date().toISOString();
    // No history, a numeric status: what a hand edit or a bad migration could leave.
    const { history: _dropped, ...item } = Conversation.item({ conversationId, customerId: "c", channel: "jd", skill: "presale", requestedSkill: "presale", priority: "normal", status: "queued", arrivedAt: at, assignments: 0, history: [] });
    await dynamo.send(new PutCommand({ TableName: tableName, Item: { ...item, status: 3 } }));
    const res = await s.api("GET", `/conversations/${conversationId}`, { as: await s.supervisor() });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ type: "/problems/internal", status: 500 });
    expect(JSON.stringify(res.body)).not.toMatch(/history|MalformedItem/);
  });
});
