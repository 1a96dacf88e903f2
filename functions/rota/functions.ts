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
  triggers: [{ kind: "http", method: "POST", path: "/rota/import", auth: supervisor }],
  // As RotaApi: writes duty state through the agents store; sends drain requests when shifts start.
  access: { table: "write", sends: ["conversations", "notices"], pushesToAgents: true },
  timeoutSeconds: 30,
};

export const rotaDutyClock: FunctionSpec = {
  name: "RotaDutyClock",
  entry: "functions/rota/duty-clock.schedule.ts",
  handler: "handler",
  description: "Keeps agents' onDuty/shift and the ONDUTY view in line with the rota at shift boundaries",
  triggers: [{ kind: "schedule", everyMinutes: 1 }],
  access: { table: "write", sends: ["conversations", "notices"], pushesToAgents: true },
  timeoutSeconds: 50,
};

export const rotaFunctions: FunctionSpec[] = [rotaApi, rotaImportApi, rotaDutyClock];
