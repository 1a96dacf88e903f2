/**
 * Items the rota capability owns: shifts, each agent's dated assignments and rotation patterns
 * and rota version (under `ROTA#<agentId>`), exceptions (leave, override, swap), the on-duty view
 * the duty clock keeps, and staged rota changes (the all-or-nothing commit of changes larger than
 * one transaction; docs/rota.md "Atomic changes"). Every item is well under 1 KB except a pattern
 * of many entries (≤ 62), an audit-sized change header, and change parts (≤ 350 KB each).
 */
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { skillSchema } from "../../../agents/domain.js";
import { assignmentSchema, patternSchema, rotaExceptionSchema, shiftSchema } from "../../../rota/domain.js";
import { rotaChangeOpSchema, rotaChangeStatuses } from "../../../rota/change-set.js";
import { defineEntity } from "../entity.js";
import { agentShards } from "../shard.js";

/**
 * A shift as stored: `uses` counts the rota entries naming it (dated assignments, patterns,
 * overrides; functions/rota/usage.ts), kept in the transactions that write them, so "is it used?"
 * is one read and a delete at zero cannot race a change that uses it.
 */
export const storedShiftSchema = lazy(() => z.extend(shiftSchema, { uses: z.optional(z.number().check(z.int())) }));

export const Shift = defineEntity({
  type: "Shift",
  owner: "rota",
  description: "A named shift: local start and end (HH:mm) in an IANA zone; end ≤ start crosses midnight. `uses`: how many rota entries name it (delete only at 0)",
  schema: storedShiftSchema,
  pk: "SHIFT#{shiftId}",
  sk: "SHIFT",
  indexes: {
    all: { index: "gsi2", pk: "SHIFTS", sk: "{shiftId}", why: "lists every shift (validation of a rota, the resolver); a team has tens, not thousands" },
  },
  patterns: [
    { name: "Shift.get", operation: "GetItem SHIFT#{shiftId} / SHIFT, consistent", cost: "1 RRU" },
    { name: "Shift.list", operation: "Query gsi2 SHIFTS", cost: "0.5 RRU (few items)" },
    { name: "Shift.put", operation: "TransactWriteItems: Update shift's fields (new with uses = 0, or unchanged since read; uses kept) + audit", cost: "2 × 2 WRU (+ 1 WRU index)" },
    {
      name: "Shift.uses",
      operation: "Update ADD uses :delta IF attribute_exists(pk), inside every rota change, override create/delete (one per shift whose count moves; a staged change: gains with its header, losses at its commit point)",
      cost: "2 WRU + 1 WRU index (projects all attributes) per shift in the transaction",
    },
    { name: "Shift.delete", operation: "TransactWriteItems: Delete IF uses = 0 + audit", cost: "2 × 2 WRU (+ 1 WRU index)" },
  ],
});

/**
 * Written by a staged change before its commit point: which change, and the value readers keep
 * seeing until that change commits (`prev`, null = absent). `deleted`: a tombstone, absent once
 * committed. Cleared when the change finishes.
 */
const stagedSchema = <T extends z.ZodMiniType>(value: T) => z.object({ changeId: z.string(), prev: z.nullable(value), deleted: z.boolean() });

export const storedAssignmentSchema = lazy(() => z.extend(assignmentSchema, { staged: z.optional(stagedSchema(assignmentSchema)) }));
export const storedPatternSchema = lazy(() => z.extend(patternSchema, { staged: z.optional(stagedSchema(patternSchema)) }));

/**
 * The month index of assignments is split into this many partitions by agent (`ROTAASSIGN#<month>#<shard>`):
 * a 500-agent month import writes ~15,000 items and would otherwise put them all, twice (staged,
 * then final), through one index partition (1,000 WCU/s on AWS: 30 s of that partition alone).
 * Readers of a month query every shard (8 small queries instead of one).
 */
export const rotaAssignmentShards = 8;

/** The shard of an agent's assignments in the month index. */
export const rotaAssignmentShard = agentShards(rotaAssignmentShards).of;

/** Every shard of the month index (what a reader of a month queries). */
export const rotaAssignmentShardList = agentShards(rotaAssignmentShards).all;

export const RotaAssignment = defineEntity({
  type: "RotaAssignment",
  owner: "rota",
  description: "One agent's shift (or `off`) on one calendar date; beats the agent's pattern for that date. `staged` while a large change is in flight",
  schema: storedAssignmentSchema,
  pk: "ROTA#{agentId}",
  sk: "ASSIGN#{date}",
  indexes: {
    byMonth: {
      index: "gsi2",
      pk: "ROTAASSIGN#{month}#{shard}",
      sk: "{date}#{agentId}",
      why: "every agent's assignments in a date range: per month, 8 partitions by a hash of the agent (rotaAssignmentShard), so a month's import spreads its writes; a resolver window (± 2 days) reads at most three months × 8 small partitions",
    },
  },
  patterns: [
    { name: "RotaAssignment.ofAgent", operation: "Query ROTA#{agentId}, sk BETWEEN ASSIGN#{from} AND ASSIGN#{to}, consistent", cost: "~1 RRU per 40 dates" },
    { name: "RotaAssignment.inRange", operation: "Query gsi2 ROTAASSIGN#{yyyy-mm}#{shard}, gsi2sk BETWEEN {from} AND {to}~, one per month and shard (8), merged by date", cost: "~0.5 RRU per 80 assignments, at least 8 × 0.5 RRU per month" },
    { name: "RotaAssignment.put / delete", operation: "inside a rota change's transactions", cost: "2 WRU + 1 WRU index each" },
  ],
});

/** The month-index attributes of an agent's assignment on `date` (its shard included). */
export const rotaAssignmentIndexAttributes = (agentId: string, date: string) => RotaAssignment.index.byMonth.attributes({ month: date.slice(0, 7), shard: rotaAssignmentShard(agentId), date, agentId });

export const RotaPattern = defineEntity({
  type: "RotaPattern",
  owner: "rota",
  description: "A rotation from `startDate` (until `endDate`): day startDate + k works pattern[k mod length]. `staged` while a large change is in flight",
  schema: storedPatternSchema,
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

export const onDutySchema = lazy(() => z.object({
  agentId: z.string(),
  shiftId: z.string(),
  from: z.string(),
  to: z.string(),
  skills: z.array(skillSchema),
}));

/**
 * The on-duty view is split into this many partitions by agent (`ONDUTY#<shard>`): a 10,000-agent
 * shift boundary writes 10,000 view items in transactions (2 WRU each), 20,000 WRU that one
 * partition would take 20 s to absorb at AWS's 1,000 WCU/s. Every reader queries all shards.
 */
export const onDutyShards = 16;
export const onDutyShard = agentShards(onDutyShards).of;
export const onDutyShardList = agentShards(onDutyShards).all;

export const OnDuty = defineEntity({
  type: "OnDuty",
  owner: "rota",
  description: "Who is on duty now and until when (the duty interval) with their skills; written with the agent profile's onDuty/shift. 16 partitions by a hash of the agent (onDutyShard); readers query all",
  schema: onDutySchema,
  pk: "ONDUTY#{shard}",
  sk: "{agentId}",
  patterns: [
    { name: "OnDuty.all", operation: "Query ONDUTY#{shard}, consistent, for each of the 16 shards in parallel", cost: "~1 RRU per 40 agents on duty, at least 16 × 0.5 RRU" },
    { name: "OnDuty.put / delete", operation: "inside the duty transaction (agent profile version checked)", cost: "2 WRU" },
  ],
});

export const RotaVersion = defineEntity({
  type: "RotaVersion",
  owner: "rota",
  description:
    "An agent's rota version (assignments and patterns), +1 per committed change; every change is checked against the version it was computed from. `changeId`/`leaseUntil` while a staged change holds the agent (writers refuse, the duty clock recovers it after the lease)",
  schema: lazy(() => z.object({ agentId: z.string(), version: z._default(z.number().check(z.int(), z.minimum(0)), 0), changeId: z.optional(z.string()), leaseUntil: z.optional(z.string()) })),
  pk: "ROTA#{agentId}",
  sk: "VERSION",
  patterns: [
    { name: "RotaVersion.get", operation: "GetItem ROTA#{agentId} / VERSION, consistent (before reading the agent's rota)", cost: "1 RRU" },
    { name: "RotaVersion.bump", operation: "Update in the change's transaction IF version = :read AND attribute_not_exists(changeId)", cost: "2 WRU" },
    { name: "RotaVersion.lock / unlock", operation: "Update IF version = :read AND no changeId (lock), IF changeId = :c (unlock, +1 on commit)", cost: "2 WRU each" },
  ],
});

export const rotaChangeSchema = lazy(() => z.object({
  changeId: z.string(),
  status: z.enum(rotaChangeStatuses),
  action: z.enum(["rota.updated", "rota.imported"]),
  actor: z.string(),
  at: z.string(),
  leaseUntil: z.string(),
  parts: z.number().check(z.int(), z.minimum(1)),
  agents: z.number().check(z.int(), z.minimum(1)),
  assignments: z.number().check(z.int(), z.minimum(0)),
  patterns: z.number().check(z.int(), z.minimum(0)),
  /** An import's date range (its audit records name it). */
  range: z.optional(z.object({ from: z.string(), to: z.string() })),
  expiresAtEpoch: z.optional(z.number().check(z.int())),
}));

export const RotaChange = defineEntity({
  type: "RotaChange",
  owner: "rota",
  description:
    "A rota change larger than one transaction: its status is the single commit point (applying → committed → done, or → aborting → aborted); readers resolve staged items by it. Kept 7 days after it ends (TTL)",
  schema: rotaChangeSchema,
  pk: "ROTACHANGE#{changeId}",
  sk: "CHANGE",
  expires: "7 days after it is done or aborted",
  indexes: {
    open: { index: "gsi2", pk: "ROTACHANGES", sk: "{at}#{changeId}", why: "sparse: only changes not yet done or aborted, so the duty clock finds a dead writer's change in one small query" },
  },
  patterns: [
    { name: "RotaChange.statusOf", operation: "BatchGetItem ROTACHANGE#{changeId} / CHANGE, consistent, for the changes staged items name", cost: "1 RRU each (only while a change is in flight)" },
    { name: "RotaChange.open", operation: "Query gsi2 ROTACHANGES", cost: "0.5 RRU (usually empty)" },
    { name: "RotaChange.commit", operation: "Update status = committed IF status = applying, with the first 99 agents' audit records", cost: "2 × (1 + audits) WRU" },
  ],
});

export const RotaChangePart = defineEntity({
  type: "RotaChangePart",
  owner: "rota",
  description: "A slice (≤ 350 KB) of a staged change: the agents and versions it was computed from, and each item's before and after; what recovery rolls back or forward from",
  schema: lazy(() => z.object({ changeId: z.string(), part: z.number().check(z.int(), z.minimum(0)), agents: z.array(z.object({ agentId: z.string(), version: z.number().check(z.int()) })), ops: z.array(rotaChangeOpSchema), expiresAtEpoch: z.optional(z.number().check(z.int())) })),
  pk: "ROTACHANGE#{changeId}",
  sk: "PART#{part}",
  expires: "30 days after the change started (needed only while it is open)",
  patterns: [
    { name: "RotaChangePart.put", operation: "BatchWriteItem before the change takes any lock", cost: "1 WRU per KB" },
    { name: "RotaChangePart.of", operation: "Query ROTACHANGE#{changeId}, begins_with(sk, PART#), consistent (recovery)", cost: "1 RRU per 4 KB" },
  ],
});

/** An asynchronous CSV import's life (docs/rota.md "Large imports"). */
export const rotaImportJobStatuses = ["queued", "applying", "done", "failed"] as const;

export const rotaImportJobSchema = lazy(() => z.object({
  jobId: z.string(),
  status: z.enum(rotaImportJobStatuses),
  actor: z.string(),
  acceptedAt: z.string(),
  allowOverlap: z.boolean(),
  /** The file's rows, agents and date range (checked at acceptance). */
  rows: z.number().check(z.int(), z.minimum(1)),
  agents: z.number().check(z.int(), z.minimum(1)),
  from: z.string(),
  to: z.string(),
  /** RotaImportRows items holding the checked rows. */
  parts: z.number().check(z.int(), z.minimum(1)),
  /** Applying: the consumer's claim (a redelivered message waits for it to end) and the rota change it commits. */
  leaseUntil: z.optional(z.string()),
  changeId: z.optional(z.string()),
  attempts: z._default(z.number().check(z.int(), z.minimum(0)), 0),
  /** Assignment writes and removals the change makes (known once the rota is read), and how many are staged so far. */
  total: z.optional(z.number().check(z.int(), z.minimum(0))),
  applied: z._default(z.number().check(z.int(), z.minimum(0)), 0),
  written: z.optional(z.number().check(z.int(), z.minimum(0))),
  removed: z.optional(z.number().check(z.int(), z.minimum(0))),
  /** Failed: why, with the rows or agents involved (at most 200 errors kept). */
  detail: z.optional(z.string()),
  problem: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
  finishedAt: z.optional(z.string()),
  expiresAtEpoch: z.optional(z.number().check(z.int())),
}));

export const RotaImportJob = defineEntity({
  type: "RotaImportJob",
  owner: "rota",
  description: "A large CSV import accepted with 202: checked rows in RotaImportRows, applied by the RotaImportJobs queue consumer as one staged rota change (all or nothing); its status and progress answer GET /rota/imports/{jobId}. Kept 7 days (TTL)",
  schema: rotaImportJobSchema,
  pk: "ROTAIMPORT#{jobId}",
  sk: "JOB",
  expires: "7 days after it was accepted",
  patterns: [
    { name: "RotaImportJob.create", operation: "Put IF attribute_not_exists(pk), after its rows", cost: "1 WRU" },
    { name: "RotaImportJob.get", operation: "GetItem ROTAIMPORT#{jobId} / JOB, consistent (status; the consumer's claim)", cost: "1 RRU" },
    { name: "RotaImportJob.claim / progress / end", operation: "Update IF status = queued OR lease over (claim), IF changeId = :mine (progress, end)", cost: "1 WRU each; progress about once a second" },
  ],
});

export const RotaImportRows = defineEntity({
  type: "RotaImportRows",
  owner: "rota",
  description: "A slice (≤ 100 KB) of an accepted import's checked rows: [line, agent, date, shift] each",
  schema: lazy(() => z.object({ jobId: z.string(), part: z.number().check(z.int(), z.minimum(0)), rows: z.array(z.tuple([z.number(), z.string(), z.string(), z.string()])), expiresAtEpoch: z.optional(z.number().check(z.int())) })),
  pk: "ROTAIMPORT#{jobId}",
  sk: "ROWS#{part}",
  expires: "7 days after the import was accepted",
  patterns: [
    { name: "RotaImportRows.put", operation: "BatchWriteItem before the job item", cost: "1 WRU per KB (15,000 rows ≈ 600 KB ≈ 600 WRU)" },
    { name: "RotaImportRows.of", operation: "Query ROTAIMPORT#{jobId}, begins_with(sk, ROWS#), consistent", cost: "1 RRU per 4 KB" },
  ],
});

const planRulesSchema = lazy(() => z.object({ maxHoursPerWeek: z.number(), minRestHours: z.number(), maxConsecutiveDays: z.number().check(z.int()), daysOffPerWeek: z.number().check(z.int()) }));

/** A solver-drawn rota plan (functions/rota/use-cases/plans.ts): bounded to 7 days × 200 agents, so one item stays far below 400 KB. */
export const rotaPlanSchema = lazy(() => z.object({
  planId: z.string(),
  status: z.enum(["draft", "published"]),
  version: z.number().check(z.int(), z.minimum(1)),
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  intervalMinutes: z.number().check(z.int()),
  skill: z.optional(z.string()),
  agents: z.array(z.string()),
  shifts: z.array(z.object({ shiftId: z.string(), start: z.string(), end: z.string(), timeZone: z.string(), inline: z.boolean() })),
  rules: planRulesSchema,
  /** Agents required per interval of the range. */
  required: z.array(z.number().check(z.int(), z.minimum(0))),
  requiredFrom: z.enum(["body", "forecast"]),
  assignments: z.array(z.object({ agentId: z.string(), date: z.string(), shiftId: z.string() })),
  solver: z.object({
    status: z.string(),
    solveSeconds: z.number(),
    candidates: z.number().check(z.int()),
    objective: z.number(),
    /** The LP relaxation's optimum and the plan's gap to it; absent on plans stored before they were recorded. */
    lowerBound: z.optional(z.number()),
    gap: z.optional(z.nullable(z.number())),
  }),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  publishedAt: z.optional(z.string()),
  publishedBy: z.optional(z.string()),
}));

export const RotaPlan = defineEntity({
  type: "RotaPlan",
  owner: "rota",
  description: "A draft rota the MIP solver drew (range ≤ 7 days, ≤ 200 agents): required staffing per interval, shift templates, rules, the assignments; edited as a whole (version +1), published once into the rota through the rota change path",
  schema: rotaPlanSchema,
  pk: "ROTAPLAN#{planId}",
  sk: "PLAN",
  patterns: [
    { name: "RotaPlan.put", operation: "Put IF attribute_not_exists(pk) (create)", cost: "1 WRU per KB (≤ ~120 KB: ≤ 120 WRU)" },
    { name: "RotaPlan.get", operation: "GetItem ROTAPLAN#{planId} / PLAN, consistent", cost: "1 RRU per 4 KB" },
    { name: "RotaPlan.replace", operation: "TransactWriteItems: Put IF status = draft AND version = :read, + audit (edit; publish sets status = published)", cost: "2 WRU per KB + 2 WRU audit" },
  ],
});
