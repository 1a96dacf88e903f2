/**
 * The API's shapes, all from the published contract: `schema.d.ts` is generated from
 * docs/openapi.json (`npm run docs:openapi`, openapi-typescript), itself generated from the
 * routes' zod schemas, so nothing here is written by hand but the local sign-in's shapes (a
 * local-only route, taken from local/console.ts by `import type`) and the WebSocket messages
 * (composed of the contract's own views). Types only: nothing of the backend is bundled.
 */
import type { components, operations } from "./schema.js";
import type { ConsoleConfig, LocalTokenRequest, LocalTokenResponse } from "../../../local/console.js";
import type { SupervisorPush } from "../../../functions/shared/supervisor-push.js";
import type { ShiftOverlap } from "../../../functions/rota/overlap.js";
import type { AdherenceAlertPush } from "../../../functions/planning/use-cases/adherence.js";

export type { ConsoleConfig, LocalTokenRequest, LocalTokenResponse };

type Schemas = components["schemas"];
/** The JSON body an operation takes. */
type JsonBody<O extends keyof operations> = operations[O] extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;

export type AgentView = Schemas["Agent"];
export type Presence = AgentView["presence"];
/** `PATCH /agents/{id}`: the fields to change. */
export type AgentChange = JsonBody<"patchAgentsAgentId">;
export type Skill = Schemas["Skill"];

export type Conversation = Schemas["Conversation"];
export type AgentConversations = Schemas["AgentConversations"];
export type ReassignRequest = JsonBody<"postConversationsConversationIdReassign">;

export type LiveQueue = Schemas["LiveQueue"];
export type QueueLine = Schemas["QueueLine"];
export type QueueAgent = Schemas["QueueAgent"];
export type WaitingConversation = Schemas["WaitingConversation"];
export type Metrics = Schemas["RoutingMetrics"];

export type NoticeView = Schemas["Notice"];
export type Urgency = NoticeView["urgency"];
export type NoticeInput = JsonBody<"postNotices">;
export type PublishedNotice = Schemas["PublishedNotice"];
export type Inbox = Schemas["Inbox"];
export type InboxNotice = Schemas["InboxNotice"];
export type Acknowledgement = Schemas["Acknowledgement"];
export type Receipts = Schemas["Receipts"];
export type Problem = Schemas["Problem"];

// The rota editor and the coverage chart (console/src/supervisor/rota*, coverage*).
export type Shift = Schemas["Shift"];
export type ShiftInput = JsonBody<"putShiftsShiftId">;
export type ShiftOccurrence = Schemas["ShiftOccurrence"];
export type ResolvedRota = Schemas["ResolvedRota"];
export type RotaInput = JsonBody<"putRota">;
export type RotaChangeResult = Schemas["RotaChangeResult"];
export type RotaImportResult = Schemas["RotaImportResult"];
export type RotaImportJob = Schemas["RotaImportJob"];
export type RotaException = Schemas["RotaException"];
export type RotaExceptionInput = JsonBody<"postRotaExceptions">;
export type Coverage = Schemas["Coverage"];
export type CoverageInput = JsonBody<"postRotaCoverage">;
export type Forecast = Schemas["Forecast"];
export type ForecastQuery = NonNullable<operations["getForecast"]["parameters"]["query"]>;
export type Adherence = Schemas["Adherence"];
export type AdherenceQuery = operations["getAdherence"]["parameters"]["query"];
// The plans screen (console/src/supervisor/plans.tsx).
export type RotaPlan = Schemas["RotaPlan"];
export type PlanInput = JsonBody<"postRotaPlans">;
export type PlanEdit = JsonBody<"patchRotaPlansPlanId">;
/** A 409 `/problems/shift-overlap` names both sides of each overlap (functions/rota/use-cases/overlaps.ts). */
export type { ShiftOverlap };

// The stock and settings screens (console/src/supervisor/stock.tsx, settings.tsx).
export type SkuView = Schemas["Sku"];
export type DriftReport = Schemas["ReconcileReport"];
export type SettingsView = Schemas["Settings"];
export type SettingView = Schemas["Setting"];
export type SettingsChange = Schemas["SettingsChange"];
export type SettingsUpdate = JsonBody<"putSettings">;

/** What the supervisors' WebSocket pushes of the wall and receipts (functions/shared/supervisor-push.ts). */
export type { SupervisorPush };
export type QueuePush = Extract<SupervisorPush, { type: "queue" }>;
export type ReceiptsPush = Extract<SupervisorPush, { type: "receipts" }>;

/** An on-duty agent not online for more than ADHERENCE_ALERT_MINUTES, once per lapse (from RotaDutyClock). */
export type { AdherenceAlertPush };

/** What the agents' and supervisors' WebSocket pushes (functions/shared/push.ts callers). */
export type LiveMessage =
  | SupervisorPush
  | { type: "assignment"; conversation: Conversation }
  | { type: "notice"; notice: NoticeView; reminder?: boolean }
  | { type: "escalation"; conversationId: string; skill: string; priority: WaitingConversation["priority"]; waitingSince: string }
  | AdherenceAlertPush
  | { type: "pong" };
