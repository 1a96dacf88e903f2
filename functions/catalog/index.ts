/**
 * Every function of the backend, one list per capability. Adding a function is one entry in
 * its capability's `functions.ts` plus its handler.
 */
import type { FunctionSpec } from "./types.js";
import { agentFunctions } from "../agents/functions.js";
import { integrationFunctions } from "../integrations/functions.js";
import { planningFunctions } from "../planning/functions.js";
import { platformFunctions } from "../platform/functions.js";
import { rotaFunctions } from "../rota/functions.js";
import { rotaSwapsApi } from "../rota/swaps/functions.js";
import { routingFunctions } from "../routing/functions.js";
import { noticeFunctions } from "../notices/functions.js";
import { stockFunctions } from "../stock/functions.js";
import { settingsFunctions } from "../settings/functions.js";
import { supervisionFunctions } from "../supervision/functions.js";

export const functionList: readonly FunctionSpec[] = [
  ...platformFunctions,
  ...agentFunctions,
  ...rotaFunctions,
  rotaSwapsApi,
  ...planningFunctions,
  ...routingFunctions,
  ...supervisionFunctions,
  ...noticeFunctions,
  ...stockFunctions,
  ...integrationFunctions,
  ...settingsFunctions,
];

export type { FunctionSpec, Trigger, HttpTrigger, QueueTrigger, ScheduleTrigger, StreamTrigger, WebSocketTrigger, Role, RouteAuth } from "./types.js";
