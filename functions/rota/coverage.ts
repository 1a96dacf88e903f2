/**
 * Coverage: for each interval of a local day, agents scheduled (from resolved duty) against
 * agents required by an Erlang C forecast. Pure.
 *
 * Assumptions (docs/rota.md): chat slots are Erlang servers (an agent with concurrency c is c
 * servers), no abandonment, AHT is how long a chat holds a slot, shrinkage removes a share
 * of scheduled agents (breaks, meetings) before they count as servers.
 */
import * as z from "zod/mini";
import { skills, skillSchema, type Skill } from "../agents/domain.js";
import { dateSchema, zoneSchema } from "./domain.js";
import { averageSpeedOfAnswer, erlangC, requiredServers, serviceLevel } from "./erlang.js";
import type { Occurrence } from "./resolve.js";
import { localIso, localToInstant, parseDate, minuteMs } from "./time.js";

const numberParam = (schema: z.ZodMiniNumber<number>) => z.pipe(z.coerce.number(), schema);

/** Most conversations one interval's forecast may name (a very large contact centre sees a few thousand). */
export const maxIntervalVolume = 1_000_000;
/** Most chat slots the Erlang search tries before calling a forecast unstaffable. */
export const maxServers = 100_000;

/**
 * `timeZone` is required: the day's intervals depend on it, and a silent UTC default gave a
 * Shanghai supervisor a day shifted by 8 hours. (The HTTP entry also refuses unknown parameters,
 * so a misspelt `serviceLevl` is not silently the default.)
 */
export const coverageQuerySchema = z.object({
  date: dateSchema,
  timeZone: zoneSchema,
  interval: z._default(numberParam(z.number().check(z.int())).check(z.refine((n) => [15, 30, 60].includes(n), "must be 15, 30 or 60")), 30),
  skill: z.optional(skillSchema),
  /** Forecast conversations per interval, comma-separated, one number per interval of the day. */
  volumes: z.pipe(
    z.string().check(z.minLength(1, "required: conversations per interval, comma-separated")),
    z.transform((s: string, ctx) => {
      const values = s.split(",").map((v) => (v.trim() === "" ? Number.NaN : Number(v.trim())));
      if (values.some((v) => !Number.isFinite(v) || v < 0)) {
        ctx.issues.push({ code: "custom", message: "must be non-negative numbers separated by commas", input: s });
        return z.NEVER;
      }
      const tooMany = values.findIndex((v) => v > maxIntervalVolume);
      if (tooMany >= 0) {
        ctx.issues.push({ code: "custom", message: `value ${tooMany + 1} (${values[tooMany]}) is above ${maxIntervalVolume} conversations per interval`, input: s });
        return z.NEVER;
      }
      return values;
    }),
  ),
  aht: numberParam(z.number().check(z.positive(), z.maximum(86_400))),
  concurrency: z._default(numberParam(z.number().check(z.int(), z.minimum(1), z.maximum(50))), 1),
  serviceLevel: z._default(numberParam(z.number().check(z.gt(0), z.lt(1))), 0.8),
  answerSeconds: z._default(numberParam(z.number().check(z.minimum(0), z.maximum(86_400))), 20),
  shrinkage: z._default(numberParam(z.number().check(z.minimum(0), z.lt(1))), 0),
});

export type CoverageQuery = z.infer<typeof coverageQuerySchema>;

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

/** Agent-equivalents on duty in [from, to): each agent counts by the share of the interval on duty. */
function scheduledIn(occurrences: readonly Occurrence[], interval: DayInterval, eligible: (agentId: string) => boolean): number {
  const onDutyMs = new Map<string, number>();
  for (const o of occurrences) {
    if (!eligible(o.agentId)) continue;
    for (const d of o.duty) {
      const overlap = Math.min(interval.to, Date.parse(d.to)) - Math.max(interval.from, Date.parse(d.from));
      if (overlap > 0) onDutyMs.set(o.agentId, Math.min(interval.to - interval.from, (onDutyMs.get(o.agentId) ?? 0) + overlap));
    }
  }
  let total = 0;
  for (const ms of onDutyMs.values()) total += ms / (interval.to - interval.from);
  return total;
}

/** Slots needed for an interval, or undefined when no staffing up to `maxServers` meets the target. */
function slotsFor(query: CoverageQuery, trafficErlangs: number): number | undefined {
  if (trafficErlangs >= maxServers) return undefined;
  try {
    return requiredServers({ trafficErlangs, ahtSeconds: query.aht, targetServiceLevel: query.serviceLevel, answerSeconds: query.answerSeconds }, maxServers);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

export function computeCoverage(query: CoverageQuery, occurrences: readonly Occurrence[], agentSkills: ReadonlyMap<string, readonly Skill[]>) {
  const intervals = dayIntervals(query.date, query.timeZone, query.interval);
  if (query.volumes.length !== intervals.length) {
    const error: string = `needs ${intervals.length} values (one per ${query.interval}-minute interval of ${query.date} in ${query.timeZone}), got ${query.volumes.length}`;
    return { error } as const;
  }
  // A forecast no staffing can meet is answered as such, naming the first interval, before any work.
  const required: number[] = [];
  for (const [i, interval] of intervals.entries()) {
    const trafficErlangs = ((query.volumes[i] ?? 0) * query.aht) / ((interval.to - interval.from) / 1000);
    const slots = slotsFor(query, trafficErlangs);
    if (slots === undefined) {
      return { unstaffable: { interval: i, localFrom: localIso(interval.from, query.timeZone), trafficErlangs: round(trafficErlangs), maxSlots: maxServers } } as const;
    }
    required.push(slots);
  }
  const hasSkill = (skill: Skill | undefined) => (agentId: string) => {
    const own = agentSkills.get(agentId);
    return own !== undefined && (skill === undefined || own.includes(skill));
  };
  const productive = 1 - query.shrinkage;
  let understaffedIntervals = 0;
  const rows = intervals.map((interval, i) => {
    const volume = query.volumes[i] ?? 0;
    const seconds = (interval.to - interval.from) / 1000;
    const traffic = (volume * query.aht) / seconds;
    const scheduled = scheduledIn(occurrences, interval, hasSkill(query.skill));
    const scheduledBySkill = Object.fromEntries(skills.map((s) => [s, round(scheduledIn(occurrences, interval, hasSkill(s)), 2)]));
    const requiredSlots = required[i] ?? 0;
    const requiredAgents = requiredSlots === 0 ? 0 : Math.ceil(requiredSlots / query.concurrency / productive - 1e-9);
    // Fractional agents give fractional slots; Erlang needs whole servers, so round down.
    const slots = Math.floor(scheduled * productive * query.concurrency + 1e-9);
    const asa = averageSpeedOfAnswer(traffic, slots, query.aht);
    const understaffed = scheduled + 1e-9 < requiredAgents;
    if (understaffed) understaffedIntervals++;
    return {
      from: new Date(interval.from).toISOString(),
      to: new Date(interval.to).toISOString(),
      localFrom: localIso(interval.from, query.timeZone),
      volume,
      trafficErlangs: round(traffic),
      scheduled: round(scheduled, 2),
      scheduledBySkill,
      productiveSlots: slots,
      requiredSlots,
      requiredAgents,
      predicted: {
        probabilityOfWaiting: round(erlangC(traffic, slots)),
        serviceLevel: round(serviceLevel(traffic, slots, query.aht, query.answerSeconds)),
        /** null when the scheduled slots cannot keep up (the queue grows without bound). */
        averageSpeedOfAnswerSeconds: Number.isFinite(asa) ? round(asa, 1) : null,
      },
      understaffed,
    };
  });
  return {
    result: {
      date: query.date,
      timeZone: query.timeZone,
      intervalMinutes: query.interval,
      skill: query.skill ?? null,
      forecast: {
        ahtSeconds: query.aht,
        concurrency: query.concurrency,
        targetServiceLevel: query.serviceLevel,
        answerSeconds: query.answerSeconds,
        shrinkage: query.shrinkage,
      },
      intervals: rows,
      summary: { intervals: rows.length, understaffedIntervals },
    },
  } as const;
}
