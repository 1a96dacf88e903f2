/**
 * The window state of the table stream's aggregate consumer (functions/routing/aggregates.ts):
 * what a batch of conversation changes adds, that a record handed over again is skipped, that
 * arrivals count creations and reopens only, and that marks grow with the stream.
 */
import { describe, expect, it } from "vitest";
import { addChanges, arrivalOf, comparableSequence, decodeState, emptyWindowState, encodeState, markOf, shardMarkAttribute, type ConversationChange } from "../../functions/routing/aggregates.js";
import type { Conversation } from "../../functions/routing/conversation.js";
import { metricsDelta } from "../../functions/routing/metrics.js";

const arrivedAt = "2026-11-11T00:05:00.000Z";
const queued: Conversation = { conversationId: "c1", customerId: "u1", channel: "tmall", skill: "presale", requestedSkill: "presale", priority: "normal", status: "queued", arrivedAt, assignments: 0, history: [{ at: arrivedAt, action: "received", actor: "system:chat-platform" }] };
const assigned: Conversation = { ...queued, status: "assigned", agentId: "li.na", assignedAt: "2026-11-11T00:05:20.000Z", assignments: 1, history: [...queued.history, { at: "2026-11-11T00:05:20.000Z", action: "assigned", actor: "system:router", agentId: "li.na" }] };
const closed: Conversation = { ...assigned, status: "closed", closedAt: "2026-11-11T00:20:00.000Z", history: [...assigned.history, { at: "2026-11-11T00:20:00.000Z", action: "closed", actor: "li.na", agentId: "li.na" }] };

const change = (sequence: string, before: Conversation | undefined, after: Conversation | undefined): ConversationChange => ({ sequence, before, after });

describe("aggregates of a tumbling window", () => {
  it("sums a window's changes into one set of counters per item, equal to the conversation's stored counters", () => {
    const state = addChanges(emptyWindowState(), [change("11", undefined, queued), change("12", queued, assigned), change("13", assigned, closed)]);
    const routing = state.items.filter((i) => i.target.entity === "RoutingHour");
    const expected = metricsDelta(undefined, closed);
    expect(routing.map((i) => i.target)).toEqual(expected.map(({ hour, owner }) => ({ entity: "RoutingHour", hour, owner })));
    for (const { owner, counters } of expected) expect(routing.find((i) => i.target.entity === "RoutingHour" && i.target.owner === owner)?.counters).toEqual(counters);
    expect(state.items.filter((i) => i.target.entity === "ArrivalCount")).toEqual([{ target: { entity: "ArrivalCount", day: "2026-11-11", slot: "2026-11-11T00:00:00.000Z", skill: "presale" }, counters: { arrivals: 1 } }]);
    expect(state.lastSequence).toBe(comparableSequence("13"));
  });

  it("skips a record handed over again and drops items whose changes cancel out", () => {
    const once = addChanges(emptyWindowState(), [change("11", undefined, queued), change("12", queued, assigned)]);
    const again = addChanges(once, [change("12", queued, assigned), change("9", undefined, queued)]);
    expect(again).toEqual(once);
    // Assigned, then moved back to a line: the hour's counters return to none (a waiting conversation is live, never stored).
    const waiting: Conversation = { ...assigned, status: "waiting" };
    const back = addChanges(emptyWindowState(), [change("20", queued, assigned), change("21", assigned, waiting)]);
    expect(back.items).toEqual([]);
    expect(back.lastSequence).toBe(comparableSequence("21"));
  });

  it("counts an arrival for a creation and a reopen, never for a write that keeps the arrival", () => {
    expect(arrivalOf({ before: undefined, after: queued })?.counters).toEqual({ arrivals: 1 });
    expect(arrivalOf({ before: assigned, after: closed })).toBeUndefined();
    const reopened: Conversation = { ...queued, arrivedAt: "2026-11-11T03:00:00.000Z" };
    expect(arrivalOf({ before: closed, after: reopened })).toEqual({ target: { entity: "ArrivalCount", day: "2026-11-11", slot: "2026-11-11T03:00:00.000Z", skill: "presale" }, counters: { arrivals: 1, reopened: 1 } });
    expect(arrivalOf({ before: closed, after: undefined })).toBeUndefined();
  });

  it("orders marks as the stream does, whatever the sequence numbers' lengths, and survives the trip through Lambda's state", () => {
    expect(comparableSequence("999") < comparableSequence("1000")).toBe(true);
    expect(comparableSequence("4421584500000000017450439091")).toHaveLength(40);
    const state = addChanges(emptyWindowState(), [change("100", undefined, queued)]);
    expect(markOf(state)).toBe(comparableSequence("100"));
    expect(markOf(emptyWindowState())).toBeUndefined();
    expect(decodeState(encodeState(state))).toEqual(state);
    expect(decodeState({})).toEqual(emptyWindowState());
    expect(decodeState(undefined)).toEqual(emptyWindowState());
    expect(shardMarkAttribute("shardId-00000001796297537704-60aee273")).toMatch(/^w\.[0-9a-z]+$/);
    expect(shardMarkAttribute("shardId-a")).not.toBe(shardMarkAttribute("shardId-b"));
  });
});
