/**
 * Supervision thresholds. Each is an environment variable with a default; the local stack passes
 * them through, the CDK app sets them from context (`-c settings='{"HANDOVER_GRACE_MINUTES":"10"}'`).
 */
import { intSetting } from "../shared/env.js";

export type HandoverPolicy = "handover" | "keep";

function policy(name: string, fallback: HandoverPolicy): HandoverPolicy {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw !== "handover" && raw !== "keep") throw new Error(`Invalid environment: ${name} must be "handover" or "keep", got "${raw}"`);
  return raw;
}

export function supervisionConfig() {
  const escalation = process.env.ESCALATION_MODE ?? "widen-and-notify";
  if (!["widen", "notify", "widen-and-notify"].includes(escalation)) throw new Error(`Invalid environment: ESCALATION_MODE must be widen, notify or widen-and-notify, got "${escalation}"`);
  return {
    /** After a shift ends, open conversations stay this long before they are handed over. */
    handoverGraceMs: intSetting("HANDOVER_GRACE_MINUTES", 5) * 60_000,
    shiftEndPolicy: policy("SHIFT_END_POLICY", "handover"),
    /** Away/offline agents keep open work this long, then (policy) it is handed over. */
    awayTimeoutMs: intSetting("AWAY_HANDOVER_MINUTES", 10) * 60_000,
    awayPolicy: policy("AWAY_POLICY", "handover"),
    /** No first response within this time: offered to another agent (platforms grade at 3 min). */
    firstResponseTimeoutMs: intSetting("FIRST_RESPONSE_TIMEOUT_SECONDS", 180) * 1000,
    /** Waiting longer than this: skills widened to any and/or supervisors notified. */
    escalateAfterMs: intSetting("ESCALATE_AFTER_SECONDS", 120) * 1000,
    escalationMode: escalation as "widen" | "notify" | "widen-and-notify",
  };
}
