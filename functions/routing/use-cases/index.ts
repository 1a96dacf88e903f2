/**
 * Routing use cases, one place: accept, route and drain, first response, close, moves. Entry
 * files (`*.http.ts`, `*.queue.ts`, `*.schedule.ts`) wire triggers to these and nothing else.
 */
export { acceptConversation, type Arrival, type ArrivalOutcome } from "./arrivals.js";
export { applyPlatformEvent, type EventOutcome, type EventResult } from "./events.js";
export { closeConversation, conversationFor, markFirstResponse, openConversationsOf, type Actor } from "./lifecycle.js";
export { moveToAgent, moveToQueue, type MoveRequest } from "./moves.js";
export { drainWaiting, routeConversation, type RouteOutcome } from "./route.js";
export { planRouteBatch, RouteBatch, type RouteRequest } from "./route-batch.js";
export { sweep } from "./sweep.js";
