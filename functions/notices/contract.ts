/**
 * The notices routes' contract: request schemas NoticesApi validates with (module level, for the
 * entry) and, in `contract()`, each route's responses (./responses.ts; generator only).
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import type { Contract } from "../shared/contract.js";
import { pageQuery } from "../shared/table/page-query.js";
import { campaignIdSchema, campaignInputSchema, noticeIdSchema, noticeInputSchema } from "./domain.js";
import { acknowledgementSchema, campaignChangeSchema, campaignPageSchema, campaignVersionSchema, campaignViewSchema, inboxSchema, publishedNoticeSchema, receiptsSchema, sentNoticePageSchema } from "./responses.js";

export const campaignPath = lazy(() => z.object({ campaignId: campaignIdSchema }));
export const noticePath = lazy(() => z.object({ noticeId: noticeIdSchema }));

/** `?lang=`: the locale a reader asks for (`zh` and `zh-CN` alike); other query fields are the route's. */
export const langField = { lang: z.optional(z.enum(["zh-CN", "zh", "en"], { error: "must be zh-CN or en" })) };
export const langQuery = lazy(() => z.object(langField));

export const listPageSizes = { default: 50, max: 200 } as const;
export const campaignsQuery = lazy(() => z.strictObject(pageQuery(listPageSizes)));
export const noticesQuery = lazy(() => z.strictObject({ ...pageQuery(listPageSizes), ...langField }));

export const versionQuery = lazy(() => z.object({ version: z.optional(z.coerce.number().check(z.int(), z.minimum(1))) }));

/** Optional `Idempotency-Key` header: a repeat with the same key returns the first notice. */
export const idempotencyHeaderSchema = lazy(() => z.object({ "idempotency-key": z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/, "must be 1-128 letters, digits or . _ : -"))) }));

const lang = "`?lang=en|zh-CN` or else Accept-Language picks the locale of rendered notices (zh-CN by default).";

export function contract(): Contract {
  return {
    "PUT /campaigns/{campaignId}": {
      summary: "Create or change a campaign; a change creates a new version and a notice",
      description: `201 when created. An unchanged campaign changes nothing (\`changed: false\`, no notice). ${lang}`,
      params: campaignPath,
      query: langQuery,
      body: campaignInputSchema,
      responses: { 200: { description: "Changed (or unchanged).", schema: campaignChangeSchema }, 201: { description: "Created.", schema: campaignChangeSchema } },
      problems: [409],
    },
    "GET /campaigns": {
      summary: "List campaigns by id, a page at a time",
      query: campaignsQuery,
      responses: { 200: { description: "A page of campaigns.", schema: campaignPageSchema } },
    },
    "GET /campaigns/{campaignId}": {
      summary: "Read a campaign's current version, or `?version=` a past one with its changes",
      params: campaignPath,
      query: versionQuery,
      responses: { 200: { description: "The campaign (a past version carries `changes`).", schema: z.union([campaignVersionSchema, campaignViewSchema]) } },
    },
    "POST /notices": {
      summary: "Publish an ad-hoc notice to the on-duty agents (of `targetSkills`)",
      description: "`urgent` notices are modal in the console until acknowledged and reminded. An `Idempotency-Key` seen before answers the first notice (200, `replayed`).",
      headers: idempotencyHeaderSchema,
      body: noticeInputSchema,
      responses: { 200: { description: "Replayed: the notice first published with this key.", schema: publishedNoticeSchema }, 201: { description: "Published.", schema: publishedNoticeSchema } },
      problems: [409],
    },
    "GET /notices": {
      summary: "List sent notices, newest first, with receipt counts",
      description: lang,
      query: noticesQuery,
      responses: { 200: { description: "A page of sent notices.", schema: sentNoticePageSchema } },
    },
    "GET /notices/{noticeId}/receipts": {
      summary: "A notice's receipts: delivered, acknowledged, pending, per agent",
      description: lang,
      params: noticePath,
      query: langQuery,
      responses: { 200: { description: "The notice and its receipts.", schema: receiptsSchema } },
    },
    "GET /notices/inbox": {
      summary: "My notices (the token's agent), unacknowledged first",
      description: lang,
      query: langQuery,
      responses: { 200: { description: "The inbox.", schema: inboxSchema } },
    },
    "POST /notices/{noticeId}/ack": {
      summary: "Acknowledge a notice of my inbox (idempotent)",
      params: noticePath,
      responses: { 200: { description: "Acknowledged (now or before).", schema: acknowledgementSchema } },
    },
  };
}
