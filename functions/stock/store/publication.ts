/**
 * What the storefront was last told about a SKU and the publisher lease (StockPublication), kept
 * apart from the hot counters. With the counters' `version` it forms the outbox: a version ahead
 * of `publishedVersion` is a change not yet published.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { StockPublication, dynamo, isConditionalCheckFailed, tableName } from "../../shared/table/index.js";
import { nothingPublished, type Published } from "../domain.js";

function publishedOf(item: Record<string, unknown> | undefined): Published {
  if (!item) return nothingPublished;
  const stored = StockPublication.parse(item);
  if (stored.publishedVersion === undefined) return nothingPublished;
  return { version: stored.publishedVersion, page: stored.publishedPage ?? null, at: stored.publishedAt ?? null };
}

export async function getPublished(sku: string): Promise<Published> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: StockPublication.key({ sku }), ConsistentRead: true }));
  return publishedOf(result.Item);
}

/** Takes the SKU's publisher lease (one publisher per SKU, so messages leave in version order); undefined while another holds it. */
export async function acquirePublisher(sku: string, owner: string, nowMs: number, leaseMs: number): Promise<Published | undefined> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: StockPublication.key({ sku }),
        UpdateExpression: "SET #type = :type, leaseOwner = :o, leaseUntil = :u",
        ConditionExpression: "attribute_not_exists(leaseUntil) OR leaseUntil < :now",
        ExpressionAttributeNames: { "#type": "type" },
        ExpressionAttributeValues: { ":type": StockPublication.type, ":o": owner, ":u": nowMs + leaseMs, ":now": nowMs },
        ReturnValues: "ALL_NEW",
      }),
    );
    return publishedOf(result.Attributes);
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** Records what was sent and frees the lease; only the lease owner may, and versions only grow. */
export async function releasePublisher(sku: string, owner: string, published: Published | undefined): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: StockPublication.key({ sku }),
        UpdateExpression: published ? "SET publishedVersion = :v, publishedPage = :p, publishedAt = :at REMOVE leaseOwner, leaseUntil" : "REMOVE leaseOwner, leaseUntil",
        ConditionExpression: published ? "leaseOwner = :o AND (attribute_not_exists(publishedVersion) OR publishedVersion <= :v)" : "leaseOwner = :o",
        ExpressionAttributeValues: published ? { ":o": owner, ":v": published.version, ":p": published.page, ":at": published.at } : { ":o": owner },
      }),
    );
  } catch (error) {
    // Lease expired and taken over: the new owner records its own, newer publication.
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
