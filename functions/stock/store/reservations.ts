/**
 * Reservations (StockReservation) and the two transactions that move stock with them: creating
 * a reservation holds every line or none; closing one (release, expiry, ship) gives the lines back
 * or turns them into a warehouse decrement. Both carry the hold ledger and audit records.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { StockReservation, batchWrite, dynamo, isConditionalCheckFailed, queryPage, stockIndexShards, stockShardOf, tableName, transact, type TransactItem, type WriteRequest } from "../../shared/table/index.js";
import { HoldMissingError, InsufficientStockError, ReservationExistsError, type CloseKind, type Reservation } from "../domain.js";
import { stockAuditOp } from "./audit.js";
import { closeLineOp, reserveLineOp } from "./counters.js";
import { holdDeleteOp, holdPutOp } from "./holds.js";

/** The reservation item with its hold-expiry index entry (present while held). */
function reservationItem(reservation: Reservation) {
  const { orderId, expiresAt } = reservation;
  return StockReservation.item(reservation, StockReservation.index.holdExpiry.attributes({ shard: stockShardOf(orderId), expiresAt, orderId }));
}

/**
 * Claims the order for a single-line reservation: puts the reservation (held, in the expiry index)
 * if the order has none — or, with `over`, in place of that claim of an attempt that is over and
 * never wrote its hold. The claim is what makes the order's reservation happen once: of requests
 * racing for one order exactly one claims it, before any of them counts a unit. It holds no stock
 * by itself: the units are taken on the counters next and the hold written after. Returns false
 * when the order is already claimed.
 */
export async function claimReservation(reservation: Reservation, over?: Reservation): Promise<boolean> {
  const condition = over
    ? { ConditionExpression: over.attempt ? "#status = :held AND attempt = :a" : "#status = :held AND attribute_not_exists(attempt)", ExpressionAttributeNames: { "#status": "status" }, ExpressionAttributeValues: { ":held": "held", ...(over.attempt ? { ":a": over.attempt } : {}) } }
    : { ConditionExpression: "attribute_not_exists(pk)" };
  try {
    await dynamo.send(new PutCommand({ TableName: tableName, Item: reservationItem(reservation), ...condition }));
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** Removes this attempt's claim (its units were refused): the order is free again, as if never sent. */
export async function dropClaim(reservation: Reservation): Promise<void> {
  if (!reservation.attempt) throw new Error("dropClaim: only an attempt's own claim can be dropped");
  try {
    await dynamo.send(
      new DeleteCommand({
        TableName: tableName,
        Key: StockReservation.key({ orderId: reservation.orderId }),
        ConditionExpression: "attempt = :a",
        ExpressionAttributeValues: { ":a": reservation.attempt },
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/**
 * After the units are taken: the hold (the ledger entry the reconciler sums) and the audit record,
 * one BatchWriteItem of plain puts. Both keys are fixed by the order and the attempt, so writing
 * them again (an unprocessed entry retried) changes nothing. A hold exists only once its units were
 * taken, so counters and ledger can only disagree by units taken without a hold — which the
 * reconciler gives back once the SKU is quiet.
 */
export async function recordHold(reservation: Reservation): Promise<void> {
  const { orderId, expiresAt } = reservation;
  const requests: WriteRequest[] = [];
  for (const line of reservation.lines) {
    const audit = stockAuditOp({ sku: line.sku, action: "stock.reserved", actor: reservation.actor, at: reservation.createdAt, details: { orderId, qty: line.qty } }, `reserved:${reservation.attempt ?? orderId}`);
    requests.push({ PutRequest: { Item: putItemOf(holdPutOp(orderId, line, expiresAt)) } }, { PutRequest: { Item: putItemOf(audit) } });
  }
  await batchWrite(requests);
}

function putItemOf(op: TransactItem): Record<string, unknown> {
  if (!op.Put?.Item) throw new Error("expected a Put");
  return op.Put.Item;
}

/**
 * Closes a reservation whose attempt is over and never wrote its hold: it held no stock, so only
 * its status changes (and it leaves the expiry index). Conditional on it still being that claim.
 */
export async function closeUnheld(current: Reservation, kind: Exclude<CloseKind, "shipped">, at: string): Promise<Reservation> {
  const holdExpiry = StockReservation.index.holdExpiry.attributeNames;
  await dynamo.send(
    new UpdateCommand({
      TableName: tableName,
      Key: StockReservation.key({ orderId: current.orderId }),
      UpdateExpression: "SET #status = :s, closedAt = :at REMOVE #ipk, #isk",
      ConditionExpression: current.attempt ? "#status = :held AND attempt = :a" : "#status = :held AND attribute_not_exists(attempt)",
      ExpressionAttributeNames: { "#status": "status", "#ipk": holdExpiry.pk, "#isk": holdExpiry.sk },
      ExpressionAttributeValues: { ":s": kind, ":at": at, ":held": "held", ...(current.attempt ? { ":a": current.attempt } : {}) },
    }),
  );
  return { ...current, status: kind, closedAt: at };
}

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
  const items: TransactItem[] = [{ Put: { TableName: tableName, Item: reservationItem(reservation), ConditionExpression: "attribute_not_exists(pk)" } }];
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
 * racing an expiry or a ship counts once (the loser's transaction is cancelled as a conflict),
 * and on each hold existing (a claimed reservation whose hold is not written gives nothing back).
 * Returns the reservation as this call left it.
 *
 * @throws HoldMissingError when a line has no hold item (the caller decides: still being written, or never held)
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
  await transact(items, {
    onCancelled: (cancelled) => {
      // The reservation's own condition first: closed meanwhile is a conflict (re-read), whatever the holds say.
      if (cancelled.conditionFailedAt(0)) return undefined;
      return current.lines.some((_, i) => cancelled.conditionFailedAt(2 + i * itemsPerLine)) ? new HoldMissingError(current.orderId) : undefined;
    },
  });
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
