/**
 * Issue 14 items 2 and 6, and `GET /agents` paging: single-field changes (`PATCH`), deactivation
 * kept for history (`DELETE`) with its handover, rota clean-up, sign-out and refusals, explicit
 * reactivation, the race of a deactivation with concurrent assignments, capacity below load, and
 * the supervisor's live-floor moves each audited with its actor.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { agent, conversation, makeAgent, sendConversation, setDuty, settled } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack();

type AuditEntry = { action: string; actor: string; at: string; details: Record<string, unknown> };

async function auditOf(s: TestStack, entity: string, id: string): Promise<AuditEntry[]> {
  const res = await s.api("GET", `/audit/${entity}/${id}?limit=500`, { as: await s.supervisor() });
  expect(res.status).toBe(200);
  return res.body.entries as AuditEntry[];
}

async function newSkill(s: TestStack, prefix: string): Promise<string> {
  const skill = s.uid(prefix);
  expect((await s.api("PUT", `/skills/${skill}`, { as: await s.supervisor(), body: { name: skill } })).status).toBe(201);
  return skill;
}

/** Sends conversations of `skill` and waits until each has been routed (assigned or waiting). */
async function routed(s: TestStack, skill: string, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await sendConversation(s, { skill })).id);
  const out: { conversationId: string; status: string; agentId?: string }[] = [];
  for (const id of ids) out.push(await settled(s, id));
  return out;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe("PATCH /agents/{id}", () => {
  it("changes single fields, audits each from → to, keeps the pools in step, and refuses bad patches changing nothing", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-patch");
    const [k1, k2] = [await newSkill(s, "pa"), await newSkill(s, "pb")];
    const id = await makeAgent(s, { skills: [k1], maxConcurrent: 3 });

    const raised = await s.api("PATCH", `/agents/${id}`, { as: sup, body: { maxConcurrent: 5 } });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ agentId: id, name: id, skills: [k1], maxConcurrent: 5, presence: "online", active: true });
    let trail = await auditOf(s, "agent", id);
    expect(trail.at(-1)).toMatchObject({ action: "agent.updated", actor: "supervisor:sup-patch", details: { changes: { maxConcurrent: { from: 3, to: 5 } } } });

    // A merge-patch body (RFC 7396 media type) works too; skills move the agent between pools.
    const reskilled = await s.api("PATCH", `/agents/${id}`, { as: sup, body: { skills: [k2] }, headers: { "content-type": "application/merge-patch+json" } });
    expect(reskilled.status).toBe(200);
    expect(reskilled.body.skills).toEqual([k2]);
    expect((await auditOf(s, "agent", id)).at(-1)?.details).toEqual({ changes: { skills: { from: [k1], to: [k2] } } });
    const [toK2] = await routed(s, k2, 1);
    expect(toK2).toMatchObject({ status: "assigned", agentId: id });
    const [toK1] = await routed(s, k1, 1);
    expect(toK1?.status).toBe("waiting");
    // Adding the old skill back wakes the router: the waiting k1 conversation comes to the agent.
    expect((await s.api("PATCH", `/agents/${id}`, { as: sup, body: { skills: [k2, k1], name: "Wang Fang" } })).status).toBe(200);
    await s.eventually(async () => (await conversation(s, toK1?.conversationId ?? "")).agentId === id);
    expect((await auditOf(s, "agent", id)).at(-1)?.details).toEqual({ changes: { name: { from: id, to: "Wang Fang" }, skills: { from: [k2], to: [k2, k1] } } });

    const before = await agent(s, id);
    trail = await auditOf(s, "agent", id);
    const bad: [unknown, string[]][] = [
      [{}, ["(body)"]],
      [{ maxConcurrent: null }, ["maxConcurrent"]],
      [{ name: null, skills: null }, ["name", "skills"]],
      [{ maxConcurrent: 0 }, ["maxConcurrent"]],
      [{ maxConcurrent: 51 }, ["maxConcurrent"]],
      [{ maxConcurrent: 2.5 }, ["maxConcurrent"]],
      [{ maxConcurrent: "4" }, ["maxConcurrent"]],
      [{ skills: [] }, ["skills"]],
      [{ skills: ["astrology"] }, ["skills.0"]],
      [{ skills: [k1, k1] }, ["skills"]],
      [{ name: "   " }, ["name"]],
      [{ colour: "red" }, ["colour"]],
      [{ maxConcurrent: 4, load: 0 }, ["load"]],
      [[{ maxConcurrent: 4 }], ["(body)"]],
    ];
    for (const [body, fields] of bad) {
      const res = await s.api("PATCH", `/agents/${id}`, { as: sup, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.errors.map((e: { field: string }) => e.field).sort(), JSON.stringify(body)).toEqual(fields);
    }
    expect((await s.api("PATCH", `/agents/${id}`, { as: sup, raw: "{nope", headers: { "content-type": "application/json" } })).status).toBe(400);
    expect((await s.api("PATCH", `/agents/${id}`, { as: sup, raw: "maxConcurrent=4", headers: { "content-type": "text/plain" } })).status).toBe(415);
    expect((await s.api("PATCH", `/agents/${id}`, { as: await s.agentToken(id), body: { maxConcurrent: 50 } })).status).toBe(403);
    expect((await s.api("PATCH", `/agents/${s.uid("ghost")}`, { as: sup, body: { maxConcurrent: 4 } })).status).toBe(404);
    expect((await s.api("PATCH", `/agents/${encodeURIComponent("bad id!")}`, { as: sup, body: { maxConcurrent: 4 } })).body.errors[0].field).toBe("agentId");
    // The same value again is no change: 200, no write, no audit record.
    const same = await s.api("PATCH", `/agents/${id}`, { as: sup, body: { maxConcurrent: 5, skills: [k1, k2] } });
    expect(same.status).toBe(200);
    const after = await agent(s, id);
    expect(after).toEqual(before);
    expect(await auditOf(s, "agent", id)).toHaveLength(trail.length);
    await setDuty(id, false);
  });

  it("lowers capacity below the load: no new work until the load falls below it, overCapacityBy in the views; raising it serves the line", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const skill = await newSkill(s, "cap");
    const id = await makeAgent(s, { skills: [skill], maxConcurrent: 3 });
    const open = await routed(s, skill, 3);
    expect(open.every((c) => c.agentId === id)).toBe(true);

    const lowered = await s.api("PATCH", `/agents/${id}`, { as: sup, body: { maxConcurrent: 1 } });
    expect(lowered.body).toMatchObject({ load: 3, maxConcurrent: 1, overCapacityBy: 2, available: false });
    const listed = (await s.api("GET", "/agents?active=true&limit=500", { as: sup })).body.agents.find((a: { agentId: string }) => a.agentId === id);
    expect(listed).toMatchObject({ overCapacityBy: 2 });
    const queue = (await s.api("GET", "/queue", { as: sup })).body.agents.find((a: { agentId: string }) => a.agentId === id);
    expect(queue).toMatchObject({ overCapacityBy: 2, load: 3, maxConcurrent: 1 });

    const [waiting] = await routed(s, skill, 1);
    expect(waiting?.status).toBe("waiting");
    for (const c of open.slice(0, 2)) expect((await s.api("POST", `/conversations/${c.conversationId}/close`, { as: sup })).status).toBe(200);
    expect(await agent(s, id)).toMatchObject({ load: 1, overCapacityBy: 0, available: false });
    expect((await conversation(s, waiting?.conversationId ?? "")).status).toBe("waiting");

    expect((await s.api("PATCH", `/agents/${id}`, { as: sup, body: { maxConcurrent: 4 } })).status).toBe(200);
    await s.eventually(async () => (await conversation(s, waiting?.conversationId ?? "")).agentId === id);
    expect(await agent(s, id)).toMatchObject({ load: 2, maxConcurrent: 4, available: true });
    await setDuty(id, false);
  });
});

describe("DELETE /agents/{id}: deactivation kept for history", () => {
  it("hands open work to others, removes the future rota, signs the agent out, refuses presence, sign-in and assignment, and shows it inactive; reactivation is explicit", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-leave");
    const skill = await newSkill(s, "dl");
    const shiftId = s.uid("shift");
    expect((await s.api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "Day", start: "09:00", end: "17:00", timeZone: "UTC" } })).status).toBe(201);
    const leaver = s.uid("leaver");
    expect((await s.api("PUT", `/agents/${leaver}`, { as: sup, body: { name: "Leaver", skills: [skill], maxConcurrent: 5 } })).status).toBe(201);

    // Rota: a past and two future dated entries, a running pattern and a later one, a future override.
    const rota = await s.api("PUT", "/rota", {
      as: sup,
      body: {
        assignments: [
          { agentId: leaver, date: day(-3), shiftId },
          { agentId: leaver, date: day(2), shiftId },
          { agentId: leaver, date: day(3), shiftId },
        ],
        patterns: [
          { agentId: leaver, pattern: [shiftId, "off"], startDate: day(-10) },
          { agentId: leaver, pattern: [shiftId], startDate: day(20) },
        ],
      },
    });
    expect(rota.status, JSON.stringify(rota.body)).toBe(200);
    expect((await s.api("POST", "/rota/exceptions", { as: sup, body: { kind: "override", agentId: leaver, date: day(5), shiftId } })).status).toBe(201);
    const rotaOf = async () => (await s.api("GET", `/rota?from=${day(-10)}&to=${day(25)}&agentId=${leaver}`, { as: sup })).body.occurrences as { date: string; source: string }[];
    const planned = await rotaOf();
    expect(planned.filter((o) => o.date >= day(2)).length).toBeGreaterThan(5);

    // On duty and online with two open conversations; then a colleague arrives.
    await setDuty(leaver, true);
    expect((await s.api("PUT", `/agents/${leaver}/presence`, { as: sup, body: { status: "online" } })).status).toBe(200);
    const held = await routed(s, skill, 2);
    expect(held.map((c) => c.agentId)).toEqual([leaver, leaver]);
    const colleague = await makeAgent(s, { skills: [skill], maxConcurrent: 5 });
    const socket = await s.connect(await s.agentToken(leaver));
    const closed = new Promise<void>((resolve) => socket.socket.once("close", () => resolve()));

    const res = await s.api("DELETE", `/agents/${leaver}`, { as: sup });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ agentId: leaver, active: false, presence: "offline", load: 0, available: false, onDuty: false, updatedBy: "supervisor:sup-leave" });
    expect(res.body.deactivatedAt).toEqual(expect.any(String));
    expect(res.body.deactivated).toMatchObject({ changed: true, rota: { assignmentsRemoved: 2, patternsEnded: 2, exceptionsRemoved: 1 }, disconnected: 1 });
    expect(res.body.deactivated.handedOver.map((h: { outcome: string; agentId: string }) => [h.outcome, h.agentId])).toEqual([
      ["handed-over", colleague],
      ["handed-over", colleague],
    ]);

    // Open work: with the colleague now, the move recorded in history and in the audit trail.
    for (const c of held) {
      const now = await conversation(s, c.conversationId);
      expect(now).toMatchObject({ status: "assigned", agentId: colleague });
      expect(now.history.find((h: { action: string }) => h.action === "handed-over")).toMatchObject({ actor: "supervisor:sup-leave", agentId: leaver, detail: "agent deactivated" });
      expect((await auditOf(s, "conversation", c.conversationId)).map((e) => [e.action, e.actor, e.details.from])).toEqual([["conversation.handed-over", "supervisor:sup-leave", leaver]]);
    }
    // The rota: the past stays for history, everything from today on is gone.
    const remaining = await rotaOf();
    expect(remaining.find((o) => o.date === day(-3))).toMatchObject({ source: "assignment" });
    expect(remaining.filter((o) => o.date < day(0)).length).toBeGreaterThan(1);
    expect(remaining.filter((o) => o.date > day(0))).toEqual([]);
    // Both written at the request's instant: compared as a set.
    const rotaTrail = (await auditOf(s, "rota", leaver)).map((e) => `${e.action} by ${e.actor}`);
    expect(rotaTrail.slice(-2).sort()).toEqual(["rota.override.deleted by supervisor:sup-leave", "rota.updated by supervisor:sup-leave"]);
    // The audit trail of the agent is kept, the deactivation (and the duty it ended) at its end.
    const trail = await auditOf(s, "agent", leaver);
    expect(trail[0]?.action).toBe("agent.created");
    expect(trail.slice(-2).map((e) => e.action).sort()).toEqual(["agent.deactivated", "agent.duty-ended"]);
    expect(trail.find((e) => e.action === "agent.deactivated")).toMatchObject({ actor: "supervisor:sup-leave", details: { presence: "online", load: 2 } });

    // Signed out, and cannot sign in again.
    await closed;
    await expect(s.connect(await s.agentToken(leaver))).rejects.toThrow(/403/);
    // Presence, profile changes: a 409 pointing at reactivation; nothing changes.
    for (const as of [await s.agentToken(leaver), sup]) {
      const presence = await s.api("PUT", `/agents/${leaver}/presence`, { as, body: { status: "online" } });
      expect(presence.status).toBe(409);
      expect(presence.body.detail).toMatch(/deactivated.*reactivate/i);
    }
    expect((await s.api("PATCH", `/agents/${leaver}`, { as: sup, body: { maxConcurrent: 9 } })).status).toBe(409);
    expect((await s.api("PUT", `/agents/${leaver}`, { as: sup, body: { name: "Back", skills: [skill], maxConcurrent: 5 } })).status).toBe(409);
    // Not assignable: new work goes to the colleague, a forced reassign is refused, naming why.
    const [fresh] = await routed(s, skill, 1);
    expect(fresh?.agentId).toBe(colleague);
    const forced = await s.api("POST", `/conversations/${fresh?.conversationId}/reassign`, { as: sup, body: { toAgentId: leaver, force: true } });
    expect(forced.status).toBe(409);
    expect(forced.body.detail).toMatch(/deactivated/);
    // Still shown, as inactive.
    const shown = await s.api("GET", `/agents/${leaver}`, { as: sup });
    expect(shown.body).toMatchObject({ agentId: leaver, name: "Leaver", active: false, deactivatedAt: res.body.deactivatedAt, maxConcurrent: 5, presence: "offline", load: 0 });
    const inactive = (await s.api("GET", "/agents?active=false&limit=500", { as: sup })).body.agents.map((a: { agentId: string }) => a.agentId);
    expect(inactive).toContain(leaver);
    expect(inactive).not.toContain(colleague);
    expect((await s.api("GET", "/agents?active=true&limit=500", { as: sup })).body.agents.map((a: { agentId: string }) => a.agentId)).not.toContain(leaver);
    expect(trail).toEqual(await auditOf(s, "agent", leaver));

    // A second DELETE changes nothing (it would finish an interrupted one); an unknown agent is a 404; agents may not.
    const again = await s.api("DELETE", `/agents/${leaver}`, { as: sup });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ active: false, deactivatedAt: res.body.deactivatedAt, deactivated: { changed: false, handedOver: [], rota: { assignmentsRemoved: 0, patternsEnded: 0, exceptionsRemoved: 0 } } });
    expect(await auditOf(s, "agent", leaver)).toHaveLength(trail.length);
    expect((await s.api("DELETE", `/agents/${s.uid("ghost")}`, { as: sup })).status).toBe(404);
    expect((await s.api("DELETE", `/agents/${colleague}`, { as: await s.agentToken(colleague) })).status).toBe(403);
    expect((await agent(s, colleague)).active).toBe(true);

    // Reactivation is explicit: back offline, audited; then it signs in, goes online and takes work.
    const back = await s.api("POST", `/agents/${leaver}/reactivate`, { as: sup });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ agentId: leaver, active: true, deactivatedAt: null, presence: "offline", load: 0 });
    expect((await auditOf(s, "agent", leaver)).at(-1)).toMatchObject({ action: "agent.reactivated", actor: "supervisor:sup-leave", details: { deactivatedAt: res.body.deactivatedAt } });
    expect((await s.api("POST", `/agents/${leaver}/reactivate`, { as: sup })).status).toBe(200);
    expect(await auditOf(s, "agent", leaver)).toHaveLength(trail.length + 1);
    expect((await s.api("POST", `/agents/${s.uid("ghost")}/reactivate`, { as: sup })).status).toBe(404);
    const signedIn = await s.connect(await s.agentToken(leaver));
    await signedIn.close();
    await setDuty(colleague, false);
    await setDuty(leaver, true);
    expect((await s.api("PUT", `/agents/${leaver}/presence`, { as: await s.agentToken(leaver), body: { status: "online" } })).status).toBe(200);
    const [served] = await routed(s, skill, 1);
    expect(served?.agentId).toBe(leaver);
    await setDuty(leaver, false);
  });

  it("refuses the assignment itself, not only the pool: a seat of a deactivated agent at its current version cannot be committed", async () => {
    const s = stack();
    const skill = await newSkill(s, "cond");
    const id = await makeAgent(s, { skills: [skill], maxConcurrent: 3 });
    expect((await s.api("DELETE", `/agents/${id}`, { as: await s.supervisor() })).status).toBe(200);
    // Put it back "on duty" directly, so only the deactivation stands between it and new work.
    await setDuty(id, true);
    const { Seat, dynamo, tableName, transact, TransactionCancelledError } = await import("../../functions/shared/table/index.js");
    const { agentWriteOps, getAgent, seatViewFromItem } = await import("../../functions/agents/store.js");
    const item = (await dynamo.send(new GetCommand({ TableName: tableName, Key: Seat.key({ agentId: id, skill }), ConsistentRead: true }))).Item;
    expect(item).toBeDefined();
    expect(item?.[Seat.index.pool.attributeNames.pk]).toBeUndefined();
    const profile = await getAgent(id);
    if (!item || !profile) throw new Error("agent vanished");
    const at = new Date().toISOString();
    const { seatAssignmentOps } = await import("../../functions/agents/store.js");
    const seat = seatViewFromItem(item);
    expect(seat.version).toBe(profile.version);
    await expect(transact(seatAssignmentOps(seat, at))).rejects.toBeInstanceOf(TransactionCancelledError);
    // The router's cheap path (no seat rewrite) refuses it too: conditional on the profile, not the seat.
    const { spareSlotAssignmentOps } = await import("../../functions/agents/store.js");
    await expect(transact(spareSlotAssignmentOps({ agentId: id, maxConcurrent: profile.maxConcurrent, load: profile.load, skill }, at))).rejects.toBeInstanceOf(TransactionCancelledError);
    await expect(transact(agentWriteOps(profile, { ...profile, load: profile.load + 1, lastAssignedAt: at }, { onDutyAt: at }))).rejects.toBeInstanceOf(TransactionCancelledError);
    expect(await agent(s, id)).toMatchObject({ load: 0, active: false });
    await setDuty(id, false);
  });

  it("never leaves a conversation with an agent deactivated while conversations are being assigned and reassigned to it", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-race");
    let handedOver = 0;
    for (let round = 0; round < 3; round++) {
      const skill = await newSkill(s, `race${round}`);
      const leaver = await makeAgent(s, { skills: [skill], maxConcurrent: 20 });
      // The leaver holds some work before the race starts.
      const early = await routed(s, skill, 3);
      expect(early.every((c) => c.agentId === leaver)).toBe(true);
      const colleague = await makeAgent(s, { skills: [skill], maxConcurrent: 40 });
      // Which agent each of these gets follows the pool's rank, which may lag an agent's load by
      // a tenth of its capacity (agents/store.ts rankLag): those the leaver got are counted too.
      const second = await routed(s, skill, 4);
      const toMove = second.filter((c) => c.agentId === colleague);

      // At once: more arrivals (routed to either), reassigns to the leaver, and the DELETE.
      const arrivals = Array.from({ length: 12 }, () => sendConversation(s, { skill }));
      const reassigns = toMove.map((c) => s.api("POST", `/conversations/${c.conversationId}/reassign`, { as: sup, body: { toAgentId: leaver } }));
      const [deleted, ...moved] = await Promise.all([s.api("DELETE", `/agents/${leaver}`, { as: sup }), ...reassigns]);
      const arrived = await Promise.all(arrivals);
      expect(deleted?.status, JSON.stringify(deleted?.body)).toBe(200);
      for (const r of moved) expect([200, 409]).toContain(r.status);
      for (const a of arrived) expect(a.res.status).toBe(202);
      handedOver += (deleted?.body.deactivated.handedOver as unknown[]).length;

      const ids = [...early.map((c) => c.conversationId), ...second.map((c) => c.conversationId), ...arrived.map((a) => a.id)];
      // Every conversation settles (assigned or waiting: none still queued), and none with the leaver.
      const final = await s.eventually(async () => {
        const all = await Promise.all(ids.map((id) => conversation(s, id)));
        return all.every((c) => c.status === "assigned" || c.status === "waiting") ? all : undefined;
      }, 30_000);
      const withLeaver = final.filter((c) => c.agentId === leaver && c.status === "assigned");
      expect(withLeaver.map((c) => c.conversationId), `round ${round}`).toEqual([]);
      expect(final.filter((c) => c.status === "assigned").every((c) => c.agentId === colleague)).toBe(true);
      const { openAssignments } = await import("../../functions/routing/store/index.js");
      expect(await openAssignments(leaver)).toEqual([]);
      expect(await agent(s, leaver)).toMatchObject({ load: 0, active: false, available: false });
      expect((await agent(s, colleague)).load).toBe(final.filter((c) => c.status === "assigned").length);
      await setDuty(colleague, false);
    }
    // The early conversations at least were with the leaver when the DELETE came.
    expect(handedOver).toBeGreaterThanOrEqual(9);
  });
});

describe("supervisor moves on the live floor, each one call and audited with its actor", () => {
  it("pauses and resumes an agent, changes its capacity, reassigns and transfers to a skill", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-floor");
    const [skill, other] = [await newSkill(s, "fl"), await newSkill(s, "fo")];
    const a = await makeAgent(s, { skills: [skill], maxConcurrent: 3 });
    const [c1, c2] = await routed(s, skill, 2);
    const b = await makeAgent(s, { skills: [skill], maxConcurrent: 3 });
    const v = await makeAgent(s, { skills: [other], maxConcurrent: 3 });

    expect((await s.api("PUT", `/agents/${a}/presence`, { as: sup, body: { status: "paused" } })).body).toMatchObject({ presence: "paused", load: 2, available: false });
    expect((await s.api("PUT", `/agents/${a}/presence`, { as: sup, body: { status: "online" } })).body.presence).toBe("online");
    expect((await s.api("PATCH", `/agents/${a}`, { as: sup, body: { maxConcurrent: 6 } })).body.maxConcurrent).toBe(6);
    expect((await auditOf(s, "agent", a)).slice(-3).map((e) => [e.action, e.actor, e.details])).toEqual([
      ["agent.presence", "supervisor:sup-floor", { from: "online", to: "paused" }],
      ["agent.presence", "supervisor:sup-floor", { from: "paused", to: "online" }],
      ["agent.updated", "supervisor:sup-floor", { changes: { maxConcurrent: { from: 3, to: 6 } } }],
    ]);

    expect((await s.api("POST", `/conversations/${c1?.conversationId}/reassign`, { as: sup, body: { toAgentId: b, reason: "rebalance" } })).status).toBe(200);
    expect((await s.api("POST", `/conversations/${c2?.conversationId}/transfer`, { as: sup, body: { toSkill: other } })).status).toBe(200);
    expect(await conversation(s, c2?.conversationId ?? "")).toMatchObject({ agentId: v, skill: other });
    expect((await auditOf(s, "conversation", c1?.conversationId ?? "")).map((e) => [e.action, e.actor, e.details])).toEqual([
      ["conversation.reassigned", "supervisor:sup-floor", { from: a, to: b, force: false, overCapacity: false }],
    ]);
    expect((await auditOf(s, "conversation", c2?.conversationId ?? "")).map((e) => [e.action, e.actor, e.details.from, e.details.toSkill])).toEqual([
      ["conversation.transferred", "supervisor:sup-floor", a, other],
    ]);
    // A refused move writes nothing.
    expect((await s.api("POST", `/conversations/${c1?.conversationId}/reassign`, { as: sup, body: { toAgentId: v } })).status).toBe(409);
    expect(await auditOf(s, "conversation", c1?.conversationId ?? "")).toHaveLength(1);
    for (const x of [a, b, v]) await setDuty(x, false);
  });
});

describe("GET /agents, a page at a time", () => {
  it("pages 25 agents 10 at a time in a stable order, each once, filters by active, and refuses bad queries", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const prefix = s.uid("page");
    const mine = Array.from({ length: 25 }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
    await Promise.all(mine.map((id) => s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale"], maxConcurrent: 3 } })));
    expect((await s.api("DELETE", `/agents/${mine[7]}`, { as: sup })).status).toBe(200);

    const walk = async (query: string) => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let next: string | undefined;
      do {
        const res = await s.api("GET", `/agents?limit=10${query}${next ? `&cursor=${encodeURIComponent(next)}` : ""}`, { as: sup });
        expect(res.status).toBe(200);
        sizes.push(res.body.agents.length);
        seen.push(...res.body.agents.map((a: { agentId: string }) => a.agentId));
        next = res.body.next;
      } while (next);
      return { seen, sizes };
    };
    const { seen, sizes } = await walk("");
    expect(sizes.every((n) => n >= 1 && n <= 10)).toBe(true);
    expect(sizes.slice(0, -1).every((n) => n === 10)).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(seen.filter((id) => id.startsWith(prefix))).toEqual(mine);
    expect((await walk("")).seen).toEqual(seen);
    const active = (await walk("&active=true")).seen;
    expect(active.filter((id) => id.startsWith(prefix))).toEqual(mine.filter((_, i) => i !== 7));
    expect((await walk("&active=false")).seen.filter((id) => id.startsWith(prefix))).toEqual([mine[7]]);

    const firstPage = await s.api("GET", "/agents?limit=10", { as: sup });
    const audit = await s.api("GET", `/audit/agent/${mine[7]}?limit=1`, { as: sup });
    const { encodeCursor, Agent } = await import("../../functions/shared/table/index.js");
    const forged = encodeCursor({ ...Agent.key({ agentId: "x" }), ...Agent.index.all.attributes({ agentId: "y" }) });
    const bad: [string, string][] = [
      ["limit=0", "limit"],
      ["limit=501", "limit"],
      ["limit=ten", "limit"],
      ["limit=-1", "limit"],
      ["cursor=not-a-cursor", "cursor"],
      [`cursor=${encodeURIComponent(forged)}`, "cursor"],
      ["active=yes", "active"],
      ["page=2", "page"],
    ];
    expect(audit.body.next).toEqual(expect.any(String));
    bad.push([`cursor=${encodeURIComponent(audit.body.next)}`, "cursor"]);
    for (const [query, field] of bad) {
      const res = await s.api("GET", `/agents?${query}`, { as: sup });
      expect(res.status, query).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), query).toContain(field);
    }
    expect(firstPage.body.next).toEqual(expect.any(String));
    expect((await s.api("GET", "/agents?limit=10", { as: await s.agentToken(mine[0] ?? "") })).status).toBe(403);
  });
});
