/**
 * `RoutingSweeper` (every minute): re-drives conversations whose queue message was lost and
 * drains every waiting queue as a backstop (use-cases/sweep.ts).
 */
import { scheduledJob } from "../shared/schedule.js";
import { sweep } from "./use-cases/index.js";

export const handler = scheduledJob("routing-sweeper", sweep);
