/**
 * The notices capability on the entity registry: keys come from the declared templates, stored
 * items are parsed (a malformed one is a typed error, never a coerced value), and the agents
 * capability announces arrivals without depending on notices.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ActiveNotice, Campaign, Notice, NoticeAck, NoticeDelivery, NoticeReceiptCount, campaignVersionItem, campaignVersionKey, parseInboxItem, parseReceiptRow, receiptAttributes, receiptCountShard, receiptPartitions, receiptShards } from "../../functions/shared/table/entities/notices.js";
import { expectMalformed } from "../support/malformed.js";

const root = join(import.meta.dirname, "..", "..");

// arrival.ts sends through the SQS adapter, which reads the function's environment when loaded.
process.env.TABLE_NAME ??= "unit-test";
process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
const { agentArrivedSchema, onAgentArrival } = await import("../../functions/agents/arrival.js");
const { sqs } = await import("../../functions/shared/sqs.js");
const { runAsFunction } = await import("../../functions/shared/env.js");
const { queueUrlEnvName } = await import("../../functions/catalog/resources.js");

const notice = {
  noticeId: "n.1",
  title: "Coupon change",
  body: "Threshold is now 200",
  urgency: "important" as const,
  targetSkills: ["presale" as const],
  publishedAt: "2030-01-01T00:00:00.000Z",
  publishedBy: "supervisor:s",
  expiresAt: "2030-01-02T00:00:00.000Z",
};

describe("notices entities", () => {
  it("build keys from their templates: active records by expiry, campaign history zero-padded", () => {
    expect(Notice.key({ noticeId: "n.1" })).toEqual({ pk: "NOTICE#n.1", sk: "NOTICE" });
    expect(ActiveNotice.key(notice)).toEqual({ pk: "NOTICES#ACTIVE", sk: "2030-01-02T00:00:00.000Z#n.1" });
    expect(campaignVersionKey("c1", 12)).toEqual({ pk: "CAMPAIGN#c1", sk: "V#0000000012" });
    expect(NoticeDelivery.index.receipts.attributes({ noticeId: "n.1", agentId: "a1", shard: 3 })).toEqual({ gsi1pk: "RECEIPTS#n.1#3", gsi1sk: "a1#D" });
    expect(NoticeAck.index.receipts.attributes({ noticeId: "n.1", agentId: "a1", shard: 3 })).toEqual({ gsi1pk: "RECEIPTS#n.1#3", gsi1sk: "a1#A" });
  });

  it("spread a notice's receipts over its shards by agent, an agent's delivery and ack in the same one, and read every shard", () => {
    const partitions = receiptPartitions("n.1");
    expect(partitions).toHaveLength(receiptShards);
    expect(new Set(partitions).size).toBe(receiptShards);
    const perPartition = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) {
      const agentId = `agent-${i}`;
      const delivery = receiptAttributes(NoticeDelivery, "n.1", agentId);
      expect(receiptAttributes(NoticeAck, "n.1", agentId).gsi1pk).toBe(delivery.gsi1pk);
      const partition = delivery.gsi1pk ?? "";
      expect(partitions).toContain(partition);
      perPartition.set(partition, (perPartition.get(partition) ?? 0) + 1);
    }
    // 2,000 agents over 16 shards: 125 each on average; no shard empty or holding a quarter of them.
    expect(perPartition.size).toBe(receiptShards);
    for (const count of perPartition.values()) expect(count).toBeLessThan(500);
  });

  it("count an agent's receipts in the count shard of its receipts, beside the notice in its partition", () => {
    const counted = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const agentId = `agent-${i}`;
      const shard = receiptCountShard(agentId);
      expect(receiptAttributes(NoticeAck, "n.1", agentId).gsi1pk).toBe(`RECEIPTS#n.1#${shard}`);
      counted.add(shard);
    }
    expect([...counted].sort((a, b) => a - b)).toEqual(Array.from({ length: receiptShards }, (_, i) => i));
    const key = NoticeReceiptCount.key({ noticeId: "n.1", shard: 7 });
    expect(key).toEqual({ pk: Notice.key({ noticeId: "n.1" }).pk, sk: "COUNT#7" });
    expect(key.sk.startsWith(NoticeReceiptCount.sortPrefix)).toBe(true);
    expect(Notice.key({ noticeId: "n.1" }).sk.startsWith(NoticeReceiptCount.sortPrefix)).toBe(false);
  });

  it("round-trip what they write", () => {
    expect(Notice.parse(Notice.item(notice))).toEqual(notice);
    const record = {
      campaignId: "c1",
      version: 2,
      content: { name: "Double 11", rules: { coupon: { threshold: 200 } }, startsAt: "2030-11-10T16:00:00.000Z", endsAt: "2030-11-11T16:00:00.000Z", targetSkills: null },
      noticeId: "c.c1.v2",
      activeSk: "2030-11-11T16:00:00.000Z#c.c1.v2",
      updatedAt: "2030-01-01T00:00:00.000Z",
      updatedBy: "supervisor:s",
    };
    expect(Campaign.parse(Campaign.item(record))).toEqual(record);
    const history = campaignVersionItem({ ...record, changes: [{ field: "rules.coupon.threshold", from: 300, to: 200 }] });
    expect(history).toMatchObject({ pk: "CAMPAIGN#c1", sk: "V#0000000002", type: "CampaignVersion" });
    expect(history).not.toHaveProperty("paddedVersion");
    const delivery = NoticeDelivery.item({ agentId: "a1", noticeId: "n.1", deliveredAt: "2030-01-01T00:01:00.000Z", via: "fanout", notice, expiresAtEpoch: 1 });
    expect(parseInboxItem(delivery)).toEqual({ kind: "delivery", value: expect.objectContaining({ notice, deliveredAt: "2030-01-01T00:01:00.000Z" }) });
    const ack = NoticeAck.item({ agentId: "a1", noticeId: "n.1", acknowledgedAt: "2030-01-01T00:02:00.000Z", expiresAtEpoch: 1 });
    expect(parseInboxItem(ack)).toEqual({ kind: "ack", value: expect.objectContaining({ noticeId: "n.1" }) });
    expect(parseReceiptRow({ agentId: "a1", type: "NoticeAck", acknowledgedAt: "t" })).toEqual({ kind: "ack", agentId: "a1", at: "t" });
    expect(parseReceiptRow({ agentId: "a1", type: "NoticeDelivery", deliveredAt: "t" })).toEqual({ kind: "delivery", agentId: "a1", at: "t" });
  });

  it("reject malformed stored items with a typed error naming the item and the field", () => {
    const { title: _missing, ...untitled } = Notice.item(notice);
    const error = expectMalformed(() => Notice.parse({ ...untitled, urgency: "panic" }));
    expect(error).toMatchObject({ entity: "Notice", key: { pk: "NOTICE#n.1", sk: "NOTICE" } });
    expect(String(error)).toMatch(/title/);
    expect(String(error)).toMatch(/urgency/);
    // Before the registry a missing attribute became the string "undefined"; now it is an error.
    expectMalformed(() => parseReceiptRow({ type: "NoticeDelivery", agentId: "a1" }));
    expect(expectMalformed(() => parseInboxItem({ pk: "INBOX#a1", sk: "NOTICE#n.1", type: "NoticeDelivery", agentId: "a1", deliveredAt: "t", via: "fanout", expiresAtEpoch: 1 }))).toMatchObject({
      entity: "NoticeDelivery",
    });
    expectMalformed(() => ActiveNotice.parse({ ...ActiveNotice.item({ ...notice, expiresAtEpoch: 1 }), expiresAtEpoch: "1" }));
  });
});

describe("agent arrival event", () => {
  it("is a message the agents capability defines; the notices consumer parses it", () => {
    expect(agentArrivedSchema.parse({ kind: "agent-arrived", agentId: "a1", at: "2030-01-01T00:00:00.000Z", reason: "duty" })).toMatchObject({ reason: "duty" });
    expect(agentArrivedSchema.safeParse({ kind: "agent-arrived", agentId: "a1", at: "2030-01-01T00:00:00.000Z", reason: "lunch" }).success).toBe(false);
  });

  it("goes to the notices queue, and a failed send never fails the caller's committed change", async () => {
    const send = vi.spyOn(sqs(), "send").mockResolvedValueOnce({} as never);
    const env = { ...process.env, AWS_LAMBDA_FUNCTION_NAME: "AgentsApi", [queueUrlEnvName("notices")]: "http://queue.local/notices" };
    await runAsFunction(env, () => onAgentArrival("a1", new Date("2030-01-01T08:00:00+08:00"), "online"));
    const input = (send.mock.calls[0]?.[0] as { input: { QueueUrl: string; MessageBody: string } }).input;
    expect(input.QueueUrl).toBe("http://queue.local/notices");
    expect(agentArrivedSchema.parse(JSON.parse(input.MessageBody))).toEqual({ kind: "agent-arrived", agentId: "a1", at: "2030-01-01T00:00:00.000Z", reason: "online" });
    send.mockRejectedValueOnce(new Error("queue down"));
    await expect(runAsFunction(env, () => onAgentArrival("a1", new Date(), "duty"))).resolves.toBeUndefined();
    send.mockRestore();
  });

  it("leaves agents (a base capability) free of any import from notices", () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
    const offenders = files(join(root, "functions", "agents")).filter((file) => /from\s+["'][^"']*\/notices\//.test(readFileSync(file, "utf8")));
    expect(offenders).toEqual([]);
  });
});
