/** Every minute: urgent reminders and the fan-out sweep (see `runReminders`). */
import { scheduledJob } from "../shared/schedule.js";
import { runReminders } from "./service.js";

export const handler = scheduledJob("notice-reminders", runReminders);
