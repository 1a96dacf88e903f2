/** `LoadReconciler` (every 5 minutes): recomputes agents' loads from open assignment records and repairs drift. */
import { scheduledJob } from "../shared/schedule.js";
import { reconcileLoads } from "./use-cases.js";

export const handler = scheduledJob("load-reconciler", reconcileLoads);
