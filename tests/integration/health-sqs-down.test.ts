/**
 * `/health` checks SQS too: here the functions' queue endpoint points at a port nobody listens
 * on (the stack's own pollers use the real one), DynamoDB is fine. A change that commits in
 * DynamoDB and only then wakes the router through SQS still answers what it committed.
 */
import { describe, expect, it } from "vitest";
import { freePort } from "../../local/ports.js";
import { makeAgent } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

const dead = `http://127.0.0.1:${await freePort()}`;
const stack = useLocalStack({ env: { SQS_ENDPOINT: dead, QUEUE_URL_CONVERSATIONS: `${dead}/000000000000/conversations` } });

describe("health with SQS unreachable", () => {
  it("answers 503 problem+json with Retry-After naming SQS, not DynamoDB", async () => {
    const res = await stack().api("GET", "/health");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ type: "/problems/unavailable", status: 503, part: "SQS", failing: ["SQS"], parts: { DynamoDB: "ok", SQS: "unreachable" } });
    expect(res.body.detail).not.toContain("DynamoDB");
  });

  it("commits an agent's return online and answers 200 though the router cannot be woken", async () => {
    const s = stack();
    const sup = await s.supervisor();
    // On duty and paused: going online frees capacity, so the use case asks the router for a drain.
    const id = await makeAgent(s, { presence: "paused" });
    const res = await s.api("PUT", `/agents/${id}/presence`, { as: await s.agentToken(id), body: { status: "online" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.presence).toBe("online");
    expect((await s.api("GET", `/agents/${id}`, { as: sup })).body.presence).toBe("online");
  });
});
