/** An agent reads its own profile (the console's presence switch starts from it), never another's. */
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const s = useLocalStack();

describe("GET /agents/{id} for the agent itself", () => {
  it("answers the agent its own profile and refuses it another's", async () => {
    const sup = await s().supervisor();
    const me = s().uid("me");
    const other = s().uid("other");
    for (const id of [me, other]) expect((await s().api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    expect((await s().api("PUT", `/agents/${me}/presence`, { as: sup, body: { status: "paused" } })).status).toBe(200);

    const token = await s().agentToken(me);
    const own = await s().api("GET", `/agents/${me}`, { as: token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ agentId: me, presence: "paused", maxConcurrent: 3 });

    const foreign = await s().api("GET", `/agents/${other}`, { as: token });
    expect(foreign.status).toBe(403);
    expect(foreign.body.detail).toMatch(/only as itself/);
    expect(JSON.stringify(foreign.body)).not.toContain('"presence"');
    // The list stays the supervisors'.
    expect((await s().api("GET", "/agents", { as: token })).status).toBe(403);
  });
});
