import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isEligible, newAgent, poolRank, type Agent } from "../../functions/agents/domain.js";
import { effectivePriority, orderCandidates, spreadWindow, waitingKey } from "../../functions/routing/policy.js";

const now = new Date("2026-11-11T00:05:00Z");

function agent(id: string, patch: Partial<Agent> = {}): Agent {
  return { ...newAgent({ agentId: id, name: id, skills: ["presale"], maxConcurrent: 5 }, "test", now), presence: "online", onDuty: true, ...patch };
}

describe("eligibility", () => {
  it("requires on duty, online and a free slot", () => {
    expect(isEligible(agent("a"))).toBe(true);
    expect(isEligible(agent("a", { onDuty: false }))).toBe(false);
    expect(isEligible(agent("a", { presence: "away" }))).toBe(false);
    expect(isEligible(agent("a", { presence: "offline" }))).toBe(false);
    expect(isEligible(agent("a", { load: 5 }))).toBe(false);
    expect(isEligible(agent("a", { load: 4 }))).toBe(true);
  });
});

describe("priority", () => {
  it("raises VIPs and large orders to high and keeps urgent urgent", () => {
    expect(effectivePriority({})).toBe("normal");
    expect(effectivePriority({ customerTier: "vip" })).toBe("high");
    expect(effectivePriority({ orderAmount: 5000 })).toBe("high");
    expect(effectivePriority({ orderAmount: 4999.99 })).toBe("normal");
    expect(effectivePriority({ priority: "urgent", customerTier: "vip" })).toBe("urgent");
    expect(effectivePriority({ orderAmount: 100 }, { largeOrderAmount: 50, knownAgentWindowMs: 0 })).toBe("high");
  });

  it("orders the waiting line by priority, then arrival (property)", () => {
    const priority = fc.constantFrom("normal" as const, "high" as const, "urgent" as const);
    const arrival = fc.date({ min: new Date("2026-01-01"), max: new Date("2027-01-01"), noInvalidDate: true }).map((d) => d.toISOString());
    fc.assert(
      fc.property(priority, arrival, priority, arrival, (p1, t1, p2, t2) => {
        const rank = { urgent: 0, high: 1, normal: 2 };
        const k1 = waitingKey(p1, t1, "a");
        const k2 = waitingKey(p2, t2, "b");
        const expected = rank[p1] !== rank[p2] ? rank[p1] < rank[p2] : t1 !== t2 ? t1 < t2 : true;
        expect(k1 < k2).toBe(expected);
      }),
    );
  });
});

describe("candidate order", () => {
  it("prefers the lowest load ratio, then the longest idle", () => {
    const busy = agent("busy", { load: 3, maxConcurrent: 5 });
    const idleLong = agent("idle-long", { load: 1, maxConcurrent: 5, lastAssignedAt: "2026-11-10T20:00:00.000Z" });
    const idleShort = agent("idle-short", { load: 1, maxConcurrent: 5, lastAssignedAt: "2026-11-11T00:00:00.000Z" });
    const small = agent("small", { load: 1, maxConcurrent: 2 });
    expect(orderCandidates([busy, small, idleShort, idleLong], "presale", undefined, now).map((a) => a.agentId)).toEqual(["idle-long", "idle-short", "small", "busy"]);
  });

  it("puts the known agent first only within the window and only when eligible", () => {
    const known = agent("known", { load: 4 });
    const free = agent("free", { load: 0 });
    const recent = { agentId: "known", servedAt: "2026-11-10T12:00:00.000Z" };
    expect(orderCandidates([free, known], "presale", recent, now)[0]?.agentId).toBe("known");
    const old = { agentId: "known", servedAt: "2026-11-01T00:00:00.000Z" };
    expect(orderCandidates([free, known], "presale", old, now)[0]?.agentId).toBe("free");
    const full = agent("known", { load: 5 });
    expect(orderCandidates([free, full], "presale", recent, now).map((a) => a.agentId)).toEqual(["free"]);
  });

  it("never offers an ineligible agent or one without the skill (property)", () => {
    const arbAgent = fc.record({
      id: fc.string({ minLength: 1, maxLength: 5 }),
      load: fc.integer({ min: 0, max: 10 }),
      max: fc.integer({ min: 1, max: 10 }),
      onDuty: fc.boolean(),
      presence: fc.constantFrom("online" as const, "away" as const, "offline" as const),
      skill: fc.constantFrom("presale" as const, "aftersale" as const),
    });
    fc.assert(
      fc.property(fc.array(arbAgent, { maxLength: 12 }), (specs) => {
        const agents = specs.map((s, i) => agent(`${s.id}-${i}`, { load: s.load, maxConcurrent: s.max, onDuty: s.onDuty, presence: s.presence, skills: [s.skill] }));
        const ordered = orderCandidates(agents, "presale", undefined, now);
        for (const a of ordered) {
          expect(a.load).toBeLessThan(a.maxConcurrent);
          expect(a.onDuty && a.presence === "online" && a.skills.includes("presale")).toBe(true);
        }
        expect(ordered.length).toBe(agents.filter((a) => isEligible(a) && a.skills.includes("presale")).length);
        for (let i = 1; i < ordered.length; i++) expect(poolRank(ordered[i - 1] as Agent) <= poolRank(ordered[i] as Agent)).toBe(true);
      }),
    );
  });
});

describe("spreading concurrent decisions over tied agents", () => {
  const entries = [
    { agentId: "a", rank: "00000#2026-01-01#a" },
    { agentId: "b", rank: "00000#2026-01-02#b" },
    { agentId: "c", rank: "00000#2026-01-03#c" },
    { agentId: "d", rank: "02000#2026-01-01#d" },
  ];
  const ids = entries.map((e) => e.agentId);

  it("rotates only the agents tied with the best ratio, keeping the rest behind them", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const out = spreadWindow(ids, entries, `conv-${i}`);
      expect(out).toHaveLength(4);
      expect(out[3]).toBe("d");
      expect(new Set(out.slice(0, 3))).toEqual(new Set(["a", "b", "c"]));
      seen.add(out[0] as string);
    }
    expect(seen).toEqual(new Set(["a", "b", "c"]));
  });

  it("is deterministic per conversation and leaves a single best agent first", () => {
    expect(spreadWindow(ids, entries, "x")).toEqual(spreadWindow(ids, entries, "x"));
    const single = [{ agentId: "a", rank: "00000#t#a" }, { agentId: "b", rank: "00500#t#b" }];
    expect(spreadWindow(["a", "b"], single, "anything")).toEqual(["a", "b"]);
  });
});
