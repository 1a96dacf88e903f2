/**
 * The supervisor's lists on the local stack (issue 14 items 4-5): campaigns and sent notices a
 * page at a time (every item once, a stable order, bad input a 400 that changes nothing), receipt
 * counts kept in the notice's count shards under concurrent acknowledgements and arrivals, campaign change
 * notices as sentences in zh-CN and en, and the queue's waiting list a page at a time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { noticeFixtures } from "../support/notices.js";
import { sendConversation, settled } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

// Live settings read on every call, so a change of the shop's zone applies to the very next notice.
const stack = useLocalStack({ env: { SETTINGS_CACHE_SECONDS: "0" } });

const hour = 60 * 60 * 1000;
const { agent, setDuty, fannedOut, offDutyAll } = noticeFixtures();

afterEach(async () => {
  await offDutyAll();
});

/** `count` results of `task`, at most `limit` in flight (DynamoDB Local times out under a flood of transactions). */
async function bounded<R>(count: number, limit: number, task: (index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < count; start += limit) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(limit, count - start) }, (_, i) => task(start + i)))));
  }
  return results;
}

const campaignBody = (threshold: number, discount: number, window: { startsAt: string; endsAt: string } = { startsAt: "2030-11-10T16:00:00.000Z", endsAt: "2030-11-12T16:00:00.000Z" }) => ({
  name: "Double 11 coupon",
  rules: { coupon: { threshold, discount } },
  ...window,
  targetSkills: ["presale"],
});

/** Every page of a list from `path` (`?limit=` already in it), following `next`. */
async function walk(s: TestStack, path: string, key: string, headers: Record<string, string> = {}): Promise<{ pages: any[][]; items: any[] }> {
  const sup = await s.supervisor();
  const pages: any[][] = [];
  let cursor: string | undefined;
  do {
    const res = await s.api("GET", `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { as: sup, headers });
    expect(res.status).toBe(200);
    pages.push(res.body[key]);
    cursor = res.body.next;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return { pages, items: pages.flat() };
}

/** A 400 naming `field`. */
async function badRequest(s: TestStack, path: string, field: string) {
  const res = await s.api("GET", path, { as: await s.supervisor() });
  expect({ path, status: res.status }).toEqual({ path, status: 400 });
  expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

/** A well-formed cursor of another partition than the list's. */
const foreignCursor = (partition: string) => Buffer.from(JSON.stringify({ pk: "X", sk: "Y", gsi2pk: partition, gsi2sk: "Z" })).toString("base64url");

describe("GET /campaigns", () => {
  it("lists every campaign once, by id, a page at a time, each with its current rules and version", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-lists");
    const ids = Array.from({ length: 7 }, (_, i) => s.uid(`camp-${i}`));
    for (const [i, id] of ids.entries()) expect((await s.api("PUT", `/campaigns/${id}`, { as: sup, body: campaignBody(300 + i, 40) })).status).toBe(201);
    for (const id of [ids[1], ids[5]]) expect((await s.api("PUT", `/campaigns/${id}`, { as: sup, body: campaignBody(200, 40) })).status).toBe(200);

    const first = await walk(s, "/campaigns?limit=3", "campaigns");
    expect(first.pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(first.items.map((c) => c.campaignId)).toEqual([...ids].sort());
    const byId = new Map(first.items.map((c) => [c.campaignId, c]));
    expect(byId.get(ids[1])).toMatchObject({ version: 2, rules: { coupon: { threshold: 200, discount: 40 } }, updatedBy: "supervisor:sup-lists", noticeId: `c.${ids[1]}.v2` });
    expect(byId.get(ids[2])).toMatchObject({ version: 1, rules: { coupon: { threshold: 302, discount: 40 } }, startsAt: "2030-11-10T16:00:00.000Z" });
    // A stable order: walking again, with another page size, gives the same sequence.
    expect((await walk(s, "/campaigns?limit=5", "campaigns")).items.map((c) => c.campaignId)).toEqual(first.items.map((c) => c.campaignId));
    // Exactly one page holds them all, and it says no more follow.
    const whole = await s.api("GET", "/campaigns?limit=7", { as: sup });
    expect(whole.body.campaigns).toHaveLength(7);
    expect(whole.body.next).toBeUndefined();
  });

  it("answers a bad limit or a forged cursor with a 400 naming it, and changes nothing", async () => {
    const s = stack();
    const sup = await s.supervisor();
    for (const title of ["One", "Two"]) {
      const res = await s.api("POST", "/notices", { as: sup, body: { title, body: title, urgency: "info", expiresAt: new Date(Date.now() + hour).toISOString() } });
      expect(res.status).toBe(201);
    }
    const before = (await s.api("GET", "/campaigns?limit=200", { as: sup })).body;
    for (const limit of ["0", "201", "abc", "1.5", "-1", ""]) await badRequest(s, `/campaigns?limit=${limit}`, "limit");
    await badRequest(s, "/campaigns?cursor=not-a-cursor", "cursor");
    await badRequest(s, `/campaigns?cursor=${foreignCursor("NOTICES")}`, "cursor");
    await badRequest(s, `/campaigns?cursor=${Buffer.from(JSON.stringify({ pk: "X" })).toString("base64url")}`, "cursor");
    const unknown = await s.api("GET", "/campaigns?color=red", { as: sup });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toContain("color");
    // A real cursor of the notices list is not one of the campaigns list.
    const noticesPage = await s.api("GET", "/notices?limit=1", { as: sup });
    expect(noticesPage.body.next).toEqual(expect.any(String));
    await badRequest(s, `/campaigns?cursor=${noticesPage.body.next}`, "cursor");
    expect((await s.api("GET", "/campaigns?limit=200", { as: sup })).body).toEqual(before);
  });
});

describe("GET /notices", () => {
  it("lists sent notices newest first, a page at a time, with counts the acknowledgements keep exact even when concurrent", async () => {
    const s = stack();
    const sup = await s.supervisor("sup-sent");
    const agents = await bounded(5, 3, () => agent(s, ["presale"], true));
    const base = Date.now();
    const published: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await s.api("POST", "/notices", {
        as: sup,
        at: new Date(base + i * 1000),
        body: { title: `Notice ${i}`, body: `Body ${i}`, urgency: i === 0 ? "urgent" : "info", targetSkills: ["presale"], expiresAt: new Date(base + 2 * hour).toISOString() },
      });
      expect(res.status).toBe(201);
      published.push(res.body.noticeId as string);
    }
    for (const id of published) await fannedOut(s, id);
    const [urgent, second] = published as [string, string, string, string];

    // Every agent acknowledges the urgent one at the same moment, twice over: all land, each counts once.
    // (Ten at once: DynamoDB Local serialises transactions and times out under many more on a loaded machine.)
    const acks = await Promise.all([...agents, ...agents].map(async (a) => s.api("POST", `/notices/${urgent}/ack`, { as: await s.agentToken(a) })));
    expect(acks.map((r) => r.status)).toEqual(acks.map(() => 200));
    expect(acks.filter((r) => r.body.alreadyAcknowledged === false)).toHaveLength(agents.length);

    // The file's earlier tests published campaign notices too: all of them, once each, newest first.
    const listed = await walk(s, "/notices?limit=3", "notices");
    expect(listed.pages.slice(0, -1).every((p) => p.length === 3)).toBe(true);
    const order = listed.items.map((n) => n.noticeId);
    expect(new Set(order).size).toBe(order.length);
    expect(order.slice(0, 4)).toEqual([...published].reverse());
    const times = listed.items.map((n) => n.publishedAt as string);
    expect(times).toEqual([...times].sort().reverse());
    expect((await walk(s, "/notices?limit=200", "notices")).items.map((n) => n.noticeId)).toEqual(order);
    const counts = Object.fromEntries(listed.items.map((n) => [n.noticeId, n.counts]));
    expect(counts[urgent]).toEqual({ delivered: 5, acknowledged: 5, pending: 0 });
    expect(counts[second]).toEqual({ delivered: 5, acknowledged: 0, pending: 5 });
    expect(listed.items[0]).toMatchObject({ title: "Notice 3", body: "Body 3", publishedBy: "supervisor:sup-sent", expired: false, supersededBy: null });
    // The counters agree with the receipts themselves.
    expect((await s.api("GET", `/notices/${urgent}/receipts`, { as: sup })).body.counts).toEqual({ targeted: 5, delivered: 5, acknowledged: 5, pending: 0 });

    // Late joiners arriving at once are counted once each, beside the fan-out's deliveries.
    const late = await bounded(3, 3, () => agent(s, ["presale"], false));
    await setDuty(late, true);
    const { deliverOnArrival } = await import("../../functions/notices/use-cases/index.js");
    const arrivals = await Promise.all([...late, ...late].map((a) => s.runAs("NoticeFanout", () => deliverOnArrival(a, new Date(), "duty"))));
    expect(arrivals.flatMap((r) => r.delivered).filter((id) => id === urgent)).toHaveLength(late.length);
    await Promise.all(late.slice(0, 2).map(async (a) => s.api("POST", `/notices/${urgent}/ack`, { as: await s.agentToken(a) })));
    const now = (await s.api("GET", "/notices?limit=1", { as: sup })).body;
    expect(now.notices[0].noticeId).toBe(published[3]);
    expect(now.notices[0].counts).toEqual({ delivered: 8, acknowledged: 0, pending: 8 });
    const urgentNow = (await walk(s, "/notices?limit=50", "notices")).items.find((n) => n.noticeId === urgent);
    expect(urgentNow.counts).toEqual({ delivered: 8, acknowledged: 7, pending: 1 });
    expect((await s.api("GET", `/notices/${urgent}/receipts`, { as: sup })).body.counts).toEqual({ targeted: 8, delivered: 8, acknowledged: 7, pending: 1 });
    // The counts live in the agents' count shards, not on the notice item every ack would collide on.
    const { Notice, NoticeReceiptCount, queryAll } = await import("../../functions/shared/table/index.js");
    const partition = await queryAll({ KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": Notice.partition({ noticeId: urgent }) }, ConsistentRead: true });
    const noticeItem = partition.find((item) => item.type === Notice.type);
    expect(noticeItem).toMatchObject({ deliveredByFanout: 5 });
    expect(noticeItem).not.toHaveProperty("acknowledgedCount");
    expect(noticeItem).not.toHaveProperty("deliveredLate");
    const shardItems = partition.filter((item) => item.type === NoticeReceiptCount.type).map((item) => NoticeReceiptCount.parse(item));
    expect(new Set(shardItems.map((c) => c.shard)).size).toBe(shardItems.length);
    expect(shardItems.reduce((sum, c) => sum + (c.acknowledgedCount ?? 0), 0)).toBe(7);
    expect(shardItems.reduce((sum, c) => sum + (c.deliveredLate ?? 0), 0)).toBe(3);

    // A redelivered fan-out states its count again instead of adding it twice (late joiners left alone).
    const { fanOutNotice } = await import("../../functions/notices/use-cases/index.js");
    const again = await s.runAs("NoticeFanout", () => fanOutNotice(urgent, new Date()));
    expect(again).toMatchObject({ targeted: 8, delivered: 5 });
    const afterRedelivery = (await walk(s, "/notices?limit=50", "notices")).items.find((n) => n.noticeId === urgent);
    expect(afterRedelivery.counts).toEqual({ delivered: 8, acknowledged: 7, pending: 1 });

    // Bad inputs: a 400 naming the field, and the list as it was.
    const before = (await s.api("GET", "/notices?limit=200", { as: sup })).body;
    for (const limit of ["0", "201", "ten"]) await badRequest(s, `/notices?limit=${limit}`, "limit");
    await badRequest(s, `/notices?cursor=${foreignCursor("CAMPAIGNS")}`, "cursor");
    await badRequest(s, "/notices?cursor=%7B%7D", "cursor");
    await badRequest(s, "/notices?lang=fr", "lang");
    expect((await s.api("GET", "/notices?limit=200", { as: sup })).body).toEqual(before);
  }, 180_000);

  it("shows a superseded campaign version with nothing pending and who superseded it", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const [a] = await Promise.all([agent(s, ["presale"], true), agent(s, ["presale"], true)]);
    const campaignId = s.uid("sup-camp");
    const v1 = (await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: campaignBody(300, 40) })).body.notice.noticeId as string;
    await fannedOut(s, v1);
    expect((await s.api("POST", `/notices/${v1}/ack`, { as: await s.agentToken(a) })).status).toBe(200);
    const v2 = (await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, body: campaignBody(300, 50) })).body.notice.noticeId as string;
    await fannedOut(s, v2);
    const items = (await walk(s, "/notices?limit=200", "notices")).items;
    const old = items.find((n) => n.noticeId === v1);
    expect(old).toMatchObject({ supersededBy: v2, counts: { delivered: 2, acknowledged: 1, pending: 0 } });
    expect(items.find((n) => n.noticeId === v2)).toMatchObject({ supersededBy: null, counts: { delivered: 2, acknowledged: 0, pending: 2 } });
  });
});

describe("campaign change notices people can read", () => {
  it("says what changed as a sentence in the shop's time zone, zh-CN by default and en on request, with the raw change as data", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const reader = await agent(s, ["presale"], true);
    const campaignId = s.uid("readable");
    // 20:00 in Shanghai, during the campaign: the change takes effect at once.
    const at = new Date("2030-11-11T12:00:00.000Z");
    const v1 = await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, at, body: campaignBody(300, 40) });
    expect(v1.status).toBe(201);
    expect(v1.body.notice).toMatchObject({ title: "新活动「Double 11 coupon」", body: "满300减40\n活动时间 11月11日 00:00 至 11月13日 00:00\n面向技能组 presale" });
    expect(v1.body.notice.body).not.toMatch(/[{}]/);

    const v2 = await s.api("PUT", `/campaigns/${campaignId}`, { as: sup, at, body: campaignBody(300, 50) });
    expect(v2.body.notice).toMatchObject({ title: "活动「Double 11 coupon」变更（第 2 版）", body: "满300减40 → 满300减50, 20:00 起", timeZone: "Asia/Shanghai" });
    expect(v2.body.notice.changes).toEqual([{ field: "rules.coupon.discount", from: 40, to: 50 }]);
    const noticeId = v2.body.notice.noticeId as string;
    await fannedOut(s, noticeId);

    const token = await s.agentToken(reader);
    const inbox = async (path: string, headers: Record<string, string> = {}) => {
      const res = await s.api("GET", path, { as: token, headers });
      expect(res.status).toBe(200);
      return res.body;
    };
    const zh = await inbox("/notices/inbox");
    expect(zh.locale).toBe("zh-CN");
    expect(zh.notices[0]).toMatchObject({ noticeId, body: "满300减40 → 满300减50, 20:00 起", changes: [{ field: "rules.coupon.discount", from: 40, to: 50 }] });
    const en = await inbox("/notices/inbox?lang=en");
    expect(en.notices[0]).toMatchObject({ noticeId, title: 'Campaign "Double 11 coupon" changed (v2)', body: "Coupon 300-40 is now 300-50 from 20:00" });
    expect((await inbox("/notices/inbox", { "accept-language": "en-GB,en;q=0.9" })).notices[0].body).toBe("Coupon 300-40 is now 300-50 from 20:00");
    expect((await inbox("/notices/inbox?lang=zh-CN", { "accept-language": "en" })).notices[0].body).toBe("满300减40 → 满300减50, 20:00 起");
    expect((await s.api("GET", "/notices/inbox?lang=de", { as: token })).status).toBe(400);

    const sent = (await walk(s, "/notices?limit=50&lang=en", "notices")).items.find((n) => n.noticeId === noticeId);
    expect(sent).toMatchObject({ body: "Coupon 300-40 is now 300-50 from 20:00", campaignId, campaignVersion: 2 });
    const receipts = (await s.api("GET", `/notices/${noticeId}/receipts`, { as: sup, headers: { "accept-language": "en" } })).body;
    expect(receipts.notice.body).toBe("Coupon 300-40 is now 300-50 from 20:00");

    // A change of the window is a sentence too, with dates in the shop's zone.
    const later = await s.api("PUT", `/campaigns/${campaignId}?lang=en`, { as: sup, at, body: campaignBody(300, 50, { startsAt: "2030-11-10T16:00:00.000Z", endsAt: "2030-11-13T16:00:00.000Z" }) });
    expect(later.body.notice.body).toBe("End 13 Nov 00:00 is now 14 Nov 00:00");

    // The shop's zone is a live setting: the next notice reads in the new zone, sent ones keep theirs.
    expect((await s.api("PUT", "/settings", { as: sup, body: { values: { SHOP_TIME_ZONE: "Europe/London" } } })).status).toBe(200);
    try {
      const london = await s.api("PUT", `/campaigns/${campaignId}?lang=en`, { as: sup, at, body: campaignBody(300, 60, { startsAt: "2030-11-10T16:00:00.000Z", endsAt: "2030-11-13T16:00:00.000Z" }) });
      expect(london.body.notice).toMatchObject({ body: "Coupon 300-50 is now 300-60 from 12:00", timeZone: "Europe/London" });
      const sentBefore = (await walk(s, "/notices?limit=50&lang=en", "notices")).items.find((n) => n.noticeId === noticeId);
      expect(sentBefore).toMatchObject({ body: "Coupon 300-40 is now 300-50 from 20:00", timeZone: "Asia/Shanghai" });
    } finally {
      expect((await s.api("PUT", "/settings", { as: sup, body: { values: { SHOP_TIME_ZONE: null } } })).status).toBe(200);
    }
  });
});

describe("GET /queue", () => {
  it("pages the waiting list line by line in service order, keeping each line's count and head", async () => {
    const s = stack();
    const sup = await s.supervisor();
    // Nobody is on duty: every conversation waits in its skill's line.
    const aftersale = await bounded(5, 5, async (i) => (await sendConversation(s, { skill: "aftersale", priority: i === 3 ? "urgent" : "normal" })).id);
    const logistics = await bounded(3, 3, async () => (await sendConversation(s, { skill: "logistics" })).id);
    for (const id of [...aftersale, ...logistics]) expect((await settled(s, id)).status).toBe("waiting");

    const whole = (await s.api("GET", "/queue?limit=500", { as: sup })).body;
    expect(whole.totalWaiting).toBe(8);
    expect(whole.next).toBeUndefined();
    expect(whole.lines.aftersale.waiting).toBe(5);
    expect(whole.lines.logistics.waiting).toBe(3);
    expect(whole.lines.presale).toEqual({ waiting: 0, escalated: 0, longestWaitSeconds: null, head: null });
    expect(whole.lines.aftersale).toMatchObject({ escalated: 0, longestWaitSeconds: Math.max(...(whole.waiting.aftersale as { waitSeconds: number }[]).map((w) => w.waitSeconds)) });
    // The head is who is served first: the urgent one.
    expect(whole.lines.aftersale.head).toMatchObject({ conversationId: aftersale[3], priority: "urgent" });
    const serviceOrder = (whole.waiting.aftersale as { conversationId: string }[]).map((w) => w.conversationId);
    expect(serviceOrder[0]).toBe(aftersale[3]);
    expect([...serviceOrder].sort()).toEqual([...aftersale].sort());

    // Pages of 3: every waiting conversation once, in the same order, and the counts on every page.
    const sup2 = await s.supervisor();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = (await s.api("GET", `/queue?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { as: sup2 })).body;
      expect(page.totalWaiting).toBe(8);
      expect(page.lines.aftersale.head.conversationId).toBe(aftersale[3]);
      const entries = Object.values(page.waiting as Record<string, { conversationId: string }[]>).flat();
      expect(entries.length).toBeLessThanOrEqual(3);
      seen.push(...entries.map((e) => e.conversationId));
      cursor = page.next;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(Object.values(whole.waiting as Record<string, { conversationId: string }[]>).flat().map((w) => w.conversationId));

    // One line alone, paged.
    const first = (await s.api("GET", "/queue?skill=aftersale&limit=2", { as: sup })).body;
    expect(Object.keys(first.lines)).toEqual(["aftersale"]);
    expect(first.waiting.aftersale.map((w: { conversationId: string }) => w.conversationId)).toEqual(serviceOrder.slice(0, 2));
    const second = (await s.api("GET", `/queue?skill=aftersale&limit=2&cursor=${encodeURIComponent(first.next)}`, { as: sup })).body;
    expect(second.waiting.aftersale.map((w: { conversationId: string }) => w.conversationId)).toEqual(serviceOrder.slice(2, 4));

    // Bad inputs: 400 naming the field; nothing moved.
    for (const limit of ["0", "501", "x"]) await badRequest(s, `/queue?limit=${limit}`, "limit");
    await badRequest(s, "/queue?cursor=garbage", "cursor");
    await badRequest(s, `/queue?cursor=${Buffer.from(JSON.stringify({ line: "nope" })).toString("base64url")}`, "cursor");
    // A cursor of the aftersale line used for logistics.
    await badRequest(s, `/queue?skill=logistics&cursor=${encodeURIComponent(first.next)}`, "cursor");
    await badRequest(s, "/queue?skill=unknown-skill", "skill");
    const after = (await s.api("GET", "/queue?limit=500", { as: sup })).body;
    expect(after.waiting).toEqual(expect.objectContaining({ aftersale: expect.any(Array), logistics: expect.any(Array) }));
    expect(Object.values(after.waiting as Record<string, { conversationId: string }[]>).flat().map((w) => w.conversationId)).toEqual(seen);

    await Promise.all([...aftersale, ...logistics].map((id) => s.api("POST", `/conversations/${id}/close`, { as: sup })));
  }, 120_000);
});
