/**
 * Agent state and the one rule that decides who may receive new work. Pure: no AWS here.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import type { AgentView } from "./responses.js";

/** The five skills seeded by default (GET /skills serves them until a skill item exists). */
export const skills = ["presale", "aftersale", "vip", "complaint", "logistics"] as const;
export const defaultSkills = skills;
/**
 * A skill id: skills are data (`PUT /skills/{skillId}`), so any id of this grammar parses; the
 * use cases check it names a known skill.
 */
export const skillSchema = lazy(() => z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, "must be 1-32 lowercase letters, digits or '-', starting with a letter")));
export type Skill = z.infer<typeof skillSchema>;

/** `paused` (挂起): keeps its open conversations, gets no new ones, and nothing is handed over. */
export const presenceStatuses = ["online", "paused", "away", "offline"] as const;
export type Presence = (typeof presenceStatuses)[number];

export const agentIdSchema = lazy(() => z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'")));

export const dutyWindowSchema = lazy(() => z.object({
  shiftId: z.string(),
  /** ISO instants of the resolved shift occurrence. */
  from: z.string(),
  to: z.string(),
}));
export type DutyWindow = z.infer<typeof dutyWindowSchema>;

/** The agent profile as stored; items read back are parsed with it. */
export const agentSchema = lazy(() => z.object({
  agentId: z.string(),
  name: z.string(),
  skills: z.array(skillSchema),
  maxConcurrent: z.number().check(z.int()),
  presence: z.enum(presenceStatuses),
  /** Open conversations assigned to the agent. */
  load: z._default(z.number().check(z.int()), 0),
  /** Maintained by the rota's on-duty view at shift boundaries. */
  onDuty: z._default(z.boolean(), false),
  shift: z._default(z.nullable(dutyWindowSchema), null),
  /** The next duty window when it begins within the duty clock's look-ahead (written by the rota). */
  nextShift: z._default(z.nullable(dutyWindowSchema), null),
  /**
   * The window in which routing may give the agent new work, derived from `shift`/`nextShift` on
   * every write (`routingWindow`) and checked by the assignment transaction against the
   * decision's clock: `dutyFrom <= :now AND dutyTo > :now`.
   */
  dutyFrom: z.optional(z.string()),
  dutyTo: z.optional(z.string()),
  /** ISO time of the last assignment; agents idle longest win ties. */
  lastAssignedAt: z.string(),
  /** When presence / duty last changed (stamped by the store): handover timeouts start here. */
  presenceChangedAt: z.optional(z.string()),
  dutyChangedAt: z.optional(z.string()),
  /**
   * Set while the agent is deactivated (`DELETE /agents/{id}`): kept for history and audit, in no
   * pool, never assigned (the assignment's condition checks this attribute is absent), no
   * presence, no WebSocket sign-in. `POST /agents/{id}/reactivate` removes it.
   */
  deactivatedAt: z.optional(z.string()),
  deactivatedBy: z.optional(z.string()),
  /** Optimistic-concurrency version: every write is conditional on it. */
  version: z._default(z.number().check(z.int()), 0),
  updatedAt: z.string(),
  updatedBy: z.string(),
}));
export type Agent = z.infer<typeof agentSchema>;

const iso = (t: string) => new Date(t).toISOString();

/**
 * The window routing may use: the current shift (extended by a next one that starts before it
 * ends, so back-to-back shifts do not gap), or the next shift starting soon. ISO instants in
 * `toISOString` form, so they compare as strings in a DynamoDB condition.
 */
export function routingWindow(agent: Pick<Agent, "onDuty" | "shift" | "nextShift">): { dutyFrom: string; dutyTo: string } | undefined {
  const next = agent.nextShift ?? null;
  if (agent.onDuty && agent.shift) {
    const to = next && Date.parse(next.from) <= Date.parse(agent.shift.to) && Date.parse(next.to) > Date.parse(agent.shift.to) ? next.to : agent.shift.to;
    return { dutyFrom: iso(agent.shift.from), dutyTo: iso(to) };
  }
  if (next) return { dutyFrom: iso(next.from), dutyTo: iso(next.to) };
  return undefined;
}

/** The window covers `at` (`dutyFrom <= at < dutyTo`). */
export function windowCovers(window: { dutyFrom?: string | undefined; dutyTo?: string | undefined }, at: Date): boolean {
  const t = at.toISOString();
  return window.dutyFrom !== undefined && window.dutyTo !== undefined && window.dutyFrom <= t && t < window.dutyTo;
}

/**
 * Invariant 3, to the instant: the routing window covers `at`. A profile with no window at all
 * (the simulator's agents) falls back to its `onDuty` flag.
 */
export function onDutyAt(agent: Pick<Agent, "onDuty" | "shift" | "nextShift">, at: Date): boolean {
  const window = routingWindow(agent);
  return window ? windowCovers(window, at) : agent.onDuty;
}

/**
 * May hold seats in the availability pool: online, a free slot and a routing window (or the
 * duty flag). The router still checks the window against its clock: a seat may sit in the pool
 * a little before its shift starts, or until the duty clock tidies it after the shift ended.
 */
export function isEligible(agent: Agent): boolean {
  return isActive(agent) && agent.presence === "online" && agent.load < agent.maxConcurrent && (routingWindow(agent) !== undefined || agent.onDuty);
}

/** Invariant 3 at an instant: on duty (exactly), online and below capacity. */
export function isEligibleAt(agent: Agent, at: Date): boolean {
  return isActive(agent) && agent.presence === "online" && agent.load < agent.maxConcurrent && onDutyAt(agent, at);
}

/** Not deactivated (a profile kept for history only takes no work, presence or sign-in). */
export function isActive(agent: Pick<Agent, "deactivatedAt">): boolean {
  return agent.deactivatedAt === undefined;
}

/** Why the agent cannot take new work at `at` (deactivated, duty, presence), or undefined. Capacity is separate. */
export function unavailableReason(agent: Agent, at: Date): string | undefined {
  if (!isActive(agent)) return "deactivated";
  if (!onDutyAt(agent, at)) return "off duty";
  if (agent.presence !== "online") return `presence ${agent.presence}`;
  return undefined;
}

/** Serves `skill` itself, or (`fallbacks`, once escalated) one of its fallback skills. */
export function canServe(agent: Pick<Agent, "skills">, skill: Skill | "any", fallbacks: readonly Skill[] = []): boolean {
  return skill === "any" || agent.skills.includes(skill) || fallbacks.some((f) => agent.skills.includes(f));
}

/**
 * Sort key inside a skill's availability pool: lowest load ratio first, then longest idle
 * (oldest last assignment), then id for determinism. Lexicographic order equals priority order.
 */
export function poolRank(agent: Pick<Agent, "load" | "maxConcurrent" | "lastAssignedAt" | "agentId">): string {
  const ratio = Math.floor((agent.load / agent.maxConcurrent) * 10_000);
  return `${String(ratio).padStart(5, "0")}#${agent.lastAssignedAt}#${agent.agentId}`;
}

export function newAgent(input: { agentId: string; name: string; skills: Skill[]; maxConcurrent: number }, actor: string, now: Date): Agent {
  return {
    ...input,
    presence: "offline",
    load: 0,
    onDuty: false,
    shift: null,
    nextShift: null,
    lastAssignedAt: "1970-01-01T00:00:00.000Z",
    version: 0,
    updatedAt: now.toISOString(),
    updatedBy: actor,
  };
}

/**
 * How many open conversations the agent holds above its capacity (0 when within it). Lowering
 * `maxConcurrent` below the current load is allowed: the agent takes no new work until the load
 * falls below the new capacity, and views show how far over it is.
 */
export function overCapacityBy(agent: Pick<Agent, "load" | "maxConcurrent">): number {
  return Math.max(0, agent.load - agent.maxConcurrent);
}

/** The profile fields `PATCH /agents/{id}` changes one at a time. */
export type ProfilePatch = Partial<Pick<Agent, "name" | "skills" | "maxConcurrent">>;

export type ProfileChanges = Partial<{ [F in keyof ProfilePatch]-?: { from: NonNullable<ProfilePatch[F]>; to: NonNullable<ProfilePatch[F]> } }>;

/**
 * Each field of `patch` whose value differs from the agent's, as `{ from, to }` (the audit
 * record's details); empty when nothing would change. Skills compare as a set.
 *
 * @example
 * patchChanges(agent, { maxConcurrent: 8 }); // { maxConcurrent: { from: 5, to: 8 } }
 */
export function patchChanges(agent: Pick<Agent, "name" | "skills" | "maxConcurrent">, patch: ProfilePatch): ProfileChanges {
  const changes: ProfileChanges = {};
  if (patch.name !== undefined && patch.name !== agent.name) changes.name = { from: agent.name, to: patch.name };
  if (patch.maxConcurrent !== undefined && patch.maxConcurrent !== agent.maxConcurrent) changes.maxConcurrent = { from: agent.maxConcurrent, to: patch.maxConcurrent };
  if (patch.skills !== undefined) {
    const same = patch.skills.length === agent.skills.length && patch.skills.every((s) => agent.skills.includes(s));
    if (!same) changes.skills = { from: agent.skills, to: patch.skills };
  }
  return changes;
}

/** What supervisors and agents see of an agent (its schema: responses.ts `agentViewSchema`). */
export function agentView(agent: Agent): AgentView {
  return {
    agentId: agent.agentId,
    name: agent.name,
    skills: agent.skills,
    maxConcurrent: agent.maxConcurrent,
    presence: agent.presence,
    load: agent.load,
    overCapacityBy: overCapacityBy(agent),
    onDuty: agent.onDuty,
    shift: agent.shift,
    nextShift: agent.nextShift,
    available: isEligible(agent),
    active: isActive(agent),
    deactivatedAt: agent.deactivatedAt ?? null,
    lastAssignedAt: agent.lastAssignedAt,
    updatedAt: agent.updatedAt,
    updatedBy: agent.updatedBy,
  };
}
