import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  campaignInputSchema,
  canonical,
  contentOf,
  diffCampaign,
  expiryProblem,
  inboxView,
  isTargeted,
  noticeInputAt,
  noticeInputSchema,
  receiptCounts,
  receiptsView,
  reminderDue,
  rulesLimits,
  rulesProblems,
  type CampaignContent,
  type InboxEntry,
  type Notice,
} from "../../functions/notices/domain.js";

const base: CampaignContent = {
  name: "Double 11",
  rules: { coupon: { threshold: 300, discount: 30 }, tiers: [1, 2] },
  startsAt: "2030-11-10T16:00:00.000Z",
  endsAt: "2030-11-11T16:00:00.000Z",
  targetSkills: ["presale"],
};

function notice(partial: Partial<Notice> & { noticeId: string }): Notice {
  return { title: "t", body: "b", urgency: "info", targetSkills: null, publishedAt: "2030-01-01T00:00:00.000Z", publishedBy: "supervisor:s", expiresAt: "2030-01-02T00:00:00.000Z", ...partial };
}

describe("campaign diff", () => {
  it("reports nested rule changes with their path, and nothing for an identical content", () => {
    expect(diffCampaign(base, structuredClone(base))).toEqual([]);
    const changed = diffCampaign(base, { ...base, rules: { coupon: { threshold: 200, discount: 30 }, tiers: [1, 2], stackable: true }, startsAt: "2030-11-10T17:00:00.000Z" });
    expect(changed).toEqual([
      { field: "rules.coupon.threshold", from: 300, to: 200 },
      { field: "rules.stackable", from: null, to: true },
      { field: "startsAt", from: "2030-11-10T16:00:00.000Z", to: "2030-11-10T17:00:00.000Z" },
    ]);
    // Own keys only: a rule named after an Object property is new, not a change from Object's function.
    expect(diffCampaign(base, { ...base, rules: { ...base.rules, constructor: 1 } })).toEqual([{ field: "rules.constructor", from: null, to: 1 }]);
  });

  it("compares arrays whole and ignores key order", () => {
    expect(diffCampaign(base, { ...base, rules: { tiers: [1, 2], coupon: { discount: 30, threshold: 300 } } })).toEqual([]);
    expect(diffCampaign(base, { ...base, rules: { ...base.rules, tiers: [2, 1] } })).toEqual([{ field: "rules.tiers", from: [1, 2], to: [2, 1] }]);
    expect(diffCampaign(base, { ...base, targetSkills: null })).toEqual([{ field: "targetSkills", from: ["presale"], to: null }]);
    expect(diffCampaign(base, { ...base, rules: { ...base.rules, note: null } })).toEqual([{ field: "rules.note", from: null, to: null }]);
  });

  it("lists every field for a new campaign", () => {
    expect(diffCampaign(undefined, base).map((c) => c.field)).toEqual(["name", "rules", "startsAt", "endsAt", "targetSkills"]);
  });

  it("is empty exactly when the canonical forms are equal (property)", () => {
    const json = fc.jsonValue();
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json), fc.dictionary(fc.string(), json), (a, b) => {
        const before = { ...base, rules: a as CampaignContent["rules"] };
        const after = { ...base, rules: b as CampaignContent["rules"] };
        // JSON-normalise: -0 and 0 are the same number once stored.
        const same = canonical(JSON.parse(JSON.stringify(a))) === canonical(JSON.parse(JSON.stringify(b)));
        return (diffCampaign(JSON.parse(JSON.stringify(before)), JSON.parse(JSON.stringify(after))).length === 0) === same;
      }),
    );
  });
});

describe("input schemas", () => {
  it("normalises instants with offsets to UTC and requires rules to be an object", () => {
    const parsed = campaignInputSchema.parse({ name: "x", rules: { a: 1 }, startsAt: "2030-11-11T00:00:00+08:00", endsAt: "2030-11-12T00:00:00+08:00" });
    expect(contentOf(parsed)).toMatchObject({ startsAt: "2030-11-10T16:00:00.000Z", targetSkills: null });
    expect(parsed.urgency).toBe("important");
    expect(campaignInputSchema.safeParse({ name: "x", rules: [1], startsAt: "2030-11-11T00:00:00Z", endsAt: "2030-11-12T00:00:00Z" }).success).toBe(false);
    expect(campaignInputSchema.safeParse({ name: "x", rules: {}, startsAt: "2030-11-11T00:00:00", endsAt: "2030-11-12T00:00:00Z" }).success).toBe(false);
    expect(noticeInputSchema.safeParse({ title: "t", body: "b", urgency: "info", targetSkills: ["vip", "vip"], expiresAt: "2030-11-12T00:00:00Z" }).success).toBe(false);
  });

  it("bounds campaign rules without recursing: DynamoDB's number range, empty keys, depth, strings and size", () => {
    const window = { name: "x", startsAt: "2030-11-11T00:00:00Z", endsAt: "2030-11-12T00:00:00Z" };
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 5_000; i++) deep = { a: deep };
    // Before: a recursive zod schema threw "Maximum call stack size exceeded" here.
    const parsed = campaignInputSchema.safeParse({ ...window, rules: deep });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ["rules", ...Array(rulesLimits.maxDepth).fill("a")], message: "nests deeper than 8 levels" })]);
    // Paths are relative to `rules` ("" is rules itself).
    const problems = (rules: unknown) => rulesProblems(rules).map((p) => `${p.path.join(".")}: ${p.message}`);
    expect(problems({ big: 1e308, small: -1e-320, ok: [0, -2.5, 1e-9, Number.MAX_SAFE_INTEGER] })).toEqual([
      `big: must be a number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
      "small: must be 0 or at least 1e-9 in magnitude",
    ]);
    expect(problems({ "": 1, nested: { " ": true } })).toEqual([': has an empty key (""); keys must name something', 'nested: has an empty key (" "); keys must name something']);
    expect(problems({ text: "x".repeat(500_000) })).toEqual(["text: must be at most 2000 characters"]);
    expect(problems(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, "y".repeat(1_000)])))).toEqual([": must be at most 8192 bytes as JSON"]);
    expect(problems({ list: Array.from({ length: 600 }, () => 1) })).toEqual([": must hold at most 500 keys and values"]);
    expect(problems([1])).toEqual([": must be a JSON object"]);
    // A hostile body is reported in a few lines, not thousands.
    expect(rulesProblems(Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`n${i}`, 1e300])))).toHaveLength(rulesLimits.maxProblems);
    expect(problems({ coupon: { threshold: 300, tiers: [1, 2, { x: 0.5 }] }, stackable: false, note: null })).toEqual([]);
  });

  it("checks every field in one pass and says what a local time lacks", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const fields = (result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) => result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(fields(noticeInputAt(now).safeParse({ title: "", body: "b", urgency: "info", expiresAt: "2029-12-31T23:59:00Z" }))).toEqual([
      expect.stringMatching(/^title: /),
      "expiresAt: expiresAt must be in the future",
    ]);
    expect(fields(noticeInputAt(now).safeParse({ title: "t", body: "b", urgency: "info", expiresAt: "2030-01-02T08:00:00" }))).toEqual(['expiresAt: needs an offset, e.g. +08:00 or Z ("2030-01-02T08:00:00+08:00")']);
    expect(noticeInputAt(now).safeParse({ title: "t", body: "b", urgency: "info", expiresAt: "2030-01-02T08:00:00+08:00" }).success).toBe(true);
    expect(fields(campaignInputSchema.safeParse({ name: "", rules: {}, startsAt: "2030-11-12T00:00:00Z", endsAt: "2030-11-11T00:00:00Z" }))).toEqual([
      expect.stringMatching(/^name: /),
      "endsAt: endsAt must be after startsAt",
    ]);
    expect(fields(campaignInputSchema.safeParse({ name: "x", rules: {}, startsAt: "soon", endsAt: "2030-11-11T00:00:00Z" }))).toEqual([
      "startsAt: must be an ISO-8601 date-time with an offset, e.g. 2030-11-11T00:00:00+08:00",
    ]);
  });

  it("bounds the expiry", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    expect(expiryProblem("2030-01-01T00:00:00.000Z", now)).toMatch(/future/);
    expect(expiryProblem("2030-03-01T00:00:00.000Z", now)).toMatch(/within/);
    expect(expiryProblem("2030-01-02T00:00:00.000Z", now)).toBeUndefined();
  });
});

describe("audience", () => {
  it("targets everyone without skills, else any shared skill", () => {
    expect(isTargeted(null, ["vip"])).toBe(true);
    expect(isTargeted(["presale", "vip"], ["vip"])).toBe(true);
    expect(isTargeted(["presale"], ["vip", "logistics"])).toBe(false);
  });
});

describe("inbox", () => {
  const now = new Date("2030-01-01T12:00:00Z");
  it("shows the newest version per campaign, unacknowledged first, urgent first, newest first, unexpired only", () => {
    const entries: InboxEntry[] = [
      { notice: notice({ noticeId: "c1v1", campaignId: "c1", campaignVersion: 1, urgency: "urgent" }), deliveredAt: "x" },
      { notice: notice({ noticeId: "c1v2", campaignId: "c1", campaignVersion: 2, urgency: "important", publishedAt: "2030-01-01T01:00:00.000Z" }), deliveredAt: "x" },
      { notice: notice({ noticeId: "info-new", publishedAt: "2030-01-01T03:00:00.000Z" }), deliveredAt: "x" },
      { notice: notice({ noticeId: "info-old", publishedAt: "2030-01-01T02:00:00.000Z" }), deliveredAt: "x" },
      { notice: notice({ noticeId: "urgent-acked", urgency: "urgent" }), deliveredAt: "x", acknowledgedAt: "2030-01-01T05:00:00.000Z" },
      { notice: notice({ noticeId: "urgent", urgency: "urgent" }), deliveredAt: "x" },
      { notice: notice({ noticeId: "expired", urgency: "urgent", expiresAt: "2030-01-01T11:00:00.000Z" }), deliveredAt: "x" },
    ];
    expect(inboxView(entries, now).map((e) => e.notice.noticeId)).toEqual(["urgent", "c1v2", "info-new", "info-old", "urgent-acked"]);
  });

  it("does not let an acknowledged old version stand for the new one", () => {
    const entries: InboxEntry[] = [
      { notice: notice({ noticeId: "v1", campaignId: "c", campaignVersion: 1 }), deliveredAt: "x", acknowledgedAt: "2030-01-01T01:00:00.000Z" },
      { notice: notice({ noticeId: "v2", campaignId: "c", campaignVersion: 2 }), deliveredAt: "x" },
    ];
    const view = inboxView(entries, now);
    expect(view).toHaveLength(1);
    expect(view[0]?.notice.noticeId).toBe("v2");
    expect(view[0]?.acknowledgedAt).toBeUndefined();
  });
});

describe("receipts and reminders", () => {
  it("counts acknowledged and pending, superseded rows are not pending", () => {
    const rows = [
      { agentId: "b", deliveredAt: "t1" },
      { agentId: "a", deliveredAt: "t1", acknowledgedAt: "t2" },
    ];
    expect(receiptsView(rows, false)).toEqual({
      counts: { targeted: 2, delivered: 2, acknowledged: 1, pending: 1 },
      agents: [
        { agentId: "a", status: "acknowledged", deliveredAt: "t1", acknowledgedAt: "t2" },
        { agentId: "b", status: "pending", deliveredAt: "t1", acknowledgedAt: null },
      ],
    });
    expect(receiptsView(rows, true).counts.pending).toBe(0);
    expect(receiptsView(rows, true).agents[1]?.status).toBe("superseded");
  });

  it("lists counts from the fan-out's count, the count shards and counters older releases kept on the notice", () => {
    const shards = { deliveredLate: 3, acknowledgedCount: 4 };
    expect(receiptCounts({ deliveredByFanout: 5 }, shards)).toEqual({ delivered: 8, acknowledged: 4, pending: 4 });
    expect(receiptCounts({ deliveredByFanout: 5, deliveredLate: 1, acknowledgedCount: 2 }, shards)).toEqual({ delivered: 9, acknowledged: 6, pending: 3 });
    expect(receiptCounts({ deliveredByFanout: 5, supersededBy: "n.2" }, shards)).toEqual({ delivered: 8, acknowledged: 4, pending: 0 });
    expect(receiptCounts({})).toEqual({ delivered: 0, acknowledged: 0, pending: 0 });
  });

  it("reminds urgent notices only, once the interval has passed", () => {
    const last = "2030-01-01T00:00:00.000Z";
    expect(reminderDue("urgent", last, new Date("2030-01-01T00:04:59.999Z"), 5)).toBe(false);
    expect(reminderDue("urgent", last, new Date("2030-01-01T00:05:00.000Z"), 5)).toBe(true);
    expect(reminderDue("important", last, new Date("2030-01-01T01:00:00.000Z"), 5)).toBe(false);
  });
});
