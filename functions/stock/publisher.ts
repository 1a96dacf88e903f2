/**
 * Publishes page-stock changes to the storefront FIFO queue (group = SKU, deduplication id =
 * `<sku>#<version>`), off the request path.
 *
 * Primary course: a change commits (the counters' `version` moves with it) → the writer nudges
 * the SKU (`nudgePublisher`: a message on the `stockChanges` queue, delivered after
 * {@link nudgeDelaySeconds}; at most one in flight per SKU and container, so a burst of
 * reservations sends about one a second) → StockPublisher (publisher.queue.ts) calls
 * `publishPageStock(sku)` → it takes the SKU's publisher lease → reads the counters → sends the
 * page stock if it differs from what the storefront was last told → records the publication and
 * frees the lease → re-reads, and goes round again if a newer version arrived meanwhile (its
 * nudge found the lease taken and left the work to us). Schedules (hold expiry, reconciler) call
 * `publishPageStock` directly: they are off the request path already.
 *
 * The counters item is its own outbox: `version` > `publishedVersion` means "not yet
 * published", and the reconciler re-publishes any SKU left behind (a nudge lost, a crash
 * between commit and nudge), so nothing accepted is lost. Under a burst, intermediate versions
 * are coalesced: the storefront gets the newest page stock, never an older one after a newer one.
 */
import { randomUUID } from "node:crypto";
import { sendMessage, sendMessages } from "../shared/sqs.js";
import { logger } from "../shared/logger.js";
import { pageStock, type SkuState } from "./domain.js";
import { getSku } from "./store/counters.js";
import { acquirePublisher, releasePublisher } from "./store/publication.js";

/** Longer than a send takes; a crashed publisher blocks its SKU for at most this long (wall clock). */
const leaseMs = 10_000;
/** Rounds one caller spends catching up on a hot SKU before leaving it to the next writer. */
const maxRounds = 4;

export type PublishOutcome = "published" | "unchanged" | "busy" | "pending";

export interface StorefrontMessage {
  type: "PageStockChanged";
  sku: string;
  pageStock: number;
  previousPageStock: number | null;
  version: number;
  /** Same as the FIFO deduplication id: a consumer applies each key once and ignores lower versions. */
  idempotencyKey: string;
  onHand: number;
  reserved: number;
  locked: number;
  at: string;
  reason: string;
}

export function storefrontMessage(state: SkuState, previous: number | null, reason: string): StorefrontMessage {
  return {
    type: "PageStockChanged",
    sku: state.sku,
    pageStock: pageStock(state),
    previousPageStock: previous,
    version: state.version,
    idempotencyKey: `${state.sku}#${state.version}`,
    onHand: state.onHand,
    reserved: state.reserved,
    locked: state.locked,
    at: state.updatedAt,
    reason,
  };
}

/**
 * Brings the storefront up to date for one SKU. Never throws for a send failure: the change is
 * committed and the reconciler will publish it; the caller's request still succeeds.
 */
export async function publishPageStock(sku: string, reason: string, correlationId?: string): Promise<PublishOutcome> {
  let outcome: PublishOutcome = "unchanged";
  try {
    for (let round = 0; round < maxRounds; round++) {
      const owner = randomUUID();
      const published = await acquirePublisher(sku, owner, Date.now(), leaseMs);
      if (!published) return outcome === "unchanged" ? "busy" : outcome;
      let recorded: Parameters<typeof releasePublisher>[2];
      try {
        const state = await getSku(sku);
        if (state && state.version > published.version) {
          const page = pageStock(state);
          if (page !== published.page) {
            await sendMessage("storefront", {
              body: storefrontMessage(state, published.page, reason),
              groupId: sku,
              deduplicationId: `${sku}#${state.version}`,
              ...(correlationId ? { correlationId } : {}),
            });
            outcome = "published";
          }
          recorded = { version: state.version, page, at: new Date().toISOString() };
        }
      } finally {
        await releasePublisher(sku, owner, recorded);
      }
      // Read after freeing the lease: a writer that found it taken committed before its attempt.
      const after = await getSku(sku);
      if (!after || after.version <= (recorded?.version ?? published.version)) return outcome;
    }
    return "pending";
  } catch (error) {
    logger.warn("Page-stock publication deferred to the reconciler", { sku, error: error as Error });
    return "pending";
  }
}

/** Publishes several SKUs (a multi-line order) in parallel; each SKU keeps its own order. */
export async function publishAll(skus: readonly string[], reason: string, correlationId?: string): Promise<void> {
  await Promise.all([...new Set(skus)].map((sku) => publishPageStock(sku, reason, correlationId)));
}

/** A nudge waits this long in the queue, so the changes that follow it within the window ride on it. */
export const nudgeDelaySeconds = 1;
/** A change skips its nudge only if the pending one is still this far from delivery after the change committed. */
const nudgeMarginMs = 250;

/** Per SKU, this container's last nudge: when it was handed to SQS and whether the send succeeded. */
const lastNudge = new Map<string, { at: number; sent: Promise<boolean> }>();

export interface Nudge {
  sku: string;
  reason: string;
}

/**
 * Tells StockPublisher that these SKUs changed; call it after the change committed. A SKU whose
 * last nudge from this container is still waiting in the queue (sent less than
 * `nudgeDelaySeconds − margin` ago) is skipped: that nudge is delivered after this change
 * committed, and the publisher reads the counters when it gets it, so it publishes this change
 * too. A waiting nudge whose send failed does not count. Never throws: a lost nudge leaves
 * `version > publishedVersion`, which the reconciler publishes.
 */
export async function nudgePublisher(skus: readonly string[], reason: string, correlationId?: string): Promise<void> {
  const due: string[] = [];
  const now = Date.now();
  for (const sku of new Set(skus)) {
    const last = lastNudge.get(sku);
    if (last && now < last.at + nudgeDelaySeconds * 1000 - nudgeMarginMs && (await last.sent)) continue;
    due.push(sku);
  }
  if (due.length === 0) return;
  const at = Date.now();
  const sent = sendMessages(
    "stockChanges",
    due.map((sku) => ({ body: { sku, reason } satisfies Nudge, delaySeconds: nudgeDelaySeconds, ...(correlationId ? { correlationId } : {}) })),
  ).then(
    () => true,
    (error: unknown) => {
      logger.warn("Page-stock nudge not sent; the reconciler will publish", { skus: due, error: error as Error });
      return false;
    },
  );
  if (lastNudge.size > 10_000) for (const [sku, n] of lastNudge) if (n.at < at - 10_000) lastNudge.delete(sku);
  for (const sku of due) lastNudge.set(sku, { at, sent });
  await sent;
}
