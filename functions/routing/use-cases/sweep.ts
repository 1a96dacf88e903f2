/**
 * The routing sweeper's use case: the backstop that makes "accepted is never lost" hold when a
 * queue message is lost (emulator restart, failed send, an SQS outage while webhooks were still
 * recorded) or a wake-up never arrives.
 */
import { knownSkillIds } from "../../agents/skills.js";
import { logger } from "../../shared/logger.js";
import { sendMessages } from "../../shared/sqs.js";
import { requeueAfterSeconds } from "../config.js";
import { staleQueued } from "../store/index.js";
import { drainWaiting } from "./route.js";

/**
 * Wall-clock time the re-drive may take in one run: the function has 50 s, and the drain after it
 * needs room. A backlog larger than that continues, oldest first, in the next run.
 */
export const redriveBudgetMs = 30_000;
const pageSize = 100;

/**
 * Primary course: page through every conversation still `queued` REQUEUE_AFTER_SECONDS after
 * arrival, oldest first, and send each a fresh route message (routing is idempotent, so a late
 * original does no harm) until the list is done or the time budget is spent; then drain every
 * waiting queue.
 */
export async function sweep(now: Date, budgetMs = redriveBudgetMs): Promise<{ requeued: number; pages: number; complete: boolean; drained: number }> {
  const deadline = Date.now() + budgetMs;
  const before = new Date(now.getTime() - (await requeueAfterSeconds()) * 1000).toISOString();
  let requeued = 0;
  let pages = 0;
  let cursor: string | undefined;
  // Each page's sends overlap the next page's query (one page in flight): after an outage the
  // backlog is re-driven at the speed of the slower of the two, not of their sum.
  let sending: Promise<void> = Promise.resolve();
  do {
    const page = await staleQueued(before, { limit: pageSize, ...(cursor ? { cursor } : {}) });
    await sending;
    sending = sendMessages("conversations", page.conversationIds.map((conversationId) => ({ body: { kind: "route", conversationId }, correlationId: `sweeper-${conversationId}` })));
    requeued += page.conversationIds.length;
    pages++;
    cursor = page.next;
  } while (cursor && Date.now() < deadline);
  await sending;
  const complete = cursor === undefined;
  if (!complete) logger.warn("Sweeper stopped at its time budget; the next run continues with the oldest", { requeued, pages, budgetMs });
  const drained = await drainWaiting(await knownSkillIds(), now);
  return { requeued, pages, complete, drained };
}
