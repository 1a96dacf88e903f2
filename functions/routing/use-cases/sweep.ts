/**
 * The routing sweeper's use case: the backstop that makes "accepted is never lost" hold when a
 * queue message is lost (emulator restart, failed send, an SQS outage while webhooks were still
 * recorded) or a wake-up never arrives.
 */
import { knownSkillIds } from "../../agents/skills.js";
import { logger } from "../../shared/logger.js";
import { inLanes } from "../../shared/lanes.js";
import { sendMessages } from "../../shared/sqs.js";
import { requeueAfterSeconds } from "../config.js";
import { advanceSweepCursor, arrivalPages, arrivalSettleMs, firstScanLookbackMs, listAsQueued, staleQueued, sweepCursor } from "../store/index.js";
import { drainWaiting } from "./route.js";

/**
 * Wall-clock time the re-drive may take in one run: the function has 50 s, and the drain after it
 * needs room. A backlog larger than that continues, oldest first, in the next run.
 */
export const redriveBudgetMs = 30_000;
const pageSize = 100;
/** Arrivals read per page (a keys-only query, then their items in BatchGets of 100, 4 at once): a rush minute of 60,000 is 120 pages. */
const arrivalPageSize = 500;
/** Conversations listed at once: an outage's backlog is a page of stale ones, within the SDK's sockets. */
const listingLanes = 16;

const redrive = (conversationIds: readonly string[]) =>
  sendMessages("conversations", conversationIds.map((conversationId) => ({ body: { kind: "route", conversationId }, correlationId: `sweeper-${conversationId}` })));

/**
 * Primary course: (1) page through the re-drive list — conversations found still `queued`
 * REQUEUE_AFTER_SECONDS after arrival by an earlier run, or listed by their writer — oldest
 * first, sending each a fresh route message (routing is idempotent, so a late original does no
 * harm); (2) read the arrivals since the last run up to REQUEUE_AFTER_SECONDS ago (the arrival
 * scan, store/arrival-scan.ts), list each one still queued and send it a route message too, and
 * move the cursor past what was read; both until done or the time budget is spent; then drain
 * every waiting queue.
 */
export async function sweep(now: Date, budgetMs = redriveBudgetMs): Promise<{ requeued: number; pages: number; complete: boolean; scanned: number; drained: number }> {
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
    sending = redrive(page.conversationIds);
    requeued += page.conversationIds.length;
    pages++;
    cursor = page.next;
  } while (cursor && Date.now() < deadline);
  await sending;
  let complete = cursor === undefined;

  // The arrivals not yet looked at (listed now, they are re-driven from the list by later runs).
  let scanned = 0;
  if (complete && Date.now() < deadline) {
    // Not closer to now than an arrival's write may still land (a cursor past it would skip it).
    const scanBefore = new Date(Math.min(Date.parse(before), now.getTime() - arrivalSettleMs)).toISOString();
    const after = (await sweepCursor()) ?? new Date(Date.parse(scanBefore) - firstScanLookbackMs).toISOString();
    let through: string | undefined;
    for await (const page of arrivalPages(after, scanBefore, arrivalPageSize)) {
      const listed = (await inLanes(page.queued, listingLanes, async (c) => ((await listAsQueued(c)) ? c.conversationId : undefined))).filter((id): id is string => id !== undefined);
      await redrive(listed);
      requeued += listed.length;
      scanned++;
      through = page.through;
      // The cursor only moves past pages whose stale conversations are listed and re-driven.
      if (Date.now() >= deadline) {
        complete = false;
        break;
      }
    }
    if (through) await advanceSweepCursor(through);
  } else complete = false;
  if (!complete) logger.warn("Sweeper stopped at its time budget; the next run continues with the oldest", { requeued, pages, scanned, budgetMs });
  const drained = await drainWaiting(await knownSkillIds(), now);
  return { requeued, pages, complete, scanned, drained };
}
