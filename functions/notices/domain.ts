/**
 * Campaign-change notices: the rules, with no AWS in sight (unit tested).
 *
 * - A campaign's content (name, rules, window, target skills) is versioned; a PUT whose content
 *   equals the current version is a no-op, any other PUT makes version n+1 and a notice whose
 *   summary is the field-level diff (`rules.threshold: 300 → 200`).
 * - A notice targets agents on duty whose skills meet its `targetSkills` (or everyone).
 * - The inbox shows, per campaign, only the newest version the agent holds (supersede), and
 *   orders unacknowledged before acknowledged, then urgent → important → info, newest first.
 */
import * as z from "zod";
import { skillSchema, type Skill } from "../agents/domain.js";

export const urgencies = ["info", "important", "urgent"] as const;
export const urgencySchema = z.enum(urgencies);
export type Urgency = z.infer<typeof urgencySchema>;

export const campaignIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'");
export const noticeIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,120}$/, "must be a notice id");

/** ISO-8601 instant with an offset (`Z` or `+08:00`), normalised to UTC `toISOString()` form. */
export const instantSchema = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

const targetSkillsSchema = z
  .array(skillSchema)
  .min(1)
  .max(10)
  .refine((s) => new Set(s).size === s.length, "targetSkills must not repeat");

/** Longest a notice may stay active (and be delivered to late joiners). */
export const maxNoticeLifetimeDays = 31;

export const noticeInputSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    body: z.string().trim().min(1).max(5000),
    urgency: urgencySchema,
    /** Absent or null: every on-duty agent. */
    targetSkills: targetSkillsSchema.nullish(),
    expiresAt: instantSchema,
  })
  .strict();
export type NoticeInput = z.infer<typeof noticeInputSchema>;

/** JSON values, so campaign rules are structured data and nothing else. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** Any JSON value, as stored (reads of campaigns we wrote; input is bounded separately). */
export const jsonSchema: z.ZodType<Json> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonSchema), z.record(z.string(), jsonSchema)]));

export const campaignInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    rules: z.record(z.string(), jsonSchema),
    startsAt: instantSchema,
    endsAt: instantSchema,
    targetSkills: targetSkillsSchema.nullish(),
    /** Urgency of the change notice; not part of the campaign's content. */
    urgency: urgencySchema.default("important"),
  })
  .strict()
  .refine((c) => c.endsAt > c.startsAt, { message: "endsAt must be after startsAt", path: ["endsAt"] });
export type CampaignInput = z.infer<typeof campaignInputSchema>;

/** The versioned part of a campaign: what agents quote to customers. */
export const campaignContentSchema = z.object({
  name: z.string(),
  rules: z.record(z.string(), jsonSchema),
  startsAt: z.string(),
  endsAt: z.string(),
  targetSkills: z.array(skillSchema).nullable(),
});
export type CampaignContent = z.infer<typeof campaignContentSchema>;

export function contentOf(input: CampaignInput): CampaignContent {
  return { name: input.name, rules: input.rules, startsAt: input.startsAt, endsAt: input.endsAt, targetSkills: input.targetSkills ?? null };
}

/** One changed field of a campaign version (`rules.coupon.threshold: 300 → 200`). */
export const fieldChangeSchema = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });
export type FieldChange = z.infer<typeof fieldChangeSchema>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys, so equal structures compare equal whatever their key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

function diffValue(path: string, from: unknown, to: unknown, out: FieldChange[]): void {
  if (isPlainObject(from) && isPlainObject(to)) {
    for (const key of [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()) {
      diffValue(path ? `${path}.${key}` : key, from[key], to[key], out);
    }
    return;
  }
  // Arrays (and skill lists) are compared whole: "[a,b] → [a]" reads better than index paths.
  // An added or removed key counts even when its value is null.
  if ((from === undefined) !== (to === undefined) || canonical(from) !== canonical(to)) out.push({ field: path, from: from ?? null, to: to ?? null });
}

/** Field-level diff of two campaign contents (`rules` recursed into); empty means identical. */
export function diffCampaign(before: CampaignContent | undefined, after: CampaignContent): FieldChange[] {
  const out: FieldChange[] = [];
  const fields: (keyof CampaignContent)[] = ["name", "rules", "startsAt", "endsAt", "targetSkills"];
  for (const field of fields) {
    if (!before) out.push({ field, from: null, to: after[field] });
    else diffValue(field, before[field], after[field], out);
  }
  return out;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  return typeof value === "string" ? value : canonical(value);
}

/** One line per changed field: `rules.threshold: 300 → 200`. */
export function changeSummary(changes: readonly FieldChange[]): string {
  return changes.map((c) => `${c.field}: ${show(c.from)} → ${show(c.to)}`).join("\n");
}

export function campaignNoticeId(campaignId: string, version: number): string {
  return `c.${campaignId}.v${version}`;
}

/** A campaign's change notice stays deliverable until the campaign ends (at least an hour). */
export function campaignNoticeExpiry(content: CampaignContent, now: Date): string {
  const floor = new Date(now.getTime() + 60 * 60 * 1000).toISOString();
  return content.endsAt > floor ? content.endsAt : floor;
}

/** A notice as published; its snapshot is also what an inbox entry carries. */
export const noticeSchema = z.object({
  noticeId: z.string(),
  title: z.string(),
  body: z.string(),
  urgency: urgencySchema,
  targetSkills: z.array(skillSchema).nullable(),
  publishedAt: z.string(),
  publishedBy: z.string(),
  expiresAt: z.string(),
  /** Campaign notices only. */
  campaignId: z.string().optional(),
  campaignVersion: z.number().int().optional(),
  changes: z.array(fieldChangeSchema).optional(),
});
export type Notice = z.infer<typeof noticeSchema>;

export function campaignNotice(campaignId: string, version: number, content: CampaignContent, changes: FieldChange[], urgency: Urgency, actor: string, now: Date): Notice {
  return {
    noticeId: campaignNoticeId(campaignId, version),
    title: version === 1 ? `New campaign "${content.name}"` : `Campaign "${content.name}" changed (v${version})`,
    body: changeSummary(changes),
    urgency,
    targetSkills: content.targetSkills,
    publishedAt: now.toISOString(),
    publishedBy: actor,
    expiresAt: campaignNoticeExpiry(content, now),
    campaignId,
    campaignVersion: version,
    changes,
  };
}

/** Rejects expiries in the past or too far ahead; returns the field error message or undefined. */
export function expiryProblem(expiresAt: string, now: Date): string | undefined {
  if (expiresAt <= now.toISOString()) return "expiresAt must be in the future";
  if (Date.parse(expiresAt) - now.getTime() > maxNoticeLifetimeDays * 86_400_000) return `expiresAt must be within ${maxNoticeLifetimeDays} days`;
  return undefined;
}

/** Whether an agent with these skills is in the notice's audience (null targets everyone). */
export function isTargeted(targetSkills: readonly Skill[] | null | undefined, agentSkills: readonly Skill[]): boolean {
  if (!targetSkills || targetSkills.length === 0) return true;
  return targetSkills.some((s) => agentSkills.includes(s));
}

export function isExpired(notice: Pick<Notice, "expiresAt">, now: Date): boolean {
  return notice.expiresAt <= now.toISOString();
}

/** What the agent's phone shows (and what the WebSocket push carries). */
export function noticeView(notice: Notice) {
  return {
    noticeId: notice.noticeId,
    title: notice.title,
    body: notice.body,
    urgency: notice.urgency,
    targetSkills: notice.targetSkills,
    publishedAt: notice.publishedAt,
    expiresAt: notice.expiresAt,
    ...(notice.campaignId ? { campaignId: notice.campaignId, campaignVersion: notice.campaignVersion, changes: notice.changes ?? [] } : {}),
  };
}

export interface InboxEntry {
  notice: Notice;
  deliveredAt: string;
  acknowledgedAt?: string;
}

const urgencyRank: Record<Urgency, number> = { urgent: 0, important: 1, info: 2 };

/**
 * The inbox: unexpired entries, only the newest version per campaign (an ack of an older version
 * does not count for the newer one, since each version is its own entry), unacknowledged first,
 * then by urgency, newest first.
 */
export function inboxView(entries: readonly InboxEntry[], now: Date): InboxEntry[] {
  const newest = new Map<string, number>();
  for (const e of entries) {
    const { campaignId, campaignVersion } = e.notice;
    if (campaignId && campaignVersion !== undefined) newest.set(campaignId, Math.max(newest.get(campaignId) ?? 0, campaignVersion));
  }
  return entries
    .filter((e) => !isExpired(e.notice, now))
    .filter((e) => !e.notice.campaignId || e.notice.campaignVersion === newest.get(e.notice.campaignId))
    .sort(
      (a, b) =>
        Number(a.acknowledgedAt !== undefined) - Number(b.acknowledgedAt !== undefined) ||
        urgencyRank[a.notice.urgency] - urgencyRank[b.notice.urgency] ||
        b.notice.publishedAt.localeCompare(a.notice.publishedAt) ||
        a.notice.noticeId.localeCompare(b.notice.noticeId),
    );
}

export interface ReceiptRow {
  agentId: string;
  deliveredAt: string;
  acknowledgedAt?: string;
}

/** Receipts: one row per targeted agent with its state, and the counts. */
export function receiptsView(rows: readonly ReceiptRow[], superseded: boolean) {
  const agents = [...rows]
    .sort((a, b) => a.agentId.localeCompare(b.agentId))
    .map((r) => ({
      agentId: r.agentId,
      status: r.acknowledgedAt ? ("acknowledged" as const) : superseded ? ("superseded" as const) : ("pending" as const),
      deliveredAt: r.deliveredAt,
      acknowledgedAt: r.acknowledgedAt ?? null,
    }));
  const acknowledged = agents.filter((a) => a.status === "acknowledged").length;
  return {
    counts: { targeted: agents.length, delivered: agents.length, acknowledged, pending: superseded ? 0 : agents.length - acknowledged },
    agents,
  };
}

/** Urgent reminders are due once `intervalMinutes` have passed since the last one (or publish). */
export function reminderDue(urgency: Urgency, lastAt: string, now: Date, intervalMinutes: number): boolean {
  return urgency === "urgent" && now.getTime() - Date.parse(lastAt) >= intervalMinutes * 60_000;
}
