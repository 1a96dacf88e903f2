/**
 * Rota plans the solver draws (issue 17 item 4): create (solve), read with its coverage table,
 * edit (re-checked), publish into the rota through the rota change path (`putRota`: all or
 * nothing, versioned, audited).
 */
import { randomUUID } from "node:crypto";
import { getAgent } from "../../agents/store.js";
import { AppError, ConflictError, NotFoundError, ValidationError, type FieldError } from "../../shared/errors.js";
import { dayIntervals, handleTimeModel, shrinkagePerInterval, slotGroups, type DayInterval } from "../coverage.js";
import { OFF } from "../domain.js";
import { maxPlanDays, type PlanInput } from "../plan-input.js";
import { checkPlan, planCoverage, type PlanAssignment, type PlanProblem, type RuleViolation } from "../plan-model.js";
import { createPlan as storeCreate, getPlan, replacePlan, type StoredPlan } from "../plan-store.js";
import { poolOf, requirement } from "../staffing.js";
import { getShift, loadRotaData } from "../store.js";
import { solvePlan } from "../plan-solver.js";
import { formatDate, localIso, parseDate } from "../time.js";
import { putRota } from "./changes.js";
import { rejectIfAny, type Actor } from "./common.js";
import { saveShift } from "./shifts.js";
import { unstaffable } from "./views.js";

/** A plan edit that breaks the plan's rules: understood, refused. */
export class PlanRulesError extends AppError {
  readonly status = 422;
  readonly title = "The plan breaks its rules";
  readonly type = "/problems/plan-rules";
}

const inlineShiftId = (start: string, end: string) => `plan-${start.replace(":", "")}-${end.replace(":", "")}`;

function rangeDays(from: string, to: string): number[] {
  const first = parseDate(from) ?? 0;
  const last = parseDate(to) ?? 0;
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

function intervalsOf(days: readonly number[], timeZone: string, minutes: number): DayInterval[] {
  return days.flatMap((d) => dayIntervals(formatDate(d), timeZone, minutes));
}

async function leaveOf(agents: readonly string[], intervals: readonly DayInterval[]) {
  const first = intervals[0];
  const last = intervals[intervals.length - 1];
  const leave = new Map<string, { from: number; to: number }[]>(agents.map((a) => [a, []]));
  if (!first || !last) return leave;
  // Shifts of the range may start a day before its first interval and end a day after its last.
  const data = await loadRotaData({ from: new Date(first.from - 86_400_000), to: new Date(last.to + 86_400_000) });
  for (const e of data.exceptions) if (e.kind === "leave" && leave.has(e.agentId)) leave.get(e.agentId)?.push({ from: Date.parse(e.from), to: Date.parse(e.to) });
  return leave;
}

function problemOf(plan: Pick<StoredPlan, "from" | "to" | "timeZone" | "intervalMinutes" | "agents" | "shifts" | "rules" | "required">, leave: ReadonlyMap<string, { from: number; to: number }[]>): PlanProblem {
  const days = rangeDays(plan.from, plan.to);
  return {
    days,
    intervals: intervalsOf(days, plan.timeZone, plan.intervalMinutes),
    required: plan.required,
    shifts: plan.shifts,
    agents: plan.agents.map((agentId) => ({ agentId, leave: leave.get(agentId) ?? [] })),
    rules: plan.rules,
  };
}

/** The plan as served: what it is, its assignments, and its coverage table. */
function planView(plan: StoredPlan, problem: PlanProblem, violations: RuleViolation[] = checkPlan(problem, plan.assignments)) {
  const { planned, paidHours, shifts } = planCoverage(problem, plan.assignments);
  const intervals = problem.intervals.map((iv, t) => {
    const required = plan.required[t] ?? 0;
    const have = planned[t] ?? 0;
    return { from: new Date(iv.from).toISOString(), localFrom: localIso(iv.from, plan.timeZone), required, planned: have, short: Math.max(0, required - have) };
  });
  const short = intervals.filter((i) => i.short > 0);
  return {
    ...plan,
    coverage: { paidHours: Math.round(paidHours * 100) / 100, shifts, shortIntervals: short.length, shortAgentIntervals: short.reduce((s, i) => s + i.short, 0), intervals },
    violations,
  };
}

/** Agents required per interval: given, or from the forecast with the chat-aware staffing model at the planned agents' own slots. */
function requiredOf(input: PlanInput, intervals: readonly DayInterval[], agents: ReadonlyMap<string, { skills: readonly string[]; maxConcurrent: number }>): number[] {
  if (input.required) {
    if (input.forecast) throw new ValidationError("Give required or forecast, not both.", { errors: [{ field: "forecast", message: "give required or forecast, not both" }] });
    if (input.required.length !== intervals.length) throw new ValidationError("The requirement does not fit the range.", { errors: [{ field: "required", message: `needs ${intervals.length} values (one per ${input.intervalMinutes}-minute interval of ${input.from}..${input.to} in ${input.timeZone}), got ${input.required.length}` }] });
    return input.required;
  }
  const f = input.forecast;
  if (!f) throw new ValidationError("Nothing to plan for.", { errors: [{ field: "required", message: "give required (agents per interval) or forecast (volumes per interval)" }] });
  if (f.volumes.length !== intervals.length) throw new ValidationError("The forecast does not fit the range.", { errors: [{ field: "forecast.volumes", message: `needs ${intervals.length} values (one per interval of the range), got ${f.volumes.length}` }] });
  const model = handleTimeModel(f);
  if ("field" in model) throw new ValidationError("The forecast is incomplete.", { errors: [{ field: `forecast.${model.field}`, message: model.message }] });
  const shrinkage = shrinkagePerInterval(f.shrinkage, intervals.length);
  if (!Array.isArray(shrinkage)) throw new ValidationError("The shrinkage does not fit the range.", { errors: [{ field: "forecast.shrinkage", message: shrinkage.message }] });
  const mix = poolOf(slotGroups([...agents.keys()].map((id) => [id, 1] as [string, number]), agents, f.concurrency), model, 1);
  return intervals.map((iv, t) => {
    const need = requirement(f.volumes[t] ?? 0, (iv.to - iv.from) / 1000, mix.ahtSeconds, mix.slotsPerAgent, 1 - (shrinkage[t] ?? 0), f, f.maxSlots);
    if (!need) throw unstaffable({ interval: t, localFrom: localIso(iv.from, input.timeZone), trafficErlangs: ((f.volumes[t] ?? 0) * mix.ahtSeconds) / ((iv.to - iv.from) / 1000), maxSlots: f.maxSlots }, "forecast.volumes");
    return need.agents;
  });
}

/**
 * Draws a draft plan.
 *
 * Primary course: check the range (≤ 7 days), agents (exist, active, with the skill) and shift
 * templates (existing ones exist) → the requirement per interval (given, or from the forecast)
 * → granted leave from the rota's exceptions → solve the MIP (HiGHS) → store the draft, audited →
 * the plan with its coverage table (intervals it cannot meet are named, with how many agents short).
 */
export async function createPlan(input: PlanInput, by: Actor) {
  const errors: FieldError[] = [];
  const days = parseDate(input.to) !== undefined && parseDate(input.from) !== undefined ? (parseDate(input.to) ?? 0) - (parseDate(input.from) ?? 0) + 1 : 0;
  if (days < 1) errors.push({ field: "to", message: "must not be before from" });
  if (days > maxPlanDays) errors.push({ field: "to", message: `a plan covers at most ${maxPlanDays} days` });
  if (new Set(input.agents).size !== input.agents.length) errors.push({ field: "agents", message: "lists an agent twice" });
  const profiles = await Promise.all(input.agents.map(async (id) => [id, await getAgent(id)] as const));
  profiles.forEach(([id, p], i) => {
    if (!p || p.deactivatedAt) errors.push({ field: `agents.${i}`, message: `unknown agent "${id}"` });
    else if (input.skill && !p.skills.includes(input.skill)) errors.push({ field: `agents.${i}`, message: `${id} does not have the skill ${input.skill}` });
  });
  const shifts: StoredPlan["shifts"] = [];
  for (const [i, s] of input.shifts.entries()) {
    if ("shiftId" in s) {
      const shift = await getShift(s.shiftId);
      if (!shift) errors.push({ field: `shifts.${i}.shiftId`, message: `unknown shift "${s.shiftId}"` });
      else shifts.push({ shiftId: shift.shiftId, start: shift.start, end: shift.end, timeZone: shift.timeZone, inline: false });
    } else {
      shifts.push({ shiftId: inlineShiftId(s.start, s.end), start: s.start, end: s.end, timeZone: input.timeZone, inline: true });
    }
  }
  if (new Set(shifts.map((s) => s.shiftId)).size !== shifts.length) errors.push({ field: "shifts", message: "names a shift template twice" });
  rejectIfAny(errors, "The plan request is invalid; nothing was planned.");

  const planDays = rangeDays(input.from, input.to);
  const intervals = intervalsOf(planDays, input.timeZone, input.intervalMinutes);
  const agents = new Map(profiles.flatMap(([id, p]) => (p ? [[id, { skills: p.skills, maxConcurrent: p.maxConcurrent }] as const] : [])));
  const required = requiredOf(input, intervals, agents);
  const leave = await leaveOf(input.agents, intervals);
  const draft = { from: input.from, to: input.to, timeZone: input.timeZone, intervalMinutes: input.intervalMinutes, agents: input.agents, shifts, rules: input.rules, required };
  const problem = problemOf(draft, leave);
  const solution = await solvePlan(problem);
  const at = by.now.toISOString();
  const plan: StoredPlan = {
    planId: randomUUID(),
    status: "draft",
    version: 1,
    ...draft,
    ...(input.skill ? { skill: input.skill } : {}),
    requiredFrom: input.required ? "body" : "forecast",
    assignments: solution.assignments,
    solver: {
      status: solution.status,
      solveSeconds: Math.round(solution.solveSeconds * 1000) / 1000,
      candidates: solution.candidates,
      objective: solution.objective,
      lowerBound: Math.round(solution.lowerBound * 1000) / 1000,
      gap: solution.gap === null ? null : Math.round(solution.gap * 100_000) / 100_000,
    },
    createdAt: at,
    createdBy: by.actor,
    updatedAt: at,
    updatedBy: by.actor,
  };
  await storeCreate(plan, { entity: "rotaplan", entityId: plan.planId, action: "rotaplan.created", actor: by.actor, at, details: { from: plan.from, to: plan.to, agents: plan.agents.length, shifts: solution.assignments.length, paidHours: solution.paidHours, shortIntervals: solution.shortfall.length } });
  return planView(plan, problem);
}

async function planWithProblem(planId: string) {
  const plan = await getPlan(planId);
  if (!plan) throw new NotFoundError(`No plan ${planId}.`);
  return { plan, problem: problemOf(plan, await leaveOf(plan.agents, intervalsOf(rangeDays(plan.from, plan.to), plan.timeZone, plan.intervalMinutes))) };
}

/** A plan with its coverage table. Primary course: read it → its leave → coverage and rule check. */
export async function planById(planId: string) {
  const { plan, problem } = await planWithProblem(planId);
  return planView(plan, problem);
}

/**
 * Replaces a draft's assignments.
 *
 * Primary course: read the draft (a published plan is a 409, as is a version other than the one
 * sent) → check the new assignments against the plan's agents, range, templates and rules (any
 * break is a 422 naming each, nothing changed) → store it (version + 1), audited → the plan
 * with its new coverage table.
 */
export async function editPlan(planId: string, body: { version: number; assignments: PlanAssignment[] }, by: Actor) {
  const { plan, problem } = await planWithProblem(planId);
  if (plan.status !== "draft") throw new ConflictError(`Plan ${planId} is published; a published plan cannot be edited. Change the rota instead.`);
  if (plan.version !== body.version) throw new ConflictError(`Plan ${planId} is at version ${plan.version}, not ${body.version}; nothing was changed. Read it again.`);
  const worked = body.assignments.filter((a) => a.shiftId !== OFF);
  const violations = checkPlan(problem, body.assignments);
  if (violations.length > 0) {
    throw new PlanRulesError(`The edit breaks the plan's rules: ${violations.map((v) => v.message).join("; ")}. Nothing was changed.`, {
      errors: violations.map((v) => ({ field: "assignments", message: v.message })),
      extra: { violations },
    });
  }
  const at = by.now.toISOString();
  const next: StoredPlan = { ...plan, version: plan.version + 1, assignments: worked.sort((p, q) => (p.date === q.date ? p.agentId.localeCompare(q.agentId) : p.date.localeCompare(q.date))), updatedAt: at, updatedBy: by.actor };
  await replacePlan(next, plan.version, { entity: "rotaplan", entityId: planId, action: "rotaplan.edited", actor: by.actor, at, details: { version: next.version, shifts: worked.length } });
  return planView(next, problem, []);
}

/**
 * Publishes a draft into the rota.
 *
 * Primary course: read the plan (published already: answered as it is, nothing written again) →
 * create its inline shift templates (an existing shift of that id with other times is a 409) →
 * one `PUT /rota` change of every planned agent and date (its shift or `off`): all or nothing,
 * versioned, overlap-checked, audited (`rota.updated`), duty recomputed → mark the plan
 * published (status, who, when), audited. A crash between the two leaves the rota published and
 * the plan draft; publishing again writes no rota change (nothing differs) and marks it.
 */
export async function publishPlan(planId: string, by: Actor) {
  const { plan, problem } = await planWithProblem(planId);
  if (plan.status === "published") return { ...planView(plan, problem), rota: { assignments: 0, agents: [] as string[] } };
  for (const s of plan.shifts.filter((t) => t.inline)) {
    const existing = await getShift(s.shiftId);
    if (existing && (existing.start !== s.start || existing.end !== s.end || existing.timeZone !== s.timeZone)) {
      throw new ConflictError(`Shift ${s.shiftId} exists with other times (${existing.start}-${existing.end} ${existing.timeZone}); nothing was published.`);
    }
    if (!existing) await saveShift(s.shiftId, { name: `${s.start}-${s.end}`, start: s.start, end: s.end, timeZone: s.timeZone }, by);
  }
  const byKey = new Map(plan.assignments.map((a) => [`${a.agentId}|${a.date}`, a.shiftId]));
  const dates = rangeDays(plan.from, plan.to).map(formatDate);
  const assignments = plan.agents.flatMap((agentId) => dates.map((date) => ({ agentId, date, shiftId: byKey.get(`${agentId}|${date}`) ?? OFF })));
  const change = await putRota({ assignments }, by);
  const at = by.now.toISOString();
  const published: StoredPlan = { ...plan, status: "published", version: plan.version + 1, publishedAt: at, publishedBy: by.actor, updatedAt: at, updatedBy: by.actor };
  try {
    await replacePlan(published, plan.version, { entity: "rotaplan", entityId: planId, action: "rotaplan.published", actor: by.actor, at, details: { assignments: change.changed.assignments, agents: change.agents.length } });
  } catch (error) {
    // A concurrent publish marked it first: the rota change above changed nothing it had not.
    const now = await getPlan(planId);
    if (!(error instanceof ConflictError) || now?.status !== "published") throw error;
    return { ...planView(now, problem), rota: { assignments: change.changed.assignments, agents: change.agents } };
  }
  return { ...planView(published, problem), rota: { assignments: change.changed.assignments, agents: change.agents } };
}
