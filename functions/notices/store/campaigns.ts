/**
 * Campaigns and their version history (see the Campaign and CampaignVersion entities).
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { Campaign, CampaignVersion, campaignVersionItem, campaignVersionKey, dynamo, partitionPage, tableName, type CapacityMeter, type TransactItem } from "../../shared/table/index.js";
import type { FieldChange } from "../domain.js";
import { deactivateOp, supersedeOp } from "./notices.js";

export type CampaignRecord = ReturnType<typeof Campaign.parse>;
export type CampaignVersionRecord = ReturnType<typeof CampaignVersion.parse>;

export async function getCampaign(campaignId: string, meter?: CapacityMeter): Promise<CampaignRecord | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: Campaign.key({ campaignId }), ConsistentRead: true, ...(meter ? { ReturnConsumedCapacity: "TOTAL" } : {}) }));
  meter?.add(result.ConsumedCapacity);
  return result.Item ? Campaign.parse(result.Item) : undefined;
}

export async function getCampaignVersion(campaignId: string, version: number): Promise<CampaignVersionRecord | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: campaignVersionKey(campaignId, version) }));
  return result.Item ? CampaignVersion.parse(result.Item) : undefined;
}

/**
 * Transaction items for a new campaign version: current record (conditional on the version read,
 * so concurrent PUTs serialise), history item, and removal of the superseded version's active
 * record so late joiners only ever get the newest version, and the superseded notice marked (so
 * lists tell it without reading the campaign).
 */
export function campaignVersionOps(before: CampaignRecord | undefined, after: CampaignRecord, changes: FieldChange[]): TransactItem[] {
  const ops: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: Campaign.item(after, Campaign.index.all.attributes({ campaignId: after.campaignId })),
        ConditionExpression: before ? "version = :v" : "attribute_not_exists(pk)",
        ...(before ? { ExpressionAttributeValues: { ":v": before.version } } : {}),
      },
    },
    { Put: { TableName: tableName, Item: campaignVersionItem({ ...after, changes }) } },
  ];
  if (before) ops.push(deactivateOp(before.activeSk), supersedeOp(before.noticeId, after.noticeId));
  return ops;
}

/** One page of every campaign's current version, by campaign id (a stable order: ids never change). */
export async function campaignsPage(limit: number, cursor?: string): Promise<{ campaigns: CampaignRecord[]; next?: string }> {
  const page = await partitionPage({ index: Campaign.index.all.index, partition: Campaign.index.all.partition({}), limit, cursor, listName: "campaigns" });
  return { campaigns: page.items.map((item) => Campaign.parse(item)), ...(page.next ? { next: page.next } : {}) };
}
