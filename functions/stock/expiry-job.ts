/**
 * StockHoldExpiry (every minute): releases holds of unpaid orders past their expiry and
 * campaign locks past theirs, then publishes the page stock they free. The clock is the
 * schedule's event time, so a run can be replayed for any instant.
 */
import { scheduledJob } from "../shared/schedule.js";
import { publishAll } from "./publisher.js";
import { closeReservation, expiredHolds, expiredLocks, expireLock } from "./store.js";

export async function expireHoldsAndLocks(now: Date) {
  const at = now.toISOString();
  const touched = new Set<string>();
  let holdsReleased = 0;
  let locksReleased = 0;
  const orderIds = await expiredHolds(at);
  // A few at a time: each close is one transaction, and a backlog must not stampede one hot SKU.
  const queue = [...orderIds];
  const worker = async () => {
    for (let orderId = queue.shift(); orderId !== undefined; orderId = queue.shift()) {
      const { reservation, changed } = await closeReservation(orderId, "expired", "system:stock-hold-expiry", at);
      if (!changed) continue;
      holdsReleased += 1;
      for (const line of reservation.lines) touched.add(line.sku);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  for (const sku of await expiredLocks(at)) {
    if (await expireLock(sku, at)) {
      locksReleased += 1;
      touched.add(sku);
    }
  }
  await publishAll([...touched], "expiry");
  return { holdsReleased, locksReleased, skusPublished: touched.size };
}

export const handler = scheduledJob("StockHoldExpiry", expireHoldsAndLocks);
