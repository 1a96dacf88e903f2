/** Response schemas of the settings routes (contract: ./contract.ts); generator and tests only. */
import * as z from "zod/mini";
import { instant, named } from "../shared/responses.js";

const value = z.union([z.string(), z.number()]);
const source = z.enum(["default", "environment", "live"]);

export const settingViewSchema = named(
  "Setting",
  z.strictObject({
    value,
    source,
    default: value,
    defaultSource: z.enum(["default", "environment"]),
    builtInDefault: value,
    description: z.string(),
    expects: z.string(),
    kind: z.enum(["whole-number", "choice", "time-zone"]),
    min: z.optional(z.number()),
    max: z.optional(z.number()),
    unit: z.optional(z.string()),
    choices: z.optional(z.array(z.string())),
  }),
  "One setting: the value in force and where it comes from, what applies without a live value, and what a valid value looks like.",
);

const settingsFields = {
  version: z.number().check(z.int(), z.minimum(0)),
  updatedAt: z.nullable(instant),
  updatedBy: z.nullable(z.string()),
  cacheSeconds: z.number().check(z.int()),
  settings: z.record(z.string(), settingViewSchema),
  ignored: z.optional(z.array(z.strictObject({ name: z.string(), value: z.unknown(), message: z.string() }))),
};

export const settingsViewSchema = named("Settings", z.strictObject(settingsFields), "Every setting, by name, with the live version (0: none changed live).");

export const settingsChangeSchema = named("SettingsChange", z.strictObject({ changed: z.array(z.string()), ...settingsFields }), "The settings after a change, and which changed in force.");
