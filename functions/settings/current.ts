/**
 * The settings in force, for every function: `currentSettings()` is what a use case calls
 * wherever it needs a threshold, instead of the cold-start environment (`settings()` in
 * functions/shared/env.ts, which stays the defaults). One strongly consistent GetItem of the live
 * settings item per container per cache period, shared by every call in that period, so a
 * supervisor's `PUT /settings` is in force everywhere within `SETTINGS_CACHE_SECONDS` (default
 * 10, at most 30) without a deploy, and a routing decision pays a fraction of one read.
 *
 * If a refresh fails (the store unreachable) the last values stay in force and it retries a
 * second later; a container that never read them fails the call, as its own reads would.
 */
import { functionEnv, functionName, perFunction, settings } from "../shared/env.js";
import { logger } from "../shared/logger.js";
import { ttlCache } from "../shared/ttl-cache.js";
import type { FunctionSettings } from "../catalog/settings.js";
import { resolveSettings, type ResolvedSettings } from "./domain.js";
import { readLiveSettings } from "./store.js";

export const defaultCacheSeconds = 10;
/** The design's bound: a change is in force everywhere within 30 s. */
export const maxCacheSeconds = 30;

/** `SETTINGS_CACHE_SECONDS` (tests shorten it; 0 reads on every call), checked on first use: a bad value fails the function naming it. */
export const cacheSeconds: () => number = perFunction(() => {
  const text = functionEnv().SETTINGS_CACHE_SECONDS;
  if (text === undefined || text.trim() === "") return defaultCacheSeconds;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > maxCacheSeconds) {
    throw new Error(`Invalid environment of ${functionName()}: SETTINGS_CACHE_SECONDS must be a whole number of seconds from 0 to ${maxCacheSeconds} (got ${JSON.stringify(text)}).`);
  }
  return seconds;
});

const resolved: () => () => Promise<ResolvedSettings> = perFunction(() => {
  const environment = functionEnv();
  // The environment's values are the defaults: checked once, at cold start, naming a bad one.
  settings();
  return ttlCache(
    async () => {
      const current = resolveSettings(environment, await readLiveSettings());
      if (current.ignored.length > 0) logger.warn("Live settings ignored: they no longer fit their settings (the environment's values apply)", { ignored: current.ignored });
      return current;
    },
    { ttlMs: cacheSeconds() * 1000, onStale: (error) => logger.warn("Live settings could not be read; the last values stay in force", { error: error as Error }) },
  );
});

/**
 * The settings in force now (live values over the environment's), at most `SETTINGS_CACHE_SECONDS` old.
 *
 * @example
 * const { LARGE_ORDER_AMOUNT } = await currentSettings();
 */
export async function currentSettings(): Promise<FunctionSettings> {
  return (await resolved()()).values;
}
