/** `SupervisionClock` (every minute): handover, re-offer, escalation, drain. */
import { scheduledJob } from "../shared/schedule.js";
import { runSupervisionClock } from "./use-cases.js";

export const handler = scheduledJob("supervision-clock", runSupervisionClock);
