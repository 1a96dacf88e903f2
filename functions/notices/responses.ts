/**
 * Response schemas of the notices routes (their contract: ./contract.ts). Views take their types
 * from these (`import type`); no Lambda bundle imports this module by value.
 */
import * as z from "zod/mini";
import { skillSchema } from "../agents/domain.js";
import { instant, named, nextCursor } from "../shared/responses.js";
import { urgencySchema } from "./domain.js";

const locale = z.enum(["zh-CN", "en"]);
const count = z.number().check(z.int(), z.minimum(0));

export const fieldChangeView = named("FieldChange", z.strictObject({ field: z.string(), from: z.unknown(), to: z.unknown() }), "One changed field of a campaign version (`rules.coupon.threshold`: from -> to).");

export const noticeViewSchema = named(
  "Notice",
  z.strictObject({
    noticeId: z.string(),
    title: z.string(),
    body: z.string(),
    urgency: urgencySchema,
    targetSkills: z.nullable(z.array(skillSchema)),
    publishedAt: instant,
    expiresAt: instant,
    campaignId: z.optional(z.string()),
    campaignVersion: z.optional(z.number().check(z.int())),
    changes: z.optional(z.array(fieldChangeView)),
    timeZone: z.optional(z.string()),
  }),
  "A notice as a reader sees it: title and body in the reader's locale; campaign notices carry their campaign, version, changes and time zone.",
);
export type NoticeView = z.output<typeof noticeViewSchema>;

export const publishedNoticeSchema = named("PublishedNotice", z.strictObject({ ...noticeViewSchema.shape, publishedBy: z.string(), replayed: z.optional(z.literal(true)) }), "The notice with who published it; `replayed`: an Idempotency-Key seen before.");

const counts = z.strictObject({ delivered: count, acknowledged: count, pending: count });

export const sentNoticeSchema = named(
  "SentNotice",
  z.strictObject({ ...noticeViewSchema.shape, publishedBy: z.string(), expired: z.boolean(), supersededBy: z.nullable(z.string()), counts }),
  "A sent notice with its receipt counts (superseded: nothing pending).",
);

export const sentNoticePageSchema = named("SentNoticePage", z.strictObject({ locale, notices: z.array(sentNoticeSchema), next: nextCursor }));

export const receiptsSchema = named(
  "Receipts",
  z.strictObject({
    notice: z.strictObject({ ...noticeViewSchema.shape, publishedBy: z.string(), expired: z.boolean(), supersededBy: z.nullable(z.string()) }),
    counts: z.strictObject({ targeted: count, delivered: count, acknowledged: count, pending: count }),
    agents: z.array(z.strictObject({ agentId: z.string(), status: z.enum(["acknowledged", "superseded", "pending"]), deliveredAt: instant, acknowledgedAt: z.nullable(instant) })),
  }),
  "Delivered, acknowledged and pending, per agent.",
);

export const inboxSchema = named(
  "Inbox",
  z.strictObject({
    agentId: z.string(),
    locale,
    unacknowledged: count,
    notices: z.array(named("InboxNotice", z.strictObject({ ...noticeViewSchema.shape, deliveredAt: instant, acknowledged: z.boolean(), acknowledgedAt: z.nullable(instant) }))),
  }),
  "The agent's notices: unacknowledged first, then by urgency, newest first.",
);

export const acknowledgementSchema = named("Acknowledgement", z.strictObject({ noticeId: z.string(), acknowledgedAt: instant, alreadyAcknowledged: z.boolean() }));

export const campaignViewSchema = named(
  "Campaign",
  z.strictObject({
    campaignId: z.string(),
    version: z.number().check(z.int(), z.minimum(1)),
    name: z.string(),
    rules: z.record(z.string(), z.unknown()),
    startsAt: instant,
    endsAt: instant,
    targetSkills: z.nullable(z.array(skillSchema)),
    noticeId: z.string(),
    updatedAt: instant,
    updatedBy: z.string(),
  }),
  "A campaign's current (or asked-for) version.",
);
export type CampaignView = z.output<typeof campaignViewSchema>;

export const campaignVersionSchema = named("CampaignVersion", z.strictObject({ ...campaignViewSchema.shape, changes: z.array(fieldChangeView) }), "A past version with what it changed.");

export const campaignChangeSchema = named(
  "CampaignChange",
  z.strictObject({ ...campaignViewSchema.shape, changed: z.boolean(), changes: z.array(fieldChangeView), notice: z.nullable(noticeViewSchema) }),
  "The campaign after a PUT: whether it changed, what, and the change notice (null when nothing changed).",
);

export const campaignPageSchema = named("CampaignPage", z.strictObject({ campaigns: z.array(campaignViewSchema), next: nextCursor }));
