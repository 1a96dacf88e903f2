/** The minute job: urgent reminders and the sweep for fan-outs that never finished. */
import { currentSettings } from "../../settings/current.js";
import { logger } from "../../shared/logger.js";
import { sendMessage } from "../../shared/sqs.js";
import { noticePush, reminderDue } from "../domain.js";
import { activeNotices, getNotice, markActive, receiptRows } from "../store/index.js";
import { fanoutMessage } from "./publish.js";
import { pushToAgents } from "./push.js";

/** Reminder interval for unacknowledged urgent notices, minutes (setting `NOTICE_REMINDER_MINUTES`, live). */
export const reminderMinutes = async () => (await currentSettings()).NOTICE_REMINDER_MINUTES;
/** A notice whose fan-out has not finished this long after publishing is enqueued again. */
const fanoutSweepMinutes = 2;

export interface ReminderRun {
  reminded: { noticeId: string; agentIds: string[] }[];
  reenqueued: string[];
}

/**
 * Every minute. Primary course: for active urgent notices whose interval has elapsed, push again
 * to every agent who has not acknowledged (expired and superseded notices are no longer in the
 * active set); re-enqueue, once, any notice whose fan-out never completed.
 */
export async function runReminders(now: Date): Promise<ReminderRun> {
  const interval = await reminderMinutes();
  const run: ReminderRun = { reminded: [], reenqueued: [] };
  for (const entry of await activeNotices(now)) {
    if (!entry.fannedOutAt) {
      // Once only: a fan-out that keeps failing belongs in the DLQ, not in an endless loop.
      if (!entry.reenqueuedAt && now.getTime() - Date.parse(entry.publishedAt) >= fanoutSweepMinutes * 60_000) {
        await sendMessage("notices", fanoutMessage(entry.noticeId));
        await markActive(entry, "reenqueuedAt", now.toISOString());
        run.reenqueued.push(entry.noticeId);
      }
      continue;
    }
    if (!reminderDue(entry.urgency, entry.lastRemindedAt ?? entry.publishedAt, now, interval)) continue;
    const notice = await getNotice(entry.noticeId);
    if (!notice) continue;
    const pending = (await receiptRows(entry.noticeId)).filter((r) => !r.acknowledgedAt).map((r) => r.agentId);
    await pushToAgents(pending, { type: "notice", reminder: true, notice: noticePush(notice) });
    await markActive(entry, "lastRemindedAt", now.toISOString());
    run.reminded.push({ noticeId: entry.noticeId, agentIds: pending });
  }
  if (run.reminded.length + run.reenqueued.length > 0) logger.info("Notice reminders", { reminded: run.reminded.map((r) => ({ noticeId: r.noticeId, agents: r.agentIds.length })), reenqueued: run.reenqueued });
  return run;
}
