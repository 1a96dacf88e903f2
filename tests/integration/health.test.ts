import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

describe("local stack", () => {
  it("answers /health once every part is up", async () => {
    const res = await stack().api("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
  });

  it("answers unknown routes and wrong methods with problem+json", async () => {
    const notFound = await stack().api("GET", "/nope");
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get("content-type")).toContain("application/problem+json");
    const wrongMethod = await stack().api("DELETE", "/health");
    expect(wrongMethod.status).toBe(405);
  });

  it("serves the agent WebSocket only to valid tokens", async () => {
    const s = stack();
    await expect(s.connect("garbage")).rejects.toThrow(/401/);
    const conn = await s.connect(await s.agentToken(s.uid("agent")));
    conn.socket.send("ping");
    const pong = await conn.waitFor((m) => m.type === "pong");
    expect(pong).toEqual({ type: "pong" });
    await conn.close();
  });
});
