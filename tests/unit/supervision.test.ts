import { describe, expect, it } from "vitest";
import { newAgent, type Agent } from "../../functions/agents/domain.js";
import type { Conversation } from "../../functions/routing/conversation.js";
import { handoverReason, percentile, routingMetrics } from "../../functions/supervision/domain.js";

describe("percentile (nearest rank)", () => {
  it("matches hand-computed ranks", () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile(xs, 100)).toBe(10);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });
});

function conv(id: string, patch: Partial<Conversation>): Conversation {
  return { conversationId: id, customerId: "c", channel: "tmall", skill: "presale", requestedSkill: "presale", priority: "normal", status: "queued", arrivedAt: "2026-11-11T00:00:00.000Z", assignments: 0, history: [], ...patch };
}

describe("routing metrics", () => {
  it("counts outcomes, waits and the 3-minute first-response share", () => {
    const now = new Date("2026-11-11T01:00:00.000Z");
    const list = [
      conv("a", { status: "closed", agentId: "x", firstResponseAt: "2026-11-11T00:02:00.000Z", history: [{ at: "2026-11-11T00:00:10.000Z", action: "assigned", actor: "r", agentId: "x" }, { at: "2026-11-11T00:10:00.000Z", action: "closed", actor: "x", agentId: "x" }] }),
      conv("b", { status: "assigned", agentId: "y", firstResponseAt: "2026-11-11T00:05:00.000Z", history: [{ at: "2026-11-11T00:00:30.000Z", action: "assigned", actor: "r", agentId: "y" }] }),
      conv("c", { status: "closed", abandoned: true, closedAt: "2026-11-11T00:01:00.000Z" }),
      conv("d", { status: "waiting", arrivedAt: "2026-11-11T00:59:00.000Z" }),
    ];
    const m = routingMetrics(list, now);
    expect(m).toMatchObject({ received: 4, assigned: 2, waiting: 1, abandoned: 1, closed: 2, firstResponseWithin3MinRate: 0.25 });
    // waits: 10 s, 30 s, 60 s (still waiting) -> median 30, p90 60
    expect(m.waitSeconds).toEqual({ median: 30, p90: 60, max: 60 });
    // x answered at 2 min (within 3), y at 5 min (not): each was given one unanswered conversation.
    expect(m.perAgent).toEqual([
      { agentId: "x", assigned: 1, closed: 1, firstResponses: 1, firstResponseWithin3MinRate: 1 },
      { agentId: "y", assigned: 1, closed: 0, firstResponses: 1, firstResponseWithin3MinRate: 0 },
    ]);
    expect(m.perSkill).toEqual([{ skill: "presale", received: 4, answered: 2, firstResponseSeconds: { median: 120, p90: 300 }, firstResponseWithin3MinRate: 0.25 }]);
  });

  it("keeps the first response with the episode and credits only the agents a move gave it to", () => {
    const now = new Date("2026-11-11T01:00:00.000Z");
    const t = (s: number) => new Date(Date.parse("2026-11-11T00:00:00.000Z") + s * 1000).toISOString();
    const list = [
      // Answered by x after 3 s, then transferred to the vip line (naming x, the agent it left) and taken by v.
      conv("t", {
        status: "assigned",
        agentId: "v",
        skill: "vip",
        firstResponseAt: t(3),
        history: [
          { at: t(1), action: "assigned", actor: "r", agentId: "x" },
          { at: t(3), action: "first-response", actor: "agent:x", agentId: "x" },
          { at: t(20), action: "transferred", actor: "agent:x", agentId: "x", toSkill: "vip", detail: "to skill vip" },
          { at: t(21), action: "assigned", actor: "r", agentId: "v" },
        ],
      }),
      // A legacy transfer-to-skill entry (no toSkill) credits nobody either; then reassigned to z, who answers at 200 s.
      conv("u", {
        status: "assigned",
        agentId: "z",
        requestedSkill: "aftersale",
        skill: "aftersale",
        firstResponseAt: t(200),
        history: [
          { at: t(5), action: "assigned", actor: "r", agentId: "x" },
          { at: t(50), action: "transferred", actor: "agent:x", agentId: "x", detail: "to skill aftersale" },
          { at: t(60), action: "assigned", actor: "r", agentId: "y" },
          { at: t(100), action: "reassigned", actor: "supervisor:s", agentId: "z", detail: "from y" },
        ],
      }),
      conv("v", { status: "abandoned", closedAt: t(30), closeReason: "customer-left" } as Partial<Conversation>),
      conv("w", { status: "closed", agentId: "y", closedAt: t(400), closeReason: "customer-left", history: [{ at: t(2), action: "assigned", actor: "r", agentId: "y" }] } as Partial<Conversation>),
    ];
    const m = routingMetrics(list, now);
    expect(m).toMatchObject({ received: 4, assigned: 3, abandoned: 1, abandonedByCustomer: 1, closedWhileWaiting: 0, closed: 1, closedByCustomerLeaving: 1, firstResponseWithin3MinRate: 0.25 });
    expect(m.perAgent).toEqual([
      { agentId: "v", assigned: 1, closed: 0, firstResponses: 0, firstResponseWithin3MinRate: null },
      { agentId: "x", assigned: 2, closed: 0, firstResponses: 1, firstResponseWithin3MinRate: 0.5 },
      { agentId: "y", assigned: 2, closed: 0, firstResponses: 0, firstResponseWithin3MinRate: 0 },
      { agentId: "z", assigned: 1, closed: 0, firstResponses: 1, firstResponseWithin3MinRate: 0 },
    ]);
    expect(m.perSkill.map((p) => [p.skill, p.answered, p.firstResponseSeconds.median])).toEqual([["aftersale", 1, 200], ["presale", 1, 3]]);
  });
});

describe("handover rule", () => {
  const config = { handoverGraceMs: 5 * 60_000, shiftEndPolicy: "handover" as const, awayTimeoutMs: 10 * 60_000, awayPolicy: "handover" as const };
  const base = (patch: Partial<Agent>): Agent => ({ ...newAgent({ agentId: "a", name: "a", skills: ["presale"], maxConcurrent: 3 }, "t", new Date("2026-11-11T00:00:00Z")), presence: "online", onDuty: true, load: 2, ...patch });
  const at = (min: number) => new Date(Date.parse("2026-11-11T00:00:00Z") + min * 60_000);

  it("hands over after the grace period that follows shift end, not before", () => {
    const agent = base({ onDuty: false, dutyChangedAt: at(0).toISOString() });
    expect(handoverReason(agent, at(4), config)).toBeUndefined();
    expect(handoverReason(agent, at(5), config)).toBe("shift ended");
    expect(handoverReason(agent, at(60), { ...config, shiftEndPolicy: "keep" })).toBeUndefined();
  });

  it("hands over an away agent's work after the away timeout, per policy", () => {
    const agent = base({ presence: "away", presenceChangedAt: at(0).toISOString() });
    expect(handoverReason(agent, at(9), config)).toBeUndefined();
    expect(handoverReason(agent, at(10), config)).toBe("agent away");
    expect(handoverReason(agent, at(60), { ...config, awayPolicy: "keep" })).toBeUndefined();
  });

  it("leaves a paused agent's work with it, past its shift's end too; away or offline later hands it over", () => {
    const paused = base({ presence: "paused", presenceChangedAt: at(0).toISOString(), onDuty: false, dutyChangedAt: at(0).toISOString() });
    expect(handoverReason(paused, at(600), config)).toBeUndefined();
    // The same agent online again after its shift: the shift-end rule applies.
    expect(handoverReason({ ...paused, presence: "online" }, at(600), config)).toBe("shift ended");
    // Paused, then offline after its shift: the shift-end rule, at once (the grace is long over).
    const offline = { ...paused, presence: "offline" as const, presenceChangedAt: at(30).toISOString() };
    expect(handoverReason(offline, at(31), config)).toBe("shift ended");
    // Paused on duty, then offline: the away timeout runs from going offline.
    const onDuty = { ...offline, onDuty: true };
    expect(handoverReason({ ...onDuty, presence: "paused" }, at(600), config)).toBeUndefined();
    expect(handoverReason(onDuty, at(35), config)).toBeUndefined();
    expect(handoverReason(onDuty, at(40), config)).toBe("agent offline");
  });

  it("has nothing to hand over when the agent holds nothing", () => {
    expect(handoverReason(base({ onDuty: false, load: 0, dutyChangedAt: at(0).toISOString() }), at(60), config)).toBeUndefined();
  });
});
