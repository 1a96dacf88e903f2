import type { FunctionSpec } from "../catalog/types.js";

export const healthApi: FunctionSpec = {
  name: "HealthApi",
  entry: "functions/platform/health.http.ts",
  handler: "handler",
  description: "Health: 200 when the table and the conversations queue answer, else 503 naming the part",
  triggers: [{ kind: "http", method: "GET", path: "/health", auth: { kind: "public" } }],
  // The queue is probed with GetQueueAttributes, which the send grant includes; health never sends.
  access: { table: "read", sends: ["conversations"] },
};

/** Agent WebSocket: $connect authenticates (token query parameter) and records the connection. */
export const agentSocket: FunctionSpec = {
  name: "AgentSocket",
  entry: "functions/platform/socket.websocket.ts",
  handler: "handler",
  description: "Agent WebSocket connections ($connect, $disconnect, $default)",
  triggers: [
    { kind: "websocket", route: "$connect" },
    { kind: "websocket", route: "$disconnect" },
    { kind: "websocket", route: "$default" },
  ],
  access: { table: "write", sends: ["notices"], pushesToAgents: true },
};

export const auditApi: FunctionSpec = {
  name: "AuditApi",
  entry: "functions/platform/audit.http.ts",
  handler: "handler",
  description: "Audit trail of an agent, shift, rota, notice, campaign or SKU",
  triggers: [{ kind: "http", method: "GET", path: "/audit/{entity}/{entityId}", auth: { kind: "jwt", roles: ["supervisor"] } }],
  access: { table: "read" },
};

/** The API's contract, public as a contract is: integrators and the console read it. */
export const openApiDocument: FunctionSpec = {
  name: "OpenApiDocument",
  entry: "functions/platform/openapi.http.ts",
  handler: "handler",
  description: "The OpenAPI 3.1 document of the HTTP API (docs/openapi.json, generated from the function list and the routes' schemas)",
  triggers: [{ kind: "http", method: "GET", path: "/openapi.json", auth: { kind: "public" } }],
  access: { table: "none" },
};

export const platformFunctions: FunctionSpec[] = [healthApi, agentSocket, auditApi, openApiDocument];
