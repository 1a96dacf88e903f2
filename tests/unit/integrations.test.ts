/** The chat-platform contract's pure rules: move reasons, event ids, dedupe keys, ordering, stored items. */
import { describe, expect, it } from "vitest";
import { assignmentReason, callbackEventId, dedupeKey, isDelivered, occurredAtOf, platformEventSchema, writtenAfterClose } from "../../functions/integrations/domain.js";
import { CallbackDelivery, PlatformEvent } from "../../functions/shared/table/entities/integrations.js";
import { MalformedItemError } from "../../functions/shared/table/entity.js";

const at = "2026-11-11T00:00:00.000Z";

describe("assignment reasons", () => {
  it("is the episode's first assignment without a move before it", () => {
    expect(assignmentReason([{ at, action: "received", actor: "x" }, { at, action: "waiting", actor: "x" }])).toEqual({ reason: "assigned", previousAgentId: null });
    expect(assignmentReason([{ at, action: "assigned", actor: "x", agentId: "a" }, { at, action: "closed", actor: "x" }, { at, action: "reopened", actor: "x" }])).toEqual({ reason: "assigned", previousAgentId: null });
  });

  it("names the move back to the line and the agent it left, skipping entries that do not move it", () => {
    const base = [{ at, action: "received", actor: "x" }, { at, action: "assigned", actor: "x", agentId: "a" }];
    expect(assignmentReason([...base, { at, action: "reoffered", actor: "x", agentId: "a" }, { at, action: "escalated", actor: "x" }])).toEqual({ reason: "reoffered", previousAgentId: "a" });
    expect(assignmentReason([...base, { at, action: "handed-over", actor: "x", agentId: "a" }])).toEqual({ reason: "handed-over", previousAgentId: "a" });
    // Entries naming the skill they went back to (`toSkill`), whatever the action.
    const toSkill = (action: string) => ({ at, action, actor: "x", agentId: "a", toSkill: "vip" });
    expect(assignmentReason([...base, toSkill("transferred")])).toEqual({ reason: "transferred", previousAgentId: "a" });
    expect(assignmentReason([...base, toSkill("reassigned")])).toEqual({ reason: "reassigned", previousAgentId: "a" });
  });
});

describe("ids and dedupe", () => {
  it("derives one event id per move from the conversation and its move count", () => {
    expect(callbackEventId("c-1", 3)).toBe("c-1:3");
  });

  it("keys by eventId per endpoint when given, else by the signed bytes (timestamp and body)", () => {
    expect(dedupeKey({ kind: "event", eventId: "e1" })).toBe("event:e1");
    expect(dedupeKey({ kind: "arrival", eventId: "e1" })).toBe("arrival:e1");
    const one = dedupeKey({ timestamp: "1", rawBody: "{}" });
    expect(one).toMatch(/^request:[0-9a-f]{64}$/);
    expect(dedupeKey({ timestamp: "1", rawBody: "{}" })).toBe(one);
    expect(dedupeKey({ timestamp: "2", rawBody: "{}" })).not.toBe(one);
    expect(dedupeKey({ timestamp: "1", rawBody: "{ }" })).not.toBe(one);
  });

  it("treats only 2xx as delivered", () => {
    expect([200, 204, 299].every(isDelivered)).toBe(true);
    expect([199, 301, 404, 500, 503].some(isDelivered)).toBe(false);
  });
});

describe("ordering by occurredAt", () => {
  it("takes occurredAt, else the signature timestamp, else the receipt", () => {
    const now = new Date(at);
    expect(occurredAtOf("2026-11-11T08:00:00+08:00", "1", now).toISOString()).toBe(at);
    expect(occurredAtOf(undefined, "1794355200", now).toISOString()).toBe(at);
    expect(occurredAtOf(undefined, "not-a-number", now)).toBe(now);
  });

  it("reopens only for a message written after the close; the signature's second counts whole", () => {
    const closedAt = "2026-11-11T00:00:00.600Z";
    expect(writtenAfterClose({ occurredAt: new Date("2026-11-11T00:00:00.500Z"), secondPrecision: false }, closedAt)).toBe(false);
    expect(writtenAfterClose({ occurredAt: new Date("2026-11-11T00:00:00.700Z"), secondPrecision: false }, closedAt)).toBe(true);
    // Signed at second 0 of the close: it may have been written after it.
    expect(writtenAfterClose({ occurredAt: new Date("2026-11-11T00:00:00.000Z"), secondPrecision: true }, closedAt)).toBe(true);
    expect(writtenAfterClose({ occurredAt: new Date("2026-11-10T23:59:59.000Z"), secondPrecision: true }, closedAt)).toBe(false);
  });

  it("refuses an event of an unknown type or without a time offset", () => {
    expect(platformEventSchema.safeParse({ eventId: "e", conversationId: "c", type: "left", occurredAt: at }).success).toBe(false);
    expect(platformEventSchema.safeParse({ eventId: "e", conversationId: "c", type: "closed", occurredAt: "2026-11-11 00:00" }).success).toBe(false);
    expect(platformEventSchema.safeParse({ eventId: "e", conversationId: "c", type: "closed", occurredAt: at }).success).toBe(true);
  });
});

describe("stored items", () => {
  it("rejects a malformed callback delivery or dedupe record with a typed error", () => {
    const good = CallbackDelivery.item({
      eventId: "c:1", conversationId: "c", sequence: 1, status: "pending", attempts: 0, createdAt: at, updatedAt: at,
      payload: { eventId: "c:1", type: "conversation.assigned", conversationId: "c", agentId: "a", previousAgentId: null, reason: "assigned", sequence: 1, occurredAt: at },
    });
    expect(CallbackDelivery.parse(good).status).toBe("pending");
    expect(() => CallbackDelivery.parse({ ...good, status: "sent" })).toThrow(MalformedItemError);
    expect(() => PlatformEvent.parse({ ...PlatformEvent.key({ dedupeKey: "event:e" }), kind: "arrival", conversationId: "c", receivedAt: at, outcome: "created" })).toThrow(/expiresAtEpoch/);
  });
});
