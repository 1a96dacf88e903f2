/**
 * `/health` checks SQS too: here the functions' queue endpoint points at a port nobody listens
 * on (the stack's own pollers use the real one), DynamoDB is fine.
 */
import { describe, expect, it } from "vitest";
import { freePort } from "../../local/ports.js";
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
});
