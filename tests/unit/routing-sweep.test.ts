/**
 * The sweeper's re-drive (issue 12, store outage): it pages through the whole backlog of
 * conversations still queued, oldest first, and stops only when the list is done or its time
 * budget is spent — then the next run continues from the oldest.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

const state = vi.hoisted(() => ({ pages: [] as { conversationIds: string[]; next?: string }[], cursors: [] as (string | undefined)[], sent: [] as string[] }));

vi.mock("../../functions/routing/store/index.js", () => ({
  staleQueued: async (_before: string, options: { cursor?: string }) => {
    state.cursors.push(options.cursor);
    return state.pages.shift() ?? { conversationIds: [] };
  },
}));
vi.mock("../../functions/shared/sqs.js", () => ({
  sendMessages: async (_queue: string, messages: { body: { conversationId: string } }[]) => {
    state.sent.push(...messages.map((m) => m.body.conversationId));
  },
}));
vi.mock("../../functions/agents/skills.js", () => ({ knownSkillIds: async () => ["presale"] }));
vi.mock("../../functions/routing/use-cases/route.js", () => ({ drainWaiting: async () => 0 }));
vi.mock("../../functions/routing/config.js", () => ({ requeueAfterSeconds: () => 60 }));
vi.mock("../../functions/shared/logger.js", () => ({ logger: { warn: () => undefined, info: () => undefined } }));

const { sweep } = await import("../../functions/routing/use-cases/sweep.js");

const page = (from: number, n: number, next?: string) => ({ conversationIds: Array.from({ length: n }, (_, i) => `c${from + i}`), ...(next ? { next } : {}) });

beforeEach(() => {
  state.pages = [];
  state.cursors = [];
  state.sent = [];
});

describe("routing sweeper", () => {
  it("follows every page until the backlog is done", async () => {
    state.pages = [page(0, 100, "p2"), page(100, 100, "p3"), page(200, 30)];
    const result = await sweep(new Date());
    expect(result).toMatchObject({ requeued: 230, pages: 3, complete: true });
    expect(state.cursors).toEqual([undefined, "p2", "p3"]);
    expect(new Set(state.sent).size).toBe(230);
  });

  it("stops at its time budget and says the backlog is not done", async () => {
    state.pages = [page(0, 100, "p2"), page(100, 100, "p3")];
    const result = await sweep(new Date(), 0);
    expect(result).toMatchObject({ requeued: 100, pages: 1, complete: false });
  });
});
