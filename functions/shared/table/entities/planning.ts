/**
 * Items the planning capability owns: the campaign multipliers supervisors set for forecast days.
 * The forecast's history is routing's `ArrivalCount`, read through the routing store; adherence
 * reads agents' `PresenceChange` through the agents store.
 */
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { forecastMultiplierSchema } from "../../../planning/domain.js";
import { defineEntity } from "../entity.js";

export const ForecastMultiplier = defineEntity({
  type: "ForecastMultiplier",
  owner: "planning",
  description: "The campaign multiplier of one local date (Double 11 × 1.3) and the base it applies to by default (`weeks` or `lastYear`), set by a supervisor, audited",
  schema: forecastMultiplierSchema,
  pk: "FORECAST#{date}",
  sk: "MULTIPLIER",
  patterns: [
    { name: "ForecastMultiplier.get", operation: "GetItem FORECAST#{date} / MULTIPLIER", cost: "0.5 RRU" },
    { name: "ForecastMultiplier.put", operation: "TransactWriteItems: Put FORECAST#{date} / MULTIPLIER + audit record", cost: "4 WRU" },
    { name: "ForecastMultiplier.delete", operation: "TransactWriteItems: Delete FORECAST#{date} / MULTIPLIER (exists) + audit record", cost: "4 WRU" },
  ],
});

export const adherenceAlertSchema = lazy(() => z.object({
  agentId: z.string(),
  /** When the lapse began: the later of the duty start and the agent's last change away from online. */
  since: z.string(),
  alertedAt: z.string(),
  presence: z.string(),
  expiresAtEpoch: z.number().check(z.int()),
}));

export const AdherenceAlert = defineEntity({
  type: "AdherenceAlert",
  owner: "planning",
  description: "Marks one lapse of an on-duty agent (not online past ADHERENCE_ALERT_MINUTES) as alerted, so supervisors hear of it once, not every tick; TTL 2 days",
  schema: adherenceAlertSchema,
  pk: "ADHERENCE#{agentId}",
  sk: "LAPSE#{since}",
  expires: "2 days after the alert",
  patterns: [{ name: "AdherenceAlert.claim", operation: "PutItem ADHERENCE#{agentId} / LAPSE#{since}, attribute_not_exists(pk): the tick that creates it sends the alert", cost: "1 WRU per lapse" }],
});
