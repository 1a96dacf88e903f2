/**
 * The planner's MIP (functions/rota/plan-model.ts) solved by HiGHS over a whole week (every rule
 * binds: 5 days of 8 h in 40 h, 2 days off, at most 5 in a row, 11 h rest), against a two-wave
 * demand (20:00 and 00:00 peaks): the plan keeps every rule (checked by checkPlan, which is
 * independent of the LP rows), meets every interval, and is within 2 % of the LP relaxation
 * solved here. Plus the rule checker's own cases and a demand no plan can meet.
 */
import loadHighs from "highs";
import { describe, expect, it } from "vitest";
import { twoWaveProblem } from "../../bench/plans.js";
import { candidates, checkPlan, planCoverage, planLp, type PlanProblem } from "../../functions/rota/plan-model.js";
import { gapOf, solvePlan } from "../../functions/rota/plan-solver.js";

describe("the rota planner", () => {
  it("plans a 30-agent week against two waves: every rule kept, every interval met, within 2 % of the LP bound", async () => {
    const problem = twoWaveProblem({ agents: 30, days: 7 });
    const solution = await solvePlan(problem, { timeLimitSeconds: 120 });
    expect(solution.status).toBe("Optimal");
    expect(checkPlan(problem, solution.assignments)).toEqual([]);
    expect(solution.shortfall).toEqual([]);
    const { planned, paidHours } = planCoverage(problem, solution.assignments);
    problem.required.forEach((r, t) => expect(planned[t], `interval ${t}`).toBeGreaterThanOrEqual(r));
    const highs = await loadHighs();
    const relaxed = highs.solve(planLp(problem, candidates(problem), { relax: true }), { output_flag: false });
    expect(relaxed.Status).toBe("Optimal");
    console.log(`30 agents × 7 days: ${solution.assignments.length} shifts, ${paidHours} paid hours, LP bound ${relaxed.ObjectiveValue.toFixed(2)}, ${solution.candidates} candidates`);
    expect(paidHours).toBeGreaterThanOrEqual(relaxed.ObjectiveValue - 1e-6);
    // The solution carries that same bound and its gap to it (what the plan API returns).
    expect(solution.lowerBound).toBeCloseTo(relaxed.ObjectiveValue, 6);
    expect(solution.gap).toBeCloseTo((solution.objective - relaxed.ObjectiveValue) / relaxed.ObjectiveValue, 9);
    expect(solution.gap).toBeGreaterThanOrEqual(0);
    expect((paidHours - relaxed.ObjectiveValue) / relaxed.ObjectiveValue).toBeLessThanOrEqual(0.02);
    // Nobody works more than 5 days in a row, 5 days, 40 h.
    for (const agent of problem.agents) {
      const mine = solution.assignments.filter((a) => a.agentId === agent.agentId);
      expect(mine.length).toBeLessThanOrEqual(5);
    }
  }, 240_000);

  it("names the intervals no plan can meet and by how much, instead of failing", async () => {
    const problem: PlanProblem = { ...twoWaveProblem({ agents: 4, days: 1 }), required: twoWaveProblem({ agents: 4, days: 1 }).required.map((r, t) => (t === 40 ? 9 : r)) };
    const solution = await solvePlan(problem);
    expect(solution.shortfall.find((s) => s.interval === 40)).toMatchObject({ required: 9 });
    const short = solution.shortfall.find((s) => s.interval === 40);
    expect((short?.planned ?? 0) + (short?.short ?? 0)).toBe(9);
    expect(short?.planned).toBeLessThanOrEqual(4);
    expect(checkPlan(problem, solution.assignments)).toEqual([]);
  }, 120_000);

  it("states the gap to the bound as a share of it: 0 at the bound, none when only the bound is 0", () => {
    expect(gapOf(102, 100)).toBeCloseTo(0.02, 12);
    expect(gapOf(100, 100)).toBe(0);
    // A plan scored a hair under its bound by floating point is at the bound, not below it.
    expect(gapOf(99.9999999, 100)).toBe(0);
    expect(gapOf(0, 0)).toBe(0);
    expect(gapOf(5, 0)).toBeNull();
  });

  it("checks every rule of a hand-made plan", () => {
    const problem: PlanProblem = {
      ...twoWaveProblem({ agents: 2, days: 7 }),
      agents: [
        { agentId: "a", leave: [{ from: Date.parse("2030-11-06T00:00:00+08:00"), to: Date.parse("2030-11-07T00:00:00+08:00") }] },
        { agentId: "b", leave: [] },
      ],
    };
    const week = ["2030-11-04", "2030-11-05", "2030-11-06", "2030-11-07", "2030-11-08", "2030-11-09", "2030-11-10"];
    const rules = checkPlan(problem, [
      ...week.map((date) => ({ agentId: "a", date, shiftId: "day" })),
      { agentId: "b", date: "2030-11-04", shiftId: "night" },
      { agentId: "b", date: "2030-11-05", shiftId: "early" },
      { agentId: "b", date: "2030-11-05", shiftId: "day" },
      { agentId: "c", date: "2030-11-12", shiftId: "lunch" },
    ]).map((v) => `${v.agentId}:${v.rule}`);
    expect(rules.sort()).toEqual(["a:days-off", "a:leave", "a:max-consecutive-days", "a:max-hours", "b:min-rest", "b:min-rest", "b:one-shift-a-day", "c:unknown", "c:unknown", "c:unknown"].sort());
  });
});
