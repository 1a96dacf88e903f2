/**
 * Publishes page-stock changes to the storefront FIFO queue (group = SKU, deduplication id =
 * `<sku>#<version>`).
 *
 * Primary course: a change commits (counters + version + audit, one transaction) → the writer
 * calls `publishPageStock(sku)` → it takes the SKU's publisher lease → reads the counters →
 * sends the page stock if it differs from what the storefront was last told → records the
 * publication and frees the lease → re-reads, and goes round again if a newer version arrived
 * meanwhile (its writer found the lease taken and left the work to us).
 *
 * The counters item is its own outbox: `version` > `publishedVersion` means "not yet
 * published", and the reconciler re-publishes any SKU left behind (crash between commit and
 * send), so nothing accepted is lost. Under a burst, intermediate versions are coalesced: the
 * storefront gets the newest page stock, never an older one after a newer one.
 */
import { randomUUID } from "node:crypto";
import { sendMessage } from "../shared/sqs.js";
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
