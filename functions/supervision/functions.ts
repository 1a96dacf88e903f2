import type { FunctionSpec } from "../catalog/types.js";

const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;

export const supervisionApi: FunctionSpec = {
  name: "SupervisionApi",
  entry: "functions/supervision/supervision.http.ts",
  handler: "handler",
  description: "Transfer, reassign, live queue, routing metrics",
  triggers: [
    { kind: "http", method: "POST", path: "/conversations/{conversationId}/transfer", auth: { kind: "jwt", roles: ["agent", "supervisor"] } },
    { kind: "http", method: "POST", path: "/conversations/{conversationId}/reassign", auth: supervisor },
    { kind: "http", method: "GET", path: "/queue", auth: supervisor },
    { kind: "http", method: "GET", path: "/metrics/routing", auth: supervisor },
  ],
  access: { table: "write", sends: ["conversations", "callbacks"], pushesToAgents: true, assignmentCallbacks: "enqueue" },
  timeoutSeconds: 25,
};

export const supervisionClock: FunctionSpec = {
  name: "SupervisionClock",
  entry: "functions/supervision/clock.schedule.ts",
  handler: "handler",
  description: "Shift/away handover, unresponsive re-offer, wait escalation",
  triggers: [{ kind: "schedule", everyMinutes: 1 }],
  access: { table: "write", sends: ["conversations", "callbacks"], pushesToAgents: true, assignmentCallbacks: "enqueue" },
  timeoutSeconds: 50,
};

export const loadReconciler: FunctionSpec = {
  name: "LoadReconciler",
  entry: "functions/supervision/reconciler.schedule.ts",
  handler: "handler",
  description: "Repairs agent load drift from open assignment records",
  triggers: [{ kind: "schedule", everyMinutes: 5 }],
  access: { table: "write" },
  timeoutSeconds: 120,
};

export const supervisionFunctions: FunctionSpec[] = [supervisionApi, supervisionClock, loadReconciler];
