/**
 * Items the notices capability owns: notices as published, the active set late joiners and
 * reminders scan, campaigns with their version history, and each agent's inbox (deliveries and
 * acknowledgements), which the receipts index groups by notice.
 *
 * Deliveries and acks are separate items so a redelivered fan-out (a blind BatchWriteItem of
 * the same deterministic keys) can never clear an acknowledgement.
 */
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { campaignContentSchema, fieldChangeSchema, noticeSchema, urgencySchema } from "../../../notices/domain.js";
import { skillSchema } from "../../../agents/domain.js";
import { defineEntity } from "../entity.js";
import { agentShards } from "../shard.js";

/**
 * A notice as stored: as published, plus its receipt counters (kept by the writes that create
 * receipts, so a list shows counts without reading any receipt) and, for a campaign version that
 * a newer one replaced, which notice superseded it.
 */
export const noticeRecordSchema = lazy(() => z.extend(noticeSchema, {
  /** Inbox entries the last fan-out run wrote (SET, so a redelivered run does not add twice). */
  deliveredByFanout: z.optional(z.number().check(z.int(), z.minimum(0))),
  /**
   * Late joiners' entries and acks counted on the notice itself by releases before the sharded
   * counts ({@link NoticeReceiptCount}); still summed with them, never written any more.
   */
  deliveredLate: z.optional(z.number().check(z.int(), z.minimum(0))),
  acknowledgedCount: z.optional(z.number().check(z.int(), z.minimum(0))),
  supersededBy: z.optional(z.string()),
}));

export const Notice = defineEntity({
  type: "Notice",
  owner: "notices",
  description: "A notice as published (ad hoc or a campaign version's change notice) with its fan-out count (acks and late joiners count in its NoticeReceiptCount shards); never deleted",
  schema: noticeRecordSchema,
  pk: "NOTICE#{noticeId}",
  sk: "NOTICE",
  indexes: {
    sent: { index: "gsi2", pk: "NOTICES", sk: "{publishedAt}#{noticeId}", why: "every sent notice, newest first (GET /notices); one partition written once per publish, tens a day" },
  },
  patterns: [
    { name: "Notice.get", operation: "GetItem NOTICE#{noticeId} / NOTICE, consistent", cost: "1 RRU" },
    { name: "Notice.getMany", operation: "BatchGetItem of NOTICE#{noticeId} (late joiners' missing notices)", cost: "0.5 RRU each" },
    { name: "Notice.publish", operation: "TransactWriteItems: Put notice (attribute_not_exists, gsi2 NOTICES) + Put active record + audit", cost: "2 × 3 WRU + 1 (gsi2)" },
    { name: "Notice.sent", operation: "Query gsi2 NOTICES, newest first, Limit n+1 from the cursor", cost: "0.5 RRU per 4 KB of notices (a page of 50 campaign notices ≈ 3–8 RRU)" },
    { name: "Notice.countFanout", operation: "UpdateItem SET deliveredByFanout (after the fan-out's writes)", cost: "1 WRU + 1 (gsi2)" },
    { name: "Notice.supersede", operation: "Update SET supersededBy (condition exists), inside the next campaign version's transaction", cost: "2 × 1 WRU + 1 (gsi2)" },
  ],
});

/** The small targeting record of a deliverable notice: what late joiners and reminders read. */
export const activeNoticeSchema = lazy(() => z.object({
  noticeId: z.string(),
  urgency: urgencySchema,
  targetSkills: z.nullable(z.array(skillSchema)),
  publishedAt: z.string(),
  expiresAt: z.string(),
  expiresAtEpoch: z.number().check(z.int()),
  fannedOutAt: z.optional(z.string()),
  lastRemindedAt: z.optional(z.string()),
  reenqueuedAt: z.optional(z.string()),
}));

export const ActiveNotice = defineEntity({
  type: "ActiveNotice",
  owner: "notices",
  description: "One per deliverable notice, ordered by expiry; a superseded campaign version's record is deleted",
  schema: activeNoticeSchema,
  pk: "NOTICES#ACTIVE",
  sk: "{expiresAt}#{noticeId}",
  expires: "60 s after the notice expires",
  patterns: [
    { name: "ActiveNotice.unexpired", operation: "Query NOTICES#ACTIVE, sk > now", cost: "~1 RRU per 20 active notices" },
    { name: "ActiveNotice.mark", operation: "UpdateItem SET fannedOutAt | lastRemindedAt | reenqueuedAt, attribute_exists(pk)", cost: "1 WRU" },
  ],
});

/** The current version of a campaign, as the campaign and its history store it. */
export const campaignRecordSchema = lazy(() => z.object({
  campaignId: z.string(),
  version: z.number().check(z.int(), z.minimum(1)),
  content: campaignContentSchema,
  noticeId: z.string(),
  /** Sort key of this version's active record, so the next version deletes exactly it. */
  activeSk: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
}));

export const Campaign = defineEntity({
  type: "Campaign",
  owner: "notices",
  description: "A campaign's current content and version; every write is conditional on the version read",
  schema: campaignRecordSchema,
  pk: "CAMPAIGN#{campaignId}",
  sk: "CURRENT",
  indexes: {
    all: { index: "gsi2", pk: "CAMPAIGNS", sk: "{campaignId}", why: "every campaign's current version by id (GET /campaigns); a shop runs tens, not thousands" },
  },
  patterns: [
    { name: "Campaign.get", operation: "GetItem CAMPAIGN#{campaignId} / CURRENT, consistent", cost: "0.5–1 RRU" },
    { name: "Campaign.write", operation: "TransactWriteItems: Put current (version = :v, gsi2 CAMPAIGNS) + Put version + Delete old active record + supersede old notice + notice + active + audit", cost: "2 × ~7 WRU + 2 (gsi2)" },
    { name: "Campaign.list", operation: "Query gsi2 CAMPAIGNS, by id, Limit n+1 from the cursor", cost: "0.5 RRU per 4 KB of campaigns" },
  ],
});

export const CampaignVersion = defineEntity({
  type: "CampaignVersion",
  owner: "notices",
  description: "One past or current version of a campaign with its field-level changes (history, never deleted)",
  schema: lazy(() => z.extend(campaignRecordSchema, { changes: z.array(fieldChangeSchema) })),
  pk: "CAMPAIGN#{campaignId}",
  sk: "V#{paddedVersion}",
  patterns: [{ name: "CampaignVersion.get", operation: "GetItem CAMPAIGN#{campaignId} / V#{version, 10 digits}", cost: "0.5–1 RRU" }],
});

/** Version numbers are zero-padded in the key so the history sorts numerically. */
export function campaignVersionKey(campaignId: string, version: number) {
  return CampaignVersion.key({ campaignId, paddedVersion: String(version).padStart(10, "0") });
}

/** The full history item of a version (the padded key is not stored as an attribute). */
export function campaignVersionItem(value: z.input<typeof CampaignVersion.schema>): Record<string, unknown> {
  return { ...value, ...campaignVersionKey(value.campaignId, value.version), type: CampaignVersion.type };
}

/**
 * The receipts index of a notice is split into this many partitions by agent
 * (`RECEIPTS#<noticeId>#<shard>`): a fan-out to 20,000 agents writes 20,000 delivery entries into
 * the index (1–2 WRU each: the entry carries the notice's snapshot), which one partition would
 * take 20–40 s to absorb at AWS's 1,000 WCU/s while every part of the fan-out waits on it; in 16
 * the parts' writes spread, ≈ 1.5–2.5 s of each. Readers query every shard in parallel
 * (16 × 0.5 RRU at least: a receipts read is a supervisor's or the reminder clock's, never routing's).
 */
export const receiptShards = 16;
const { of: receiptShardOf, all: receiptShardList } = agentShards(receiptShards);

export const NoticeDelivery = defineEntity({
  type: "NoticeDelivery",
  owner: "notices",
  description: "A notice in an agent's inbox (a snapshot of the notice); deterministic key, so redelivery rewrites it",
  schema: lazy(() => z.object({ agentId: z.string(), deliveredAt: z.string(), via: z.string(), notice: noticeSchema, expiresAtEpoch: z.number().check(z.int()) })),
  pk: "INBOX#{agentId}",
  sk: "NOTICE#{noticeId}",
  indexes: {
    receipts: { index: "gsi1", pk: "RECEIPTS#{noticeId}#{shard}", sk: "{agentId}#D", why: "receipts of one notice: every delivery and ack, 16 partitions by a hash of the agent (receiptShardOf), one query each whatever the inbox sizes" },
  },
  expires: "30 days after the notice expires (receipts stay readable)",
  patterns: [
    { name: "NoticeDelivery.fanOut", operation: "BatchWriteItem Put, 25 a call, 4 in parallel", cost: "1 WRU per agent (+1 for the index)" },
    { name: "NoticeDelivery.putIfAbsent", operation: "PutItem attribute_not_exists(pk) (late joiner)", cost: "1 WRU (+1 index)" },
    { name: "NoticeDelivery.held", operation: "BatchGetItem INBOX#{agentId} / NOTICE#{noticeId}, projection notice.noticeId", cost: "0.5 RRU each" },
    { name: "Inbox.of", operation: "Query INBOX#{agentId}, consistent (deliveries and acks)", cost: "~1 RRU per 4 KB of snapshots" },
    { name: "Receipts.of", operation: "Query gsi1 RECEIPTS#{noticeId}#{shard} for each of the 16 shards in parallel, projection agentId, type, deliveredAt, acknowledgedAt", cost: "~1 RRU per 40 agents, at least 16 × 0.5 RRU" },
  ],
});

export const NoticeAck = defineEntity({
  type: "NoticeAck",
  owner: "notices",
  description: "An agent's acknowledgement of a notice, written once; a separate item so a redelivered fan-out cannot clear it",
  schema: lazy(() => z.object({ agentId: z.string(), noticeId: z.string(), acknowledgedAt: z.string(), expiresAtEpoch: z.number().check(z.int()) })),
  pk: "INBOX#{agentId}",
  sk: "ACK#{noticeId}",
  indexes: {
    receipts: { index: "gsi1", pk: "RECEIPTS#{noticeId}#{shard}", sk: "{agentId}#A", why: "receipts of one notice: acks next to their deliveries (the agent's same shard)" },
  },
  expires: "30 days after the notice expires",
  patterns: [
    { name: "NoticeAck.put", operation: "TransactWriteItems: ConditionCheck delivery exists + Put ack (attribute_not_exists) + audit", cost: "2 × 3 WRU" },
    { name: "NoticeAck.get", operation: "GetItem INBOX#{agentId} / ACK#{noticeId}, consistent (repeat ack)", cost: "0.5 RRU" },
  ],
});

/** The receipts-index attributes of an agent's delivery or ack of a notice: the agent's shard. */
export function receiptAttributes(entity: typeof NoticeDelivery | typeof NoticeAck, noticeId: string, agentId: string): Record<string, string> {
  return entity.index.receipts.attributes({ noticeId, agentId, shard: receiptShardOf(agentId) });
}

/** Every partition of a notice's receipts (what a reader queries, one query each). */
export function receiptPartitions(noticeId: string): string[] {
  return receiptShardList.map((shard) => NoticeDelivery.index.receipts.partition({ noticeId, shard }));
}

/**
 * A notice's late-joiner and ack counts, split by the same agent hash as its receipts. Counting on
 * the notice item itself put every ack and every late joiner's entry of a notice through one item
 * inside a transaction: 20,000 agents acknowledging an urgent notice in a minute (≈ 330 a second)
 * or 10,000 arriving at a shift start collide there (TransactionConflict, retried, then a 409),
 * and each count rewrote the notice's gsi2 entry (ALL projection). In 16 small items without an
 * index, collisions are 16× rarer and a count costs 2 × 1 WRU. They share the notice's partition
 * key, so a list reads a notice's counts with one query (≤ 4 KB: 1 RRU consistent); at ≈ 330
 * acks a second that key takes ≈ 660 WRU/s, under AWS's 1,000 per partition.
 */
export const NoticeReceiptCount = defineEntity({
  type: "NoticeReceiptCount",
  owner: "notices",
  description: "One of a notice's 16 receipt count shards (late joiners' entries, acks), each created by its first count",
  schema: lazy(() => z.object({
    noticeId: z.string(),
    shard: z.number().check(z.int(), z.minimum(0)),
    deliveredLate: z.optional(z.number().check(z.int(), z.minimum(0))),
    acknowledgedCount: z.optional(z.number().check(z.int(), z.minimum(0))),
  })),
  pk: "NOTICE#{noticeId}",
  sk: "COUNT#{shard}",
  patterns: [
    { name: "NoticeReceiptCount.countAck", operation: "Update COUNT#{shard of the agent} ADD acknowledgedCount :1, inside the ack transaction (its delivery check proves the notice exists)", cost: "2 × 1 WRU" },
    { name: "NoticeReceiptCount.countLate", operation: "Update COUNT#{shard of the agent} ADD deliveredLate :1, inside the late joiner's delivery transaction", cost: "2 × 1 WRU" },
    { name: "NoticeReceiptCount.of", operation: "Query NOTICE#{noticeId}, sk begins_with COUNT#, consistent (each notice of a list page, 8 at a time)", cost: "1 RRU" },
  ],
});

/** The count shard an agent's receipts of a notice are counted in (the agent's receipts shard). */
export function receiptCountShard(agentId: string): number {
  return receiptShardOf(agentId);
}

/** A receipts-index row: which item it is decides its shape (the `type` attribute, projected). */
const receiptRowSchemas = {
  delivery: z.object({ agentId: z.string(), deliveredAt: z.string() }),
  ack: z.object({ agentId: z.string(), acknowledgedAt: z.string() }),
};
export const receiptsProjection = { projection: "agentId, #type, deliveredAt, acknowledgedAt", names: { "#type": "type" } } as const;

/** Parses an inbox or receipts item by its `type`; an unknown type is a malformed item. */
export function parseInboxItem(item: Record<string, unknown>): { kind: "delivery"; value: z.output<typeof NoticeDelivery.schema> } | { kind: "ack"; value: z.output<typeof NoticeAck.schema> } {
  if (item.type === NoticeAck.type) return { kind: "ack", value: NoticeAck.parse(item) };
  return { kind: "delivery", value: NoticeDelivery.parse(item) };
}

export function parseReceiptRow(item: Record<string, unknown>): { kind: "delivery"; agentId: string; at: string } | { kind: "ack"; agentId: string; at: string } {
  if (item.type === NoticeAck.type) {
    const ack = NoticeAck.parseAs(receiptRowSchemas.ack, item);
    return { kind: "ack", agentId: ack.agentId, at: ack.acknowledgedAt };
  }
  const delivery = NoticeDelivery.parseAs(receiptRowSchemas.delivery, item);
  return { kind: "delivery", agentId: delivery.agentId, at: delivery.deliveredAt };
}
