/**
 * Items the rota capability owns: shifts, each agent's dated assignments and rotation patterns
 * (under `ROTA#<agentId>`), exceptions (leave, override, swap) and the on-duty view the duty
 * clock keeps. Every item is well under 1 KB except a pattern of many entries (≤ 62).
 */
import * as z from "zod";
import { skillSchema } from "../../../agents/domain.js";
import { assignmentSchema, patternSchema, rotaExceptionSchema, shiftSchema } from "../../../rota/domain.js";
import { defineEntity } from "../entity.js";

export const Shift = defineEntity({
  type: "Shift",
  owner: "rota",
  description: "A named shift: local start and end (HH:mm) in an IANA zone; end ≤ start crosses midnight",
  schema: shiftSchema,
  pk: "SHIFT#{shiftId}",
  sk: "SHIFT",
  indexes: {
    all: { index: "gsi2", pk: "SHIFTS", sk: "{shiftId}", why: "lists every shift (validation of a rota, the resolver); a team has tens, not thousands" },
  },
  patterns: [
    { name: "Shift.get", operation: "GetItem SHIFT#{shiftId} / SHIFT, consistent", cost: "1 RRU" },
    { name: "Shift.list", operation: "Query gsi2 SHIFTS", cost: "0.5 RRU (few items)" },
    { name: "Shift.put", operation: "TransactWriteItems: Put shift (new, or unchanged since read) + audit", cost: "2 × 2 WRU (+ 1 WRU index)" },
  ],
});

export const RotaAssignment = defineEntity({
  type: "RotaAssignment",
  owner: "rota",
  description: "One agent's shift (or `off`) on one calendar date; beats the agent's pattern for that date",
  schema: assignmentSchema,
  pk: "ROTA#{agentId}",
  sk: "ASSIGN#{date}",
  indexes: {
    byMonth: {
      index: "gsi2",
      pk: "ROTAASSIGN#{month}",
      sk: "{date}#{agentId}",
      why: "every agent's assignments in a date range, one partition per month, so a resolver window (± 2 days) reads at most three small partitions",
    },
  },
  patterns: [
    { name: "RotaAssignment.ofAgent", operation: "Query ROTA#{agentId}, sk BETWEEN ASSIGN#{from} AND ASSIGN#{to}, consistent", cost: "~1 RRU per 40 dates" },
    { name: "RotaAssignment.inRange", operation: "Query gsi2 ROTAASSIGN#{yyyy-mm}, gsi2sk BETWEEN {from} AND {to}~, one per month", cost: "~0.5 RRU per 80 assignments" },
    { name: "RotaAssignment.put / delete", operation: "inside a rota change's transactions", cost: "2 WRU + 1 WRU index each" },
  ],
});

export const RotaPattern = defineEntity({
  type: "RotaPattern",
  owner: "rota",
  description: "A rotation from `startDate` (until `endDate`): day startDate + k works pattern[k mod length]",
  schema: patternSchema,
  pk: "ROTA#{agentId}",
  sk: "PATTERN#{startDate}",
  indexes: {
    all: { index: "gsi2", pk: "ROTAPATTERNS", sk: "{agentId}#{startDate}", why: "the resolver reads every pattern (one per agent and start date; a team has hundreds)" },
  },
  patterns: [
    { name: "RotaPattern.get", operation: "GetItem ROTA#{agentId} / PATTERN#{startDate}, consistent", cost: "1 RRU" },
    { name: "RotaPattern.list", operation: "Query gsi2 ROTAPATTERNS", cost: "~0.5 RRU per 40 patterns" },
    { name: "RotaPattern.put", operation: "inside a rota change's transactions", cost: "2 WRU + 1 WRU index" },
  ],
});

export const RotaException = defineEntity({
  type: "RotaException",
  owner: "rota",
  description: "Leave, an override or a swap; applied by the resolver, never edits assignments or patterns",
  schema: rotaExceptionSchema,
  pk: "ROTAEXC#{exceptionId}",
  sk: "EXC",
  indexes: {
    timeline: {
      index: "gsi2",
      pk: "ROTAEXC",
      sk: "{start}#{exceptionId}",
      why: "exceptions near a window by start (UTC instant for leave, date otherwise); an exception spans ≤ 62 days, which bounds the range",
    },
  },
  patterns: [
    { name: "RotaException.get", operation: "GetItem ROTAEXC#{exceptionId} / EXC, consistent", cost: "1 RRU" },
    { name: "RotaException.near", operation: "Query gsi2 ROTAEXC, gsi2sk BETWEEN {first − 63 d} AND {last}~", cost: "~0.5 RRU per 40 exceptions" },
    { name: "RotaException.create / delete", operation: "TransactWriteItems: Put (attribute_not_exists) or Delete (attribute_exists) + one audit per agent", cost: "2 × (1 + agents) WRU (+ 1 WRU index)" },
  ],
});

export const onDutySchema = z.object({
  agentId: z.string(),
  shiftId: z.string(),
  from: z.string(),
  to: z.string(),
  skills: z.array(skillSchema),
});

export const OnDuty = defineEntity({
  type: "OnDuty",
  owner: "rota",
  description: "Who is on duty now and until when (the duty interval) with their skills; written with the agent profile's onDuty/shift",
  schema: onDutySchema,
  pk: "ONDUTY",
  sk: "{agentId}",
  patterns: [
    { name: "OnDuty.all", operation: "Query ONDUTY, consistent", cost: "~1 RRU per 40 agents on duty" },
    { name: "OnDuty.put / delete", operation: "inside the duty transaction (agent profile version checked)", cost: "2 WRU" },
  ],
});
