/**
 * Coverage: for each interval of a local day, the chat slots scheduled (from resolved duty and
 * each agent's own `maxConcurrent`) against the slots and agents a forecast needs
 * (./staffing.ts: Erlang C with slots as servers, handle time growing with concurrency). Pure.
 *
 * Assumptions (docs/rota.md "Staffing for chat"): Poisson arrivals, exponential handle times,
 * no abandonment; agents planned at their full concurrency; shrinkage removes a share of
 * scheduled agents (breaks, meetings) before they count as servers.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import { skills, skillSchema, type Skill } from "../agents/domain.js";
import { dateSchema, zoneSchema } from "./domain.js";
import type { Occurrence } from "./resolve.js";
import { poolOf, predict, requirement, type HandleTimeModel, type SlotGroup, type Target } from "./staffing.js";
import { localIso, localToInstant, parseDate, minuteMs } from "./time.js";

/** Most conversations one interval's forecast may name (a very large contact centre sees a few thousand). */
export const maxIntervalVolume = 1_000_000;
/** Most chat slots the Erlang search tries before calling a forecast unstaffable (and the most `maxSlots` may be). */
export const maxServers = 100_000;
/** A day has at most 100 quarter-hours (fall-back DST day). */
export const maxDayIntervals = 100;
/** Platforms grade shops on the share of chats answered within 3 minutes (e.g. Taobao). */
export const defaultAnswerSeconds = 180;

const rate = lazy(() => z.number().check(z.minimum(0), z.lt(1)));
const seconds = lazy(() => z.number().check(z.positive(), z.maximum(86_400)));

/** The staffing parameters a forecast is planned with (coverage and plans share them). */
export const staffingShape = {
  /** Handle time (s) of a chat when its agent holds one chat. */
  ahtSeconds: z.optional(seconds),
  /** Handle time multiplier per extra chat an agent holds (1 = none; 1.1 = +10 % per chat). */
  ahtGrowth: z.optional(z.number().check(z.minimum(1), z.maximum(3))),
  /** Handle time (s) at concurrency 1, 2, … (beyond the table: its last entry); replaces ahtSeconds/ahtGrowth. */
  ahtByConcurrency: z.optional(z.array(seconds).check(z.minLength(1), z.maxLength(50))),
  /** Slots per agent for everyone instead of each agent's own maxConcurrent. */
  concurrency: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(50))),
  serviceLevel: z._default(z.number().check(z.gt(0), z.lt(1)), 0.8),
  answerSeconds: z._default(z.number().check(z.minimum(0), z.maximum(86_400)), defaultAnswerSeconds),
  /** One share for the whole day, or one per interval. */
  shrinkage: z._default(z.union([rate, z.array(rate).check(z.maxLength(7 * maxDayIntervals))]), 0),
  /** Most slots an interval may need before the forecast is called unstaffable (422). */
  maxSlots: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(maxServers)), maxServers),
};

export const volumesSchema = (max: number) => z.array(z.number().check(z.minimum(0), z.maximum(maxIntervalVolume))).check(z.minLength(1), z.maxLength(max));

/** `POST /rota/coverage`: a local day, a forecast per interval and the staffing parameters. */
export const coverageInputSchema = lazy(() => z.strictObject({
  date: dateSchema,
  /** Required: the day's intervals depend on it (no silent UTC). */
  timeZone: zoneSchema,
  intervalMinutes: z._default(z.union([z.literal(15), z.literal(30), z.literal(60)]), 30),
  skill: z.optional(skillSchema),
  /** Forecast conversations per interval of the day, exactly one per interval. */
  volumes: volumesSchema(maxDayIntervals),
  ...staffingShape,
}));

export type CoverageInput = z.infer<typeof coverageInputSchema>;
export type StaffingInput = Pick<CoverageInput, "ahtSeconds" | "ahtGrowth" | "ahtByConcurrency" | "concurrency" | "serviceLevel" | "answerSeconds" | "shrinkage" | "maxSlots">;

export interface FieldProblem {
  field: string;
  message: string;
}

/** The handle time model, or the field that is missing or contradictory. */
export function handleTimeModel(input: StaffingInput): HandleTimeModel | FieldProblem {
  if (input.ahtByConcurrency) {
    if (input.ahtSeconds !== undefined || input.ahtGrowth !== undefined) return { field: "ahtByConcurrency", message: "give either ahtByConcurrency or ahtSeconds (with ahtGrowth), not both" };
    return { ahtSeconds: input.ahtByConcurrency[0] ?? 1, byConcurrency: input.ahtByConcurrency };
  }
  if (input.ahtSeconds === undefined) return { field: "ahtSeconds", message: "required (or ahtByConcurrency)" };
  return { ahtSeconds: input.ahtSeconds, growth: input.ahtGrowth ?? 1 };
}

/** Shrinkage per interval, or the problem with its length. */
export function shrinkagePerInterval(shrinkage: number | readonly number[], count: number): number[] | FieldProblem {
  if (typeof shrinkage === "number") return Array.from({ length: count }, () => shrinkage);
  if (shrinkage.length !== count) return { field: "shrinkage", message: `needs one share or ${count} values (one per interval), got ${shrinkage.length}` };
  return [...shrinkage];
}

export interface DayInterval {
  from: number;
  to: number;
}

/** The intervals of a local day in real time: 46 or 50 half-hours on DST days, 48 otherwise. */
export function dayIntervals(date: string, timeZone: string, intervalMinutes: number): DayInterval[] {
  const day = parseDate(date);
  if (day === undefined) throw new RangeError(`bad date ${date}`);
  const start = localToInstant(day, 0, timeZone);
  const end = localToInstant(day + 1, 0, timeZone);
  const out: DayInterval[] = [];
  for (let t = start; t < end; t += intervalMinutes * minuteMs) out.push({ from: t, to: Math.min(end, t + intervalMinutes * minuteMs) });
  return out;
}

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Each agent's share of [from, to) on duty (0..1), for the eligible agents on duty in it. */
export function dutySharesIn(occurrences: readonly Occurrence[], interval: DayInterval, eligible: (agentId: string) => boolean): Map<string, number> {
  const onDutyMs = new Map<string, number>();
  for (const o of occurrences) {
    if (!eligible(o.agentId)) continue;
    for (const d of o.duty) {
      const overlap = Math.min(interval.to, Date.parse(d.to)) - Math.max(interval.from, Date.parse(d.from));
      if (overlap > 0) onDutyMs.set(o.agentId, Math.min(interval.to - interval.from, (onDutyMs.get(o.agentId) ?? 0) + overlap));
    }
  }
  return new Map([...onDutyMs].map(([id, ms]) => [id, ms / (interval.to - interval.from)]));
}

export interface StaffedAgent {
  skills: readonly Skill[];
  maxConcurrent: number;
}

/** Agents grouped by slot count (their own maxConcurrent, or the override), weighted. */
export function slotGroups(weights: Iterable<[string, number]>, agents: ReadonlyMap<string, StaffedAgent>, concurrency: number | undefined): SlotGroup[] {
  const bySlots = new Map<number, number>();
  for (const [id, w] of weights) {
    const slots = concurrency ?? agents.get(id)?.maxConcurrent ?? 1;
    bySlots.set(slots, (bySlots.get(slots) ?? 0) + w);
  }
  return [...bySlots].map(([slots, agentsOf]) => ({ slots, agents: agentsOf }));
}

export interface Unstaffable {
  interval: number;
  localFrom: string;
  trafficErlangs: number;
  maxSlots: number;
}

export function computeCoverage(input: CoverageInput, occurrences: readonly Occurrence[], agents: ReadonlyMap<string, StaffedAgent>) {
  const intervals = dayIntervals(input.date, input.timeZone, input.intervalMinutes);
  if (input.volumes.length !== intervals.length) {
    return { error: { field: "volumes", message: `needs ${intervals.length} values (one per ${input.intervalMinutes}-minute interval of ${input.date} in ${input.timeZone}), got ${input.volumes.length}` } } as const;
  }
  const model = handleTimeModel(input);
  if ("field" in model) return { error: model } as const;
  const shrinkage = shrinkagePerInterval(input.shrinkage, intervals.length);
  if (!Array.isArray(shrinkage)) return { error: shrinkage } as const;
  const target: Target = { serviceLevel: input.serviceLevel, answerSeconds: input.answerSeconds };
  const hasSkill = (skill: Skill | undefined) => (agentId: string) => {
    const own = agents.get(agentId)?.skills;
    return own !== undefined && (skill === undefined || own.includes(skill));
  };
  const eligible = hasSkill(input.skill);
  // With nobody scheduled in an interval, the requirement is stated for the team's mix of slots.
  const team = poolOf(slotGroups([...agents.keys()].filter(eligible).map((id) => [id, 1] as [string, number]), agents, input.concurrency), model, 1);
  let understaffedIntervals = 0;
  const rows = [];
  for (const [i, interval] of intervals.entries()) {
    const volume = input.volumes[i] ?? 0;
    const intervalSeconds = (interval.to - interval.from) / 1000;
    const productive = 1 - (shrinkage[i] ?? 0);
    const shares = dutySharesIn(occurrences, interval, eligible);
    const pool = poolOf(slotGroups(shares, agents, input.concurrency), model, productive);
    const mix = pool.slots > 0 ? pool : team;
    const need = requirement(volume, intervalSeconds, mix.ahtSeconds, mix.slotsPerAgent, productive, target, input.maxSlots);
    if (!need) {
      const trafficErlangs = round((volume * mix.ahtSeconds) / intervalSeconds);
      return { unstaffable: { interval: i, localFrom: localIso(interval.from, input.timeZone), trafficErlangs, maxSlots: input.maxSlots } satisfies Unstaffable } as const;
    }
    const predicted = predict(volume, intervalSeconds, pool.slots, mix.ahtSeconds, target);
    const scheduled = [...shares.values()].reduce((s, w) => s + w, 0);
    const understaffed = pool.slots < need.slots;
    if (understaffed) understaffedIntervals++;
    rows.push({
      from: new Date(interval.from).toISOString(),
      to: new Date(interval.to).toISOString(),
      localFrom: localIso(interval.from, input.timeZone),
      volume,
      shrinkage: shrinkage[i] ?? 0,
      ahtSeconds: round(mix.ahtSeconds, 2),
      trafficErlangs: round(need.trafficErlangs),
      scheduled: round(scheduled, 2),
      scheduledBySkill: Object.fromEntries(skills.map((s) => [s, round([...dutySharesIn(occurrences, interval, hasSkill(s)).values()].reduce((a, w) => a + w, 0), 2)])),
      productiveSlots: pool.slots,
      requiredSlots: need.slots,
      requiredAgents: need.agents,
      predicted: {
        probabilityOfWaiting: round(predicted.probabilityOfWaiting),
        serviceLevel: round(predicted.serviceLevel),
        /** null when the scheduled slots cannot keep up (the queue grows without bound). */
        averageSpeedOfAnswerSeconds: Number.isFinite(predicted.averageSpeedOfAnswerSeconds) ? round(predicted.averageSpeedOfAnswerSeconds, 1) : null,
      },
      understaffed,
    });
  }
  return {
    result: {
      date: input.date,
      timeZone: input.timeZone,
      intervalMinutes: input.intervalMinutes,
      skill: input.skill ?? null,
      model: {
        ahtSeconds: model.ahtSeconds,
        ahtGrowth: model.byConcurrency ? null : (model.growth ?? 1),
        ahtByConcurrency: model.byConcurrency ? [...model.byConcurrency] : null,
        concurrency: input.concurrency ?? null,
        targetServiceLevel: input.serviceLevel,
        answerSeconds: input.answerSeconds,
        maxSlots: input.maxSlots,
      },
      intervals: rows,
      summary: { intervals: rows.length, understaffedIntervals },
    },
  } as const;
}
