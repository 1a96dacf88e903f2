/**
 * Chat-aware staffing: Erlang C with the agents' own chat slots as servers, and a handle time
 * that may grow with the number of chats an agent holds. Pure and dependency-free (coverage,
 * the plan solver and the simulator comparison use it).
 *
 * Model (docs/rota.md "Staffing for chat"):
 * - an agent with `maxConcurrent = c` is c servers (slots);
 * - a chat held by an agent working at concurrency c lasts `AHT(c)`: a table per concurrency
 *   (`ahtByConcurrency[c − 1]`, the last entry beyond the table), or `ahtSeconds × growth^(c−1)`;
 *   the model plans every agent at its full concurrency (the busy regime a target is set for);
 * - a pool of agents with different c is pooled into N = Σ slots servers at the slot-weighted
 *   harmonic mean handle time (the pool's service capacity Σ slots/AHT(c), spread over N slots);
 * - traffic A = arrivals × AHT / interval seconds; P(wait) = Erlang C(A, N);
 *   SL = 1 − C·e^(−(N−A)·t/AHT); ASA = C·AHT/(N − A).
 * With growth 1 (or a flat table) this is exactly Erlang C with the slots as servers.
 */
import { averageSpeedOfAnswer, erlangC, requiredServers, serviceLevel } from "./erlang.js";

export interface HandleTimeModel {
  /** Handle time of a chat when its agent holds one chat. */
  ahtSeconds: number;
  /** Handle time multiplier per extra chat held (1 = no growth). */
  growth?: number | undefined;
  /** Handle time at concurrency 1, 2, …; replaces `ahtSeconds`/`growth` when given. */
  byConcurrency?: readonly number[] | undefined;
}

/** Handle time (s) of a chat whose agent holds `concurrency` chats. */
export function handleSecondsAt(model: HandleTimeModel, concurrency: number): number {
  const c = Math.max(1, Math.round(concurrency));
  if (model.byConcurrency && model.byConcurrency.length > 0) return model.byConcurrency[Math.min(c, model.byConcurrency.length) - 1] ?? model.ahtSeconds;
  return model.ahtSeconds * (model.growth ?? 1) ** (c - 1);
}

/** Agents of one slot count: `agents` agent-equivalents (shares of the interval on duty) of `slots` slots each. */
export interface SlotGroup {
  slots: number;
  agents: number;
}

export interface Pool {
  /** Agent-equivalents, after shrinkage. */
  agents: number;
  /** Whole servers: floor(Σ agents × slots). */
  slots: number;
  /** Slot-weighted harmonic mean handle time (s): the pool's service capacity spread over its slots. */
  ahtSeconds: number;
  /** Mean slots per agent (slot-weighted by presence). */
  slotsPerAgent: number;
}

/** Pools slot groups (after `productive` = 1 − shrinkage); an empty pool takes `fallback`'s mix. */
export function poolOf(groups: readonly SlotGroup[], model: HandleTimeModel, productive: number): Pool {
  let agents = 0;
  let slots = 0;
  let capacity = 0;
  for (const g of groups) {
    if (!(g.agents > 0)) continue;
    const a = g.agents * productive;
    agents += a;
    slots += a * g.slots;
    capacity += (a * g.slots) / handleSecondsAt(model, g.slots);
  }
  if (slots <= 0) return { agents: 0, slots: 0, ahtSeconds: handleSecondsAt(model, 1), slotsPerAgent: 1 };
  // Fractional agents give fractional slots; Erlang needs whole servers, so round down.
  return { agents, slots: Math.floor(slots + 1e-9), ahtSeconds: slots / capacity, slotsPerAgent: slots / agents };
}

export interface Target {
  /** e.g. 0.8 for "80 % answered within answerSeconds". */
  serviceLevel: number;
  answerSeconds: number;
}

export interface Prediction {
  trafficErlangs: number;
  probabilityOfWaiting: number;
  serviceLevel: number;
  /** Infinity when slots ≤ traffic. */
  averageSpeedOfAnswerSeconds: number;
}

/** The service `slots` servers give `volume` arrivals in `intervalSeconds` at handle time `ahtSeconds`. */
export function predict(volume: number, intervalSeconds: number, slots: number, ahtSeconds: number, target: Target): Prediction {
  const a = (volume * ahtSeconds) / intervalSeconds;
  return {
    trafficErlangs: a,
    probabilityOfWaiting: erlangC(a, slots),
    serviceLevel: serviceLevel(a, slots, ahtSeconds, target.answerSeconds),
    averageSpeedOfAnswerSeconds: averageSpeedOfAnswer(a, slots, ahtSeconds),
  };
}

export interface Requirement {
  trafficErlangs: number;
  /** Fewest servers meeting the target. */
  slots: number;
  /** Agents of the mix's slots per agent needed for those slots, after shrinkage (ceil). */
  agents: number;
}

/**
 * What `volume` arrivals need at a mix of `slotsPerAgent` slots per agent handling at
 * `ahtSeconds`: the fewest slots meeting the target, then agents = ceil(slots / slotsPerAgent /
 * productive). `undefined` when no staffing up to `maxSlots` slots meets it.
 */
export function requirement(volume: number, intervalSeconds: number, ahtSeconds: number, slotsPerAgent: number, productive: number, target: Target, maxSlots: number): Requirement | undefined {
  const trafficErlangs = (volume * ahtSeconds) / intervalSeconds;
  if (trafficErlangs >= maxSlots) return undefined;
  let slots: number;
  try {
    slots = requiredServers({ trafficErlangs, ahtSeconds, targetServiceLevel: target.serviceLevel, answerSeconds: target.answerSeconds }, maxSlots);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  return { trafficErlangs, slots, agents: slots === 0 ? 0 : Math.ceil(slots / slotsPerAgent / productive - 1e-9) };
}
