import type { FunctionSpec } from "../catalog/types.js";

const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;

export const agentsApi: FunctionSpec = {
  name: "AgentsApi",
  entry: "functions/agents/agents.http.ts",
  handler: "handler",
  description: "Agent profiles, lifecycle, presence and skills",
  triggers: [
    { kind: "http", method: "PUT", path: "/agents/{agentId}", auth: supervisor },
    { kind: "http", method: "PATCH", path: "/agents/{agentId}", auth: supervisor },
    { kind: "http", method: "DELETE", path: "/agents/{agentId}", auth: supervisor },
    { kind: "http", method: "POST", path: "/agents/{agentId}/reactivate", auth: supervisor },
    { kind: "http", method: "GET", path: "/agents", auth: supervisor },
    // An agent reads its own profile (the console's presence switch); requireSelfOrSupervisor in the handler.
    { kind: "http", method: "GET", path: "/agents/{agentId}", auth: { kind: "jwt", roles: ["supervisor", "agent"] } },
    { kind: "http", method: "PUT", path: "/agents/{agentId}/presence", auth: { kind: "jwt", roles: ["supervisor", "agent"] } },
    { kind: "http", method: "GET", path: "/skills", auth: { kind: "jwt", roles: ["supervisor", "agent"] } },
    { kind: "http", method: "PUT", path: "/skills/{skillId}", auth: supervisor },
  ],
  // Presence -> online is an arrival: late-joiner notices are pushed from here. Deactivation hands
  // open conversations over in-process (routing: drain, assignment callbacks) and closes sockets.
  access: { table: "write", sends: ["conversations", "notices", "callbacks"], pushesToAgents: true, assignmentCallbacks: "enqueue" },
  // DELETE hands over every open conversation and commits a rota change (whose 60 s lease assumes
  // a writer of at most 30 s, as RotaApi): API Gateway's own limit is 30 s.
  timeoutSeconds: 30,
};

export const agentFunctions: FunctionSpec[] = [agentsApi];
