/** Every minute: urgent reminders and the fan-out sweep (see `runReminders`). */
import { scheduledJob } from "../shared/schedule.js";
import { runReminders } from "./use-cases/index.js";

export const handler = scheduledJob("notice-reminders", runReminders);
