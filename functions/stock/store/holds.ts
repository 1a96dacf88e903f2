/**
 * The hold ledger (StockHold): one item per reserved line, in its own partition per SKU; a SKU's `reserved` counter
 * must equal the sum of its holds (the reconciler checks it).
 */
import * as z from "zod/mini";
import { StockHold, queryAll, tableName, type TransactItem } from "../../shared/table/index.js";
import type { ReservationLine } from "../domain.js";

export function holdPutOp(orderId: string, line: ReservationLine, expiresAt: string): TransactItem {
  return { Put: { TableName: tableName, Item: StockHold.item({ sku: line.sku, orderId, qty: line.qty, expiresAt }) } };
}

export function holdDeleteOp(orderId: string, sku: string): TransactItem {
  return { Delete: { TableName: tableName, Key: StockHold.key({ sku, orderId }) } };
}

const qtyOnly = z.object({ qty: z.number().check(z.int()) });

/** Sum of the SKU's hold items: what `reserved` must be (strongly consistent). */
export async function heldUnits(sku: string): Promise<number> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :p AND begins_with(sk, :h)",
    ExpressionAttributeValues: { ":p": StockHold.partition({ sku }), ":h": StockHold.sortPrefix },
    ProjectionExpression: "qty",
    ConsistentRead: true,
  });
  return items.reduce((total, item) => total + StockHold.parseAs(qtyOnly, item).qty, 0);
}
