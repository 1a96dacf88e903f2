/**
 * Every call the console makes to the backend, typed from the published contract (./types.ts
 * over the generated ./schema.d.ts). Adding a screen adds its calls here. Tokens are sent as `Authorization: Bearer` and never stored outside memory.
 */
import type {
  Acknowledgement,
  AgentChange,
  AgentConversations,
  AgentView,
  Conversation,
  ConsoleConfig,
  Inbox,
  LiveQueue,
  LocalTokenRequest,
  LocalTokenResponse,
  Metrics,
  NoticeInput,
  Presence,
  Problem,
  PublishedNotice,
  ReassignRequest,
  Receipts,
  Skill,
} from "./types.js";

/** A 4xx/5xx answer, with its RFC 9457 problem. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = "ApiError";
  }

  /** The problem in one line, each invalid field named. */
  describe(): string {
    const fields = (this.problem.errors ?? []).map((e) => `${e.field}: ${e.message}`).join("; ");
    return fields ? `${this.message} (${fields})` : this.message;
  }
}

let config: ConsoleConfig = { apiUrl: "", wsUrl: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`, signIn: { kind: "local" }, shopTimeZone: "Asia/Shanghai" };
let currentToken: () => string | undefined = () => undefined;
let onUnauthorized: () => void = () => undefined;

/** Reads `config.json` beside the console (where the API and WebSocket are); keeps the defaults without one. */
export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const response = await fetch(new URL("config.json", document.baseURI), { cache: "no-store" });
    if (response.ok) config = { ...config, ...((await response.json()) as Partial<ConsoleConfig>) };
  } catch {
    // Served without a config: same origin, local sign-in.
  }
  return config;
}

export const consoleConfig = () => config;

/** How calls find the signed-in user's token, and what a 401 does (back to sign-in). */
export function useCredentials(token: () => string | undefined, unauthorized: () => void): void {
  currentToken = token;
  onUnauthorized = unauthorized;
}

type Method = "GET" | "PUT" | "PATCH" | "POST" | "DELETE";

async function call<T>(method: Method, path: string, body?: unknown, options: { anonymous?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const token = options.anonymous ? undefined : currentToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${config.apiUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { detail: text.slice(0, 200) };
  }
  if (!response.ok) {
    if (response.status === 401 && !options.anonymous) onUnauthorized();
    throw new ApiError(response.status, (parsed ?? {}) as Problem);
  }
  return parsed as T;
}

const id = encodeURIComponent;

export const api = {
  /** The local stack's sign-in (local/console.ts); absent in AWS, where Cognito signs in. */
  localToken: (request: LocalTokenRequest) => call<LocalTokenResponse>("POST", "/local/token", request, { anonymous: true }),

  skills: () => call<{ skills: Skill[] }>("GET", "/skills"),
  agents: () => call<{ agents: AgentView[] }>("GET", "/agents"),
  agent: (agentId: string) => call<AgentView>("GET", `/agents/${id(agentId)}`),
  changeAgent: (agentId: string, change: AgentChange) => call<AgentView>("PATCH", `/agents/${id(agentId)}`, change),
  setPresence: (agentId: string, status: Presence) => call<AgentView>("PUT", `/agents/${id(agentId)}/presence`, { status }),

  conversationsOf: (agentId: string) => call<AgentConversations>("GET", `/agents/${id(agentId)}/conversations`),
  firstResponse: (conversationId: string) => call<Conversation>("POST", `/conversations/${id(conversationId)}/first-response`),
  close: (conversationId: string) => call<Conversation>("POST", `/conversations/${id(conversationId)}/close`),
  reassign: (conversationId: string, request: ReassignRequest) => call<Conversation>("POST", `/conversations/${id(conversationId)}/reassign`, request),

  queue: () => call<LiveQueue>("GET", "/queue"),
  routingMetrics: (from: Date, to: Date) => call<Metrics>("GET", `/metrics/routing?from=${id(from.toISOString())}&to=${id(to.toISOString())}`),

  inbox: () => call<Inbox>("GET", "/notices/inbox"),
  acknowledge: (noticeId: string) => call<Acknowledgement>("POST", `/notices/${id(noticeId)}/ack`),
  publishNotice: (input: NoticeInput) => call<PublishedNotice>("POST", "/notices", input),
  receipts: (noticeId: string) => call<Receipts>("GET", `/notices/${id(noticeId)}/receipts`),
};
