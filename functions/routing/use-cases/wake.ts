/**
 * After a commit, the work that only speeds things up: waking the router to drain the queues the
 * change freed capacity in, or draining them here. Best effort: the change is committed, so a
 * queue or store timeout now must not turn its answer into an error (the caller would retry a
 * change that already happened). A drain missed here is done by the next one, at the latest by
 * the sweeper's drain of every queue within a minute.
 */
import { logger } from "../../shared/logger.js";
import { wakeRouter } from "../../shared/wake-router.js";

/** Runs a drain now (`drain`); if it fails, asks the router for it instead. Never throws. */
export async function drainAfterCommit(skills: readonly string[], reason: string, drain: () => Promise<unknown>): Promise<void> {
  try {
    await drain();
  } catch (error) {
    logger.warn("Drain after a commit failed; asking the router for it", { skills: [...skills], reason, error: error as Error });
    await wakeRouter(skills, reason);
  }
}

/** A read-back after a commit; `fallback` (what the commit wrote) when the read fails. */
export async function readBack<T>(read: () => Promise<T | undefined>, fallback: T): Promise<T> {
  try {
    return (await read()) ?? fallback;
  } catch (error) {
    logger.warn("Read-back after a commit failed; answering with what was written", { error: error as Error });
    return fallback;
  }
}
