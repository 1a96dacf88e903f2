/**
 * `RotaDutyClock`: every minute, settle rota changes whose writer died (roll back before the
 * commit point, forward after it), then bring every agent's duty state in line with the rota.
 */
import { logger } from "../shared/logger.js";
import { scheduledJob } from "../shared/schedule.js";
import { recoverRotaChanges } from "./commit/change.js";
import { recomputeDuty } from "./duty.js";

export const handler = scheduledJob("RotaDutyClock", async (now) => {
  // A change that cannot be settled now (logged as an error, so the alarm sees it) must not stop duty moving.
  const recovered = await recoverRotaChanges(now).catch((error: unknown) => {
    logger.error("Settling rota changes failed; the next tick retries", { error: error as Error });
    return { settled: [] };
  });
  return { ...(await recomputeDuty(now)), recovered: recovered.settled };
});
