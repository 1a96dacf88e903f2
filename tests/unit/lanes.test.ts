import { describe, expect, it } from "vitest";
import { inLanes } from "../../functions/shared/lanes.js";

/** A promise the test resolves or rejects by hand, so the lanes' interleaving is the test's, not the clock's. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("inLanes", () => {
  it("keeps at most `lanes` calls in flight and returns the results in the items' order", async () => {
    const gates = Array.from({ length: 7 }, () => deferred<void>());
    let inFlight = 0;
    let most = 0;
    const run = inLanes([0, 1, 2, 3, 4, 5, 6], 3, async (item, index) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await gates[item]?.promise;
      inFlight--;
      return `${item}@${index}`;
    });
    // Finish them out of order: the results still follow the items.
    for (const i of [2, 0, 6, 1, 5, 3, 4]) {
      await settle();
      gates[i]?.resolve();
    }
    expect(await run).toEqual(["0@0", "1@1", "2@2", "3@3", "4@4", "5@5", "6@6"]);
    expect(most).toBe(3);
  });

  it("on the first failure takes no more items, lets the calls in flight settle, then throws that failure", async () => {
    const gates = Array.from({ length: 6 }, () => deferred<void>());
    const started: number[] = [];
    const finished: number[] = [];
    let outcome: "pending" | "rejected" = "pending";
    const run = inLanes([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await gates[item]?.promise;
      finished.push(item);
    }).catch((error: unknown) => {
      outcome = "rejected";
      throw error;
    });
    await settle();
    expect(started).toEqual([0, 1]);
    gates[0]?.reject(new Error("item 0 failed"));
    await settle();
    // Item 1 is still in flight: the caller does not hear of the failure before it settles.
    expect(outcome).toBe("pending");
    gates[1]?.resolve();
    await expect(run).rejects.toThrow("item 0 failed");
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });

  it("runs nothing for no items", async () => {
    expect(await inLanes([], 4, () => Promise.reject(new Error("never called")))).toEqual([]);
  });
});
