/**
 * `/health` names the part that does not answer: here the functions' DynamoDB endpoint points at
 * a port nobody listens on (the stack itself set up its table on the real one), SQS is fine.
 */
import { describe, expect, it } from "vitest";
import { freePort } from "../../local/ports.js";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack({ env: { DYNAMODB_ENDPOINT: `http://127.0.0.1:${await freePort()}` } });

describe("health with DynamoDB unreachable", () => {
  it("answers 503 problem+json with Retry-After naming DynamoDB, not SQS", async () => {
    const res = await stack().api("GET", "/health");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ type: "/problems/unavailable", status: 503, part: "DynamoDB", failing: ["DynamoDB"], parts: { DynamoDB: "unreachable", SQS: "ok" } });
    expect(res.body.detail).toContain("DynamoDB");
    expect(res.body.detail).not.toContain("SQS");
  });

  it("answers every request that needs the table with 503 and Retry-After, not a 500", async () => {
    const s = stack();
    const res = await s.api("GET", "/agents", { as: await s.supervisor() });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ type: "/problems/unavailable", part: "DynamoDB" });
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
