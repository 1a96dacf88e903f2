/**
 * The rota routes' contract: request schemas RotaApi validates with (module level; the bodies'
 * live in ./domain.ts beside the rules) and, in `contract()`, each route's responses
 * (./responses.ts; generator only).
 */
import * as z from "zod/mini";
import { skillSchema } from "../agents/domain.js";
import type { Contract } from "../shared/contract.js";
import { coverageInputSchema } from "./coverage.js";
import { dateSchema, exceptionInputSchema, instantSchema, rotaInputSchema, shiftIdSchema, shiftInputSchema } from "./domain.js";
import { planEditSchema, planInputSchema, planPath } from "./plan-input.js";
import { rotaPlanViewSchema } from "./plan-responses.js";
import { coverageSchema, exceptionListSchema, onDutySchema, resolvedRotaSchema, rotaChangeResultSchema, rotaExceptionView, rotaImportJobSchema, rotaImportResultSchema, shiftListSchema, shiftViewSchema, shiftWithUsesSchema } from "./responses.js";

export const shiftPath = z.object({ shiftId: shiftIdSchema });
export const exceptionPath = z.object({ exceptionId: z.uuid() });

export const rotaQuerySchema = z.object({
  from: z.union([dateSchema, instantSchema]),
  to: z.union([dateSchema, instantSchema]),
  agentId: z.optional(z.string()),
});

export const onDutyQuerySchema = z.object({ at: z.optional(instantSchema), skill: z.optional(skillSchema) });

export const importQuerySchema = z.object({ allowOverlap: z.optional(z.enum(["true", "false"])) });
export const importJobPath = z.object({ jobId: z.uuid() });

export const exceptionsQuerySchema = z.object({ from: z.optional(dateSchema), to: z.optional(dateSchema), agentId: z.optional(z.string()) });

export function contract(): Contract {
  const change = { description: "Committed.", schema: rotaChangeResultSchema };
  return {
    "PUT /shifts/{shiftId}": {
      summary: "Create or replace a shift",
      description: "`start`/`end` `HH:mm` local in `timeZone` (end <= start crosses midnight; end = start is 24 hours).",
      params: shiftPath,
      body: shiftInputSchema,
      responses: { 200: { description: "Updated.", schema: shiftViewSchema }, 201: { description: "Created.", schema: shiftViewSchema } },
      problems: [409],
    },
    "GET /shifts": { summary: "Every shift, by id", responses: { 200: { description: "The shifts.", schema: shiftListSchema } } },
    "GET /shifts/{shiftId}": { summary: "A shift and how many rota entries use it", params: shiftPath, responses: { 200: { description: "The shift.", schema: shiftWithUsesSchema } } },
    "DELETE /shifts/{shiftId}": {
      summary: "Delete a shift (409 while the rota uses it)",
      params: shiftPath,
      responses: { 204: { description: "Deleted." } },
      problems: [409],
    },
    "PUT /rota": {
      summary: "Dated assignments and rotation patterns, all or nothing",
      description: "`assignments` [{agentId, date, shiftId | \"off\" | null}] and `patterns` [{agentId, pattern, startDate, endDate?}]; either may be absent. Overlapping shifts of one agent are a 409 naming both unless `allowOverlap: true`.",
      body: rotaInputSchema,
      responses: { 200: change },
      problems: [409],
    },
    "GET /rota": {
      summary: "The resolved schedule: every shift occurrence in [from, to] (dates, or instants), at most 62 days",
      query: rotaQuerySchema,
      responses: { 200: { description: "The occurrences.", schema: resolvedRotaSchema } },
    },
    "POST /rota/import": {
      summary: "Import a rota as CSV (agent,date,shift): all or nothing, each bad row named",
      description:
        "Replaces the named agents' assignments between the file's first and last date. `?allowOverlap=true` accepts overlapping shifts. Every row is checked first (any bad row: 400 naming each, nothing written). Up to 1,000 rows the file is applied in the request (200); a larger one (≤ 20,000 rows) is accepted as a job (202, `Location` names it) and applied in the background, all or nothing: poll `GET /rota/imports/{jobId}`.",
      query: importQuerySchema,
      body: { mediaType: "text/csv", description: "Header `agent,date,shift`, one row per assignment (`off` for a day off).", example: "agent,date,shift\na1,2030-01-07,early\n" },
      responses: {
        200: { description: "Imported.", schema: rotaImportResultSchema },
        202: { description: "A large file, checked and accepted as a job (Location names it).", schema: rotaImportJobSchema, headers: { location: "/rota/imports/{jobId}" } },
      },
      problems: [409],
    },
    "GET /rota/imports/{jobId}": {
      summary: "A large import's status and progress (queued, applying, done, failed with its reasons)",
      params: importJobPath,
      responses: { 200: { description: "The job.", schema: rotaImportJobSchema } },
    },
    "POST /rota/exceptions": {
      summary: "Leave, an override or a swap for an agent",
      body: exceptionInputSchema,
      responses: { 201: { description: "Created (Location names it).", schema: rotaExceptionView, headers: { location: "/rota/exceptions/{exceptionId}" } } },
      problems: [409],
    },
    "GET /rota/exceptions": {
      summary: "Exceptions in a date range, optionally of one agent",
      query: exceptionsQuerySchema,
      responses: { 200: { description: "The exceptions.", schema: exceptionListSchema } },
    },
    "DELETE /rota/exceptions/{exceptionId}": {
      summary: "Delete an exception",
      params: exceptionPath,
      responses: { 204: { description: "Deleted." } },
      problems: [409],
    },
    "GET /rota/on-duty": {
      summary: "Who is on duty at an instant (default now), optionally with a skill",
      query: onDutyQuerySchema,
      responses: { 200: { description: "The agents on duty.", schema: onDutySchema } },
    },
    "POST /rota/coverage": {
      summary: "Coverage of a local day: scheduled vs required chat slots and agents per interval (chat-aware Erlang C)",
      description: "Slots are the scheduled agents' own `maxConcurrent` (or `concurrency` for everyone); handle time `ahtSeconds` may grow per extra chat (`ahtGrowth`) or be given per concurrency (`ahtByConcurrency`); `volumes` and an optional per-interval `shrinkage` give one value per interval of the day; answer time defaults to 180 s. A forecast no staffing within `maxSlots` meets is a 422.",
      body: coverageInputSchema,
      responses: { 200: { description: "Per interval.", schema: coverageSchema } },
      problems: [422],
    },
    "POST /rota/plans": {
      summary: "Draw a draft rota with the MIP solver (range ≤ 7 days): required staffing in every interval at the fewest paid hours, within the rules",
      description: "`required` agents per interval, or a `forecast` staffed with the chat-aware coverage model; `shifts` are existing shift ids or inline `start`/`end`; `rules` bound hours per week, rest between shifts, consecutive days and days off; granted leave is respected. Intervals no plan can meet are named in the coverage table with how many agents short.",
      body: planInputSchema,
      responses: { 201: { description: "Drawn and stored as a draft (Location names it).", schema: rotaPlanViewSchema, headers: { location: "/rota/plans/{planId}" } } },
      problems: [422],
    },
    "GET /rota/plans/{planId}": {
      summary: "A rota plan with its coverage table",
      params: planPath,
      responses: { 200: { description: "The plan.", schema: rotaPlanViewSchema } },
    },
    "PATCH /rota/plans/{planId}": {
      summary: "Replace a draft plan's assignments (re-checked against its rules; 409 once published or when the version moved)",
      params: planPath,
      body: planEditSchema,
      responses: { 200: { description: "Edited.", schema: rotaPlanViewSchema } },
      problems: [409, 422],
    },
    "POST /rota/plans/{planId}/publish": {
      summary: "Publish a plan into the rota, all or nothing and audited; publishing again changes nothing",
      params: planPath,
      responses: { 200: { description: "Published (or already published).", schema: rotaPlanViewSchema } },
      problems: [409],
    },
  };
}
