/**
 * The settings routes' contract. The PUT body is read by `parseUpdate` (./domain.ts: every bad
 * value named at once, `null` back to the default); the schema here is its published shape.
 */
import * as z from "zod/mini";
import type { Contract } from "../shared/contract.js";
import { settingsChangeSchema, settingsViewSchema } from "./responses.js";

export const settingsUpdateBody = z.strictObject({
  version: z.optional(z.number().check(z.int(), z.minimum(0))),
  values: z.record(z.string(), z.nullable(z.union([z.number(), z.string()]))),
});

export const ifMatchHeader = z.object({ "if-match": z.optional(z.string()) });

export function contract(): Contract {
  const etag = { etag: "The settings version, for If-Match." };
  return {
    "GET /settings": {
      summary: "Every setting with the value in force, its default and where each comes from",
      responses: { 200: { description: "The settings.", schema: settingsViewSchema, headers: etag } },
    },
    "PUT /settings": {
      summary: "Change settings live (in force in every function within the cache period)",
      description: "`values`: NAME -> value (a whole number or a string, as the setting's `kind`), `null` to go back to the environment's or built-in default. Name the version read with `version` or `If-Match`: behind it is a 409. Audited.",
      headers: ifMatchHeader,
      body: settingsUpdateBody,
      responses: { 200: { description: "Changed (or nothing to change).", schema: settingsChangeSchema, headers: etag } },
      problems: [409],
    },
  };
}
