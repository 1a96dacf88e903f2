/**
 * A store outage, survived: with DynamoDB Local frozen (SIGSTOP, like a partition — requests
 * hang rather than fail), requests answer 503 problem+json with Retry-After within the SDK's
 * bounded timeouts instead of hanging, /health answers 503 naming the part, and once the store
 * is back the stack serves again by itself and the platform's retry of a refused webhook is
 * accepted and routed (nothing accepted is lost).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDynamoDbLocal, type DynamoDbLocal } from "../../local/dynamodb.js";
import { freePort } from "../../local/ports.js";
import { conversation, makeAgent } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

let store: DynamoDbLocal;
const signal = (name: "SIGSTOP" | "SIGCONT") => {
  if (store.pid === undefined) throw new Error("DynamoDB Local has no pid");
  process.kill(store.pid, name);
};

beforeAll(async () => {
  store = await startDynamoDbLocal({ port: await freePort() });
}, 120_000);
afterAll(async () => {
  if (store.pid !== undefined) process.kill(store.pid, "SIGCONT");
  await store.stop();
});

const stack = useLocalStack({ dynamoEndpoint: () => store.endpoint });

describe("store outage", () => {
  it("answers 503 with Retry-After while DynamoDB is unreachable, and recovers by itself", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const agentId = await makeAgent(s, { skills: ["presale"], maxConcurrent: 2 });
    const body = { conversationId: s.uid("conv"), customerId: "u-outage", channel: "tmall", skill: "presale" };

    signal("SIGSTOP");
    try {
      const health = await s.api("GET", "/health");
      expect(health.status).toBe(503);
      expect(JSON.stringify(health.body)).toContain("DynamoDB");

      const read = await s.api("GET", `/agents/${agentId}`, { as: sup });
      expect(read.status).toBe(503);
      expect(read.headers.get("content-type")).toContain("application/problem+json");
      expect(Number(read.headers.get("retry-after"))).toBeGreaterThan(0);

      const refused = await s.api("POST", "/webhooks/conversations", { body, signed: true });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ status: 503, type: "/problems/unavailable" });
    } finally {
      signal("SIGCONT");
    }

    // Back by itself: no restart of the stack.
    await s.eventually(async () => (await s.api("GET", "/health")).status === 200, 60_000);
    expect((await s.api("GET", `/agents/${agentId}`, { as: sup })).status).toBe(200);
    // The platform retries what was refused; a write that landed despite the timeout is deduplicated.
    const retried = await s.api("POST", "/webhooks/conversations", { body, signed: true });
    expect([200, 202]).toContain(retried.status);
    const routed = await s.eventually(async () => {
      const c = await conversation(s, body.conversationId);
      return c.status === "assigned" ? c : undefined;
    }, 60_000);
    expect(routed.agentId).toBe(agentId);
  }, 120_000);
});
