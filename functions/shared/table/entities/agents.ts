/**
 * Items the agents capability owns: everything under `AGENT#<id>` — the profile, one seat per
 * skill (the sparse availability pool), the agent's open-conversation records and WebSocket
 * connections. Other capabilities (routing, platform) reach them only through these entities.
 */
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { agentSchema, presenceStatuses, skillSchema } from "../../../agents/domain.js";
import { defineEntity } from "../entity.js";

export const Agent = defineEntity({
  type: "Agent",
  owner: "agents",
  description: "An agent's profile: skills, capacity, presence, load, duty window, `deactivatedAt` while deactivated (kept for history); `version` guards every write",
  schema: agentSchema,
  pk: "AGENT#{agentId}",
  sk: "PROFILE",
  indexes: {
    all: { index: "gsi2", pk: "AGENTS", sk: "{agentId}", why: "lists every agent, deactivated ones too, in id order (supervisor views a page at a time, reconciler)" },
  },
  patterns: [
    { name: "Agent.get", operation: "GetItem AGENT#{agentId} / PROFILE, consistent", cost: "1 RRU" },
    { name: "Agent.list", operation: "Query gsi2 AGENTS", cost: "~1 RRU per 8 agents (4 KB pages, eventually consistent)" },
    {
      name: "Agent.listPage",
      operation: "Query gsi2 AGENTS, Limit n + 1 after the cursor (GET /agents); ?active= filters on deactivatedAt, reading on until n + 1 match",
      cost: "~1 RRU per 8 agents read (filtered-out agents are read and billed too)",
    },
    { name: "Agent.write", operation: "TransactWriteItems: Put profile (version = :v) + Put each seat, Delete dropped seats (+ audit)", cost: "2 × (1 + skills + 1) WRU" },
    {
      name: "Agent.assignOne",
      operation:
        "TransactWriteItems: Update profile ADD load 1, version 1 IF maxConcurrent = :seatMax AND load < :seatMax − 1 AND presence = online AND contains(skills, :seatSkill) AND dutyFrom <= :now AND dutyTo > :now AND attribute_not_exists(deactivatedAt), seats untouched (+ the routing items); the agent's last free slot: Put profile (version = :v) + Put each seat (leaves the pool)",
      cost: "2 WRU + 1 (gsi2); the last slot 2 × (1 + skills) WRU + index writes",
    },
    { name: "Agent.deactivate", operation: "Agent.write with deactivatedAt set and every seat out of the pool (+ audit), then each open conversation handed over", cost: "2 × (1 + skills + 1) WRU, + one move per open conversation" },
  ],
});

/** What a seat says about its agent at the agent's version: enough to route without the profile. */
export const seatSchema = lazy(() => z.object({
  agentId: z.string(),
  skill: skillSchema,
  skills: z.array(skillSchema),
  load: z.number().check(z.int()),
  maxConcurrent: z.number().check(z.int()),
  lastAssignedAt: z.string(),
  version: z.number().check(z.int()),
  /** The agent's routing window at this version: the router checks its clock against it. */
  dutyFrom: z.optional(z.string()),
  dutyTo: z.optional(z.string()),
}));

/** What the router projects from a pool entry: the seat without its skill. */
export const seatViewSchema = lazy(() => z.pick(seatSchema, { agentId: true, skills: true, load: true, maxConcurrent: true, lastAssignedAt: true, version: true, dutyFrom: true, dutyTo: true }));
export type SeatView = z.infer<typeof seatViewSchema>;

export const Seat = defineEntity({
  type: "Seat",
  owner: "agents",
  description:
    "One per skill of an agent; in the pool index exactly while the agent may take work (has a free slot), ranked by the load and idle time of the agent's last profile write (assignments that leave a slot free do not rewrite it)",
  schema: seatSchema,
  pk: "AGENT#{agentId}",
  sk: "SEAT#{skill}",
  indexes: {
    pool: {
      index: "gsi1",
      pk: "POOL#{skill}",
      sk: "{rank}",
      why: "sparse: holds exactly the agents on duty, online and below capacity, lowest load ratio then longest idle first as of each agent's last profile write (an assignment leaving a slot free does not move it), so a routing decision reads a few entries whatever the team size",
    },
  },
  patterns: [
    { name: "Seat.queryPool", operation: "Query gsi1 POOL#{skill}, Limit 20, projection of the seat view", cost: "0.5–1 RRU, independent of team size" },
  ],
});

export const assignmentSchema = lazy(() => z.object({
  agentId: z.string(),
  conversationId: z.string(),
  assignedAt: z.string(),
}));

export const Assignment = defineEntity({
  type: "Assignment",
  owner: "agents",
  description: "One of an agent's open conversations; the agent's load is reconciled against these records",
  schema: lazy(() => z.looseObject(assignmentSchema.shape)),
  pk: "AGENT#{agentId}",
  sk: "CONV#{conversationId}",
  patterns: [
    { name: "Assignment.openOf", operation: "Query AGENT#{agentId}, begins_with(sk, CONV#)", cost: "~1 RRU per 40 conversations" },
    { name: "Assignment.put / delete", operation: "inside the routing and close transactions", cost: "2 WRU each (transactional)" },
  ],
});

export const connectionSchema = lazy(() => z.object({
  connectionId: z.string(),
  sub: z.string(),
  role: z.enum(["supervisor", "agent"]),
  connectedAt: z.string(),
  expiresAtEpoch: z.number().check(z.int()),
}));

export const AgentConnection = defineEntity({
  type: "AgentConnection",
  owner: "agents",
  description: "An agent's open WebSocket connection (push target); TTL 2 h",
  schema: connectionSchema,
  pk: "AGENT#{agentId}",
  sk: "WS#{connectionId}",
  expires: "2 h after connecting",
  patterns: [
    { name: "AgentConnection.of", operation: "Query AGENT#{agentId}, begins_with(sk, WS#), projection connectionId", cost: "0.5 RRU" },
    { name: "AgentConnection.record", operation: "TransactWriteItems: Put connection + Put ConnectionOwner", cost: "4 WRU" },
    { name: "AgentConnection.forget", operation: "Delete AGENT#{agentId} / WS#{connectionId} (on $disconnect or a 410 from a push)", cost: "1 WRU" },
  ],
});

/** A skill as data: its display name and the skills an escalated conversation may fall back to. */
export const skillDefinitionSchema = lazy(() => z.object({
  skillId: skillSchema,
  name: z.string(),
  fallbackSkills: z.array(skillSchema),
  updatedAt: z.string(),
  updatedBy: z.string(),
}));

export const SkillDefinition = defineEntity({
  type: "Skill",
  owner: "agents",
  description: "A skill (presale, vip, …) with its name and fallback skills; the five defaults are served until their item is written",
  schema: skillDefinitionSchema,
  pk: "SKILLS",
  sk: "SKILL#{skillId}",
  patterns: [
    { name: "Skill.list", operation: "Query SKILLS (one small partition: every skill)", cost: "0.5 RRU per 4 KB (a few dozen skills)" },
    { name: "Skill.put", operation: "TransactWriteItems: Put SKILLS / SKILL#{skillId} + audit record", cost: "4 WRU" },
  ],
});

export const presenceChangeSchema = lazy(() => z.object({
  agentId: z.string(),
  /** The instant of the change (the request's clock). */
  at: z.string(),
  presence: z.enum(presenceStatuses),
  /** The presence before it: the state before the agent's first kept change. */
  previous: z.enum(presenceStatuses),
  by: z.string(),
  expiresAtEpoch: z.number().check(z.int()),
}));

export const PresenceChange = defineEntity({
  type: "PresenceChange",
  owner: "agents",
  description: "One change of an agent's presence with its instant, written in the change's own transaction: the history adherence reads. TTL 90 days",
  schema: presenceChangeSchema,
  pk: "AGENT#{agentId}",
  sk: "PRESENCE#{at}",
  expires: "90 days after the change",
  patterns: [
    { name: "PresenceChange.put", operation: "Put inside the presence change's transaction (setPresence, deactivation)", cost: "2 WRU (transactional, < 1 KB)" },
    { name: "PresenceChange.between", operation: "Query AGENT#{agentId}, sk BETWEEN PRESENCE#{from} AND PRESENCE#{to}", cost: "0.5 RRU per 4 KB (~40 changes)" },
    { name: "PresenceChange.lastBefore", operation: "Query AGENT#{agentId}, sk BETWEEN PRESENCE# AND PRESENCE#{at}, newest first, Limit 1", cost: "0.5 RRU" },
  ],
});
