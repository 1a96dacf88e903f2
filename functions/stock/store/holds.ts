/**
 * The hold ledger (StockHold): one item per reserved line, in its own partition per SKU; a SKU's `reserved` counter
 * must equal the sum of its holds (the reconciler checks it).
 */
import * as z from "zod/mini";
import { StockHold, batchGet, queryAll, tableName, type TransactItem } from "../../shared/table/index.js";
import type { ReservationLine } from "../domain.js";

export function holdPutOp(orderId: string, line: ReservationLine, expiresAt: string): TransactItem {
  return { Put: { TableName: tableName, Item: StockHold.item({ sku: line.sku, orderId, qty: line.qty, expiresAt }) } };
}

/**
 * Deletes the hold in a close transaction, on condition that it exists: a reservation whose hold
 * was never written held no stock, and its close must not give back what it never took.
 */
export function holdDeleteOp(orderId: string, sku: string): TransactItem {
  return { Delete: { TableName: tableName, Key: StockHold.key({ sku, orderId }), ConditionExpression: "attribute_exists(pk)" } };
}

/** Whether every line of the order has its hold item (strongly consistent). */
export async function holdsPresent(orderId: string, lines: readonly ReservationLine[]): Promise<boolean> {
  const found = await batchGet(
    lines.map((l) => StockHold.key({ sku: l.sku, orderId })),
    { consistent: true, projection: "pk" },
  );
  return found.length === lines.length;
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
