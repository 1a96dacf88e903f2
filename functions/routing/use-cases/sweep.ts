/**
 * The routing sweeper's use case: the backstop that makes "accepted is never lost" hold when a
 * queue message is lost (emulator restart, failed send) or a wake-up never arrives.
 */
import { skills } from "../../agents/domain.js";
import { sendMessages } from "../../shared/sqs.js";
import { requeueAfterSeconds } from "../config.js";
import { staleQueued } from "../store/index.js";
import { drainWaiting } from "./route.js";

/**
 * Primary course: find conversations still `queued` REQUEUE_AFTER_SECONDS after arrival and send
 * each a fresh route message (routing is idempotent, so a late original does no harm); then drain
 * every waiting queue.
 */
export async function sweep(now: Date): Promise<{ requeued: number; drained: number }> {
  const before = new Date(now.getTime() - requeueAfterSeconds() * 1000).toISOString();
  const { conversationIds: stale } = await staleQueued(before);
  await sendMessages("conversations", stale.map((conversationId) => ({ body: { kind: "route", conversationId }, correlationId: `sweeper-${conversationId}` })));
  const drained = await drainWaiting([...skills], now);
  return { requeued: stale.length, drained };
}
