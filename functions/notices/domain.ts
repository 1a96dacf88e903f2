/**
 * Campaign-change notices: the rules, with no AWS in sight (unit tested).
 *
 * - A campaign's content (name, rules, window, target skills) is versioned; a PUT whose content
 *   equals the current version is a no-op, any other PUT makes version n+1 and a notice that says
 *   what changed in sentences (render.ts: `满300减40 → 满300减50, 20:00 起`, zh-CN and en), with
 *   the field-level diff kept as data (`changes`).
 * - A notice targets agents on duty whose skills meet its `targetSkills` (or everyone).
 * - The inbox shows, per campaign, only the newest version the agent holds (supersede), and
 *   orders unacknowledged before acknowledged, then urgent → important → info, newest first.
 */
import * as z from "zod/mini";
import { lazy } from "../shared/lazy-schema.js";
import type { NoticeView } from "./responses.js";
import { skillSchema, type Skill } from "../agents/domain.js";
import { defaultLocale, renderCampaignNotice, type Locale } from "./render.js";

export const urgencies = ["info", "important", "urgent"] as const;
export const urgencySchema = lazy(() => z.enum(urgencies));
export type Urgency = z.infer<typeof urgencySchema>;

export const campaignIdSchema = lazy(() => z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'")));
export const noticeIdSchema = lazy(() => z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,120}$/, "must be a notice id")));

const withOffset = lazy(() => z.iso.datetime({ offset: true }));
const withoutOffset = lazy(() => z.iso.datetime({ local: true }));

/**
 * ISO-8601 instant with an offset (`Z` or `+08:00`), normalised to UTC `toISOString()` form.
 * One error per field, and one that says what is missing: a local time is ambiguous (whose
 * midnight?), so it "needs an offset" rather than being "Invalid".
 */
export const instantSchema = lazy(() => z.pipe(z.string({ error: "must be an ISO-8601 date-time string with an offset, e.g. 2030-11-11T00:00:00+08:00" }).check(z.superRefine((value, ctx) => {
    if (withOffset.safeParse(value).success) return;
    ctx.addIssue({
      code: "custom",
      message: withoutOffset.safeParse(value).success
        ? `needs an offset, e.g. +08:00 or Z ("${value}+08:00")`
        : "must be an ISO-8601 date-time with an offset, e.g. 2030-11-11T00:00:00+08:00",
    });
  })), z.transform((s) => new Date(s).toISOString())));

const targetSkillsSchema = lazy(() => z.array(skillSchema).check(z.minLength(1), z.maxLength(10), z.refine((s) => new Set(s).size === s.length, "targetSkills must not repeat")));

/** Longest a notice may stay active (and be delivered to late joiners). */
export const maxNoticeLifetimeDays = 31;

export const noticeInputSchema = lazy(() => z.strictObject({
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    body: z.string().check(z.trim(), z.minLength(1), z.maxLength(5000)),
    urgency: urgencySchema,
    /** Absent or null: every on-duty agent. */
    targetSkills: z.nullish(targetSkillsSchema),
    expiresAt: instantSchema,
  }));
export type NoticeInput = z.infer<typeof noticeInputSchema>;

/**
 * The notice body as checked at `now`: the expiry's window is checked in the same pass as every
 * other field, so one 400 lists every problem (not the expiry only once the rest is valid).
 */
export function noticeInputAt(now: Date, knownSkills?: readonly string[]) {
  // Skills are data (GET /skills): with the known list, an unknown target skill is one more field error.
  const known = knownSkills ? new Set(knownSkills) : undefined;
  const knownSkill = skillSchema.check(z.refine((k) => !known || known.has(k), { error: (issue) => `unknown skill "${String(issue.input)}"` }));
  return z.extend(noticeInputSchema, {
    targetSkills: z.nullish(z.array(knownSkill).check(z.minLength(1), z.maxLength(10), z.refine((s) => new Set(s).size === s.length, "targetSkills must not repeat"))),
    expiresAt: instantSchema.check(z.superRefine((expiresAt, ctx) => {
      const problem = expiryProblem(expiresAt, now);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })),
  });
}

/** JSON values, so campaign rules are structured data and nothing else. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** Any JSON value, as stored (reads of campaigns we wrote; input is bounded separately). */
export const jsonSchema: z.ZodMiniType<Json> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonSchema), z.record(z.string(), jsonSchema)]));

/**
 * Bounds on campaign rules. Rules are copied into the campaign, its version history, the change
 * notice and every agent's inbox entry (1 WRU per KB per agent at fan-out), and DynamoDB refuses
 * numbers beyond ±1e125 or below 1e-130 in magnitude, maps nested deeper than 32 and empty map
 * keys; any of those used to surface as a 500. A sane rule is a few flags, thresholds and texts.
 */
export const rulesLimits = {
  /** Containers deep, counting `rules` itself: `{ coupon: { tiers: [ … ] } }` is 3. */
  maxDepth: 8,
  /** Keys and values altogether. */
  maxValues: 500,
  maxKeyLength: 100,
  maxStringLength: 2_000,
  /** UTF-8 bytes of the rules as JSON. */
  maxBytes: 8_192,
  /** Numbers are exact below this (JavaScript's safe integers) and DynamoDB stores them. */
  maxMagnitude: Number.MAX_SAFE_INTEGER,
  /** Smallest non-zero magnitude (DynamoDB underflows below 1e-130; no rule needs less). */
  minMagnitude: 1e-9,
  /** Problems reported before giving up (a hostile body could hold thousands). */
  maxProblems: 10,
} as const;

type JsonPath = (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Every way `rules` breaks {@link rulesLimits}, found with an explicit stack, never recursion: a
 * 5,000-deep body must be a 400, not a stack overflow. Stops descending at the depth limit and
 * after `maxProblems` problems. Paths are relative to `rules`.
 */
export function rulesProblems(rules: unknown): { path: JsonPath; message: string }[] {
  const problems: { path: JsonPath; message: string }[] = [];
  if (!isRecord(rules)) return [{ path: [], message: "must be a JSON object" }];
  const stack: { value: unknown; path: JsonPath; depth: number }[] = [{ value: rules, path: [], depth: 1 }];
  let values = 0;
  const report = (path: JsonPath, message: string) => problems.push({ path, message });
  while (stack.length > 0 && problems.length < rulesLimits.maxProblems) {
    const entry = stack.pop();
    if (!entry) break;
    const { value, path, depth } = entry;
    if (++values > rulesLimits.maxValues) {
      report([], `must hold at most ${rulesLimits.maxValues} keys and values`);
      break;
    }
    if (typeof value === "string") {
      if (value.length > rulesLimits.maxStringLength) report(path, `must be at most ${rulesLimits.maxStringLength} characters`);
    } else if (typeof value === "number") {
      const magnitude = Math.abs(value);
      if (!Number.isFinite(value) || magnitude > rulesLimits.maxMagnitude) report(path, `must be a number between -${rulesLimits.maxMagnitude} and ${rulesLimits.maxMagnitude}`);
      else if (magnitude !== 0 && magnitude < rulesLimits.minMagnitude) report(path, `must be 0 or at least ${rulesLimits.minMagnitude} in magnitude`);
    } else if (typeof value === "boolean" || value === null) {
      // fine as it is
    } else if (Array.isArray(value) || isRecord(value)) {
      if (depth > rulesLimits.maxDepth) {
        report(path, `nests deeper than ${rulesLimits.maxDepth} levels`);
        continue;
      }
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i], depth: depth + 1 });
      } else {
        const keys = Object.keys(value);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i] as string;
          if (key.trim() === "") report(path, `has an empty key (${JSON.stringify(key)}); keys must name something`);
          else if (key.length > rulesLimits.maxKeyLength) report([...path, key.slice(0, 20)], `keys must be at most ${rulesLimits.maxKeyLength} characters`);
          else stack.push({ value: value[key], path: [...path, key], depth: depth + 1 });
        }
        values += keys.length;
      }
    } else {
      report(path, "must be a JSON value");
    }
  }
  if (problems.length === 0 && Buffer.byteLength(JSON.stringify(rules)) > rulesLimits.maxBytes) report([], `must be at most ${rulesLimits.maxBytes} bytes as JSON`);
  return problems;
}

/** Campaign rules: any bounded JSON object, checked by {@link rulesProblems} (no recursive schema). */
const rulesInputSchema = lazy(() => z.custom<Record<string, Json>>(() => true).check(z.superRefine((rules, ctx) => {
  for (const problem of rulesProblems(rules)) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
})));

const campaignFieldsSchema = lazy(() => z.strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    rules: rulesInputSchema,
    startsAt: instantSchema,
    endsAt: instantSchema,
    targetSkills: z.nullish(targetSkillsSchema),
    /** Urgency of the change notice; not part of the campaign's content. */
    urgency: z._default(urgencySchema, "important"),
  }));

const campaignWindowSchema = lazy(() => z.object({ startsAt: instantSchema, endsAt: instantSchema }));

export const campaignInputSchema = lazy(() => campaignFieldsSchema.check(z.refine((c) => c.endsAt > c.startsAt, {
  message: "endsAt must be after startsAt",
  path: ["endsAt"],
  // Checked whenever both instants are valid, in the same pass as the other fields.
  when: (payload) => campaignWindowSchema.safeParse(payload.value).success,
})));
export type CampaignInput = z.infer<typeof campaignInputSchema>;

/** The versioned part of a campaign: what agents quote to customers. */
export const campaignContentSchema = lazy(() => z.object({
  name: z.string(),
  rules: z.record(z.string(), jsonSchema),
  startsAt: z.string(),
  endsAt: z.string(),
  targetSkills: z.nullable(z.array(skillSchema)),
}));
export type CampaignContent = z.infer<typeof campaignContentSchema>;

export function contentOf(input: CampaignInput): CampaignContent {
  return { name: input.name, rules: input.rules, startsAt: input.startsAt, endsAt: input.endsAt, targetSkills: input.targetSkills ?? null };
}

/** One changed field of a campaign version (`rules.coupon.threshold: 300 → 200`). */
export const fieldChangeSchema = lazy(() => z.object({ field: z.string(), from: z.unknown(), to: z.unknown() }));
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
      // Own keys only: a rule named `constructor` must not read Object's.
      diffValue(path ? `${path}.${key}` : key, Object.hasOwn(from, key) ? from[key] : undefined, Object.hasOwn(to, key) ? to[key] : undefined, out);
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

export function campaignNoticeId(campaignId: string, version: number): string {
  return `c.${campaignId}.v${version}`;
}

/** A campaign's change notice stays deliverable until the campaign ends (at least an hour). */
export function campaignNoticeExpiry(content: CampaignContent, now: Date): string {
  const floor = new Date(now.getTime() + 60 * 60 * 1000).toISOString();
  return content.endsAt > floor ? content.endsAt : floor;
}

const noticeTextSchema = lazy(() => z.object({ title: z.string(), body: z.string() }));

/** A notice as published; its snapshot is also what an inbox entry carries. */
export const noticeSchema = lazy(() => z.object({
  noticeId: z.string(),
  title: z.string(),
  body: z.string(),
  urgency: urgencySchema,
  targetSkills: z.nullable(z.array(skillSchema)),
  publishedAt: z.string(),
  publishedBy: z.string(),
  expiresAt: z.string(),
  /** Campaign notices only. */
  campaignId: z.optional(z.string()),
  campaignVersion: z.optional(z.number().check(z.int())),
  changes: z.optional(z.array(fieldChangeSchema)),
  /** Campaign notices: title and body in each locale (`title`/`body` are the zh-CN ones). */
  texts: z.optional(z.object({ "zh-CN": noticeTextSchema, en: noticeTextSchema })),
  /** Campaign notices: the zone their times are shown in (the shop's when published). */
  timeZone: z.optional(z.string()),
}));
export type Notice = z.infer<typeof noticeSchema>;

/**
 * A campaign version's change notice, rendered in both locales at publication (times in the shop's
 * `timeZone`); `title`/`body` are the zh-CN rendering, `changes` the raw diff for clients.
 */
export function campaignNotice(
  campaign: { campaignId: string; version: number; before: CampaignContent | undefined; content: CampaignContent; changes: FieldChange[] },
  options: { urgency: Urgency; actor: string; now: Date; timeZone: string },
): Notice {
  const { campaignId, version, before, content, changes } = campaign;
  const publishedAt = options.now.toISOString();
  const texts = renderCampaignNotice({ version, before, after: content, changes, publishedAt, timeZone: options.timeZone });
  return {
    noticeId: campaignNoticeId(campaignId, version),
    ...texts[defaultLocale],
    urgency: options.urgency,
    targetSkills: content.targetSkills,
    publishedAt,
    publishedBy: options.actor,
    expiresAt: campaignNoticeExpiry(content, options.now),
    campaignId,
    campaignVersion: version,
    changes,
    texts,
    timeZone: options.timeZone,
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

/** A notice's own fields, as stored (and nothing else the caller's object may carry). */
export function noticeFields(notice: Notice): Notice {
  return {
    noticeId: notice.noticeId,
    title: notice.title,
    body: notice.body,
    urgency: notice.urgency,
    targetSkills: notice.targetSkills,
    publishedAt: notice.publishedAt,
    publishedBy: notice.publishedBy,
    expiresAt: notice.expiresAt,
    ...(notice.campaignId ? { campaignId: notice.campaignId, campaignVersion: notice.campaignVersion, changes: notice.changes ?? [] } : {}),
    ...(notice.texts ? { texts: notice.texts } : {}),
    ...(notice.timeZone ? { timeZone: notice.timeZone } : {}),
  };
}

/**
 * What a reader sees: the notice without who published it, its title and body in `locale` (an
 * ad-hoc notice reads as its publisher wrote it, in every locale).
 */
export function noticeView(notice: Notice, locale: Locale = defaultLocale): NoticeView {
  const { publishedBy: _publishedBy, texts, ...view } = noticeFields(notice);
  return { ...view, ...(texts ? texts[locale] : {}) };
}

/** The WebSocket push: the default view plus every rendering, since the server does not know the reader's locale. */
export function noticePush(notice: Notice) {
  return { ...noticeView(notice), ...(notice.texts ? { texts: notice.texts } : {}) };
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

/** A notice's receipt counters as the notice item keeps them (absent: none yet; late and ack counts from older releases). */
export interface ReceiptCounters {
  deliveredByFanout?: number | undefined;
  deliveredLate?: number | undefined;
  acknowledgedCount?: number | undefined;
  supersededBy?: string | undefined;
}

/**
 * The counts a list shows, from the notice's counters and its count shards' totals (no receipt is
 * read): delivered is the fan-out's entries plus the late joiners', and a superseded notice has
 * nothing pending (as in {@link receiptsView}).
 */
export function receiptCounts(counters: ReceiptCounters, shards: { deliveredLate: number; acknowledgedCount: number } = { deliveredLate: 0, acknowledgedCount: 0 }): { delivered: number; acknowledged: number; pending: number } {
  const delivered = (counters.deliveredByFanout ?? 0) + (counters.deliveredLate ?? 0) + shards.deliveredLate;
  const acknowledged = (counters.acknowledgedCount ?? 0) + shards.acknowledgedCount;
  return { delivered, acknowledged, pending: counters.supersededBy ? 0 : Math.max(0, delivered - acknowledged) };
}

/** Urgent reminders are due once `intervalMinutes` have passed since the last one (or publish). */
export function reminderDue(urgency: Urgency, lastAt: string, now: Date, intervalMinutes: number): boolean {
  return urgency === "urgent" && now.getTime() - Date.parse(lastAt) >= intervalMinutes * 60_000;
}
