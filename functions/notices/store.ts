/**
 * DynamoDB adapter for notices and campaigns.
 *
 * Items (see docs/notices.md, "Data model"):
 * - notice     `pk=NOTICE#<noticeId>, sk=NOTICE` — the notice as published (never deleted).
 * - active     `pk=NOTICES#ACTIVE, sk=<expiresAt>#<noticeId>` — small targeting record of every
 *              deliverable notice (TTL at expiry). Late joiners and reminders read it with one
 *              `sk > now` query; a superseded campaign version's record is deleted.
 * - campaign   `pk=CAMPAIGN#<id>, sk=CURRENT` (current content + version) and
 *              `pk=CAMPAIGN#<id>, sk=V#<version padded>` (history).
 * - delivery   `pk=INBOX#<agentId>, sk=NOTICE#<noticeId>` — the inbox entry (notice snapshot),
 *              `gsi1pk=RECEIPTS#<noticeId>, gsi1sk=<agentId>#D` for receipts.
 * - ack        `pk=INBOX#<agentId>, sk=ACK#<noticeId>`, `gsi1sk=<agentId>#A`. Kept apart from the
 *              delivery so a redelivered fan-out (blind BatchWriteItem) can never un-acknowledge.
 * Every call asks for `ReturnConsumedCapacity: TOTAL`; callers sum it into a `CapacityMeter`.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type BatchWriteCommandOutput,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { fromItem as agentFromItem } from "../agents/store.js";
import type { Agent } from "../agents/domain.js";
import { capacityUnits, dynamo, isConditionalCheckFailed, queryAll, tableName } from "../shared/dynamo.js";
import type { CampaignContent, FieldChange, Notice, ReceiptRow, InboxEntry } from "./domain.js";

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** Inbox entries and acks outlive the notice by this long, so receipts stay readable. */
const retentionSeconds = 30 * 86_400;

/** Sums consumed capacity over the calls of one use case. */
export class CapacityMeter {
  units = 0;
  add(consumed: Parameters<typeof capacityUnits>[0]): void {
    this.units += capacityUnits(consumed);
  }
}

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export const noticeKey = (noticeId: string) => ({ pk: `NOTICE#${noticeId}`, sk: "NOTICE" });
export const activePk = "NOTICES#ACTIVE";
export const activeSk = (notice: Pick<Notice, "expiresAt" | "noticeId">) => `${notice.expiresAt}#${notice.noticeId}`;
export const campaignKey = (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: "CURRENT" });
export const campaignVersionKey = (campaignId: string, version: number) => ({ pk: `CAMPAIGN#${campaignId}`, sk: `V#${String(version).padStart(10, "0")}` });
export const deliveryKey = (agentId: string, noticeId: string) => ({ pk: `INBOX#${agentId}`, sk: `NOTICE#${noticeId}` });
export const ackKey = (agentId: string, noticeId: string) => ({ pk: `INBOX#${agentId}`, sk: `ACK#${noticeId}` });
export const receiptsPk = (noticeId: string) => `RECEIPTS#${noticeId}`;

function noticeFromItem(item: Record<string, unknown>): Notice {
  return {
    noticeId: String(item.noticeId),
    title: String(item.title),
    body: String(item.body),
    urgency: item.urgency as Notice["urgency"],
    targetSkills: (item.targetSkills as Notice["targetSkills"]) ?? null,
    publishedAt: String(item.publishedAt),
    publishedBy: String(item.publishedBy),
    expiresAt: String(item.expiresAt),
    ...(typeof item.campaignId === "string" ? { campaignId: item.campaignId, campaignVersion: Number(item.campaignVersion), changes: (item.changes as FieldChange[]) ?? [] } : {}),
  };
}

function noticeFields(notice: Notice) {
  return {
    noticeId: notice.noticeId,
    title: notice.title,
    body: notice.body,
    urgency: notice.urgency,
    targetSkills: notice.targetSkills,
    publishedAt: notice.publishedAt,
    publishedBy: notice.publishedBy,
    expiresAt: notice.expiresAt,
    ...(notice.campaignId ? { campaignId: notice.campaignId, campaignVersion: notice.campaignVersion, changes: notice.changes ?? [] } : {}),
  };
}

/** The targeting record late joiners and reminders scan. */
export interface ActiveNotice {
  noticeId: string;
  sk: string;
  urgency: Notice["urgency"];
  targetSkills: Notice["targetSkills"];
  publishedAt: string;
  expiresAt: string;
  fannedOutAt?: string;
  lastRemindedAt?: string;
  reenqueuedAt?: string;
}

/** Transaction items that publish a notice: the notice, its active record. */
export function publishOps(notice: Notice): TransactItem[] {
  return [
    { Put: { TableName: tableName, Item: { ...noticeKey(notice.noticeId), type: "Notice", ...noticeFields(notice) }, ConditionExpression: "attribute_not_exists(pk)" } },
    {
      Put: {
        TableName: tableName,
        Item: {
          pk: activePk,
          sk: activeSk(notice),
          type: "ActiveNotice",
          noticeId: notice.noticeId,
          urgency: notice.urgency,
          targetSkills: notice.targetSkills,
          publishedAt: notice.publishedAt,
          expiresAt: notice.expiresAt,
          expiresAtEpoch: epoch(notice.expiresAt) + 60,
        },
      },
    },
  ];
}

export async function transact(items: TransactItem[], meter?: CapacityMeter): Promise<void> {
  const result = await dynamo.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
}

export async function getNotice(noticeId: string, meter?: CapacityMeter): Promise<Notice | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: noticeKey(noticeId), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? noticeFromItem(result.Item) : undefined;
}

/** Notices by id (BatchGetItem, 100 keys a call, unprocessed keys retried). */
export async function getNotices(noticeIds: readonly string[], meter?: CapacityMeter): Promise<Notice[]> {
  const out: Notice[] = [];
  for (let i = 0; i < noticeIds.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = noticeIds.slice(i, i + 100).map(noticeKey);
    for (let attempt = 0; keys && keys.length > 0; attempt++) {
      const result: BatchGetCommandOutput = await dynamo.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } }, ReturnConsumedCapacity: "TOTAL" }));
      meter?.add(result.ConsumedCapacity);
      for (const item of result.Responses?.[tableName] ?? []) out.push(noticeFromItem(item));
      keys = result.UnprocessedKeys?.[tableName]?.Keys;
      if (keys && keys.length > 0) await backoff(attempt);
    }
  }
  return out;
}

/** Unexpired active notices, soonest expiry first: one query of one partition. */
export async function activeNotices(now: Date, meter?: CapacityMeter): Promise<ActiveNotice[]> {
  const out: ActiveNotice[] = [];
  const items = await queryAll(
    {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND sk > :now",
      ExpressionAttributeValues: { ":pk": activePk, ":now": now.toISOString() },
      ReturnConsumedCapacity: "TOTAL",
    },
    meter,
  );
  for (const item of items) {
    out.push({
      noticeId: String(item.noticeId),
      sk: String(item.sk),
      urgency: item.urgency as Notice["urgency"],
      targetSkills: (item.targetSkills as Notice["targetSkills"]) ?? null,
      publishedAt: String(item.publishedAt),
      expiresAt: String(item.expiresAt),
      ...(typeof item.fannedOutAt === "string" ? { fannedOutAt: item.fannedOutAt } : {}),
      ...(typeof item.lastRemindedAt === "string" ? { lastRemindedAt: item.lastRemindedAt } : {}),
      ...(typeof item.reenqueuedAt === "string" ? { reenqueuedAt: item.reenqueuedAt } : {}),
    });
  }
  return out;
}

/** Sets a timestamp on an active record, unless it has meanwhile been superseded (deleted). */
export async function markActive(sk: string, field: "fannedOutAt" | "lastRemindedAt" | "reenqueuedAt", at: string, meter?: CapacityMeter): Promise<void> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: activePk, sk },
        UpdateExpression: "SET #f = :at",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#f": field },
        ExpressionAttributeValues: { ":at": at },
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    meter?.add(result.ConsumedCapacity);
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/** On-duty agents, read from the agents capability's list index (O(agents) per notice). */
export async function onDutyAgents(meter?: CapacityMeter): Promise<Agent[]> {
  const agents: Agent[] = [];
  const items = await queryAll(
    {
      TableName: tableName,
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :p",
      FilterExpression: "onDuty = :t",
      ExpressionAttributeValues: { ":p": "AGENTS", ":t": true },
      ReturnConsumedCapacity: "TOTAL",
    },
    meter,
  );
  for (const item of items) agents.push(agentFromItem(item));
  return agents;
}

function deliveryItem(agentId: string, notice: Notice, deliveredAt: string, via: string) {
  return {
    ...deliveryKey(agentId, notice.noticeId),
    type: "NoticeDelivery",
    agentId,
    deliveredAt,
    via,
    notice: noticeFields(notice),
    gsi1pk: receiptsPk(notice.noticeId),
    gsi1sk: `${agentId}#D`,
    expiresAtEpoch: epoch(notice.expiresAt) + retentionSeconds,
  };
}

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2)));
}

/**
 * Writes inbox entries with BatchWriteItem (25 a call, unprocessed items retried). The keys are
 * deterministic, so a redelivered fan-out rewrites the same items instead of adding any; acks
 * live in their own items, so the rewrite cannot clear one.
 */
export async function writeDeliveries(agentIds: readonly string[], notice: Notice, deliveredAt: string, meter?: CapacityMeter, parallel = 4): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < agentIds.length; i += 25) chunks.push(agentIds.slice(i, i + 25));
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      let requests: NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]["RequestItems"]>[string] | undefined = chunk.map((agentId) => ({
        PutRequest: { Item: deliveryItem(agentId, notice, deliveredAt, "fanout") },
      }));
      for (let attempt = 0; requests && requests.length > 0; attempt++) {
        if (attempt > 8) throw new Error(`BatchWriteItem left ${requests.length} inbox entries unprocessed for notice ${notice.noticeId}`);
        const result: BatchWriteCommandOutput = await dynamo.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests }, ReturnConsumedCapacity: "TOTAL" }));
        meter?.add(result.ConsumedCapacity);
        requests = result.UnprocessedItems?.[tableName];
        if (requests && requests.length > 0) await backoff(attempt);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** One inbox entry, only if the agent does not have it yet (late joiners). Returns whether it was created. */
export async function putDeliveryIfAbsent(agentId: string, notice: Notice, deliveredAt: string, via: string, meter?: CapacityMeter): Promise<boolean> {
  try {
    const result = await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: deliveryItem(agentId, notice, deliveredAt, via),
        ConditionExpression: "attribute_not_exists(pk)",
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    meter?.add(result.ConsumedCapacity);
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** Which of these notices the agent already holds (BatchGetItem on the inbox keys). */
export async function heldNoticeIds(agentId: string, noticeIds: readonly string[], meter?: CapacityMeter): Promise<Set<string>> {
  const held = new Set<string>();
  for (let i = 0; i < noticeIds.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = noticeIds.slice(i, i + 100).map((id) => deliveryKey(agentId, id));
    for (let attempt = 0; keys && keys.length > 0; attempt++) {
      const result: BatchGetCommandOutput = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: "noticeId, sk" } }, ReturnConsumedCapacity: "TOTAL" }),
      );
      meter?.add(result.ConsumedCapacity);
      for (const item of result.Responses?.[tableName] ?? []) held.add(String(item.sk).slice("NOTICE#".length));
      keys = result.UnprocessedKeys?.[tableName]?.Keys;
      if (keys && keys.length > 0) await backoff(attempt);
    }
  }
  return held;
}

/** The agent's inbox entries with their acks: one query of the agent's inbox partition. */
export async function inboxEntries(agentId: string): Promise<InboxEntry[]> {
  const deliveries = new Map<string, InboxEntry>();
  const acks = new Map<string, string>();
  const items = await queryAll(
    {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `INBOX#${agentId}` },
      ConsistentRead: true,
    },
  );
  for (const item of items) {
    const sk = String(item.sk);
    if (sk.startsWith("ACK#")) acks.set(sk.slice(4), String(item.acknowledgedAt));
    else if (sk.startsWith("NOTICE#") && item.notice) {
      const notice = noticeFromItem(item.notice as Record<string, unknown>);
      deliveries.set(notice.noticeId, { notice, deliveredAt: String(item.deliveredAt) });
    }
  }
  return [...deliveries.values()].map((e) => {
    const acknowledgedAt = acks.get(e.notice.noticeId);
    return acknowledgedAt ? { ...e, acknowledgedAt } : e;
  });
}

/** Receipts of a notice from gsi1 (eventually consistent, like every GSI). */
export async function receiptRows(noticeId: string, meter?: CapacityMeter): Promise<ReceiptRow[]> {
  const delivered = new Map<string, string>();
  const acks = new Map<string, string>();
  const items = await queryAll(
    {
      TableName: tableName,
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": receiptsPk(noticeId) },
      ProjectionExpression: "agentId, sk, deliveredAt, acknowledgedAt",
      ReturnConsumedCapacity: "TOTAL",
    },
    meter,
  );
  for (const item of items) {
    if (String(item.sk).startsWith("ACK#")) acks.set(String(item.agentId), String(item.acknowledgedAt));
    else delivered.set(String(item.agentId), String(item.deliveredAt));
  }
  // An ack without a delivery cannot exist (the ack requires it), so deliveries drive the rows.
  return [...delivered].map(([agentId, deliveredAt]) => {
    const acknowledgedAt = acks.get(agentId);
    return acknowledgedAt ? { agentId, deliveredAt, acknowledgedAt } : { agentId, deliveredAt };
  });
}

/** Transaction items for an ack: the delivery must exist, the ack is written once. */
export function ackOps(agentId: string, notice: Notice, at: string): TransactItem[] {
  return [
    { ConditionCheck: { TableName: tableName, Key: deliveryKey(agentId, notice.noticeId), ConditionExpression: "attribute_exists(pk)" } },
    {
      Put: {
        TableName: tableName,
        Item: {
          ...ackKey(agentId, notice.noticeId),
          type: "NoticeAck",
          agentId,
          noticeId: notice.noticeId,
          acknowledgedAt: at,
          gsi1pk: receiptsPk(notice.noticeId),
          gsi1sk: `${agentId}#A`,
          expiresAtEpoch: epoch(notice.expiresAt) + retentionSeconds,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
  ];
}

export async function getAck(agentId: string, noticeId: string): Promise<string | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: ackKey(agentId, noticeId), ConsistentRead: true }));
  return typeof result.Item?.acknowledgedAt === "string" ? result.Item.acknowledgedAt : undefined;
}

export interface CampaignRecord {
  campaignId: string;
  version: number;
  content: CampaignContent;
  noticeId: string;
  activeSk: string;
  updatedAt: string;
  updatedBy: string;
}

function campaignFromItem(item: Record<string, unknown>): CampaignRecord {
  return {
    campaignId: String(item.campaignId),
    version: Number(item.version),
    content: item.content as CampaignContent,
    noticeId: String(item.noticeId),
    activeSk: String(item.activeSk),
    updatedAt: String(item.updatedAt),
    updatedBy: String(item.updatedBy),
  };
}

export async function getCampaign(campaignId: string, meter?: CapacityMeter): Promise<CampaignRecord | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: campaignKey(campaignId), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? campaignFromItem(result.Item) : undefined;
}

export async function getCampaignVersion(campaignId: string, version: number): Promise<(CampaignRecord & { changes: FieldChange[] }) | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: campaignVersionKey(campaignId, version) }));
  return result.Item ? { ...campaignFromItem(result.Item), changes: (result.Item.changes as FieldChange[]) ?? [] } : undefined;
}

/**
 * Transaction items for a new campaign version: current record (conditional on the version read,
 * so concurrent PUTs serialise), history item, and removal of the superseded version's active
 * record so late joiners only ever get the newest version.
 */
export function campaignVersionOps(before: CampaignRecord | undefined, after: CampaignRecord, changes: FieldChange[]): TransactItem[] {
  const item = { type: "Campaign", ...after };
  const ops: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: { ...campaignKey(after.campaignId), ...item },
        ConditionExpression: before ? "version = :v" : "attribute_not_exists(pk)",
        ...(before ? { ExpressionAttributeValues: { ":v": before.version } } : {}),
      },
    },
    { Put: { TableName: tableName, Item: { ...campaignVersionKey(after.campaignId, after.version), ...item, type: "CampaignVersion", changes } } },
  ];
  if (before) ops.push({ Delete: { TableName: tableName, Key: { pk: activePk, sk: before.activeSk } } });
  return ops;
}
