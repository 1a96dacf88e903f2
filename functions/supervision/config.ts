/**
 * Supervision thresholds: the settings in force (functions/settings/current.ts: live values a
 * supervisor set with `PUT /settings`, else the environment's). Names, ranges and defaults in
 * functions/catalog/settings.ts; locally the defaults are environment variables, the CDK app sets
 * them from the `functionSettings` context (`-c functionSettings='{"HANDOVER_GRACE_MINUTES":"10"}'`).
 */
import { currentSettings } from "../settings/current.js";

export type HandoverPolicy = "handover" | "keep";

export async function supervisionConfig() {
  const s = await currentSettings();
  return {
    /** After a shift ends, open conversations stay this long before they are handed over. */
    handoverGraceMs: s.HANDOVER_GRACE_MINUTES * 60_000,
    shiftEndPolicy: s.SHIFT_END_POLICY,
    /** Away/offline agents keep open work this long, then (policy) it is handed over. */
    awayTimeoutMs: s.AWAY_HANDOVER_MINUTES * 60_000,
    awayPolicy: s.AWAY_POLICY,
    /** No first response within this time: offered to another agent (platforms grade at 3 min). */
    firstResponseTimeoutMs: s.FIRST_RESPONSE_TIMEOUT_SECONDS * 1000,
    /** Waiting longer than this: supervisors notified and/or (mode) the skill's fallback skills allowed. */
    escalateAfterMs: s.ESCALATE_AFTER_SECONDS * 1000,
    escalationMode: s.ESCALATION_MODE,
  };
}
