/**
 * Every call the console makes to the backend, through openapi-fetch over the contract's
 * generated types (./schema.d.ts from docs/openapi.json): each path, its parameters, body and
 * answer are checked against the published contract at compile time, so a call the API does not
 * have fails `tsc -p console`. Adding a screen adds its calls here. Tokens are sent as
 * `Authorization: Bearer` and never stored outside memory.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "./schema.js";
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
  Coverage,
  CoverageInput,
  Forecast,
  ForecastQuery,
  ResolvedRota,
  RotaChangeResult,
  RotaException,
  RotaExceptionInput,
  RotaImportJob,
  RotaImportResult,
  RotaInput,
  Shift,
  ShiftInput,
} from "./types.js";
import type { Adherence, AdherenceQuery } from "./types.js";
import type { PlanEdit, PlanInput, RotaPlan } from "./types.js";
import type { DriftReport, SettingsChange, SettingsUpdate, SettingsView, SkuView } from "./types.js";

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

/** Every call carries the signed-in user's token; a 401 sends them back to sign-in. */
const credentials: Middleware = {
  onRequest({ request }) {
    const token = currentToken();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) onUnauthorized();
    return response;
  },
};

let client: { apiUrl: string; http: Client<paths> } | undefined;

/** The typed client of the contract (openapi-fetch over the generated `paths`), for the configured API. */
function http(): Client<paths> {
  if (client?.apiUrl !== config.apiUrl) {
    const created = createClient<paths>({ baseUrl: config.apiUrl, headers: { accept: "application/json" } });
    created.use(credentials);
    client = { apiUrl: config.apiUrl, http: created };
  }
  return client.http;
}

/** The answer's body, or an ApiError with its problem. */
async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, (typeof error === "object" && error !== null ? error : { detail: String(error ?? "").slice(0, 200) }) as Problem);
  return data as T;
}

/** `POST /local/token`: the local stack's own sign-in, not part of the API's contract. */
async function localToken(request: LocalTokenRequest): Promise<LocalTokenResponse> {
  const response = await fetch(`${config.apiUrl}/local/token`, { method: "POST", headers: { accept: "application/json", "content-type": "application/json" }, body: JSON.stringify(request) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { detail: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, (parsed ?? {}) as Problem);
  return parsed as LocalTokenResponse;
}

const agentPath = (agentId: string) => ({ params: { path: { agentId } } });
const conversationPath = (conversationId: string) => ({ params: { path: { conversationId } } });
const noticePath = (noticeId: string) => ({ params: { path: { noticeId } } });

export const api = {
  /** The local stack's sign-in (local/console.ts); absent in AWS, where Cognito signs in. */
  localToken,

  skills: (): Promise<{ skills: Skill[] }> => answer(http().GET("/skills")),
  agents: (): Promise<{ agents: AgentView[] }> => answer(http().GET("/agents")),
  /** Every active agent, page after page (500 a page; at most 20 pages). */
  activeAgents: async (): Promise<AgentView[]> => {
    const all: AgentView[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const read = await answer(http().GET("/agents", { params: { query: { active: "true", limit: "500", ...(cursor ? { cursor } : {}) } } }));
      all.push(...read.agents);
      cursor = read.next;
      if (!cursor) break;
    }
    return all;
  },
  agent: (agentId: string): Promise<AgentView> => answer(http().GET("/agents/{agentId}", agentPath(agentId))),
  changeAgent: (agentId: string, change: AgentChange): Promise<AgentView> => answer(http().PATCH("/agents/{agentId}", { ...agentPath(agentId), body: change })),
  setPresence: (agentId: string, status: Presence): Promise<AgentView> => answer(http().PUT("/agents/{agentId}/presence", { ...agentPath(agentId), body: { status } })),

  conversationsOf: (agentId: string): Promise<AgentConversations> => answer(http().GET("/agents/{agentId}/conversations", agentPath(agentId))),
  firstResponse: (conversationId: string): Promise<Conversation> => answer(http().POST("/conversations/{conversationId}/first-response", conversationPath(conversationId))),
  close: (conversationId: string): Promise<Conversation> => answer(http().POST("/conversations/{conversationId}/close", conversationPath(conversationId))),
  reassign: (conversationId: string, request: ReassignRequest): Promise<Conversation> =>
    answer(http().POST("/conversations/{conversationId}/reassign", { ...conversationPath(conversationId), body: request })),

  queue: (): Promise<LiveQueue> => answer(http().GET("/queue")),
  routingMetrics: (from: Date, to: Date): Promise<Metrics> => answer(http().GET("/metrics/routing", { params: { query: { from: from.toISOString(), to: to.toISOString() } } })),

  inbox: (): Promise<Inbox> => answer(http().GET("/notices/inbox")),
  acknowledge: (noticeId: string): Promise<Acknowledgement> => answer(http().POST("/notices/{noticeId}/ack", noticePath(noticeId))),
  publishNotice: (input: NoticeInput): Promise<PublishedNotice> => answer(http().POST("/notices", { body: input })),
  receipts: (noticeId: string): Promise<Receipts> => answer(http().GET("/notices/{noticeId}/receipts", noticePath(noticeId))),

  // The rota editor and the coverage chart.
  shifts: (): Promise<{ shifts: Shift[] }> => answer(http().GET("/shifts")),
  putShift: (shiftId: string, input: ShiftInput): Promise<Shift> => answer(http().PUT("/shifts/{shiftId}", { params: { path: { shiftId } }, body: input })),
  rota: (from: string, to: string): Promise<ResolvedRota> => answer(http().GET("/rota", { params: { query: { from, to } } })),
  putRota: (input: RotaInput): Promise<RotaChangeResult> => answer(http().PUT("/rota", { body: input })),
  /** Up to 1,000 rows applied in the request (the result); a larger file is accepted as a job (202) to poll with `rotaImportJob`. */
  importRota: (csv: string, allowOverlap: boolean): Promise<RotaImportResult | RotaImportJob> =>
    answer(
      http().POST("/rota/import", {
        params: { query: allowOverlap ? { allowOverlap: "true" } : {} },
        body: csv,
        bodySerializer: (body: string) => body,
        headers: { "content-type": "text/csv" },
      }),
    ),
  rotaImportJob: (jobId: string): Promise<RotaImportJob> => answer(http().GET("/rota/imports/{jobId}", { params: { path: { jobId } } })),
  rotaExceptions: (from: string, to: string): Promise<{ exceptions: RotaException[] }> => answer(http().GET("/rota/exceptions", { params: { query: { from, to } } })),
  createException: (input: RotaExceptionInput): Promise<RotaException> => answer(http().POST("/rota/exceptions", { body: input })),
  deleteException: (exceptionId: string): Promise<void> => answer(http().DELETE("/rota/exceptions/{exceptionId}", { params: { path: { exceptionId } } })).then(() => undefined),
  coverage: (input: CoverageInput): Promise<Coverage> => answer(http().POST("/rota/coverage", { body: input })),
  forecast: (query: ForecastQuery): Promise<Forecast> => answer(http().GET("/forecast", { params: { query } })),
  adherence: (query: AdherenceQuery): Promise<Adherence> => answer(http().GET("/adherence", { params: { query } })),
  createPlan: (input: PlanInput): Promise<RotaPlan> => answer(http().POST("/rota/plans", { body: input })),
  plan: (planId: string): Promise<RotaPlan> => answer(http().GET("/rota/plans/{planId}", { params: { path: { planId } } })),
  editPlan: (planId: string, edit: PlanEdit): Promise<RotaPlan> => answer(http().PATCH("/rota/plans/{planId}", { params: { path: { planId } }, body: edit })),
  publishPlan: (planId: string): Promise<RotaPlan> => answer(http().POST("/rota/plans/{planId}/publish", { params: { path: { planId } } })),

  // The stock and settings screens.
  sku: (sku: string): Promise<SkuView> => answer(http().GET("/stock/{sku}", { params: { path: { sku } } })),
  stockDrift: (): Promise<DriftReport> => answer(http().GET("/stock/drift")),
  settings: (): Promise<SettingsView> => answer(http().GET("/settings")),
  changeSettings: (update: SettingsUpdate): Promise<SettingsChange> => answer(http().PUT("/settings", { body: update })),
};
