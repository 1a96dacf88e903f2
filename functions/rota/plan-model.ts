/**
 * The rota planner's model (issue 17 item 4), pure: which shifts each agent could work, the
 * mixed-integer program (CPLEX LP text for HiGHS, ./plan-solver.ts) that covers the required
 * staffing in every interval at the fewest paid hours, the rules a plan must keep, and its
 * coverage table. docs/rota.md "Plans the solver draws" states the formulation.
 *
 * Variables: x[c] ∈ {0,1} for each candidate c = (agent, day, shift template) not touching the
 * agent's granted leave; u[t] ≥ 0 the shortfall of interval t.
 * Minimise Σ hours(c)·x[c] + P·Σ u[t] (P = shortfallPenalty, far above any shift's hours, so a
 * shortfall is taken only where no staffing meets the requirement), subject to
 * - cover:       Σ_{c covers t} x[c] + u[t] ≥ required[t]        (c covers t: on duty the whole interval)
 * - one a day:   Σ_{c of agent a on day d} x[c] ≤ 1
 * - hours:       Σ_{c of a} hours(c)·x[c] ≤ maxHoursPerWeek · D/7
 * - days off:    Σ_{c of a} x[c] ≤ D − ⌊daysOffPerWeek · D/7⌋
 * - consecutive: Σ_{c of a on days k..k+m} x[c] ≤ m               (m = maxConsecutiveDays, every window)
 * - rest:        x[c] + Σ_{c' of a on day d+j, rest(c, c') < minRest} x[c'] ≤ 1   (j = 1, 2)
 */
import { OFF } from "./domain.js";
import type { DayInterval } from "./coverage.js";
import { formatDate, localToInstant, parseHhmm } from "./time.js";

export interface PlanShift {
  shiftId: string;
  start: string;
  end: string;
  timeZone: string;
}

export interface PlanRules {
  maxHoursPerWeek: number;
  minRestHours: number;
  maxConsecutiveDays: number;
  daysOffPerWeek: number;
}

export interface PlanAgent {
  agentId: string;
  /** Granted leave (epoch ms): no shift touching it is planned. */
  leave: readonly { from: number; to: number }[];
}

export interface PlanProblem {
  /** Calendar days (parseDate numbers) of the range, in order. */
  days: readonly number[];
  intervals: readonly DayInterval[];
  /** Agents required per interval. */
  required: readonly number[];
  shifts: readonly PlanShift[];
  agents: readonly PlanAgent[];
  rules: PlanRules;
}

export interface Candidate {
  agent: number;
  day: number;
  shift: number;
  from: number;
  to: number;
  hours: number;
  /** Intervals it covers whole. */
  covers: number[];
}

export interface PlanAssignment {
  agentId: string;
  date: string;
  shiftId: string;
}

/** Penalty per agent-interval short: far above the hours of any shift, so shortfall is the last resort. */
export const shortfallPenalty = 1000;
const hourMs = 3_600_000;

/** The real instants of a shift template on a day (as the resolver reads it), or undefined inside a DST gap. */
export function shiftInstants(shift: PlanShift, day: number): { from: number; to: number } | undefined {
  const start = parseHhmm(shift.start) ?? 0;
  const end = parseHhmm(shift.end) ?? 0;
  const from = localToInstant(day, start, shift.timeZone);
  const to = localToInstant(end <= start ? day + 1 : day, end, shift.timeZone);
  return to > from ? { from, to } : undefined;
}

/** Prorated limits for a range of `days` days. */
export function limitsFor(rules: PlanRules, days: number) {
  return { hours: (rules.maxHoursPerWeek * days) / 7, workDays: days - Math.floor((rules.daysOffPerWeek * days) / 7) };
}

export function candidates(problem: PlanProblem): Candidate[] {
  const out: Candidate[] = [];
  problem.agents.forEach((agent, a) => {
    problem.days.forEach((day, d) => {
      problem.shifts.forEach((shift, s) => {
        const at = shiftInstants(shift, day);
        if (!at) return;
        if (agent.leave.some((l) => l.from < at.to && l.to > at.from)) return;
        const covers: number[] = [];
        problem.intervals.forEach((iv, t) => {
          if (at.from <= iv.from && iv.to <= at.to) covers.push(t);
        });
        out.push({ agent: a, day: d, shift: s, ...at, hours: (at.to - at.from) / hourMs, covers });
      });
    });
  });
  return out;
}

const x = (c: Candidate) => `x_${c.agent}_${c.day}_${c.shift}`;
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(6));

/** The MIP as CPLEX LP text (`relax`: the LP relaxation, no integrality). */
export function planLp(problem: PlanProblem, cands: readonly Candidate[], options: { relax?: boolean } = {}): string {
  const lines: string[] = ["Minimize", " obj:"];
  const terms: string[] = cands.map((c) => `+ ${num(c.hours)} ${x(c)}`);
  const short = problem.required.map((r, t) => (r > 0 ? `u_${t}` : undefined));
  for (const u of short) if (u) terms.push(`+ ${shortfallPenalty} ${u}`);
  for (let i = 0; i < terms.length; i += 20) lines.push(`  ${terms.slice(i, i + 20).join(" ")}`);
  if (terms.length === 0) lines.push("  0 dummy");
  lines.push("Subject To");
  const byInterval = new Map<number, Candidate[]>();
  for (const c of cands) for (const t of c.covers) byInterval.set(t, [...(byInterval.get(t) ?? []), c]);
  problem.required.forEach((r, t) => {
    if (!(r > 0)) return;
    const covering = byInterval.get(t) ?? [];
    lines.push(` cov_${t}: ${[...covering.map((c) => `+ ${x(c)}`), `+ u_${t}`].join(" ")} >= ${r}`);
  });
  const byAgent = new Map<number, Candidate[]>();
  for (const c of cands) byAgent.set(c.agent, [...(byAgent.get(c.agent) ?? []), c]);
  const limits = limitsFor(problem.rules, problem.days.length);
  const m = problem.rules.maxConsecutiveDays;
  const minRestMs = problem.rules.minRestHours * hourMs;
  for (const [a, mine] of byAgent) {
    const onDay = (d: number) => mine.filter((c) => c.day === d);
    for (let d = 0; d < problem.days.length; d++) {
      const day = onDay(d);
      if (day.length > 1) lines.push(` day_${a}_${d}: ${day.map((c) => `+ ${x(c)}`).join(" ")} <= 1`);
    }
    lines.push(` hrs_${a}: ${mine.map((c) => `+ ${num(c.hours)} ${x(c)}`).join(" ")} <= ${num(limits.hours)}`);
    if (limits.workDays < problem.days.length) lines.push(` off_${a}: ${mine.map((c) => `+ ${x(c)}`).join(" ")} <= ${limits.workDays}`);
    for (let k = 0; k + m < problem.days.length; k++) {
      const window = mine.filter((c) => c.day >= k && c.day <= k + m);
      if (window.length > 0) lines.push(` con_${a}_${k}: ${window.map((c) => `+ ${x(c)}`).join(" ")} <= ${m}`);
    }
    for (const c of mine) {
      for (const j of [1, 2]) {
        const clash = onDay(c.day + j).filter((o) => o.from - c.to < minRestMs);
        if (clash.length > 0) lines.push(` rest_${x(c)}_${j}: + ${x(c)} ${clash.map((o) => `+ ${x(o)}`).join(" ")} <= 1`);
      }
    }
  }
  if (lines[lines.length - 1] === "Subject To") lines.push(" none: 0 dummy >= 0");
  lines.push("Bounds");
  for (const u of short) if (u) lines.push(` ${u} >= 0`);
  for (const c of cands) lines.push(` 0 <= ${x(c)} <= 1`);
  if (!options.relax && cands.length > 0) {
    lines.push("Binaries");
    for (let i = 0; i < cands.length; i += 20) lines.push(` ${cands.slice(i, i + 20).map(x).join(" ")}`);
  }
  lines.push("End");
  return lines.join("\n");
}

/** The candidates a solution picked (x = 1). */
export function pickedFrom(cands: readonly Candidate[], columns: Readonly<Record<string, { Primal: number }>>): Candidate[] {
  return cands.filter((c) => (columns[x(c)]?.Primal ?? 0) > 0.5);
}

export function assignmentsOf(problem: PlanProblem, picked: readonly Candidate[]): PlanAssignment[] {
  return picked
    .map((c) => ({ agentId: problem.agents[c.agent]?.agentId ?? "", date: formatDate(problem.days[c.day] ?? 0), shiftId: problem.shifts[c.shift]?.shiftId ?? "" }))
    .sort((p, q) => (p.date === q.date ? p.agentId.localeCompare(q.agentId) : p.date.localeCompare(q.date)));
}

/** Assignments back to candidates (unknown agent, date or shift: reported by checkPlan). */
export function candidatesOf(problem: PlanProblem, assignments: readonly PlanAssignment[]): Candidate[] {
  const out: Candidate[] = [];
  for (const p of assignments) {
    if (p.shiftId === OFF) continue;
    const a = problem.agents.findIndex((g) => g.agentId === p.agentId);
    const d = problem.days.findIndex((day) => formatDate(day) === p.date);
    const s = problem.shifts.findIndex((sh) => sh.shiftId === p.shiftId);
    const shift = problem.shifts[s];
    const day = problem.days[d];
    if (a < 0 || d < 0 || !shift || day === undefined) continue;
    const at = shiftInstants(shift, day);
    if (!at) continue;
    const covers: number[] = [];
    problem.intervals.forEach((iv, t) => {
      if (at.from <= iv.from && iv.to <= at.to) covers.push(t);
    });
    out.push({ agent: a, day: d, shift: s, ...at, hours: (at.to - at.from) / hourMs, covers });
  }
  return out;
}

export interface RuleViolation {
  agentId: string;
  rule: "unknown" | "one-shift-a-day" | "leave" | "max-hours" | "days-off" | "max-consecutive-days" | "min-rest";
  message: string;
}

/** Every rule a set of assignments breaks (empty: it keeps them all). */
export function checkPlan(problem: PlanProblem, assignments: readonly PlanAssignment[]): RuleViolation[] {
  const out: RuleViolation[] = [];
  const dates = new Set(problem.days.map(formatDate));
  const seen = new Set<string>();
  for (const p of assignments) {
    const agent = problem.agents.find((a) => a.agentId === p.agentId);
    if (!agent) out.push({ agentId: p.agentId, rule: "unknown", message: `${p.agentId} is not one of the plan's agents` });
    if (!dates.has(p.date)) out.push({ agentId: p.agentId, rule: "unknown", message: `${p.date} is outside the plan's range` });
    if (p.shiftId !== OFF && !problem.shifts.some((s) => s.shiftId === p.shiftId)) out.push({ agentId: p.agentId, rule: "unknown", message: `shift ${p.shiftId} is not one of the plan's shift templates` });
    const key = `${p.agentId}|${p.date}`;
    if (seen.has(key)) out.push({ agentId: p.agentId, rule: "one-shift-a-day", message: `${p.agentId} has more than one entry on ${p.date}` });
    seen.add(key);
  }
  const picked = candidatesOf(problem, assignments);
  const limits = limitsFor(problem.rules, problem.days.length);
  const minRestMs = problem.rules.minRestHours * hourMs;
  problem.agents.forEach((agent, a) => {
    const mine = picked.filter((c) => c.agent === a).sort((p, q) => p.from - q.from);
    for (const c of mine) {
      if (agent.leave.some((l) => l.from < c.to && l.to > c.from)) out.push({ agentId: agent.agentId, rule: "leave", message: `${agent.agentId} is on leave during ${problem.shifts[c.shift]?.shiftId} on ${formatDate(problem.days[c.day] ?? 0)}` });
    }
    const hours = mine.reduce((s, c) => s + c.hours, 0);
    if (hours > limits.hours + 1e-6) out.push({ agentId: agent.agentId, rule: "max-hours", message: `${agent.agentId} works ${hours.toFixed(1)} h, more than ${limits.hours.toFixed(1)} h (${problem.rules.maxHoursPerWeek} h a week over ${problem.days.length} days)` });
    const worked = new Set(mine.map((c) => c.day));
    if (worked.size > limits.workDays) out.push({ agentId: agent.agentId, rule: "days-off", message: `${agent.agentId} works ${worked.size} days, more than ${limits.workDays} (${problem.rules.daysOffPerWeek} days off a week)` });
    let run = 0;
    for (let d = 0; d < problem.days.length; d++) {
      run = worked.has(d) ? run + 1 : 0;
      if (run === problem.rules.maxConsecutiveDays + 1) out.push({ agentId: agent.agentId, rule: "max-consecutive-days", message: `${agent.agentId} works more than ${problem.rules.maxConsecutiveDays} days in a row (to ${formatDate(problem.days[d] ?? 0)})` });
    }
    for (let i = 1; i < mine.length; i++) {
      const prev = mine[i - 1];
      const next = mine[i];
      if (prev && next && next.from - prev.to < minRestMs) {
        out.push({ agentId: agent.agentId, rule: "min-rest", message: `${agent.agentId} rests ${((next.from - prev.to) / hourMs).toFixed(1)} h between ${formatDate(problem.days[prev.day] ?? 0)} and ${formatDate(problem.days[next.day] ?? 0)}, less than ${problem.rules.minRestHours} h` });
      }
    }
  });
  return out;
}

/** Planned agents per interval (whole intervals on duty) against the requirement. */
export function planCoverage(problem: PlanProblem, assignments: readonly PlanAssignment[]) {
  const planned = problem.intervals.map(() => 0);
  const picked = candidatesOf(problem, assignments);
  for (const c of picked) for (const t of c.covers) planned[t] = (planned[t] ?? 0) + 1;
  const paidHours = picked.reduce((s, c) => s + c.hours, 0);
  return { planned, paidHours, shifts: picked.length };
}
