/**
 * Agent state and the one rule that decides who may receive new work. Pure: no AWS here.
 */
import * as z from "zod";

export const skills = ["presale", "aftersale", "vip", "complaint", "logistics"] as const;
export const skillSchema = z.enum(skills);
export type Skill = z.infer<typeof skillSchema>;

export const presenceStatuses = ["online", "away", "offline"] as const;
export type Presence = (typeof presenceStatuses)[number];

export const agentIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'");

export const dutyWindowSchema = z.object({
  shiftId: z.string(),
  /** ISO instants of the resolved shift occurrence. */
  from: z.string(),
  to: z.string(),
});
export type DutyWindow = z.infer<typeof dutyWindowSchema>;

/** The agent profile as stored; items read back are parsed with it. */
export const agentSchema = z.object({
  agentId: z.string(),
  name: z.string(),
  skills: z.array(skillSchema),
  maxConcurrent: z.number().int(),
  presence: z.enum(presenceStatuses),
  /** Open conversations assigned to the agent. */
  load: z.number().int().default(0),
  /** Maintained by the rota's on-duty view at shift boundaries. */
  onDuty: z.boolean().default(false),
  shift: dutyWindowSchema.nullable().default(null),
  /** ISO time of the last assignment; agents idle longest win ties. */
  lastAssignedAt: z.string(),
  /** When presence / duty last changed (stamped by the store): handover timeouts start here. */
  presenceChangedAt: z.string().optional(),
  dutyChangedAt: z.string().optional(),
  /** Optimistic-concurrency version: every write is conditional on it. */
  version: z.number().int().default(0),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type Agent = z.infer<typeof agentSchema>;

/** Invariant 3 + capacity: only on-duty, online agents with a free slot get new conversations. */
export function isEligible(agent: Agent): boolean {
  return agent.onDuty && agent.presence === "online" && agent.load < agent.maxConcurrent;
}

export function canServe(agent: Agent, skill: Skill | "any"): boolean {
  return skill === "any" || agent.skills.includes(skill);
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

/** What supervisors and agents see of an agent. */
export function agentView(agent: Agent) {
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
    available: isEligible(agent),
    lastAssignedAt: agent.lastAssignedAt,
    updatedAt: agent.updatedAt,
    updatedBy: agent.updatedBy,
  };
}
