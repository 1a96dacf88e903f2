/**
 * Reservations (StockReservation) and the two transactions that move stock with them: creating
 * a reservation holds every line or none; closing one (release, expiry, ship) gives the lines back
 * or turns them into a warehouse decrement. Both carry the hold ledger and audit records.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { StockReservation, dynamo, queryPage, stockIndexShards, stockShardOf, tableName, transact, type TransactItem } from "../../shared/table/index.js";
import { InsufficientStockError, ReservationExistsError, type CloseKind, type Reservation } from "../domain.js";
import { stockAuditOp } from "./audit.js";
import { closeLineOp, reserveLineOp } from "./counters.js";
import { holdDeleteOp, holdPutOp } from "./holds.js";

export async function getReservation(orderId: string): Promise<Reservation | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: StockReservation.key({ orderId }), ConsistentRead: true }));
  return result.Item ? StockReservation.parse(result.Item) : undefined;
}

/** Items per line in the reservation transaction, after the reservation itself: counters, hold, audit. */
const itemsPerLine = 3;

/**
 * All lines or none: one transaction with the reservation (if absent), per line a conditional
 * `ADD` on the counters (`available >= qty`), the hold and the audit record. No read precedes
 * the write, so concurrent reservations on one SKU never invalidate each other's reads —
 * DynamoDB serialises them on the item.
 *
 * @throws ReservationExistsError when the order already has a reservation (replay or conflict: the caller decides)
 * @throws InsufficientStockError when a line's stock was short (nothing was written)
 */
export async function createReservation(reservation: Reservation): Promise<void> {
  const { orderId, expiresAt } = reservation;
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: StockReservation.item(reservation, StockReservation.index.holdExpiry.attributes({ shard: stockShardOf(orderId), expiresAt, orderId })),
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
  ];
  for (const line of reservation.lines) {
    items.push(
      reserveLineOp(line, reservation.createdAt),
      holdPutOp(orderId, line, expiresAt),
      stockAuditOp({ sku: line.sku, action: "stock.reserved", actor: reservation.actor, at: reservation.createdAt, details: { orderId, qty: line.qty } }),
    );
  }
  await transact(items, {
    onCancelled: (cancelled) => {
      if (cancelled.conditionFailedAt(0)) return new ReservationExistsError(orderId);
      const short = reservation.lines.filter((_, i) => cancelled.conditionFailedAt(1 + i * itemsPerLine)).map((l) => l.sku);
      return short.length > 0 ? new InsufficientStockError(orderId, short) : undefined;
    },
  });
}

/**
 * Ends a hold of kind `kind`, conditional on the reservation still being held, so a release
 * racing an expiry or a ship counts once (the loser's transaction is cancelled as a conflict).
 * Returns the reservation as this call left it.
 */
export async function closeReservation(current: Reservation, kind: CloseKind, actor: string, at: string): Promise<Reservation> {
  const holdExpiry = StockReservation.index.holdExpiry.attributeNames;
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName,
        Key: StockReservation.key({ orderId: current.orderId }),
        UpdateExpression: "SET #status = :s, closedAt = :at REMOVE #ipk, #isk",
        ConditionExpression: "#status = :held",
        ExpressionAttributeNames: { "#status": "status", "#ipk": holdExpiry.pk, "#isk": holdExpiry.sk },
        ExpressionAttributeValues: { ":s": kind, ":at": at, ":held": "held" },
      },
    },
  ];
  for (const line of current.lines) {
    items.push(
      closeLineOp(kind, line, at),
      holdDeleteOp(current.orderId, line.sku),
      stockAuditOp({ sku: line.sku, action: `stock.${kind}`, actor, at, details: { orderId: current.orderId, qty: line.qty } }),
    );
  }
  await transact(items);
  return { ...current, status: kind, closedAt: at };
}

const orderIdOnly = z.object({ orderId: z.string() });

/** Holds whose expiry has passed, oldest first per shard, at most `limit` (eventually consistent index; the close re-checks). */
export async function expiredHolds(now: string, limit = 500): Promise<string[]> {
  const index = StockReservation.index.holdExpiry;
  const orderIds: string[] = [];
  for (let shard = 0; shard < stockIndexShards && orderIds.length < limit; shard++) {
    let cursor: string | undefined;
    do {
      const page = await queryPage(
        {
          IndexName: index.index,
          KeyConditionExpression: `${index.attributeNames.pk} = :p AND ${index.attributeNames.sk} <= :b`,
          ExpressionAttributeValues: { ":p": index.partition({ shard }), ":b": index.sortKey({ expiresAt: now, orderId: "\uffff" }) },
          ProjectionExpression: "orderId",
          Limit: limit - orderIds.length,
        },
        cursor,
      );
      orderIds.push(...page.items.map((item) => StockReservation.parseAs(orderIdOnly, item).orderId));
      cursor = page.next;
    } while (cursor && orderIds.length < limit);
  }
  return orderIds;
}
