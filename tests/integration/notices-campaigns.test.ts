/**
 * Campaign versions and their notices on the local stack: no-op PUTs, field-level diffs,
 * supersede (inbox shows the newest; an old ack does not count), and late joiners.
 */
import { afterEach, describe, expect, it } from "vitest";
import { noticeFixtures } from "../support/notices.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack();

const hour = 60 * 60 * 1000;
const { agent, setDuty, fannedOut, offDutyAll } = noticeFixtures();

const inboxIds = async (s: TestStack, agentId: string) =>
  ((await s.api("GET", "/notices/inbox", { as: await s.agentToken(agentId) })).body.notices as { noticeId: string; acknowledged: boolean }[]).map((n) => `${n.noticeId}${n.acknowledged ? ":acked" : ""}`);

/** The inbox as soon as it holds anything (late-joiner delivery is asynchronous). */
const inboxOnceNonEmpty = (s: TestStack, agentId: string) =>
  s.eventually(async () => {
    const ids = await inboxIds(s, agentId);
    return ids.length > 0 ? ids : undefined;
  });

const campaign = (threshold: number) => ({
  name: "Double 11 coupon",
  rules: { coupon: { threshold, discount: 30 }, stackable: false },
  startsAt: "2030-11-11T00:00:00+08:00",
  endsAt: "2030-11-12T00:00:00+08:00",
  targetSkills: ["presale"],
  urgency: "urgent",
});

afterEach(async () => {
  await offDutyAll();
});

describe("campaign change notices", () => {
  it("versions real changes only, with a field-level summary, and supersedes older unacknowledged versions", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-camp");
    const campaignId = s.uid("camp");
    const keeper = await agent(s, ["presale"], true);
    const acker = await agent(s, ["presale", "vip"], true);
    const bystander = await agent(s, ["logistics"], true);

    const v1 = await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: campaign(300) });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ campaignId, version: 1, changed: true, startsAt: "2030-11-10T16:00:00.000Z" });
    const v1Notice = v1.body.notice.noticeId as string;
    await fannedOut(s, v1Notice);
    expect(await inboxIds(s, keeper)).toEqual([v1Notice]);
    expect(await inboxIds(s, bystander)).toEqual([]);
    expect((await s.api("POST", `/notices/${v1Notice}/ack`, { as: await s.agentToken(acker) })).status).toBe(200);

    // Same content, other key order and an equivalent instant: nothing changes, nothing is sent.
    const same = await s.api("PUT", `/campaigns/${campaignId}`, {
      as: sup,
      body: { ...campaign(300), rules: { stackable: false, coupon: { discount: 30, threshold: 300 } }, startsAt: "2030-11-10T16:00:00Z" },
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: 1, changed: false, changes: [], notice: null });

    const v2 = await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: campaign(200) });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, changed: true, changes: [{ field: "rules.coupon.threshold", from: 300, to: 200 }] });
    // A sentence in the shop's zone (Asia/Shanghai by default), effective at the campaign's start; the raw diff stays in `changes`.
    expect(v2.body.notice.body).toBe("满300减30 → 满200减30, 2030年11月11日 00:00 起");
    const v2Notice = v2.body.notice.noticeId as string;
    await fannedOut(s, v2Notice);

    // The inbox shows only the newest version; acking v1 did not count for v2.
    expect(await inboxIds(s, keeper)).toEqual([v2Notice]);
    expect(await inboxIds(s, acker)).toEqual([v2Notice]);
    expect((await s.api("POST", `/notices/${v1Notice}/ack`, { as: await s.agentToken(keeper) })).status).toBe(200);
    expect(await inboxIds(s, keeper)).toEqual([v2Notice]);

    const old = (await s.api("GET", `/notices/${v1Notice}/receipts`, { as: sup })).body;
    expect(old.notice.supersededBy).toBe(v2Notice);
    expect(old.counts).toEqual({ targeted: 2, delivered: 2, acknowledged: 2, pending: 0 });
    const current = (await s.api("GET", `/notices/${v2Notice}/receipts`, { as: sup })).body;
    expect(current.counts).toEqual({ targeted: 2, delivered: 2, acknowledged: 0, pending: 2 });

    // A late joiner gets the newest version only.
    const late = await agent(s, ["presale"], false);
    await setDuty([late], true);
    const online = await s.api("PUT", `/agents/${late}/presence`, { as: await s.agentToken(late), body: { status: "online" } });
    expect(online.status).toBe(200);
    // Arrival is an event the notices consumer handles: delivery follows shortly.
    expect(await inboxOnceNonEmpty(s, late)).toEqual([v2Notice]);

    const read = await s.api("GET", `/campaigns/${campaignId}`, { as: sup });
    expect(read.body).toMatchObject({ version: 2, rules: { coupon: { threshold: 200 } }, noticeId: v2Notice });
    const history = await s.api("GET", `/campaigns/${campaignId}?version=1`, { as: sup });
    expect(history.body).toMatchObject({ version: 1, rules: { coupon: { threshold: 300 } } });
    expect((await s.api("GET", `/campaigns/${campaignId}?version=9`, { as: sup })).status).toBe(404);

    const { auditTrail } = await import("../../functions/shared/audit.js");
    expect((await auditTrail("campaign", campaignId)).map((t) => [t.action, t.actor, t.details?.version])).toEqual([
      ["campaign.created", "supervisor:sup-camp", 1],
      ["campaign.updated", "supervisor:sup-camp", 2],
    ]);
  });

  it("serialises concurrent identical and conflicting PUTs into versions without losing or duplicating one", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const campaignId = s.uid("camp");
    const results = await Promise.all([300, 300, 300, 250, 250].map((t) => s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: campaign(t) })));
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    const versions = results.filter((r) => r.body.changed).map((r) => r.body.version as number).sort();
    const final = (await s.api("GET", `/campaigns/${campaignId}`, { as: sup })).body;
    expect(versions).toEqual(Array.from({ length: final.version }, (_, i) => i + 1));
    const { auditTrail } = await import("../../functions/shared/audit.js");
    expect(await auditTrail("campaign", campaignId)).toHaveLength(final.version);
  });

  it("delivers unexpired notices to late joiners on shift start, online and connect — once, and only while on duty", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const expiresAt = new Date(Date.now() + hour);
    const res = await s.api("POST", "/notices", { as: sup, body: { title: "Price fix", body: "SKU 42 is 99", urgency: "urgent", targetSkills: ["vip"], expiresAt: expiresAt.toISOString() } });
    const noticeId = res.body.noticeId as string;
    await fannedOut(s, noticeId);

    const viaOnline = await agent(s, ["vip"], false);
    const viaConnect = await agent(s, ["vip"], false);
    const viaDuty = await agent(s, ["vip"], false);
    const otherSkill = await agent(s, ["aftersale"], true);

    const { deliverOnArrival } = await import("../../functions/notices/use-cases/index.js");
    const arrive = (agentId: string, reason: "duty" | "online" | "connect", at = new Date()) => s.runAs("NoticeFanout", () => deliverOnArrival(agentId, at, reason));

    // Off duty: coming online delivers nothing (the rule, then the event through the queue).
    expect((await arrive(viaOnline, "online")).delivered).toEqual([]);
    await s.api("PUT", `/agents/${viaOnline}/presence`, { as: await s.agentToken(viaOnline), body: { status: "online" } });
    await s.api("PUT", `/agents/${viaOnline}/presence`, { as: await s.agentToken(viaOnline), body: { status: "away" } });
    await setDuty([viaOnline, viaConnect], true);
    await s.api("PUT", `/agents/${viaOnline}/presence`, { as: await s.agentToken(viaOnline), body: { status: "online" } });
    expect(await inboxOnceNonEmpty(s, viaOnline)).toEqual([noticeId]);

    const socket = await s.connect(await s.agentToken(viaConnect));
    expect(await inboxOnceNonEmpty(s, viaConnect)).toEqual([noticeId]);
    await socket.close();

    // The rota's duty clock announces the arrival at shift start; the delivery pushes to open connections.
    const { onAgentArrival } = await import("../../functions/agents/arrival.js");
    const dutySocket = await s.connect(await s.agentToken(viaDuty));
    await setDuty([viaDuty], true);
    await s.runAs("RotaDutyClock", () => onAgentArrival(viaDuty, new Date(), "duty"));
    await dutySocket.waitFor((m) => m.type === "notice" && m.notice.noticeId === noticeId);
    await dutySocket.close();

    // Repeated arrivals add nothing; another skill gets nothing; after expiry nothing is owed.
    expect((await arrive(viaOnline, "online")).delivered).toEqual([]);
    expect((await arrive(viaDuty, "duty")).delivered).toEqual([]);
    expect((await arrive(otherSkill, "duty")).delivered).toEqual([]);
    const lateAfterExpiry = await agent(s, ["vip"], true);
    expect((await arrive(lateAfterExpiry, "duty", new Date(expiresAt.getTime() + 1000))).delivered).toEqual([]);

    const receipts = (await s.api("GET", `/notices/${noticeId}/receipts`, { as: sup })).body;
    expect(receipts.agents.map((a: { agentId: string }) => a.agentId)).toEqual([viaOnline, viaConnect, viaDuty].sort());
    expect(receipts.counts).toEqual({ targeted: 3, delivered: 3, acknowledged: 0, pending: 3 });
  });

  it("rejects bad campaigns naming the fields, and changes nothing", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const campaignId = s.uid("camp");
    const bad = await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: { name: "", rules: [1], startsAt: "soon", endsAt: "2030-01-01T00:00:00Z", targetSkills: [] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["name", "rules", "startsAt", "targetSkills"]);
    const backwards = await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: { ...campaign(1), endsAt: "2030-11-01T00:00:00Z" } });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe("endsAt");
    expect((await s.api("GET", `/campaigns/${campaignId}`, { as: sup })).status).toBe(404);
    expect((await s.api("PUT", `/campaigns/${campaignId}`, { as: await s.agentToken("a1"), body: campaign(1) })).status).toBe(403);
  });

  it("answers unbounded rules with a 400 naming the rule, never a 500, and stores nothing", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const campaignId = s.uid("camp");
    const nest = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const cases: { rules: string; field: string }[] = [
      { rules: '{"max":1e308}', field: "rules.max" },
      { rules: '{"tiny":1e-320}', field: "rules.tiny" },
      { rules: '{"":1}', field: "rules" },
      { rules: '{"coupon":{"":{"threshold":300}}}', field: "rules.coupon" },
      { rules: nest(33), field: "rules.a.a.a.a.a.a.a.a" },
      // zod's recursive schema overflowed the stack on this one
      { rules: nest(5_000), field: "rules.a.a.a.a.a.a.a.a" },
      { rules: JSON.stringify({ note: "x".repeat(500_000) }), field: "rules.note" },
      { rules: JSON.stringify(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "y".repeat(1_000)]))), field: "rules" },
    ];
    for (const { rules, field } of cases) {
      const { rules: _ignored, ...rest } = campaign(1);
      const raw = `${JSON.stringify(rest).slice(0, -1)},"rules":${rules}}`;
      const res = await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, raw, headers: { "content-type": "application/json" } });
      expect({ rules: rules.slice(0, 40), status: res.status }).toEqual({ rules: rules.slice(0, 40), status: 400 });
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    expect((await s.api("GET", `/campaigns/${campaignId}`, { as: sup })).status).toBe(404);
    // Within the bounds: eight levels, ordinary numbers, a few texts.
    const fine = { ...campaign(1), rules: { a: { b: { c: { d: { e: { f: { g: { h: 0.05 } } } } } } }, max: 9_007_199_254_740_991, zero: 0, note: "y".repeat(2_000) } };
    expect((await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: fine })).status).toBe(201);
  });

  it("lists every invalid field in one pass, and says a local time needs an offset", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const campaignId = s.uid("camp");
    // endsAt before startsAt used to be reported only once every other field was valid.
    const both = await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: { ...campaign(1), name: "", endsAt: "2030-11-01T00:00:00Z" } });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["endsAt", "name"]);
    const local = await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: { ...campaign(1), startsAt: "2030-11-11T00:00:00" } });
    expect(local.status).toBe(400);
    expect(local.body.errors).toEqual([{ field: "startsAt", message: expect.stringContaining("needs an offset, e.g. +08:00") }]);

    // A notice's expiry window is checked with the other fields, not after them.
    const notice = await s.api("POST", "/notices", { as: sup, body: { title: "", body: "b", urgency: "info", expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect(notice.status).toBe(400);
    expect(notice.body.errors).toEqual(
      expect.arrayContaining([
        { field: "expiresAt", message: "expiresAt must be in the future" },
        expect.objectContaining({ field: "title" }),
      ]),
    );
    expect(notice.body.errors).toHaveLength(2);
    const noOffset = await s.api("POST", "/notices", { as: sup, body: { title: "t", body: "b", urgency: "info", expiresAt: "2030-11-11T00:00:00" } });
    expect(noOffset.body.errors).toEqual([{ field: "expiresAt", message: expect.stringContaining("needs an offset, e.g. +08:00") }]);
    expect((await s.api("GET", `/campaigns/${campaignId}`, { as: sup })).status).toBe(404);
  });
});
