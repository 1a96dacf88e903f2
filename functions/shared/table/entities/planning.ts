/**
 * Items the planning capability owns: the campaign multipliers supervisors set for forecast days.
 * The forecast's history is routing's `ArrivalCount`, read through the routing store; adherence
 * reads agents' `PresenceChange` through the agents store.
 */
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
