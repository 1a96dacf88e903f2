/** The SKU registry (SkuRegistryEntry): written once per SKU, listed by the reconciler from a sharded index. */
import * as z from "zod/mini";
import { SkuRegistryEntry, queryAll, stockIndexShards, stockShardOf, tableName, type TransactItem } from "../../shared/table/index.js";

export function registryEntryOp(sku: string): TransactItem {
  return { Put: { TableName: tableName, Item: SkuRegistryEntry.item({ sku }, SkuRegistryEntry.index.all.attributes({ shard: stockShardOf(sku), sku })) } };
}

const skuOnly = z.object({ sku: z.string() });

/** Every SKU ever named, sorted. */
export async function listSkus(): Promise<string[]> {
  const index = SkuRegistryEntry.index.all;
  const shards = await Promise.all(
    Array.from({ length: stockIndexShards }, (_, shard) =>
      queryAll({ IndexName: index.index, KeyConditionExpression: `${index.attributeNames.pk} = :p`, ExpressionAttributeValues: { ":p": index.partition({ shard }) }, ProjectionExpression: "sku" }),
    ),
  );
  return shards.flat().map((item) => SkuRegistryEntry.parseAs(skuOnly, item).sku).sort();
}
