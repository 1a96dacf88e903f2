import type { FunctionSpec } from "../../catalog/types.js";

const agent = { kind: "jwt", roles: ["agent"] } as const;
const supervisor = { kind: "jwt", roles: ["supervisor"] } as const;

/** Swap requests: agents ask and accept, supervisors decide (RotaApi stays supervisor-only). */
export const rotaSwapsApi: FunctionSpec = {
  name: "RotaSwapsApi",
  entry: "functions/rota/swaps.http.ts",
  handler: "handler",
  description: "Shift swap requests: an agent asks, the other accepts, a supervisor approves (applied as a rota swap, audited) or rejects; both agents notified",
  triggers: [
    { kind: "http", method: "POST", path: "/rota/swap-requests", auth: agent },
    { kind: "http", method: "GET", path: "/rota/swap-requests/{requestId}", auth: { kind: "jwt", roles: ["agent", "supervisor"] } },
    { kind: "http", method: "POST", path: "/rota/swap-requests/{requestId}/accept", auth: agent },
    { kind: "http", method: "POST", path: "/rota/swap-requests/{requestId}/approve", auth: supervisor },
    { kind: "http", method: "POST", path: "/rota/swap-requests/{requestId}/reject", auth: supervisor },
  ],
  // Writes the request and, on approval, the swap exception; recomputes duty (drains when a shift starts); pushes to the agents.
  access: { table: "write", sends: ["conversations", "notices"], pushesToAgents: true },
  timeoutSeconds: 30,
};
