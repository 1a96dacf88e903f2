import type { FunctionSpec } from "../catalog/types.js";

const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;

export const planningApi: FunctionSpec = {
  name: "PlanningApi",
  entry: "functions/planning/planning.http.ts",
  handler: "handler",
  description: "Workforce planning: the arrivals forecast from history (campaign multipliers, intraday reforecast) and schedule adherence",
  triggers: [
    { kind: "http", method: "GET", path: "/forecast", auth: supervisor },
    { kind: "http", method: "GET", path: "/forecast/multipliers/{date}", auth: supervisor },
    { kind: "http", method: "PUT", path: "/forecast/multipliers/{date}", auth: supervisor },
    { kind: "http", method: "DELETE", path: "/forecast/multipliers/{date}", auth: supervisor },
    { kind: "http", method: "GET", path: "/adherence", auth: supervisor },
  ],
  // Writes only the multipliers and their audit records.
  access: { table: "write" },
};

export const planningFunctions: FunctionSpec[] = [planningApi];
