/**
 * Issue 17 item 5: shift swaps with approval on the local stack. An agent asks, the other agent
 * accepts, a supervisor approves (the swap is applied as a rota swap, audited, both agents
 * notified) or rejects; wrong-state steps are 409s and nothing changes.
 */
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

describe("swap requests", () => {
  it("requested → accepted by the other agent → approved by a supervisor: applied, audited, both agents notified", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const shiftId = s.uid("early");
    expect((await s.api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "Early", start: "09:00", end: "17:00", timeZone: "UTC" } })).status).toBe(201);
    const a = s.uid("sa");
    const b = s.uid("sb");
    const c = s.uid("sc");
    for (const id of [a, b, c]) expect((await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    const date = "2031-07-01";
    expect((await s.api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId: a, date, shiftId }, { agentId: a, date: "2031-07-02", shiftId }] } })).status).toBe(200);
    const ta = await s.agentToken(a);
    const tb = await s.agentToken(b);
    const tc = await s.agentToken(c);
    const socketA = await s.connect(ta);
    const socketB = await s.connect(tb);
    try {
      // Bad requests change nothing.
      expect((await s.api("POST", "/rota/swap-requests", { as: ta, body: { withAgentId: a, date } })).status).toBe(400);
      expect((await s.api("POST", "/rota/swap-requests", { as: ta, body: { withAgentId: b, date: "2031-07-05" } })).status).toBe(400);
      expect((await s.api("POST", "/rota/swap-requests", { as: ta, body: { withAgentId: "nobody-here", date } })).status).toBe(400);
      expect((await s.api("POST", "/rota/swap-requests", { as: sup, body: { withAgentId: b, date } })).status).toBe(403);

      const asked = await s.api("POST", "/rota/swap-requests", { as: ta, body: { withAgentId: b, date, note: "dentist" } });
      expect(asked.status).toBe(201);
      expect(asked.body).toMatchObject({ agentId: a, withAgentId: b, date, status: "requested", note: "dentist" });
      const id: string = asked.body.requestId;
      expect(asked.headers.get("location")).toBe(`/rota/swap-requests/${id}`);
      await socketB.waitFor((m) => m.type === "rota.swap" && m.requestId === id && m.status === "requested");

      // Only the agent asked may accept; a supervisor cannot approve before it has.
      expect((await s.api("POST", `/rota/swap-requests/${id}/accept`, { as: ta })).status).toBe(403);
      expect((await s.api("POST", `/rota/swap-requests/${id}/accept`, { as: tc })).status).toBe(403);
      expect((await s.api("GET", `/rota/swap-requests/${id}`, { as: tc })).status).toBe(404);
      const early = await s.api("POST", `/rota/swap-requests/${id}/approve`, { as: sup });
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ requestStatus: "requested" });

      const accepted = await s.api("POST", `/rota/swap-requests/${id}/accept`, { as: tb });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ status: "accepted" });
      expect((await s.api("POST", `/rota/swap-requests/${id}/accept`, { as: tb })).status).toBe(409);
      await socketA.waitFor((m) => m.type === "rota.swap" && m.requestId === id && m.status === "accepted");
      // Not applied yet.
      const before = await s.api("GET", `/rota?from=${date}&to=${date}`, { as: sup });
      expect(before.body.occurrences.filter((o: { agentId: string }) => o.agentId === a || o.agentId === b).map((o: { agentId: string }) => o.agentId)).toEqual([a]);

      const approved = await s.api("POST", `/rota/swap-requests/${id}/approve`, { as: sup, body: { reason: "covered" } });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: "approved", decidedBy: "supervisor:sup-test", reason: "covered" });
      const after = await s.api("GET", `/rota?from=${date}&to=${date}`, { as: sup });
      const mine = after.body.occurrences.filter((o: { agentId: string }) => o.agentId === a || o.agentId === b);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ agentId: b, shiftId, source: "swap", exceptionId: approved.body.exceptionId });
      // The next day is untouched.
      const next = await s.api("GET", `/rota?from=2031-07-02&to=2031-07-02&agentId=${a}`, { as: sup });
      expect(next.body.occurrences).toHaveLength(1);
      for (const socket of [socketA, socketB]) await socket.waitFor((m) => m.type === "rota.swap" && m.requestId === id && m.status === "approved");

      // Decided: no further step.
      expect((await s.api("POST", `/rota/swap-requests/${id}/approve`, { as: sup })).status).toBe(409);
      expect((await s.api("POST", `/rota/swap-requests/${id}/reject`, { as: sup })).status).toBe(409);
      const trail = await s.api("GET", `/audit/swap/${id}`, { as: sup });
      expect(trail.body.entries.map((e: { action: string }) => e.action)).toEqual(["swap.requested", "swap.accepted", "swap.approved"]);
      for (const agentId of [a, b]) {
        const rota = await s.api("GET", `/audit/rota/${agentId}`, { as: sup });
        expect(rota.body.entries.map((e: { action: string }) => e.action)).toContain("rota.swap.created");
      }
      expect((await s.api("GET", `/rota/swap-requests/${id}`, { as: tb })).body).toMatchObject({ status: "approved" });
    } finally {
      await socketA.close();
      await socketB.close();
    }
  }, 180_000);

  it("a supervisor rejects: nothing in the rota changes, both agents notified; concurrent approvals apply once", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const shiftId = s.uid("late");
    expect((await s.api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "Late", start: "14:00", end: "22:00", timeZone: "UTC" } })).status).toBe(201);
    const a = s.uid("ra");
    const b = s.uid("rb");
    for (const id of [a, b]) expect((await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    expect((await s.api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId: a, date: "2031-08-01", shiftId }, { agentId: b, date: "2031-08-02", shiftId }] } })).status).toBe(200);
    const [ta, tb] = await Promise.all([s.agentToken(a), s.agentToken(b)]);
    const socketB = await s.connect(tb);
    try {
      const asked = await s.api("POST", "/rota/swap-requests", { as: ta, body: { withAgentId: b, date: "2031-08-01" } });
      const id: string = asked.body.requestId;
      const rejected = await s.api("POST", `/rota/swap-requests/${id}/reject`, { as: sup, body: { reason: "short-staffed" } });
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({ status: "rejected", reason: "short-staffed" });
      await socketB.waitFor((m) => m.type === "rota.swap" && m.requestId === id && m.status === "rejected");
      expect((await s.api("POST", `/rota/swap-requests/${id}/accept`, { as: tb })).status).toBe(409);
      const rota = await s.api("GET", "/rota?from=2031-08-01&to=2031-08-01", { as: sup });
      expect(rota.body.occurrences.filter((o: { agentId: string }) => o.agentId === a || o.agentId === b)).toMatchObject([{ agentId: a, source: "assignment" }]);

      // b asks a for 08-02; a accepts; two supervisors approve at once: one 200, one 409, one swap exception.
      const second = await s.api("POST", "/rota/swap-requests", { as: tb, body: { withAgentId: a, date: "2031-08-02" } });
      const id2: string = second.body.requestId;
      expect((await s.api("POST", `/rota/swap-requests/${id2}/accept`, { as: ta })).status).toBe(200);
      const [one, two] = await Promise.all([s.api("POST", `/rota/swap-requests/${id2}/approve`, { as: sup }), s.api("POST", `/rota/swap-requests/${id2}/approve`, { as: await s.supervisor("sup-two") })]);
      expect([one.status, two.status].sort()).toEqual([200, 409]);
      const exceptions = await s.api("GET", `/rota/exceptions?from=2031-08-02&to=2031-08-02&agentId=${a}`, { as: sup });
      expect(exceptions.body.exceptions.filter((e: { kind: string }) => e.kind === "swap")).toHaveLength(1);
      expect((await s.api("GET", `/audit/swap/${id2}`, { as: sup })).body.entries.map((e: { action: string }) => e.action)).toEqual(["swap.requested", "swap.accepted", "swap.approved"]);
    } finally {
      await socketB.close();
    }
  }, 180_000);
});
