/**
 * The local stack hands each invocation the timeout the CDK deploys its function with
 * (local/invoke.ts `contextFor`): middy ends a handler just before `getRemainingTimeInMillis` runs
 * out, so a fixed 30 s cut the 50 s queue consumers and the 300 s import job short locally.
 */
import { describe, expect, it } from "vitest";
import { functionList } from "../../functions/catalog/index.js";
import { planFunction } from "../../infra/function-plan.js";
import { contextFor } from "../../local/invoke.js";

describe("local invocation context", () => {
  it("gives every function its deployed timeout", () => {
    const longer = functionList.filter((spec) => planFunction(spec).timeoutSeconds > 30);
    // The functions the fixed 30 s used to cut short are there to be checked.
    expect(longer.map((s) => s.name)).toEqual(expect.arrayContaining(["NoticeFanout", "RotaImportJobs"]));
    for (const spec of functionList) {
      const deployedMs = planFunction(spec).timeoutSeconds * 1000;
      const remaining = contextFor(spec).getRemainingTimeInMillis();
      expect(remaining, spec.name).toBeLessThanOrEqual(deployedMs);
      expect(remaining, spec.name).toBeGreaterThan(deployedMs - 1_000);
    }
  });
});
