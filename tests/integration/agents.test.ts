import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { agent, makeAgent, sendConversation, settled } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

const profile = { name: "Li Na", skills: ["presale", "vip"], maxConcurrent: 5 };

describe("agents API", () => {
  it("creates, reads and lists an agent through the gateway into DynamoDB Local", async () => {
    const s = stack();
    const id = s.uid("agent");
    const sup = await s.supervisor();
    const created = await s.api("PUT", `/agents/${id}`, { as: sup, body: profile });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ agentId: id, ...profile, presence: "offline", load: 0, onDuty: false });

    const updated = await s.api("PUT", `/agents/${id}`, { as: sup, body: { ...profile, maxConcurrent: 8 } });
    expect(updated.status).toBe(200);
    expect(updated.body.maxConcurrent).toBe(8);

    const read = await s.api("GET", `/agents/${id}`, { as: sup });
    expect(read.body).toMatchObject({ agentId: id, maxConcurrent: 8, presence: "offline" });

    const list = await s.api("GET", "/agents", { as: sup });
    expect(list.body.agents.map((a: { agentId: string }) => a.agentId)).toContain(id);
  });

  it("rejects bad input naming every field, and changes nothing", async () => {
    const s = stack();
    const id = s.uid("agent");
    const sup = await s.supervisor();
    const bad = await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: "", skills: ["cooking"], maxConcurrent: 51 } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["maxConcurrent", "name", "skills.0"]);
    expect((await s.api("GET", `/agents/${id}`, { as: sup })).status).toBe(404);

    const zero = await s.api("PUT", `/agents/${id}`, { as: sup, body: { ...profile, maxConcurrent: 0 } });
    expect(zero.status).toBe(400);
    const badId = await s.api("PUT", `/agents/${encodeURIComponent("bad id!")}`, { as: sup, body: profile });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe("agentId");
    const notJson = await s.api("PUT", `/agents/${id}`, { as: sup, raw: "{nope", headers: { "content-type": "application/json" } });
    expect(notJson.status).toBe(400);
  });

  it("enforces authentication and roles with problem responses", async () => {
    const s = stack();
    const id = s.uid("agent");
    expect((await s.api("GET", "/agents")).status).toBe(401);
    expect((await s.api("GET", "/agents", { as: "not-a-jwt" })).status).toBe(401);
    const agentToken = await s.agentToken(id);
    const forbidden = await s.api("PUT", `/agents/${id}`, { as: agentToken, body: profile });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.title).toBe("Forbidden");
    // One group whose name contains both role names is neither role (API Gateway flattens ["agent supervisor"] to "[agent supervisor]").
    const oneOddGroup = await s.token("agent supervisor" as never, s.uid("mallory"));
    const odd = await s.api("GET", "/agents", { as: oneOddGroup });
    expect(odd.status).toBe(401);
    expect(odd.headers.get("content-type")).toContain("application/problem+json");
  });

  it("lets an agent set only its own presence, and audits every change", async () => {
    const s = stack();
    const id = s.uid("agent");
    const other = s.uid("agent");
    const sup = await s.supervisor("sup-audit");
    await s.api("PUT", `/agents/${id}`, { as: sup, body: profile });
    await s.api("PUT", `/agents/${other}`, { as: sup, body: profile });
    const own = await s.api("PUT", `/agents/${id}/presence`, { as: await s.agentToken(id), body: { status: "online" } });
    expect(own.status).toBe(200);
    expect(own.body.presence).toBe("online");
    const foreign = await s.api("PUT", `/agents/${other}/presence`, { as: await s.agentToken(id), body: { status: "online" } });
    expect(foreign.status).toBe(403);
    expect((await s.api("GET", `/agents/${other}`, { as: sup })).body.presence).toBe("offline");
    const badStatus = await s.api("PUT", `/agents/${id}/presence`, { as: sup, body: { status: "busy" } });
    expect(badStatus.status).toBe(400);
    const unknown = await s.api("PUT", `/agents/${s.uid("ghost")}/presence`, { as: sup, body: { status: "online" } });
    expect(unknown.status).toBe(404);

    const audit = await s.api("GET", `/audit/agent/${id}`, { as: sup });
    expect(audit.status).toBe(200);
    expect(audit.body.entries.map((t: { action: string; actor: string }) => [t.action, t.actor])).toEqual([
      ["agent.created", "supervisor:sup-audit"],
      ["agent.presence", `agent:${id}`],
    ]);
    expect(audit.body.entries[1].details).toEqual({ from: "offline", to: "online" });
    expect((await s.api("GET", `/audit/agent/${id}`, { as: await s.agentToken(id) })).status).toBe(403);
    expect((await s.api("GET", `/audit/planet/${id}`, { as: sup })).body.errors[0].field).toBe("entity");
  });

  it("keeps the profile exact under concurrent presence and profile writes", async () => {
    const s = stack();
    const id = s.uid("agent");
    const sup = await s.supervisor();
    await s.api("PUT", `/agents/${id}`, { as: sup, body: profile });
    const writes = Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0
        ? s.api("PUT", `/agents/${id}/presence`, { as: sup, body: { status: i % 4 === 0 ? "online" : "away" } })
        : s.api("PUT", `/agents/${id}`, { as: sup, body: { ...profile, maxConcurrent: i } }),
    );
    const results = await Promise.all(writes);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const { auditTrail } = await import("../../functions/shared/audit.js");
    const trail = await auditTrail("agent", id);
    const profileUpdates = trail.filter((t) => t.action === "agent.updated");
    expect(profileUpdates).toHaveLength(6);
  });

  it("answers a malformed stored profile with a logged 500, never a coerced value", async () => {
    const s = stack();
    const id = s.uid("agent");
    const sup = await s.supervisor();
    await s.api("PUT", `/agents/${id}`, { as: sup, body: profile });
    const { Agent, dynamo, tableName } = await import("../../functions/shared/table/index.js");
    const corrupt = (value: unknown) =>
      dynamo.send(new UpdateCommand({ TableName: tableName, Key: Agent.key({ agentId: id }), UpdateExpression: "SET maxConcurrent = :v", ExpressionAttributeValues: { ":v": value } }));
    await corrupt("five");
    const read = await s.api("GET", `/agents/${id}`, { as: sup });
    expect(read.status).toBe(500);
    expect(read.body).toMatchObject({ type: "/problems/internal", status: 500 });
    expect(JSON.stringify(read.body)).not.toContain("five");
    // Repaired, the agent reads again (and the list the other tests use stays readable).
    await corrupt(5);
    expect((await s.api("GET", `/agents/${id}`, { as: sup })).body.maxConcurrent).toBe(5);
  });

  it("accepts a capacity below the current load, takes no new work until the load falls below it, and shows how far over it is", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const id = await makeAgent(s, { skills: ["aftersale"], maxConcurrent: 3 });
    const open: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id: conversationId } = await sendConversation(s, { skill: "aftersale" });
      expect(await settled(s, conversationId)).toMatchObject({ status: "assigned", agentId: id });
      open.push(conversationId);
    }
    const lowered = await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["aftersale"], maxConcurrent: 1 } });
    expect(lowered.status).toBe(200);
    expect(lowered.body).toMatchObject({ load: 3, maxConcurrent: 1, overCapacityBy: 2, available: false });
    expect((await s.api("GET", "/agents", { as: sup })).body.agents.find((a: { agentId: string }) => a.agentId === id)).toMatchObject({ overCapacityBy: 2 });

    const { id: waiting } = await sendConversation(s, { skill: "aftersale" });
    expect(await settled(s, waiting)).toMatchObject({ status: "waiting" });
    for (const conversationId of open.slice(0, 2)) await s.api("POST", `/conversations/${conversationId}/close`, { as: sup });
    expect(await agent(s, id)).toMatchObject({ load: 1, overCapacityBy: 0, available: false });
    expect((await s.api("GET", `/conversations/${waiting}`, { as: sup })).body.status).toBe("waiting");

    const [last] = open.slice(2);
    await s.api("POST", `/conversations/${last}/close`, { as: sup });
    const served = await s.eventually(async () => {
      const c = (await s.api("GET", `/conversations/${waiting}`, { as: sup })).body;
      return c.status === "assigned" ? c : undefined;
    });
    expect(served.agentId).toBe(id);
    expect(await agent(s, id)).toMatchObject({ load: 1, maxConcurrent: 1, overCapacityBy: 0 });
  });
});
