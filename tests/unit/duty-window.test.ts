/** Issue 13 items 3-4, the pure rules: the routing window, duty to the instant, fallback skills, the look-ahead. */
import { describe, expect, it, vi } from "vitest";

// rota/duty.ts loads the table client, which reads its environment (no network is used here).
vi.hoisted(() => {
  process.env.TABLE_NAME ??= "unit-test";
  process.env.AWS_REGION ??= "us-east-1";
});
import { canServe, isEligible, isEligibleAt, newAgent, onDutyAt, routingWindow, unavailableReason, type Agent } from "../../functions/agents/domain.js";
import { decisionClock } from "../../functions/routing/config.js";
import { orderCandidates } from "../../functions/routing/policy.js";
import { upcomingAt } from "../../functions/rota/duty.js";

const t = (iso: string) => new Date(iso);
const shift = { shiftId: "day", from: "2031-03-10T09:00:00.000Z", to: "2031-03-10T17:00:00.000Z" };
const base = (patch: Partial<Agent>): Agent => ({ ...newAgent({ agentId: "a", name: "a", skills: ["presale"], maxConcurrent: 3 }, "t", t("2031-01-01T00:00:00Z")), presence: "online", ...patch });

describe("routing window", () => {
  it("is the current shift, extended by a next one starting before it ends, or the next shift alone", () => {
    expect(routingWindow(base({ onDuty: true, shift }))).toEqual({ dutyFrom: shift.from, dutyTo: shift.to });
    const next = { shiftId: "late", from: "2031-03-10T17:00:00.000Z", to: "2031-03-10T22:00:00.000Z" };
    expect(routingWindow(base({ onDuty: true, shift, nextShift: next }))).toEqual({ dutyFrom: shift.from, dutyTo: next.to });
    const gap = { shiftId: "late", from: "2031-03-10T18:00:00.000Z", to: "2031-03-10T22:00:00.000Z" };
    expect(routingWindow(base({ onDuty: true, shift, nextShift: gap }))).toEqual({ dutyFrom: shift.from, dutyTo: shift.to });
    expect(routingWindow(base({ onDuty: false, shift: null, nextShift: gap }))).toEqual({ dutyFrom: gap.from, dutyTo: gap.to });
    expect(routingWindow(base({ onDuty: false, shift: null }))).toBeUndefined();
  });

  it("decides duty to the instant: from the first millisecond, not at the last", () => {
    const agent = base({ onDuty: true, shift });
    expect(onDutyAt(agent, t("2031-03-10T08:59:59.999Z"))).toBe(false);
    expect(onDutyAt(agent, t("2031-03-10T09:00:00.000Z"))).toBe(true);
    expect(onDutyAt(agent, t("2031-03-10T16:59:59.999Z"))).toBe(true);
    expect(onDutyAt(agent, t("2031-03-10T17:00:00.000Z"))).toBe(false);
    expect(unavailableReason(agent, t("2031-03-10T17:00:01Z"))).toBe("off duty");
    // In the pool (the window has not ended) but not eligible before it starts.
    const early = base({ onDuty: false, shift: null, nextShift: shift });
    expect(isEligible(early)).toBe(true);
    expect(isEligibleAt(early, t("2031-03-10T08:59:59Z"))).toBe(false);
    expect(isEligibleAt(early, t("2031-03-10T09:00:01Z"))).toBe(true);
  });

  it("never lets a paused, away or offline agent take new work, and names why", () => {
    for (const presence of ["paused", "away", "offline"] as const) {
      const agent = base({ onDuty: true, shift, presence });
      expect(isEligible(agent)).toBe(false);
      expect(unavailableReason(agent, t("2031-03-10T10:00:00Z"))).toBe(`presence ${presence}`);
    }
  });
});

describe("fallback skills (invariant 8)", () => {
  it("serves the skill, or a fallback skill when given, and never anyone else", () => {
    const presale = base({ skills: ["presale"] });
    expect(canServe(presale, "presale")).toBe(true);
    expect(canServe(presale, "vip")).toBe(false);
    expect(canServe(presale, "vip", ["presale"])).toBe(true);
    expect(canServe(presale, "vip", ["complaint"])).toBe(false);
    const now = t("2031-03-10T10:00:00Z");
    const agents = [base({ agentId: "p", skills: ["presale"], onDuty: true, shift }), base({ agentId: "c", skills: ["complaint"], onDuty: true, shift })];
    expect(orderCandidates(agents, "vip", undefined, now).map((a) => a.agentId)).toEqual([]);
    expect(orderCandidates(agents, "vip", undefined, now, undefined, ["presale"]).map((a) => a.agentId)).toEqual(["p"]);
  });
});

describe("duty clock look-ahead and the decision's clock", () => {
  it("finds each agent's earliest shift starting within the look-ahead", () => {
    const occurrences = [
      { agentId: "a", shiftId: "s1", duty: [{ from: "2031-03-10T09:02:00.000Z", to: "2031-03-10T10:00:00.000Z" }] },
      { agentId: "a", shiftId: "s0", duty: [{ from: "2031-03-10T09:01:00.000Z", to: "2031-03-10T09:30:00.000Z" }] },
      { agentId: "b", shiftId: "s2", duty: [{ from: "2031-03-10T09:10:00.000Z", to: "2031-03-10T10:00:00.000Z" }] },
      { agentId: "c", shiftId: "s3", duty: [{ from: "2031-03-10T08:00:00.000Z", to: "2031-03-10T10:00:00.000Z" }] },
    ];
    const found = upcomingAt(occurrences, t("2031-03-10T09:00:00Z"), 3 * 60_000);
    expect([...found.keys()]).toEqual(["a"]);
    expect(found.get("a")?.shiftId).toBe("s0");
  });

  it("decides by the later of the asked time and the process clock", () => {
    const future = t("2099-01-01T00:00:00Z");
    expect(decisionClock(future).toISOString()).toBe(future.toISOString());
    const past = t("2001-01-01T00:00:00Z");
    expect(decisionClock(past).getTime()).toBeGreaterThan(past.getTime());
    expect(decisionClock("not a date").getTime()).toBeGreaterThan(past.getTime());
  });
});
