/**
 * Items the settings capability owns: the one item holding the live settings (`PUT /settings`).
 * Every function reads it through a per-container cache (functions/settings/current.ts), so its
 * cost per decision is a fraction of one read.
 */
import * as z from "zod/mini";
import { lazy } from "../../lazy-schema.js";
import { defineEntity } from "../entity.js";

/**
 * The live values as stored: only the settings a supervisor set (the others follow the
 * environment), each as its JSON form. Each value is checked against its setting's schema when
 * read, so a value a later deploy no longer allows is ignored rather than used.
 */
export const liveSettingsSchema = lazy(() => z.object({
  /** 1 on the first change, +1 on each; `PUT /settings` may name the version it read (409 when stale). */
  version: z.number().check(z.int(), z.minimum(1)),
  values: z.record(z.string(), z.union([z.string(), z.number()])),
  updatedAt: z.string(),
  updatedBy: z.string(),
}));

export const LiveSettings = defineEntity({
  type: "LiveSettings",
  owner: "settings",
  description: "The settings a supervisor changed live (name → value), versioned; the rest follow the environment. One item, well under 1 KB",
  schema: liveSettingsSchema,
  pk: "SETTINGS",
  sk: "LIVE",
  patterns: [
    { name: "LiveSettings.get", operation: "GetItem SETTINGS / LIVE, strongly consistent: once per function container per cache period (10 s), and by GET/PUT /settings", cost: "1 RRU per read; per routing decision 1 RRU ÷ the decisions a container makes in 10 s" },
    { name: "LiveSettings.put", operation: "TransactWriteItems: Put SETTINGS / LIVE conditional on the version read (attribute_not_exists on the first) + audit record", cost: "4 WRU" },
  ],
});
