/**
 * Routing sweeper (every minute): re-drives conversations still `queued` after
 * REQUEUE_AFTER_SECONDS (their SQS message was lost: emulator restart, failed send), and drains
 * every waiting queue as a backstop for a wake-up message that never arrived.
 */
import { skills } from "../agents/domain.js";
import { scheduledJob } from "../shared/schedule.js";
import { sendMessages } from "../shared/sqs.js";
import { requeueAfterSeconds } from "./config.js";
import { drainWaiting } from "./router.js";
import { staleQueued } from "./store.js";

export async function sweep(now: Date) {
  const before = new Date(now.getTime() - requeueAfterSeconds() * 1000).toISOString();
  const stale = await staleQueued(before);
  await sendMessages("conversations", stale.map((conversationId) => ({ body: { kind: "route", conversationId }, correlationId: `sweeper-${conversationId}` })));
  const drained = await drainWaiting([...skills], now);
  return { requeued: stale.length, drained };
}

export const handler = scheduledJob("routing-sweeper", sweep);
