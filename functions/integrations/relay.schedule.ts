/** `CallbackRelay` (every minute): re-sends pending assignment callbacks whose message was lost. */
import { scheduledJob } from "../shared/schedule.js";
import { relayPending } from "./use-cases.js";

export const handler = scheduledJob("callback-relay", relayPending);
