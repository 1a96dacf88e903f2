/** `RotaDutyClock`: every minute, bring every agent's duty state in line with the rota. */
import { scheduledJob } from "../shared/schedule.js";
import { recomputeDuty } from "./duty.js";

export const handler = scheduledJob("RotaDutyClock", (now) => recomputeDuty(now));
