/**
 * Routing's entities (functions/shared/table/entities/routing.ts): keys and index entries built
 * from the declared templates, and stored items parsed by their schema — a malformed
 * conversation or known-agent item is a typed MalformedItemError, never a coerced value.
 */
import { describe, expect, it } from "vitest";
import { Conversation, KnownAgent, arrivalHour, awaitingReplyShard, awaitingReplyShards } from "../../functions/shared/table/entities/routing.js";
import { MalformedItemError } from "../../functions/shared/table/entity.js";
import type { Conversation as ConversationRecord } from "../../functions/routing/conversation.js";
import { waitingKey } from "../../functions/routing/policy.js";

const stored: ConversationRecord = {
  conversationId: "c-1",
  customerId: "cust-1",
  channel: "tmall",
  skill: "presale",
  requestedSkill: "presale",
  priority: "high",
  status: "waiting",
  arrivedAt: "2026-11-11T00:05:00.000Z",
  assignments: 0,
  history: [{ at: "2026-11-11T00:05:00.000Z", action: "received", actor: "system:chat-platform" }],
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("routing entities", () => {
  it("builds the conversation's key and index entries from the templates", () => {
    expect(Conversation.key({ conversationId: "c-1" })).toEqual({ pk: "CONV#c-1", sk: "CONV" });
    expect(Conversation.index.waiting.attributes({ skill: "presale", position: waitingKey("high", stored.arrivedAt, "c-1") })).toEqual({
      gsi1pk: "WAIT#presale",
      gsi1sk: `1#${stored.arrivedAt}#c-1`,
    });
    expect(Conversation.index.queued.attributes({ arrivedAt: stored.arrivedAt, conversationId: "c-1" })).toEqual({ gsi2pk: "QUEUED", gsi2sk: `${stored.arrivedAt}#c-1` });
    expect(Conversation.index.arrived.partition({ hour: arrivalHour(stored.arrivedAt) })).toBe("ARRIVED#2026-11-11T00");
    expect(KnownAgent.key({ customerId: "cust-1" })).toEqual({ pk: "CUSTOMER#cust-1", sk: "LAST" });
  });

  it("spreads awaiting-reply entries over stable shards", () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => awaitingReplyShard(`conv-${i}`)));
    expect([...shards].sort()).toEqual([0, 1, 2, 3].slice(0, awaitingReplyShards));
    expect(awaitingReplyShard("conv-7")).toBe(awaitingReplyShard("conv-7"));
    expect(Conversation.index.awaitingReply.partition({ shard: awaitingReplyShard("conv-7") })).toMatch(/^AWAITING_REPLY#[0-3]$/);
  });

  it("parses a stored conversation, dropping keys and index attributes", () => {
    const item = Conversation.item(stored, Conversation.index.waiting.attributes({ skill: "presale", position: "1#x#c-1" }));
    expect(item).toMatchObject({ pk: "CONV#c-1", sk: "CONV", type: "Conversation", gsi1pk: "WAIT#presale" });
    expect(Conversation.parse(item)).toEqual(stored);
  });

  it("rejects a malformed conversation with a typed error naming the bad attributes", () => {
    const { history: _missing, ...withoutHistory } = Conversation.item(stored);
    const error = thrown(() => Conversation.parse({ ...withoutHistory, assignments: "1", status: "lost" }));
    expect(error).toBeInstanceOf(MalformedItemError);
    expect(error).toMatchObject({ entity: "Conversation", key: { pk: "CONV#c-1", sk: "CONV" } });
    const message = String((error as Error).message);
    for (const field of ["history", "assignments", "status"]) expect(message).toMatch(field);
  });

  it("rejects a known-agent item without its agent instead of reading \"undefined\"", () => {
    const item = KnownAgent.item({ customerId: "cust-1", agentId: "a-1", servedAt: "2026-11-11T00:00:00.000Z" });
    expect(KnownAgent.parse(item)).toMatchObject({ agentId: "a-1", servedAt: "2026-11-11T00:00:00.000Z" });
    const { agentId: _gone, ...broken } = item;
    expect(thrown(() => KnownAgent.parse(broken))).toBeInstanceOf(MalformedItemError);
  });
});
