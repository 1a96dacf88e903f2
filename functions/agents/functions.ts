import type { FunctionSpec } from "../catalog/types.js";

const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;

export const agentsApi: FunctionSpec = {
  name: "AgentsApi",
  entry: "functions/agents/agents.http.ts",
  handler: "handler",
  description: "Agent profiles, presence and skills",
  triggers: [
    { kind: "http", method: "PUT", path: "/agents/{agentId}", auth: supervisor },
    { kind: "http", method: "PATCH", path: "/agents/{agentId}", auth: supervisor },
    { kind: "http", method: "GET", path: "/agents", auth: supervisor },
    // An agent reads its own profile (the console's presence switch); requireSelfOrSupervisor in the handler.
    { kind: "http", method: "GET", path: "/agents/{agentId}", auth: { kind: "jwt", roles: ["supervisor", "agent"] } },
    { kind: "http", method: "PUT", path: "/agents/{agentId}/presence", auth: { kind: "jwt", roles: ["supervisor", "agent"] } },
    { kind: "http", method: "GET", path: "/skills", auth: { kind: "jwt", roles: ["supervisor", "agent"] } },
    { kind: "http", method: "PUT", path: "/skills/{skillId}", auth: supervisor },
  ],
  // Presence -> online is an arrival (late-joiner notices are sent from here) and may drain the queues.
  access: { table: "write", sends: ["conversations", "notices"] },
};

/** Deactivation and reactivation: a function of its own, so AgentsApi loads no routing, rota commit or push code (issue 11, bundles). */
export const agentLifecycleApi: FunctionSpec = {
  name: "AgentLifecycleApi",
  entry: "functions/agents/lifecycle.http.ts",
  handler: "handler",
  description: "Agent lifecycle: deactivate (hand over open conversations, remove the future rota, close sockets) and reactivate",
  triggers: [
    { kind: "http", method: "DELETE", path: "/agents/{agentId}", auth: supervisor },
    { kind: "http", method: "POST", path: "/agents/{agentId}/reactivate", auth: supervisor },
  ],
  // Deactivation hands open conversations over in-process (routing: drain, assignment callbacks),
  // recomputes duty (arrival events) and closes the agent's sockets.
  access: { table: "write", sends: ["conversations", "notices", "callbacks"], pushesToAgents: true, assignmentCallbacks: "enqueue" },
  // DELETE hands over every open conversation and commits a rota change (whose 60 s lease assumes
  // a writer of at most 30 s, as RotaApi): API Gateway's own limit is 30 s.
  timeoutSeconds: 30,
};

export const agentFunctions: FunctionSpec[] = [agentsApi, agentLifecycleApi];
