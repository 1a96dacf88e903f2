/**
 * Campaign change notices as people read them: one sentence per change, field names as labels,
 * times in the shop's time zone, in zh-CN (the default) and en. Pure, so every rule kind and both
 * locales are unit tested; the raw field-level change stays on the notice as `changes`.
 *
 * Rule kinds phrased as sentences (any other rule is named by its path, its values in words):
 *
 * | rule | shape | zh-CN | en |
 * |---|---|---|---|
 * | `coupon` | `{threshold, discount}` or a list of them | 满300减40 | Coupon 300-40 |
 * | `price` | number | 活动价 ¥199 | Price ¥199 |
 * | `percentOff` | number, 0–100 | 8折 | Discount 20% |
 * | `perCustomerLimit` | whole number | 每人限购 2 件 | Limit per customer 2 |
 * | `stackable` | boolean | 可/不可与其他优惠叠加 | (not) stackable with other offers |
 * | `gift` | string | 赠品：保温杯 | Gift: travel mug |
 *
 * A version after the first says what changed: `满300减40 → 满300减50, 20:00 起` /
 * `Coupon 300-40 is now 300-50 from 20:00`, where the time is when the rule takes effect (the
 * campaign's start, or the notice's publication if the campaign is running), shown with its date
 * when that is not the publication's day. The first version describes the campaign instead.
 *
 * @example
 * const texts = renderCampaignNotice({ version: 2, before, after, changes, publishedAt: "2030-11-11T12:00:00.000Z", timeZone: "Asia/Shanghai" });
 * texts.en.body; // "Coupon 300-40 is now 300-50 from 20:00"
 */
import type { CampaignContent, FieldChange, Json } from "./domain.js";

export const locales = ["zh-CN", "en"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "zh-CN";

export interface NoticeText {
  title: string;
  body: string;
}
export type NoticeTexts = Record<Locale, NoticeText>;

export interface CampaignRendering {
  version: number;
  /** The version before this one (absent for the first). */
  before?: CampaignContent | undefined;
  after: CampaignContent;
  changes: readonly FieldChange[];
  publishedAt: string;
  /** IANA zone every time is shown in (the shop's, `SHOP_TIME_ZONE`). */
  timeZone: string;
}

/** Both renderings of a campaign version's notice. */
export function renderCampaignNotice(input: CampaignRendering): NoticeTexts {
  return { "zh-CN": renderIn("zh-CN", input), en: renderIn("en", input) };
}

/**
 * The locale a reader asked for: `?lang=` when given (`zh`, `zh-CN` or `en`), else the first
 * supported language of `Accept-Language` by weight, else zh-CN.
 *
 * @example
 * pickLocale(undefined, "en-US,en;q=0.9,zh;q=0.8"); // "en"
 */
export function pickLocale(lang: string | undefined, acceptLanguage: string | undefined): Locale {
  if (lang !== undefined) return lang.toLowerCase().startsWith("en") ? "en" : "zh-CN";
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: tag.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.tag !== "" && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === "en" || tag.startsWith("en-")) return "en";
    if (tag === "zh" || tag.startsWith("zh-") || tag === "*") return "zh-CN";
  }
  return defaultLocale;
}

// ---- values in words -------------------------------------------------------------------------

const words = {
  "zh-CN": { none: "无", yes: "是", no: "否", list: "、", pairs: "，", pair: "：", everyone: "全部客服" },
  en: { none: "none", yes: "yes", no: "no", list: ", ", pairs: ", ", pair: ": ", everyone: "every agent" },
} as const;

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Any JSON value in words: no braces or quotes, keys in a stable order. */
function plain(value: Json | undefined, locale: Locale): string {
  const w = words[locale];
  if (value === null || value === undefined) return w.none;
  if (typeof value === "boolean") return value ? w.yes : w.no;
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.length === 0 ? w.none : value.map((v) => plain(v, locale)).join(w.list);
  const keys = Object.keys(value).sort();
  if (keys.length === 0) return w.none;
  return keys.map((k) => `${k}${w.pair}${nested(value[k], locale)}`).join(w.pairs);
}

function nested(value: Json | undefined, locale: Locale): string {
  return isObject(value) || (Array.isArray(value) && value.some((v) => isObject(v) || Array.isArray(v))) ? `(${plain(value, locale)})` : plain(value, locale);
}

// ---- times in the shop's zone ----------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(iso: string, timeZone: string): { year: number; month: number; day: number; time: string } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), time: `${parts.hour}:${parts.minute}` };
}

const englishMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * A moment as the shop reads it beside the publication (`reference`): `20:00` on the same local
 * day when `short`, else with its date, and with the year when that differs.
 */
function moment(iso: string, locale: Locale, zone: string, reference: string, short: boolean): string {
  const at = localParts(iso, zone);
  const ref = localParts(reference, zone);
  if (short && at.year === ref.year && at.month === ref.month && at.day === ref.day) return at.time;
  const withYear = at.year !== ref.year;
  if (locale === "zh-CN") return `${withYear ? `${at.year}年` : ""}${at.month}月${at.day}日 ${at.time}`;
  return `${at.day} ${englishMonths[at.month - 1] ?? ""}${withYear ? ` ${at.year}` : ""} ${at.time}`;
}

// ---- rule kinds ------------------------------------------------------------------------------

interface Phrase {
  /** What a line starts with ("" when the value reads alone, as 满300减40 does). */
  label: string;
  /** The rule's name in "added" and "withdrawn" sentences. */
  noun: string;
}

interface RuleKind {
  phrase: Record<Locale, Phrase>;
  /** The value in words, or undefined when it does not have this kind's shape (then it is phrased by path). */
  value(value: Json, locale: Locale): string | undefined;
  /** A sentence for a change, when the kind's own reads better than "label from → to". */
  changed?(to: string, locale: Locale): string;
}

const isNumber = (v: Json): v is number => typeof v === "number" && Number.isFinite(v);

function couponTier(value: Json, locale: Locale): string | undefined {
  if (!isObject(value)) return undefined;
  const { threshold, discount } = value;
  if (threshold === undefined || discount === undefined || !isNumber(threshold) || !isNumber(discount) || Object.keys(value).length !== 2) return undefined;
  return locale === "zh-CN" ? `满${threshold}减${discount}` : `${threshold}-${discount}`;
}

/** The rule kinds, in the order a first version lists them. */
const ruleKinds: Record<string, RuleKind> = {
  coupon: {
    phrase: { "zh-CN": { label: "", noun: "优惠券" }, en: { label: "Coupon ", noun: "Coupon" } },
    value: (v, locale) => {
      if (!Array.isArray(v)) return couponTier(v, locale);
      const tiers = v.map((t) => couponTier(t, locale));
      return tiers.length > 0 && tiers.every((t) => t !== undefined) ? tiers.join(locale === "zh-CN" ? "、" : ", ") : undefined;
    },
  },
  price: {
    phrase: { "zh-CN": { label: "活动价 ", noun: "活动价" }, en: { label: "Price ", noun: "Price" } },
    value: (v) => (isNumber(v) && v >= 0 ? `¥${v}` : undefined),
  },
  percentOff: {
    phrase: { "zh-CN": { label: "", noun: "折扣" }, en: { label: "Discount ", noun: "Discount" } },
    value: (v, locale) => {
      if (!isNumber(v) || v <= 0 || v >= 100) return undefined;
      // 20% off is 8折 (pay 8 tenths); 15% off is 8.5折.
      return locale === "zh-CN" ? `${Number(((100 - v) / 10).toFixed(2))}折` : `${v}%`;
    },
  },
  perCustomerLimit: {
    phrase: { "zh-CN": { label: "每人限购 ", noun: "限购" }, en: { label: "Limit per customer ", noun: "Limit per customer" } },
    value: (v, locale) => (isNumber(v) && Number.isInteger(v) && v > 0 ? (locale === "zh-CN" ? `${v} 件` : String(v)) : undefined),
  },
  stackable: {
    phrase: { "zh-CN": { label: "", noun: "叠加规则" }, en: { label: "", noun: "Stacking rule" } },
    value: (v, locale) => {
      if (typeof v !== "boolean") return undefined;
      if (locale === "zh-CN") return v ? "可与其他优惠叠加" : "不可与其他优惠叠加";
      return v ? "Stackable with other offers" : "Not stackable with other offers";
    },
    changed: (to, locale) => (locale === "zh-CN" ? `改为${to}` : `Now ${to.charAt(0).toLowerCase()}${to.slice(1)}`),
  },
  gift: {
    phrase: { "zh-CN": { label: "赠品：", noun: "赠品" }, en: { label: "Gift: ", noun: "Gift" } },
    value: (v) => (typeof v === "string" && v.trim() !== "" ? v : undefined),
  },
};

const kindOrder = Object.keys(ruleKinds);

/** The kind of a rule key (own keys only: a rule named `constructor` is not Object's). */
function kindOf(key: string): RuleKind | undefined {
  return Object.hasOwn(ruleKinds, key) ? ruleKinds[key] : undefined;
}

/** A rule nobody taught us to phrase: named by its path, its values in words. */
function pathPhrase(path: string, locale: Locale): Phrase {
  return locale === "zh-CN" ? { label: `规则 ${path}：`, noun: `规则 ${path}` } : { label: `Rule ${path}: `, noun: `Rule ${path}` };
}

// ---- sentences -------------------------------------------------------------------------------

function changedSentence(phrase: Phrase, from: string | undefined, to: string | undefined, locale: Locale, own?: (to: string, locale: Locale) => string): string {
  const zh = locale === "zh-CN";
  if (from === undefined && to !== undefined) return zh ? `新增${phrase.noun}：${to}` : `New ${phrase.noun.toLowerCase()}: ${to}`;
  if (to === undefined) return zh ? `取消${phrase.noun}（原为 ${from ?? words[locale].none}）` : `${phrase.noun} withdrawn (was ${from ?? words[locale].none})`;
  if (own) return own(to, locale);
  return zh ? `${phrase.label}${from} → ${to}` : `${phrase.label}${from} is now ${to}`;
}

function valueAt(content: CampaignContent | undefined, path: readonly string[]): Json | undefined {
  let value: Json | undefined = content?.rules;
  for (const key of path) value = isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
  return value;
}

const fieldPhrases: Record<"name" | "startsAt" | "endsAt" | "targetSkills", Record<Locale, Phrase>> = {
  name: { "zh-CN": { label: "活动名称 ", noun: "活动名称" }, en: { label: "Name ", noun: "Name" } },
  startsAt: { "zh-CN": { label: "开始时间 ", noun: "开始时间" }, en: { label: "Start ", noun: "Start" } },
  endsAt: { "zh-CN": { label: "结束时间 ", noun: "结束时间" }, en: { label: "End ", noun: "End" } },
  targetSkills: { "zh-CN": { label: "面向技能组 ", noun: "面向技能组" }, en: { label: "Skills ", noun: "Skills" } },
};

function isField(field: string): field is keyof typeof fieldPhrases {
  return Object.hasOwn(fieldPhrases, field);
}

/** A campaign field's value in words (times in the shop's zone, beside the publication's day). */
function fieldValue(field: keyof typeof fieldPhrases, content: CampaignContent | undefined, locale: Locale, zone: string, reference: string): string | undefined {
  if (!content) return undefined;
  switch (field) {
    case "name":
      return quoted(content.name, locale);
    case "targetSkills":
      return skills(content.targetSkills, locale);
    case "startsAt":
    case "endsAt":
      return moment(content[field], locale, zone, reference, false);
  }
}

function quoted(name: string, locale: Locale): string {
  return locale === "zh-CN" ? `「${name}」` : `"${name}"`;
}

function skills(value: readonly string[] | null, locale: Locale): string {
  return value && value.length > 0 ? value.join(words[locale].list) : words[locale].everyone;
}

function title(input: CampaignRendering, locale: Locale): string {
  const name = quoted(input.after.name, locale);
  if (input.version === 1) return locale === "zh-CN" ? `新活动${name}` : `New campaign ${name}`;
  return locale === "zh-CN" ? `活动${name}变更（第 ${input.version} 版）` : `Campaign ${name} changed (v${input.version})`;
}

/** A rule's value phrased by its kind, or undefined when the kind does not know it. */
function ruleValue(kind: RuleKind | undefined, value: Json | undefined, locale: Locale): string | undefined {
  return kind && value !== undefined ? kind.value(value, locale) : undefined;
}

/** The first version: what the campaign is. */
function describe(input: CampaignRendering, locale: Locale): string[] {
  const { after, publishedAt, timeZone } = input;
  const zh = locale === "zh-CN";
  const keys = Object.keys(after.rules).sort((a, b) => {
    const ia = kindOrder.indexOf(a);
    const ib = kindOrder.indexOf(b);
    return (ia < 0 ? kindOrder.length : ia) - (ib < 0 ? kindOrder.length : ib) || a.localeCompare(b);
  });
  const lines = keys.map((key) => {
    const kind = kindOf(key);
    const value = after.rules[key];
    const phrased = ruleValue(kind, value, locale);
    if (kind && phrased !== undefined) {
      const { label } = kind.phrase[locale];
      return `${label}${phrased}`;
    }
    return `${pathPhrase(key, locale).label}${plain(value, locale)}`;
  });
  const starts = moment(after.startsAt, locale, timeZone, publishedAt, false);
  const ends = moment(after.endsAt, locale, timeZone, publishedAt, false);
  lines.push(zh ? `活动时间 ${starts} 至 ${ends}` : `Runs ${starts} to ${ends}`);
  lines.push(zh ? `面向技能组 ${skills(after.targetSkills, locale)}` : `For ${after.targetSkills?.length ? `skills ${skills(after.targetSkills, locale)}` : words.en.everyone}`);
  return lines;
}

/** A later version: one sentence per change, rule changes with when they take effect. */
function sentences(input: CampaignRendering, locale: Locale): string[] {
  const { before, after, changes, publishedAt, timeZone } = input;
  const effective = after.startsAt > publishedAt ? after.startsAt : publishedAt;
  const when = moment(effective, locale, timeZone, publishedAt, true);
  const fromWhen = (line: string) => (locale === "zh-CN" ? `${line}, ${when} 起` : `${line} from ${when}`);
  const lines: string[] = [];
  const phrasedKinds = new Set<string>();
  for (const change of changes) {
    const [head = "", ...rest] = change.field.split(".");
    const field = change.field;
    if (isField(field)) {
      const phrase = fieldPhrases[field][locale];
      const show = (content: CampaignContent | undefined) => fieldValue(field, content, locale, timeZone, publishedAt);
      lines.push(changedSentence(phrase, show(before), show(after), locale));
      continue;
    }
    if (head !== "rules" || rest.length === 0) continue;
    const [unit = ""] = rest;
    const kind = kindOf(unit);
    const from = valueAt(before, [unit]);
    const to = valueAt(after, [unit]);
    const phrasedFrom = ruleValue(kind, from, locale);
    const phrasedTo = ruleValue(kind, to, locale);
    // A kind we can phrase on both sides (or on the side that exists): one sentence for the whole rule.
    if (kind && (from === undefined || phrasedFrom !== undefined) && (to === undefined || phrasedTo !== undefined)) {
      if (phrasedKinds.has(unit)) continue;
      phrasedKinds.add(unit);
      lines.push(fromWhen(changedSentence(kind.phrase[locale], phrasedFrom, phrasedTo, locale, kind.changed)));
      continue;
    }
    const leaf = valueAt(before, rest);
    const next = valueAt(after, rest);
    lines.push(fromWhen(changedSentence(pathPhrase(rest.join("."), locale), leaf === undefined ? undefined : plain(leaf, locale), next === undefined ? undefined : plain(next, locale), locale)));
  }
  return lines;
}

function renderIn(locale: Locale, input: CampaignRendering): NoticeText {
  const lines = input.version === 1 || !input.before ? describe(input, locale) : sentences(input, locale);
  return { title: title(input, locale), body: lines.join("\n") };
}
