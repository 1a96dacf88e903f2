/**
 * Response schemas of the agents routes (their contract: ./contract.ts). The views take their
 * types from these (`import type`), so a view and its published schema cannot drift; no Lambda
 * bundle imports this module by value.
 */
import * as z from "zod/mini";
import { instant, named, nextCursor } from "../shared/responses.js";
import { skillDefinitionSchema } from "../shared/table/entities/agents.js";
import { dutyWindowSchema, presenceStatuses, skillSchema } from "./domain.js";

export const dutyWindowView = named("DutyWindow", z.strictObject({ shiftId: dutyWindowSchema.shape.shiftId, from: instant, to: instant }), "A resolved shift occurrence: from and to are instants.");

export const agentViewSchema = named(
  "Agent",
  z.strictObject({
    agentId: z.string(),
    name: z.string(),
    skills: z.array(skillSchema),
    maxConcurrent: z.number().check(z.int()),
    presence: z.enum(presenceStatuses),
    /** Open conversations assigned to the agent. */
    load: z.number().check(z.int()),
    /** How far the load is above maxConcurrent (after lowering it): 0 when within. */
    overCapacityBy: z.number().check(z.int()),
    onDuty: z.boolean(),
    shift: z.nullable(dutyWindowView),
    nextShift: z.nullable(dutyWindowView),
    /** Online, on duty, active and below capacity: may receive a new conversation now. */
    available: z.boolean(),
    active: z.boolean(),
    deactivatedAt: z.nullable(instant),
    lastAssignedAt: instant,
    updatedAt: instant,
    updatedBy: z.string(),
  }),
  "An agent: profile, presence, load, duty.",
);
export type AgentView = z.output<typeof agentViewSchema>;

export const handoverResultSchema = z.strictObject({
  conversationId: z.string(),
  outcome: z.enum(["handed-over", "gone", "failed"]),
  status: z.optional(z.string()),
  agentId: z.optional(z.string()),
});

export const deactivatedAgentSchema = named(
  "DeactivatedAgent",
  z.strictObject({
    ...agentViewSchema.shape,
    deactivated: z.strictObject({
      changed: z.boolean(),
      handedOver: z.array(handoverResultSchema),
      rota: z.strictObject({ assignmentsRemoved: z.number().check(z.int()), patternsEnded: z.number().check(z.int()), exceptionsRemoved: z.number().check(z.int()) }),
      disconnected: z.number().check(z.int()),
    }),
  }),
  "The agent as deactivated, with what the deactivation did (false `changed`: it already was).",
);

export const agentPageSchema = named("AgentPage", z.strictObject({ agents: z.array(agentViewSchema), next: nextCursor }));

export const skillViewSchema = named("Skill", z.strictObject({ ...skillDefinitionSchema.shape, updatedAt: instant }), "A skill and the skills an escalated conversation of it may fall back to.");

export const skillListSchema = z.strictObject({ skills: z.array(skillViewSchema) });
