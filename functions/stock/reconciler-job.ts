/**
 * StockReconciler (every 5 minutes): for every SKU, recomputes `reserved` and `available` from
 * the ledger (the hold items), repairs counters that drifted, re-publishes page stock the
 * storefront has not been told (a crash between commit and send) or was told wrong, and stores
 * a report for `GET /stock/drift`.
 */
import { scheduledJob } from "../shared/schedule.js";
import { driftOf, hasDrift, type DriftFinding } from "./domain.js";
import { publishPageStock } from "./publisher.js";
import { getPublished, getSku, heldUnits, listSkus, putDrift, putReport, repairCounters, type ReconcileReport } from "./store.js";

/** Findings kept in the report (the counts cover all SKUs). */
const maxFindings = 100;

export async function reconcile(now: Date): Promise<ReconcileReport> {
  const at = now.toISOString();
  const report: ReconcileReport = { at, skus: 0, drifted: 0, repaired: 0, busy: 0, republished: 0, findings: [] };
  const queue = await listSkus();
  const worker = async () => {
    for (let sku = queue.shift(); sku !== undefined; sku = queue.shift()) {
      report.skus += 1;
      // Counters first, then the ledger: any hold committed in between bumps the version and the repair's condition fails.
      const state = await getSku(sku);
      if (!state) continue;
      const [held, published] = await Promise.all([heldUnits(sku), getPublished(sku)]);
      const finding: DriftFinding = driftOf(state, published, held, at);
      if (hasDrift(finding)) {
        // A repair bumps the version, so even a pure page-stock drift gets a fresh correction message.
        finding.repaired = await repairCounters(state, held, finding, at);
        if (finding.repaired) {
          report.drifted += 1;
          report.repaired += 1;
          await putDrift(sku, finding);
          if (report.findings.length < maxFindings) report.findings.push({ sku, ...finding });
        } else {
          // The SKU changed between our two reads: the difference may be that change, not drift. Next run.
          report.busy += 1;
        }
      }
      const forcePublish = finding.repaired;
      if (forcePublish || state.version > published.version) {
        if ((await publishPageStock(sku, "reconcile")) === "published") report.republished += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await putReport(report);
  return report;
}

export const handler = scheduledJob("StockReconciler", reconcile);
