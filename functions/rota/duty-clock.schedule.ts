/**
 * `RotaDutyClock`: every minute, settle rota changes whose writer died (roll back before the
 * commit point, forward after it), then bring every agent's duty state in line with the rota, then
 * alert supervisors of on-duty agents not online past ADHERENCE_ALERT_MINUTES (planning).
 */
import { logger } from "../shared/logger.js";
import { scheduledJob } from "../shared/schedule.js";
import { watchAdherence } from "../planning/use-cases/adherence.js";
import { recoverRotaChanges } from "./commit/change.js";
import { recomputeDuty } from "./duty.js";

export const handler = scheduledJob("RotaDutyClock", async (now) => {
  // A change that cannot be settled now (logged as an error, so the alarm sees it) must not stop duty moving.
  const recovered = await recoverRotaChanges(now).catch((error: unknown) => {
    logger.error("Settling rota changes failed; the next tick retries", { error: error as Error });
    return { settled: [] };
  });
  const duty = await recomputeDuty(now);
  // After duty is current: alert supervisors once per lapse of an on-duty agent not online (issue 17 item 2).
  const adherence = await watchAdherence(now).catch((error: unknown) => {
    logger.error("Adherence watch failed; the next tick retries", { error: error as Error });
    return { candidates: 0, alerted: [] as string[] };
  });
  return { ...duty, recovered: recovered.settled, adherenceAlerts: adherence.alerted };
});
