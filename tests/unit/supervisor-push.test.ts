/** The supervisors' pushes are coalesced per invocation: one message per kind, the last state per conversation. */
import { describe, expect, it } from "vitest";

// It loads the push adapter, whose connection store reads the table's environment at import.
process.env.TABLE_NAME ??= "unit-test";
const { maxChangesPerPush, noteAgents, noteDelivered, noteDrained, noteQueueChange, noteReceipt, takeSupervisorPushes } = await import("../../functions/shared/supervisor-push.js");

describe("supervisor pushes", () => {
  it("coalesce what an invocation noted into one queue and one receipts message", () => {
    noteQueueChange({ conversationId: "c1", status: "waiting", skill: "presale" });
    noteQueueChange({ conversationId: "c2", status: "assigned", skill: "presale", agentId: "li.na" });
    noteQueueChange({ conversationId: "c1", status: "assigned", skill: "presale", agentId: "wang.fang" });
    noteDrained(["presale", "aftersale", "presale"]);
    noteAgents(["li.na", "li.na"]);
    noteReceipt({ noticeId: "n1", agentId: "li.na", acknowledgedAt: "2026-01-01T00:00:00.000Z" });
    noteReceipt({ noticeId: "n1", agentId: "li.na", acknowledgedAt: "2026-01-01T00:00:00.000Z" });
    noteDelivered(["n2"]);
    expect(takeSupervisorPushes()).toEqual([
      {
        type: "queue",
        changes: [
          { conversationId: "c1", status: "assigned", skill: "presale", agentId: "wang.fang" },
          { conversationId: "c2", status: "assigned", skill: "presale", agentId: "li.na" },
        ],
        drained: ["aftersale", "presale"],
        agents: ["li.na"],
        more: false,
      },
      { type: "receipts", acknowledgements: [{ noticeId: "n1", agentId: "li.na", acknowledgedAt: "2026-01-01T00:00:00.000Z" }], delivered: ["n2"], more: false },
    ]);
    // Taken: the next invocation starts empty, and nothing noted sends nothing.
    expect(takeSupervisorPushes()).toEqual([]);
  });

  it("bounds a message and says some changes were left out", () => {
    for (let i = 0; i < maxChangesPerPush + 5; i++) noteQueueChange({ conversationId: `c${i}`, status: "waiting", skill: "presale" });
    const [message] = takeSupervisorPushes();
    expect(message).toMatchObject({ type: "queue", more: true });
    expect(message?.type === "queue" ? message.changes.length : 0).toBe(maxChangesPerPush);
  });
});
