import { describe, expect, it } from "vitest";
import type { Conversation, HistoryEntry } from "../../functions/routing/conversation.js";
import { bucketOf, contributions, mergeCounters, metricsDelta, stored, type Counters } from "../../functions/routing/metrics.js";
import { metricsFromCounters, routingMetrics } from "../../functions/supervision/domain.js";

const base = Date.parse("2031-11-11T01:00:00.000Z");
const at = (s: number) => new Date(base + s * 1000).toISOString();

function arrived(id: string, s: number, skill = "presale"): Conversation {
  return { conversationId: id, customerId: "c", channel: "tmall", skill, requestedSkill: skill, priority: "normal", status: "queued", arrivedAt: at(s), assignments: 0, history: [{ at: at(s), action: "received", actor: "test" }] };
}
const step = (c: Conversation, patch: Partial<Conversation>, entry: HistoryEntry): Conversation => ({ ...c, ...patch, history: [...c.history, entry] });

/** Applies each write's delta to a table of aggregates, as the transactions do. */
function replay(states: Conversation[], table: Map<string, Counters>): void {
  for (let i = 1; i < states.length; i++) {
    for (const { hour, owner, counters } of metricsDelta(states[i - 1], states[i])) {
      const key = `${hour}|${owner}`;
      mergeCounters(table, [[key, counters]]);
    }
  }
}

describe("routing metrics counters", () => {
  it("keeps durations exact below 10 s and to two significant digits above", () => {
    expect([0, 5, 99, 100, 190, 1234, 1900, 35_999].map(bucketOf)).toEqual([0, 5, 99, 100, 190, 1200, 1900, 35_000]);
  });

  it("adds up, write by write, to what the conversations themselves give (whole seconds)", () => {
    // one: assigned to a at 5 s, answered at 60 s, transferred to b, closed by b.
    const one0 = arrived("one", 0);
    const one1 = step(one0, { status: "assigned", agentId: "a", assignedAt: at(5), assignments: 1 }, { at: at(5), action: "assigned", actor: "r", agentId: "a" });
    const one2 = step(one1, { firstResponseAt: at(60) }, { at: at(60), action: "first-response", actor: "a", agentId: "a" });
    const one3 = step(one2, { agentId: "b", assignedAt: at(70), assignments: 2 }, { at: at(70), action: "transferred", actor: "a", agentId: "b" });
    const one4 = step(one3, { status: "closed", closedAt: at(100), abandoned: false }, { at: at(100), action: "closed", actor: "b", agentId: "b" });
    // two: assigned to a, re-offered (back to a line: leaves the aggregates), assigned to b, answered at 190 s.
    const two0 = arrived("two", 10);
    const two1 = step(two0, { status: "assigned", agentId: "a", assignedAt: at(12), assignments: 1 }, { at: at(12), action: "assigned", actor: "r", agentId: "a" });
    const two2 = step({ ...two1, agentId: undefined, assignedAt: undefined }, { status: "waiting", excludeAgentIds: ["a"] }, { at: at(190), action: "reoffered", actor: "s", agentId: "a", toSkill: "presale" });
    const two3 = step(two2, { status: "assigned", agentId: "b", assignedAt: at(195), assignments: 2 }, { at: at(195), action: "assigned", actor: "r", agentId: "b" });
    const two4 = step(two3, { firstResponseAt: at(200) }, { at: at(200), action: "first-response", actor: "b", agentId: "b" });
    // three: abandoned while waiting; four: closed, then reopened (its first episode leaves this hour's figures), still queued.
    const three0 = arrived("three", 20, "aftersale");
    const three1 = step(three0, { status: "waiting" }, { at: at(21), action: "waiting", actor: "r" });
    const three2 = step(three1, { status: "abandoned", closedAt: at(300), abandoned: true, closeReason: "customer-left" }, { at: at(300), action: "abandoned", actor: "p" });
    const four0 = arrived("four", 30);
    const four1 = step(four0, { status: "closed", closedAt: at(40), abandoned: true }, { at: at(40), action: "abandoned", actor: "s" });
    const four2 = step(four1, { status: "queued", arrivedAt: at(4000), closedAt: undefined, abandoned: undefined }, { at: at(4000), action: "reopened", actor: "p" });

    const table = new Map<string, Counters>();
    for (const states of [[one0, one1, one2, one3, one4], [two0, two1, two2, two3, two4], [three0, three1, three2], [four0, four1, four2]]) replay(states, table);
    // Every stored figure is what the final states hold; the reopened one is live, in another hour.
    const expected = new Map<string, Counters>();
    for (const c of [one4, two4, three2]) for (const [owner, counters] of stored(c)) mergeCounters(expected, [[`${c.arrivedAt.slice(0, 13)}|${owner}`, counters]]);
    const nonZero = (m: Map<string, Counters>) => new Map([...m].map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([, n]) => n !== 0))] as const).filter(([, v]) => Object.keys(v).length > 0));
    expect(nonZero(table)).toEqual(nonZero(expected));

    // Read as the endpoint reads an hour: aggregates per owner + the live ones' own counters.
    const now = new Date(base + 5000 * 1000);
    const owners = new Map<string, Counters>();
    for (const [key, counters] of table) if (key.startsWith(at(0).slice(0, 13))) mergeCounters(owners, [[key.split("|")[1] ?? "", counters]]);
    for (const live of [four2]) if (live.arrivedAt.startsWith(at(0).slice(0, 13))) mergeCounters(owners, contributions(live, now, true));
    expect(metricsFromCounters(owners)).toEqual(routingMetrics([one4, two4, three2], now));
    expect(metricsFromCounters(owners)).toMatchObject({ received: 3, assigned: 2, abandoned: 1, abandonedByCustomer: 1, closed: 1, reoffered: 1 });
  });
});
