import type { FunctionSpec } from "../catalog/types.js";

const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;

export const rotaApi: FunctionSpec = {
  name: "RotaApi",
  entry: "functions/rota/rota.http.ts",
  handler: "handler",
  description: "Shifts, rota (assignments, patterns, exceptions), on-duty and coverage",
  triggers: [
    { kind: "http", method: "PUT", path: "/shifts/{shiftId}", auth: supervisor },
    { kind: "http", method: "GET", path: "/shifts", auth: supervisor },
    { kind: "http", method: "GET", path: "/shifts/{shiftId}", auth: supervisor },
    { kind: "http", method: "DELETE", path: "/shifts/{shiftId}", auth: supervisor },
    { kind: "http", method: "PUT", path: "/rota", auth: supervisor },
    { kind: "http", method: "GET", path: "/rota", auth: supervisor },
    { kind: "http", method: "POST", path: "/rota/exceptions", auth: supervisor },
    { kind: "http", method: "GET", path: "/rota/exceptions", auth: supervisor },
    { kind: "http", method: "DELETE", path: "/rota/exceptions/{exceptionId}", auth: supervisor },
    { kind: "http", method: "GET", path: "/rota/on-duty", auth: supervisor },
    { kind: "http", method: "POST", path: "/rota/coverage", auth: supervisor },
  ],
  // Writes duty state through the agents store; sends drain requests when shifts start.
  access: { table: "write", sends: ["conversations", "notices"], pushesToAgents: true },
  timeoutSeconds: 30,
};

/** The CSV import alone: only this function bundles csv-parse (issue 11, bundles). */
export const rotaImportApi: FunctionSpec = {
  name: "RotaImportApi",
  entry: "functions/rota/import.http.ts",
  handler: "handler",
  description: "Rota CSV import (agent,date,shift): replaces the named agents' assignments in the file's date range, all or nothing",
  triggers: [
    { kind: "http", method: "POST", path: "/rota/import", auth: supervisor },
    { kind: "http", method: "GET", path: "/rota/imports/{jobId}", auth: supervisor },
  ],
  // As RotaApi: writes duty state through the agents store; sends drain requests when shifts start;
  // queues a large file as a job.
  access: { table: "write", sends: ["conversations", "notices", "rotaImports"], pushesToAgents: true },
  timeoutSeconds: 30,
};

/**
 * Applies large CSV imports accepted with 202 (one job per message, all or nothing: one staged
 * rota change). Its timeout stays below the job's lease (use-cases/import.ts `importLeaseMs`).
 */
export const rotaImportJobs: FunctionSpec = {
  name: "RotaImportJobs",
  entry: "functions/rota/import-jobs.queue.ts",
  handler: "handler",
  description: "Applies a large rota CSV import job as one all-or-nothing change, recording its progress",
  triggers: [{ kind: "queue", queue: "rotaImports", batchSize: 1, reportBatchItemFailures: true, localConcurrency: 2 }],
  // As RotaImportApi: writes the rota and duty state; sends drain requests when shifts start.
  access: { table: "write", sends: ["conversations", "notices"], pushesToAgents: true },
  memoryMb: 1024,
  timeoutSeconds: 300,
};

/**
 * Rota plans: the only function that loads HiGHS (its glue and wasm are copied beside the bundle,
 * not bundled, and imported on the first solve), with the memory a 100-agent week needs.
 */
export const rotaPlansApi: FunctionSpec = {
  name: "RotaPlansApi",
  entry: "functions/rota/plans.http.ts",
  handler: "handler",
  description: "Rota plans drawn by the MIP solver (HiGHS): draft, edit, publish into the rota",
  triggers: [
    { kind: "http", method: "POST", path: "/rota/plans", auth: supervisor },
    { kind: "http", method: "GET", path: "/rota/plans/{planId}", auth: supervisor },
    { kind: "http", method: "PATCH", path: "/rota/plans/{planId}", auth: supervisor },
    { kind: "http", method: "POST", path: "/rota/plans/{planId}/publish", auth: supervisor },
  ],
  // Publishing is a rota change: as RotaApi, writes duty state and sends drain requests when shifts start.
  access: { table: "write", sends: ["conversations", "notices"], pushesToAgents: true },
  memoryMb: 2048,
  timeoutSeconds: 30,
  bundleFiles: ["node_modules/highs/build/highs.mjs", "node_modules/highs/build/highs.wasm"],
};

export const rotaDutyClock: FunctionSpec = {
  name: "RotaDutyClock",
  entry: "functions/rota/duty-clock.schedule.ts",
  handler: "handler",
  description: "Keeps agents' onDuty/shift and the ONDUTY view in line with the rota at shift boundaries",
  triggers: [{ kind: "schedule", everyMinutes: 1 }],
  // A boundary larger than one part goes to RotaDutyParts over the dutyParts queue.
  access: { table: "write", sends: ["conversations", "notices", "dutyParts"], pushesToAgents: true },
  timeoutSeconds: 50,
};

/**
 * Applies one part (~400 agents) of a large shift boundary per invocation, with the clock's
 * compare-and-set (functions/rota/duty-parts.ts). Batch size 1: a part is already 400 agents over
 * 16 lanes, and a failure retries only its part. At most 4 at once: a boundary of 10,000 (25
 * parts) then finishes in ~7 rounds of ~1 s on AWS, while the profile writes (each one an index
 * write on the agents list partition, 1,000 WCU/s) stay near what that partition takes, and a
 * boundary never holds more than 4 of the account's concurrency.
 */
export const rotaDutyParts: FunctionSpec = {
  name: "RotaDutyParts",
  entry: "functions/rota/duty-parts.queue.ts",
  handler: "handler",
  description: "Applies one part of a large shift boundary: agents' onDuty/shift, the ONDUTY view, audit, arrivals",
  triggers: [{ kind: "queue", queue: "dutyParts", batchSize: 1, reportBatchItemFailures: true, localConcurrency: 2, maxConcurrency: 4 }],
  // As the clock: writes duty state through the agents store; sends drains and arrival events.
  access: { table: "write", sends: ["conversations", "notices"], pushesToAgents: true },
  timeoutSeconds: 50,
};

export const rotaFunctions: FunctionSpec[] = [rotaApi, rotaImportApi, rotaImportJobs, rotaPlansApi, rotaDutyClock, rotaDutyParts];
