import { describe, expect, it } from "vitest";
import { conversation, sendConversation } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

/** A shift of the current UTC hour ± 2 h, in UTC, dated today (or yesterday if it crosses midnight). */
function shiftAroundNow() {
  const now = new Date();
  const hh = (d: Date) => `${String(d.getUTCHours()).padStart(2, "0")}:00`;
  const start = new Date(now.getTime() - 2 * 3_600_000);
  const end = new Date(now.getTime() + 2 * 3_600_000);
  return { start: hh(start), end: hh(end), date: start.toISOString().slice(0, 10) };
}

// The README's quick-start flow, through the real rota (no test shortcuts for duty).
describe("end to end: rota -> presence -> webhook -> assignment -> close", () => {
  it("routes a conversation to an agent put on duty by the rota, and stops at shift end", async () => {
    const s = stack();
    const sup = await s.supervisor("e2e");
    const agentId = s.uid("agent");
    expect((await s.api("PUT", `/agents/${agentId}`, { as: sup, body: { name: "Li Na", skills: ["presale", "vip"], maxConcurrent: 2 } })).status).toBe(201);
    const { start, end, date } = shiftAroundNow();
    const shiftId = s.uid("shift");
    expect((await s.api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "Rush", start, end, timeZone: "UTC" } })).status).toBe(201);
    expect((await s.api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId, date, shiftId }] } })).status).toBe(200);

    const onDuty = await s.api("GET", "/rota/on-duty", { as: sup });
    expect(onDuty.body.agents.map((a: { agentId: string }) => a.agentId)).toContain(agentId);
    const agentToken = await s.agentToken(agentId);
    // On duty but offline: nothing yet.
    const early = await sendConversation(s, { skill: "vip" });
    expect((await s.eventually(async () => ((await conversation(s, early.id)).status !== "queued" ? conversation(s, early.id) : undefined))).status).toBe("waiting");
    // Coming online drains the waiting conversation to the agent.
    await s.api("PUT", `/agents/${agentId}/presence`, { as: agentToken, body: { status: "online" } });
    const routed = await s.eventually(async () => ((await conversation(s, early.id)).status === "assigned" ? conversation(s, early.id) : undefined));
    expect(routed.agentId).toBe(agentId);
    expect((await s.api("POST", `/conversations/${early.id}/close`, { as: agentToken })).status).toBe(200);

    // After the shift's end the duty clock takes the agent off duty: new work waits.
    const after = new Date(Date.parse(onDuty.body.agents.find((a: { agentId: string }) => a.agentId === agentId).to) + 60_000);
    await s.runSchedule("RotaDutyClock", after);
    expect((await s.api("GET", `/agents/${agentId}`, { as: sup })).body.onDuty).toBe(false);
    const late = await sendConversation(s, { skill: "vip" });
    expect((await s.eventually(async () => ((await conversation(s, late.id)).status !== "queued" ? conversation(s, late.id) : undefined))).status).toBe("waiting");
  });

  it("drains waiting conversations the moment a rota change puts an agent on shift", async () => {
    const s = stack();
    const sup = await s.supervisor("e2e");
    const agentId = s.uid("agent");
    await s.api("PUT", `/agents/${agentId}`, { as: sup, body: { name: "Night owl", skills: ["complaint"], maxConcurrent: 2 } });
    // Online but not on the rota: conversations wait.
    await s.api("PUT", `/agents/${agentId}/presence`, { as: await s.agentToken(agentId), body: { status: "online" } });
    const waiting = await sendConversation(s, { skill: "complaint" });
    expect((await s.eventually(async () => ((await conversation(s, waiting.id)).status !== "queued" ? conversation(s, waiting.id) : undefined))).status).toBe("waiting");
    const { start, end, date } = shiftAroundNow();
    const shiftId = s.uid("shift");
    await s.api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "Now", start, end, timeZone: "UTC" } });
    await s.api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId, date, shiftId }] } });
    const routed = await s.eventually(async () => ((await conversation(s, waiting.id)).status === "assigned" ? conversation(s, waiting.id) : undefined));
    expect(routed.agentId).toBe(agentId);
  });
});
