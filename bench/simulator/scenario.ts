/**
 * Scenario files for the simulator: the day, a forecast, the contact mix, a handle-time
 * distribution, agents and a rota in the rota API's own format (shifts, dated assignments,
 * patterns). The rota is resolved by the rota capability's resolver (`resolveRota`), so the
 * simulator puts agents on duty at exactly the instants the duty clock would, DST and
 * cross-midnight shifts included. Forecast intervals are those of `GET /rota/coverage`
 * (`dayIntervals`): 48 half-hours on an ordinary day.
 *
 * `teams` is shorthand for many alike agents: `{ name: "night", count: 12, ... }` gives
 * agents night-01 … night-12, each with the team's shifts as dated assignments.
 */
import { readFileSync } from "node:fs";
import * as z from "zod/mini";
import { agentIdSchema, skillSchema, type Skill } from "../../functions/agents/domain.js";
import { defaultRoutingConfig, effectivePriority, type RoutingConfig } from "../../functions/routing/policy.js";
import { dayIntervals } from "../../functions/rota/coverage.js";
import { checkImportRows, parseRotaCsv } from "../../functions/rota/csv.js";
import { dateSchema, hhmmSchema, OFF, shiftIdSchema, zoneSchema, type Assignment, type Pattern, type Shift } from "../../functions/rota/domain.js";
import { resolveRota } from "../../functions/rota/resolve.js";
import type { ConversationDraw, EngineInput, RateSegment, SimAgentInput } from "./engine.js";
import type { Rng } from "./rng.js";

const shiftSchema = z.strictObject({ shiftId: shiftIdSchema, name: z.string().check(z.minLength(1), z.maxLength(100)), start: hhmmSchema, end: hhmmSchema, timeZone: zoneSchema });
const assignmentSchema = z.strictObject({ agentId: agentIdSchema, date: dateSchema, shiftId: z.union([shiftIdSchema, z.literal(OFF)]) });
const patternSchema = z.strictObject({ agentId: agentIdSchema, pattern: z.array(z.union([shiftIdSchema, z.literal(OFF)])).check(z.minLength(1)), startDate: dateSchema, endDate: z.optional(dateSchema) });
const agentSchema = z.strictObject({ agentId: agentIdSchema, skills: z.array(skillSchema).check(z.minLength(1)), maxConcurrent: z.number().check(z.int(), z.minimum(1), z.maximum(50)) });

/** The rota API's format (what `GET /rota` and `PUT /rota` speak), optionally with the agents. */
export const rotaFileSchema = z.strictObject({
  shifts: z.optional(z.array(shiftSchema)),
  assignments: z.optional(z.array(assignmentSchema)),
  patterns: z.optional(z.array(patternSchema)),
  agents: z.optional(z.array(agentSchema)),
});

const handleTimeSchema = z.discriminatedUnion("distribution", [
  z.strictObject({ distribution: z.literal("exponential"), meanSeconds: z.number().check(z.positive(), z.maximum(86_400)) }),
  z.strictObject({ distribution: z.literal("lognormal"), meanSeconds: z.number().check(z.positive(), z.maximum(86_400)), sdSeconds: z.number().check(z.positive(), z.maximum(86_400)) }),
]);

export const scenarioSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  /** The simulated local day. */
  date: dateSchema,
  timeZone: zoneSchema,
  forecast: z.strictObject({
      intervalMinutes: z.number().check(z.int(), z.refine((n) => [15, 30, 60].includes(n), "must be 15, 30 or 60")),
      /** Expected arrivals per interval of the local day (Poisson means). */
      arrivals: z.array(z.number().check(z.nonnegative())).check(z.minLength(1)),
    }),
  mix: z.prefault(z.strictObject({
      /** Relative weights of the skills asked for. */
      skills: z._default(z.partialRecord(skillSchema, z.number().check(z.nonnegative())), { presale: 1 }),
      /** Shares of VIP customers, large orders and urgent conversations (they jump the line). */
      vipShare: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0),
      largeOrderShare: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0),
      urgentShare: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0),
    }), {}),
  handleTime: handleTimeSchema,
  /** Customers leave after an exponential patience with this mean. Absent: nobody leaves. */
  abandonment: z.optional(z.strictObject({ meanPatienceSeconds: z.number().check(z.positive()) })),
  /** The service target the report checks each interval against (and Erlang C sizes for). */
  target: z.prefault(z.strictObject({ answerSeconds: z._default(z.number().check(z.positive()), 20), serviceLevel: z._default(z.number().check(z.gt(0), z.lt(1)), 0.8) }), {}),
  /** After midnight, keep serving (no new arrivals) this long so the last waits are measured. */
  tailHours: z._default(z.number().check(z.minimum(0), z.maximum(24)), 6),
  agents: z._default(z.array(agentSchema), []),
  teams: z._default(z.array(
      z.strictObject({
          name: agentIdSchema,
          count: z.number().check(z.int(), z.minimum(1), z.maximum(999)),
          skills: z.array(skillSchema).check(z.minLength(1)),
          maxConcurrent: z.number().check(z.int(), z.minimum(1), z.maximum(50)),
          shifts: z._default(z.array(z.strictObject({ date: dateSchema, shiftId: shiftIdSchema })), []),
        }),
    ), []),
  rota: z.strictObject({ shifts: z.array(shiftSchema).check(z.minLength(1)), assignments: z._default(z.array(assignmentSchema), []), patterns: z._default(z.array(patternSchema), []) }),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioAgent = z.infer<typeof agentSchema>;

export class ScenarioError extends Error {
  override name = "ScenarioError";
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

function issues(error: z.core.$ZodError): string[] {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(file)"}: ${i.message}`);
}

function readJson(path: string): unknown {
  const text = readFileSync(path, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(path, [`not valid JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

export function parseScenario(raw: unknown, source = "scenario"): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(source, issues(parsed.error));
  return parsed.data;
}

export function loadScenario(path: string): Scenario {
  return parseScenario(readJson(path), path);
}

/** Every agent of the scenario: the explicit ones, then the teams expanded. */
export function scenarioAgents(scenario: Scenario): ScenarioAgent[] {
  const out = [...scenario.agents];
  for (const team of scenario.teams) {
    const width = Math.max(2, String(team.count).length);
    for (let i = 1; i <= team.count; i++) out.push({ agentId: `${team.name}-${String(i).padStart(width, "0")}`, skills: team.skills, maxConcurrent: team.maxConcurrent });
  }
  return out;
}

function teamAssignments(scenario: Scenario): Scenario["rota"]["assignments"] {
  const out: Scenario["rota"]["assignments"] = [];
  for (const team of scenario.teams) {
    const width = Math.max(2, String(team.count).length);
    for (let i = 1; i <= team.count; i++) {
      for (const s of team.shifts) out.push({ agentId: `${team.name}-${String(i).padStart(width, "0")}`, date: s.date, shiftId: s.shiftId });
    }
  }
  return out;
}

/**
 * Replaces the scenario's rota with a rota file: JSON in the rota API format (the parts given
 * replace the scenario's) or a CSV `agent,date,shift` as `POST /rota/import` takes it (its rows
 * replace the scenario's entries for the same agent and date).
 */
export function applyRotaFile(scenario: Scenario, path: string): Scenario {
  if (path.toLowerCase().endsWith(".csv")) return applyRotaCsv(scenario, readFileSync(path, "utf8"), path);
  const parsed = rotaFileSchema.safeParse(readJson(path));
  if (!parsed.success) throw new ScenarioError(path, issues(parsed.error));
  const file = parsed.data;
  return {
    ...scenario,
    agents: file.agents ?? scenario.agents,
    // Given agents replace the teams; given assignments replace the teams' shifts too.
    teams: file.agents ? [] : file.assignments ? scenario.teams.map((t) => ({ ...t, shifts: [] })) : scenario.teams,
    rota: {
      shifts: file.shifts ?? scenario.rota.shifts,
      assignments: file.assignments ?? scenario.rota.assignments,
      patterns: file.patterns ?? scenario.rota.patterns,
    },
  };
}

export function applyRotaCsv(scenario: Scenario, text: string, source = "rota.csv"): Scenario {
  const agentIds = new Set(scenarioAgents(scenario).map((a) => a.agentId));
  const shiftIds = new Set(scenario.rota.shifts.map((s) => s.shiftId));
  const parsed = parseRotaCsv(text);
  if (parsed.errors.length > 0) throw new ScenarioError(source, parsed.errors.map((e) => `${e.field}: ${e.message}`));
  const checked = checkImportRows(parsed.rows, (id) => agentIds.has(id), (id) => shiftIds.has(id));
  if (!checked.plan) throw new ScenarioError(source, checked.errors.map((e) => `${e.field}: ${e.message}`));
  const rows = new Map<string, { agentId: string; date: string; shiftId: string }>();
  for (const a of [...teamAssignments(scenario), ...scenario.rota.assignments]) rows.set(`${a.agentId}|${a.date}`, a);
  for (const [agentId, dates] of checked.plan.byAgent) for (const [date, shiftId] of dates) rows.set(`${agentId}|${date}`, { agentId, date, shiftId });
  // Team shifts are now explicit assignments; keep the team only as the agent list.
  return { ...scenario, teams: scenario.teams.map((t) => ({ ...t, shifts: [] })), rota: { ...scenario.rota, assignments: [...rows.values()] } };
}

export interface Prepared {
  scenario: Scenario;
  /** The local day in real time, [dayStart, dayEnd). */
  dayStart: number;
  dayEnd: number;
  agents: SimAgentInput[];
  /** Forecast intervals with their expected arrivals. */
  forecast: { from: number; to: number; expected: number }[];
  engine: Omit<EngineInput, "seed" | "progressEveryMs" | "onProgress" | "afterEvent">;
}

/** Checks references, resolves the rota and builds the engine's input. */
export function prepare(scenario: Scenario, routing: RoutingConfig = defaultRoutingConfig): Prepared {
  const problems: string[] = [];
  const intervals = dayIntervals(scenario.date, scenario.timeZone, scenario.forecast.intervalMinutes);
  if (scenario.forecast.arrivals.length !== intervals.length) {
    problems.push(
      `forecast.arrivals: needs ${intervals.length} values (one per ${scenario.forecast.intervalMinutes}-minute interval of ${scenario.date} in ${scenario.timeZone}), got ${scenario.forecast.arrivals.length}`,
    );
  }
  const agents = scenarioAgents(scenario);
  const agentIds = new Set<string>();
  agents.forEach((a, i) => {
    if (agentIds.has(a.agentId)) problems.push(`agents: ${a.agentId} appears twice (agent ${i + 1}, counting team members)`);
    agentIds.add(a.agentId);
  });
  const shiftIds = new Set(scenario.rota.shifts.map((s) => s.shiftId));
  const assignments = [...teamAssignments(scenario), ...scenario.rota.assignments];
  assignments.forEach((a) => {
    if (!agentIds.has(a.agentId)) problems.push(`rota.assignments: unknown agent ${a.agentId}`);
    if (a.shiftId !== OFF && !shiftIds.has(a.shiftId)) problems.push(`rota.assignments: ${a.agentId} on ${a.date}: unknown shift ${a.shiftId}`);
  });
  scenario.rota.patterns.forEach((p, i) => {
    if (!agentIds.has(p.agentId)) problems.push(`rota.patterns.${i}: unknown agent ${p.agentId}`);
    for (const s of p.pattern) if (s !== OFF && !shiftIds.has(s)) problems.push(`rota.patterns.${i}: unknown shift ${s}`);
  });
  if (Object.values(scenario.mix.skills).reduce<number>((sum, w) => sum + (w ?? 0), 0) <= 0) problems.push("mix.skills: needs at least one positive weight");
  const dayStart = intervals[0]?.from ?? 0;
  const dayEnd = intervals[intervals.length - 1]?.to ?? dayStart;
  if (problems.length > 0) throw new ScenarioError(scenario.name, problems);

  const stamp = { updatedAt: new Date(dayStart).toISOString(), updatedBy: "simulator" };
  const shifts: Shift[] = scenario.rota.shifts.map((s) => ({ ...s, ...stamp }));
  const rotaAssignments: Assignment[] = assignments.map((a) => ({ ...a, ...stamp }));
  const patterns: Pattern[] = scenario.rota.patterns.map((p) => ({ ...p, ...stamp }));
  const stopAt = dayEnd + scenario.tailHours * 3_600_000;
  const occurrences = resolveRota({ shifts, assignments: rotaAssignments, patterns, exceptions: [] }, { from: new Date(dayStart), to: new Date(stopAt) });
  const duty = new Map<string, { from: number; to: number }[]>();
  for (const o of occurrences) for (const d of o.duty) duty.set(o.agentId, [...(duty.get(o.agentId) ?? []), { from: Date.parse(d.from), to: Date.parse(d.to) }]);
  const simAgents: SimAgentInput[] = agents.map((a) => ({ ...a, duty: duty.get(a.agentId) ?? [] }));

  const forecast = intervals.map((iv, i) => ({ ...iv, expected: scenario.forecast.arrivals[i] ?? 0 }));
  const arrivals: RateSegment[] = forecast.map((f) => ({ from: f.from, to: f.to, perSecond: f.expected / ((f.to - f.from) / 1000) }));

  const skillWeights = Object.entries(scenario.mix.skills)
    .filter((e): e is [Skill, number] => typeof e[1] === "number" && e[1] > 0)
    .map(([skill, w]) => [skillSchema.parse(skill), w] as const);
  const { vipShare, largeOrderShare, urgentShare } = scenario.mix;
  // A fixed number of draws per conversation, whatever the outcome, keeps the random stream
  // aligned between runs that differ only in the rota.
  const draw = (rng: Rng): ConversationDraw => {
    const skill = rng.pick(skillWeights);
    const vip = rng.next() < vipShare;
    const large = rng.next() < largeOrderShare;
    const urgent = rng.next() < urgentShare;
    const priority = effectivePriority(
      { priority: urgent ? "urgent" : "normal", customerTier: vip ? "vip" : "regular", orderAmount: large ? routing.largeOrderAmount : 0 },
      routing,
    );
    return { skill, priority };
  };
  const ht = scenario.handleTime;
  const handleSeconds = ht.distribution === "exponential" ? (rng: Rng) => rng.exponential(1 / ht.meanSeconds) : (rng: Rng) => rng.lognormal(ht.meanSeconds, ht.sdSeconds);
  const patience = scenario.abandonment;
  return {
    scenario,
    dayStart,
    dayEnd,
    agents: simAgents,
    forecast,
    engine: {
      start: dayStart,
      arrivalsEnd: dayEnd,
      stopAt,
      agents: simAgents,
      arrivals,
      handleSeconds,
      draw,
      patienceSeconds: patience ? (rng: Rng) => rng.exponential(1 / patience.meanPatienceSeconds) : undefined,
      routing,
    },
  };
}
