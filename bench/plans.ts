/**
 * Rota plans (issue 17 item 4): solve time of the planner's MIP with HiGHS (wasm) for a
 * 100-agent week against a two-wave rush (20:00 and 00:00 peaks), beside the LP relaxation's
 * bound (the gap says how close to optimal the plan is). Pure CPU: no stack needed.
 *
 * @example
 * const figures = await benchPlans({ agents: 100, days: 7 });
 */
import { dayIntervals } from "../functions/rota/coverage.js";
import type { PlanProblem, PlanShift } from "../functions/rota/plan-model.js";
import { checkPlan } from "../functions/rota/plan-model.js";
import { solvePlan } from "../functions/rota/plan-solver.js";
import { formatDate, parseDate } from "../functions/rota/time.js";

export const twoWaveZone = "Asia/Shanghai";

/** Shift templates of the two-wave plan: four 8-hour shifts and a 5-hour evening peak shift. */
export const twoWaveShifts = (zone = twoWaveZone): PlanShift[] => [
  { shiftId: "early", start: "06:00", end: "14:00", timeZone: zone },
  { shiftId: "day", start: "10:00", end: "18:00", timeZone: zone },
  { shiftId: "late", start: "16:00", end: "00:00", timeZone: zone },
  { shiftId: "peak", start: "19:00", end: "00:00", timeZone: zone },
  { shiftId: "night", start: "22:00", end: "06:00", timeZone: zone },
];

/**
 * Agents required per 30-minute interval: a day base, a quiet night, and two waves, at 20:00 and
 * at 00:00 (the presale peaks), scaled to a team of `agents`.
 */
export function twoWaveRequired(hourOfDay: number, agents: number): number {
  const base = hourOfDay >= 2 && hourOfDay < 8 ? 0.03 : 0.08;
  const wave = (centre: number, width: number) => {
    const d = Math.min(Math.abs(hourOfDay - centre), 24 - Math.abs(hourOfDay - centre));
    return Math.exp(-((d / width) ** 2));
  };
  return Math.round(agents * (base + 0.14 * wave(20, 1.2) + 0.1 * wave(0, 1)));
}

export function twoWaveProblem(options: { agents: number; days: number; from?: string; agentIds?: string[]; shifts?: PlanShift[] }): PlanProblem {
  const first = parseDate(options.from ?? "2030-11-04") ?? 0;
  const days = Array.from({ length: options.days }, (_, i) => first + i);
  const intervals = days.flatMap((d) => dayIntervals(formatDate(d), twoWaveZone, 30));
  const start = intervals[0]?.from ?? 0;
  const required = intervals.map((iv) => {
    const hours = (iv.from - start) / 3_600_000;
    // Before 06:00 on the first day only a night shift begun the day before could serve: left to the rota before the range.
    if (hours < 6) return 0;
    return twoWaveRequired(hours % 24, options.agents);
  });
  return {
    days,
    intervals,
    required,
    shifts: options.shifts ?? twoWaveShifts(),
    agents: (options.agentIds ?? Array.from({ length: options.agents }, (_, i) => `agent-${String(i).padStart(3, "0")}`)).map((agentId) => ({ agentId, leave: [] })),
    rules: { maxHoursPerWeek: 40, minRestHours: 11, maxConsecutiveDays: 5, daysOffPerWeek: 2 },
  };
}

export interface PlansBench {
  agents: number;
  days: number;
  candidates: number;
  status: string;
  solveSeconds: number;
  paidHours: number;
  lpBoundHours: number;
  gapToBound: number;
  shortIntervals: number;
  ruleViolations: number;
}

export async function benchPlans(options: { agents: number; days: number }): Promise<PlansBench> {
  const problem = twoWaveProblem(options);
  const solution = await solvePlan(problem, { timeLimitSeconds: 60 });
  return {
    agents: options.agents,
    days: options.days,
    candidates: solution.candidates,
    status: solution.status,
    solveSeconds: Math.round(solution.solveSeconds * 1000) / 1000,
    paidHours: solution.paidHours,
    lpBoundHours: Math.round(solution.lowerBound * 100) / 100,
    gapToBound: solution.gap === null ? Number.NaN : Math.round(solution.gap * 10_000) / 10_000,
    shortIntervals: solution.shortfall.length,
    ruleViolations: checkPlan(problem, solution.assignments).length,
  };
}

if (process.argv[1]?.endsWith("plans.ts")) {
  const agents = Number(process.argv[2] ?? 100);
  console.log(JSON.stringify(await benchPlans({ agents, days: 7 }), null, 2));
}
