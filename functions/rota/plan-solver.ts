/**
 * Solves the planner's MIP (./plan-model.ts) with HiGHS compiled to WebAssembly (the `highs`
 * package). The module (144 KB of glue, 3.5 MB of wasm) is loaded lazily, once per process, and
 * only by the function that plans (RotaPlansApi): it is not bundled at all — the function list
 * copies `highs.mjs` and `highs.wasm` beside that function's bundle, which imports them at the
 * first solve; from source (local stack, tests) the package is imported from node_modules.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Highs } from "highs";
import { assignmentsOf, candidates, planCoverage, planLp, pickedFrom, type PlanAssignment, type PlanProblem } from "./plan-model.js";

let highs: Promise<Highs> | undefined;

/** HiGHS, loaded on first use (the bundle ships highs.wasm next to its entry). */
export function loadSolver(): Promise<Highs> {
  highs ??= importHighs().then((m) => m.default()).catch((error: unknown) => {
    highs = undefined;
    throw error;
  });
  return highs;
}

async function importHighs(): Promise<{ default: () => Promise<Highs> }> {
  const beside = new URL("./highs.mjs", import.meta.url);
  // A specifier esbuild cannot resolve at build time, so the glue stays out of the bundle.
  const specifier = existsSync(fileURLToPath(beside)) ? beside.href : (process.env.HIGHS_MODULE ?? "highs");
  // eslint-disable-next-line no-restricted-syntax -- a runtime path outside the bundle (the HiGHS glue and wasm copied beside it), not a module esbuild wraps
  return (await import(specifier)) as { default: () => Promise<Highs> };
}

export interface SolveOptions {
  /** Relative MIP gap at which HiGHS may stop (default 0.5 %). */
  mipGap?: number;
  /** Wall-clock limit in seconds (default 20). */
  timeLimitSeconds?: number;
}

export interface PlanSolution {
  /** HiGHS's model status ("Optimal", "Time limit reached", …). */
  status: string;
  assignments: PlanAssignment[];
  paidHours: number;
  planned: number[];
  /** Interval index → agents short (only intervals no staffing within the rules can meet). */
  shortfall: { interval: number; required: number; planned: number; short: number }[];
  /** Objective incl. shortfall penalty. */
  objective: number;
  /**
   * The LP relaxation's optimum: no plan of this problem has a lower objective, so it says how
   * far from the best possible the plan can be (`gap`), whatever HiGHS's own stopping gap was.
   */
  lowerBound: number;
  /** (objective − lowerBound) ÷ lowerBound: 0 = provably the best plan; 0.02 = at most 2 % above it; null when the bound is 0 and the plan is not. */
  gap: number | null;
  candidates: number;
  solveSeconds: number;
}

export class SolverError extends Error {}

export async function solvePlan(problem: PlanProblem, options: SolveOptions = {}): Promise<PlanSolution> {
  const solver = await loadSolver();
  const cands = candidates(problem);
  const lp = planLp(problem, cands);
  const started = performance.now();
  const result = solver.solve(lp, { output_flag: false, mip_rel_gap: options.mipGap ?? 0.005, time_limit: options.timeLimitSeconds ?? 20 });
  const solveSeconds = (performance.now() - started) / 1000;
  if (result.Status !== "Optimal" && !(result.Status === "Time limit reached" && Object.keys(result.Columns).length > 0)) {
    throw new SolverError(`the solver ended with status ${result.Status}`);
  }
  const picked = pickedFrom(cands, result.Columns as Record<string, { Primal: number }>);
  const assignments = assignmentsOf(problem, picked);
  const { planned, paidHours } = planCoverage(problem, assignments);
  const shortfall = problem.required.flatMap((required, interval) => {
    const have = planned[interval] ?? 0;
    return have < required ? [{ interval, required, planned: have, short: required - have }] : [];
  });
  // The relaxation is an LP over the same candidates: a fraction of the MIP's time.
  const lowerBound = relaxed(solver, problem, cands);
  const objective = result.ObjectiveValue;
  return { status: result.Status, assignments, paidHours, planned, shortfall, objective, lowerBound, gap: gapOf(objective, lowerBound), candidates: cands.length, solveSeconds };
}

/** The plan's objective over the bound, less one; 0 when both are 0 (nothing to staff), null when only the bound is (no ratio). */
export function gapOf(objective: number, lowerBound: number): number | null {
  if (lowerBound <= 0) return objective <= 0 ? 0 : null;
  return Math.max(0, (objective - lowerBound) / lowerBound);
}

/** The LP relaxation's optimum (a lower bound on any plan's objective). */
function relaxed(solver: Highs, problem: PlanProblem, cands: ReturnType<typeof candidates>): number {
  const result = solver.solve(planLp(problem, cands, { relax: true }), { output_flag: false });
  if (result.Status !== "Optimal") throw new SolverError(`the relaxation ended with status ${result.Status}`);
  return result.ObjectiveValue;
}
