/**
 * The sweeper's re-drive (issue 12, store outage): it pages through the whole backlog of
 * conversations still queued, oldest first, and stops only when the list is done or its time
 * budget is spent — then the next run continues from the oldest.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

// The arrival scan's module reads its environment when loaded (its constant is checked below; no call goes out).
vi.hoisted(() => {
  process.env.TABLE_NAME ??= "unit-test";
  process.env.AWS_REGION ??= "us-east-1";
});

type ArrivalPage = { queued: { conversationId: string; arrivedAt: string }[]; through: string };
const state = vi.hoisted(() => ({
  pages: [] as { conversationIds: string[]; next?: string }[],
  cursors: [] as (string | undefined)[],
  sent: [] as string[],
  /** The arrival scan: the stored cursor, the pages it yields, what got listed, where the cursor went. */
  sweepCursor: undefined as string | undefined,
  arrivalPages: [] as ArrivalPage[],
  scans: [] as { after: string; before: string }[],
  /** Conversations that moved on between the page's read and their listing. */
  movedOn: new Set<string>(),
  listed: [] as string[],
  advancedTo: [] as string[],
  /** Time spent per arrival page (the budget's clock). */
  pageMs: 0,
}));

vi.mock("../../functions/routing/store/index.js", () => ({
  staleQueued: async (_before: string, options: { cursor?: string }) => {
    state.cursors.push(options.cursor);
    return state.pages.shift() ?? { conversationIds: [] };
  },
  firstScanLookbackMs: 3_600_000,
  arrivalSettleMs: 15_000,
  sweepCursor: async () => state.sweepCursor,
  advanceSweepCursor: async (to: string) => {
    state.advancedTo.push(to);
  },
  arrivalPages: async function* (after: string, before: string) {
    state.scans.push({ after, before });
    for (const page of state.arrivalPages) {
      if (state.pageMs > 0) vi.advanceTimersByTime(state.pageMs);
      yield page;
    }
  },
  listAsQueued: async (c: { conversationId: string }) => {
    if (state.movedOn.has(c.conversationId)) return false;
    state.listed.push(c.conversationId);
    return true;
  },
}));
vi.mock("../../functions/shared/sqs.js", () => ({
  sendMessages: async (_queue: string, messages: { body: { conversationId: string } }[]) => {
    state.sent.push(...messages.map((m) => m.body.conversationId));
  },
}));
vi.mock("../../functions/agents/skills.js", () => ({ knownSkillIds: async () => ["presale"] }));
vi.mock("../../functions/routing/use-cases/route.js", () => ({ drainWaiting: async () => 0 }));
const requeueAfter = vi.hoisted(() => ({ seconds: 60 }));
vi.mock("../../functions/routing/config.js", () => ({ requeueAfterSeconds: () => requeueAfter.seconds }));
vi.mock("../../functions/shared/logger.js", () => ({ logger: { warn: () => undefined, info: () => undefined } }));

const { sweep } = await import("../../functions/routing/use-cases/sweep.js");

const page = (from: number, n: number, next?: string) => ({ conversationIds: Array.from({ length: n }, (_, i) => `c${from + i}`), ...(next ? { next } : {}) });

beforeEach(() => {
  vi.useRealTimers();
  state.pages = [];
  state.cursors = [];
  state.sent = [];
  state.sweepCursor = undefined;
  state.arrivalPages = [];
  state.scans = [];
  state.movedOn = new Set();
  state.listed = [];
  state.advancedTo = [];
  state.pageMs = 0;
});

const arrival = (id: string, at = "2026-11-11T00:00:00.000Z") => ({ conversationId: id, arrivedAt: at });

describe("routing sweeper", () => {
  it("follows every page until the backlog is done", async () => {
    state.pages = [page(0, 100, "p2"), page(100, 100, "p3"), page(200, 30)];
    const result = await sweep(new Date());
    expect(result).toMatchObject({ requeued: 230, pages: 3, complete: true });
    expect(state.cursors).toEqual([undefined, "p2", "p3"]);
    expect(new Set(state.sent).size).toBe(230);
  });

  it("stops at its time budget and says the backlog is not done, without reading arrivals", async () => {
    state.pages = [page(0, 100, "p2"), page(100, 100, "p3")];
    const result = await sweep(new Date(), 0);
    expect(result).toMatchObject({ requeued: 100, pages: 1, complete: false, scanned: 0 });
    expect(state.scans).toEqual([]);
    expect(state.advancedTo).toEqual([]);
  });

  it("reads the arrivals from its cursor up to REQUEUE_AFTER_SECONDS ago, lists and re-drives the still queued, and moves the cursor past them", async () => {
    state.sweepCursor = "2026-11-11T00:00:00.000Z#c-0";
    state.arrivalPages = [
      { queued: [arrival("a1"), arrival("a2")], through: "2026-11-11T00:00:10.000Z#a9" },
      { queued: [], through: "2026-11-11T00:00:20.000Z#b9" },
      { queued: [arrival("c1"), arrival("c2")], through: "2026-11-11T00:00:30.000Z#c9" },
    ];
    state.movedOn.add("c2");
    const now = new Date("2026-11-11T00:05:00.000Z");
    const result = await sweep(now);
    expect(state.scans).toEqual([{ after: "2026-11-11T00:00:00.000Z#c-0", before: "2026-11-11T00:04:00.000Z" }]);
    // c2 was routed between the read and its listing: neither listed nor re-driven.
    expect(state.listed).toEqual(["a1", "a2", "c1"]);
    expect(state.sent).toEqual(["a1", "a2", "c1"]);
    expect(state.advancedTo).toEqual(["2026-11-11T00:00:30.000Z#c9"]);
    expect(result).toMatchObject({ requeued: 3, scanned: 3, complete: true });
  });

  it("starts an hour back when no run stored a cursor, and leaves the cursor alone when there was nothing to read", async () => {
    const now = new Date("2026-11-11T00:05:00.000Z");
    await sweep(now);
    expect(state.scans).toEqual([{ after: "2026-11-10T23:04:00.000Z", before: "2026-11-11T00:04:00.000Z" }]);
    expect(state.advancedTo).toEqual([]);
  });

  it("never reads arrivals closer to now than their writes may still land, however short REQUEUE_AFTER_SECONDS is", async () => {
    requeueAfter.seconds = 1;
    await sweep(new Date("2026-11-11T00:05:00.000Z"));
    expect(state.scans.at(-1)?.before).toBe("2026-11-11T00:04:45.000Z");
    requeueAfter.seconds = 60;
  });

  it("keeps the settle time above the webhook's timeout: a write lands within it", async () => {
    const { planFunction } = await import("../../infra/function-plan.js");
    const { conversationsApi } = await import("../../functions/routing/functions.js");
    const { arrivalSettleMs } = await vi.importActual<typeof import("../../functions/routing/store/arrival-scan.js")>("../../functions/routing/store/arrival-scan.js");
    expect(arrivalSettleMs).toBeGreaterThan(planFunction(conversationsApi).timeoutSeconds * 1000);
  });

  it("stops the arrival scan at its budget after a whole page, and the cursor goes no further than that page", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-11-11T00:05:00.000Z") });
    state.pageMs = 20_000;
    state.arrivalPages = [
      { queued: [arrival("a1")], through: "2026-11-11T00:00:10.000Z#a9" },
      { queued: [arrival("b1")], through: "2026-11-11T00:00:20.000Z#b9" },
      { queued: [arrival("c1")], through: "2026-11-11T00:00:30.000Z#c9" },
    ];
    const result = await sweep(new Date(), 30_000);
    expect(result).toMatchObject({ complete: false, scanned: 2 });
    expect(state.sent).toEqual(["a1", "b1"]);
    expect(state.advancedTo).toEqual(["2026-11-11T00:00:20.000Z#b9"]);
  });
});
