import type { FunctionSpec } from "../catalog/types.js";

const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;

export const agentsApi: FunctionSpec = {
  name: "AgentsApi",
  entry: "functions/agents/agents.http.ts",
  handler: "handler",
  description: "Agent profiles, presence and skills",
  triggers: [
    { kind: "http", method: "PUT", path: "/agents/{agentId}", auth: supervisor },
    { kind: "http", method: "GET", path: "/agents", auth: supervisor },
    { kind: "http", method: "GET", path: "/agents/{agentId}", auth: supervisor },
    { kind: "http", method: "PUT", path: "/agents/{agentId}/presence", auth: { kind: "jwt", roles: ["supervisor", "agent"] } },
    { kind: "http", method: "GET", path: "/skills", auth: { kind: "jwt", roles: ["supervisor", "agent"] } },
    { kind: "http", method: "PUT", path: "/skills/{skillId}", auth: supervisor },
  ],
  // Presence -> online is an arrival: late-joiner notices are pushed from here.
  access: { table: "write", sends: ["conversations", "notices"], pushesToAgents: true },
};

export const agentFunctions: FunctionSpec[] = [agentsApi];
