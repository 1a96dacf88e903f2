/**
 * Integration use cases: delivering an assignment callback (queue), re-sending pending ones whose
 * message was lost (schedule), and the supervisor's failed-delivery list and redrive (HTTP).
 */
import { queues } from "../catalog/resources.js";
import { signBody } from "../shared/auth.js";
import { NotFoundError, ConflictError } from "../shared/errors.js";
import { logger } from "../shared/logger.js";
import { emitCount } from "../shared/metrics.js";
import { callbackSecret } from "../shared/secrets.js";
import { sendMessage, sendMessages } from "../shared/sqs.js";
import type { CallbackDelivery } from "../shared/table/index.js";
import { callbackConfig } from "./config.js";
import { isDelivered } from "./domain.js";
import { deliveriesByStatus, getDelivery, markRedriven, recordAttemptFailed, recordDelivered, recordSkipped } from "./store.js";

/** Thrown for a failed attempt so the queue consumer backs the message off and retries it. */
export class CallbackDeliveryError extends Error {
  constructor(readonly eventId: string, readonly why: string) {
    super(`Assignment callback ${eventId} not delivered: ${why}`);
    this.name = "CallbackDeliveryError";
  }
}

/** One POST, signed like the platform's webhooks; resolves to what went wrong, or undefined. */
async function post(url: string, body: string, timeoutMs: number, eventId: string): Promise<string | undefined> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature-timestamp": timestamp, "x-signature": signBody(await callbackSecret(), timestamp, body), "x-event-id": eventId },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    // The answer's body is not needed; read it so the connection is reused.
    await response.arrayBuffer().catch(() => undefined);
    return isDelivered(response.status) ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    return name === "TimeoutError" || name === "AbortError" ? `no answer within ${timeoutMs} ms` : `request failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Delivers one callback.
 *
 * Primary course: read the outbox record; already delivered (a duplicate message) or skipped:
 * done. Callbacks turned off since it was written: record it `skipped` (never sent, listed for
 * supervisors). POST the payload signed with the callback secret within the timeout; 2xx: record
 * it delivered. Otherwise record the attempt and throw, so the consumer backs the message off; on
 * the queue's last receive the record says `failed` before the message moves to the DLQ.
 */
export async function deliverCallback(eventId: string, receiveCount: number, now: Date = new Date()): Promise<"delivered" | "already" | "missing" | "skipped"> {
  const delivery = await getDelivery(eventId);
  if (!delivery) {
    logger.warn("Callback message for an unknown delivery dropped", { eventId });
    return "missing";
  }
  if (delivery.status === "delivered") return "already";
  if (delivery.status === "skipped") return "skipped";
  const { url, timeoutMs } = callbackConfig();
  if (!url) {
    // Turned off after it was written: skipped, not held (see skippedWhenOff).
    await recordSkipped(eventId, now, skippedWhenOff);
    logger.warn("Assignment callbacks are off; delivery skipped", { eventId });
    emitCount("CallbacksSkipped");
    return "skipped";
  }
  const problem = await post(url, JSON.stringify(delivery.payload), timeoutMs, eventId);
  if (!problem) {
    await recordDelivered(eventId, new Date());
    emitCount("CallbacksDelivered");
    return "delivered";
  }
  const final = receiveCount >= queues.callbacks.maxReceiveCount;
  await recordAttemptFailed(eventId, now, problem, final);
  emitCount(final ? "CallbacksFailed" : "CallbackRetries");
  throw new CallbackDeliveryError(eventId, `${problem}${final ? " (last try: dead-lettered)" : ""}`);
}

/** Pending records untouched this long have lost their message (longer than the longest back-off plus a try). */
export const relayAfterMs = 5 * 60_000;

/**
 * Why a delivery is `skipped`. Callbacks off means off: moves made while they are off write no
 * callback at all, so holding the few written before would give the platform, once callbacks are
 * back, a stale and partial stream of old moves (it resynchronises from the next move's sequence
 * anyway); and a held record would be re-sent by the relay every minute for nothing.
 */
export const skippedWhenOff = "callbacks turned off before delivery";

/**
 * Re-sends lost callbacks.
 *
 * Primary course: page through pending deliveries whose last change is older than
 * {@link relayAfterMs} and send each a fresh message (same event id: the platform dedupes).
 * Callbacks off: mark each of them `skipped` instead and send nothing, so no message loops
 * between the relay and a deliverer that has nowhere to post.
 */
export async function relayPending(now: Date): Promise<{ resent: number; skipped: number }> {
  const before = new Date(now.getTime() - relayAfterMs).toISOString();
  const off = !callbackConfig().url;
  let resent = 0;
  let skipped = 0;
  let cursor: string | undefined;
  do {
    const page = await deliveriesByStatus("pending", { limit: 100, before, ...(cursor ? { cursor } : {}) });
    if (off) {
      for (const d of page.deliveries) if (await recordSkipped(d.eventId, now, skippedWhenOff)) skipped++;
    } else {
      await sendMessages("callbacks", page.deliveries.map((d) => ({ body: { eventId: d.eventId }, correlationId: `relay-${d.eventId}` })));
      resent += page.deliveries.length;
    }
    cursor = page.next;
  } while (cursor);
  if (resent > 0) logger.warn("Pending callbacks re-sent", { resent });
  if (skipped > 0) {
    logger.warn("Assignment callbacks are off; pending deliveries skipped", { skipped });
    emitCount("CallbacksSkipped", skipped);
  }
  return { resent, skipped };
}

export function deliveryView(d: CallbackDelivery) {
  const { eventId, conversationId, sequence, status, attempts, createdAt, updatedAt, deliveredAt, lastError, payload } = d;
  return { eventId, conversationId, sequence, status, attempts, createdAt, updatedAt, ...(deliveredAt ? { deliveredAt } : {}), ...(lastError ? { lastError } : {}), payload };
}

/** A page of deliveries in a status (supervisor view), oldest change first. */
export async function listDeliveries(status: "pending" | "failed" | "skipped", limit: number, cursor?: string) {
  const page = await deliveriesByStatus(status, { limit, ...(cursor ? { cursor } : {}) });
  return { status, deliveries: page.deliveries.map(deliveryView), next: page.next ?? null };
}

/**
 * Redrives a failed (or skipped) delivery.
 *
 * Primary course: failed or skipped -> pending, then a fresh message with the same event id; the
 * deliverer tries again with the queue's full retry budget. Unknown: 404; neither: 409.
 */
export async function redriveDelivery(eventId: string, now: Date) {
  const delivery = await getDelivery(eventId);
  if (!delivery) throw new NotFoundError(`No callback delivery "${eventId}".`);
  if (!(await markRedriven(eventId, now))) throw new ConflictError(`Callback delivery ${eventId} is ${delivery.status}; only a failed or skipped delivery can be redriven.`);
  await sendMessage("callbacks", { body: { eventId }, correlationId: `redrive-${eventId}` });
  return deliveryView({ ...delivery, status: "pending", updatedAt: now.toISOString() });
}
