/**
 * StockHoldExpiry (every minute): releases holds of unpaid orders past their expiry and
 * campaign locks past theirs (`expireHoldsAndLocks` in use-cases.ts).
 */
import { scheduledJob } from "../shared/schedule.js";
import { expireHoldsAndLocks } from "./use-cases.js";

export const handler = scheduledJob("StockHoldExpiry", expireHoldsAndLocks);
