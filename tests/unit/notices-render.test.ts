import { describe, expect, it } from "vitest";
import { diffCampaign, type CampaignContent } from "../../functions/notices/domain.js";
import { pickLocale, renderCampaignNotice } from "../../functions/notices/render.js";

const shanghai = "Asia/Shanghai";
/** 20:00 on 11 Nov 2030 in Shanghai. */
const publishedAt = "2030-11-11T12:00:00.000Z";

const base: CampaignContent = {
  name: "Double 11",
  rules: { coupon: { threshold: 300, discount: 40 } },
  // Started before the change is published: rule changes take effect at publication.
  startsAt: "2030-11-10T16:00:00.000Z",
  endsAt: "2030-11-11T16:00:00.000Z",
  targetSkills: ["presale"],
};

/** The change from `before` to `after`, rendered in both locales (bodies only). */
function change(after: Partial<CampaignContent>, before: CampaignContent = base, options: { timeZone?: string; publishedAt?: string } = {}) {
  const next = { ...before, ...after };
  const texts = renderCampaignNotice({ version: 2, before, after: next, changes: diffCampaign(before, next), publishedAt: options.publishedAt ?? publishedAt, timeZone: options.timeZone ?? shanghai });
  return { zh: texts["zh-CN"].body, en: texts.en.body };
}

const withRules = (rules: CampaignContent["rules"]): CampaignContent => ({ ...base, rules });

describe("campaign change sentences", () => {
  it("phrases a coupon change as 满减 / Coupon with the time it takes effect, in the shop's zone", () => {
    expect(change({ rules: { coupon: { threshold: 300, discount: 50 } } })).toEqual({ zh: "满300减40 → 满300减50, 20:00 起", en: "Coupon 300-40 is now 300-50 from 20:00" });
    // The same instant in another shop's zone reads as that zone's clock.
    expect(change({ rules: { coupon: { threshold: 300, discount: 50 } } }, base, { timeZone: "Europe/London" }).en).toBe("Coupon 300-40 is now 300-50 from 12:00");
  });

  it("takes effect at the campaign's start when that is later, with its date when it is another day", () => {
    const later = { ...base, startsAt: "2030-11-11T16:00:00.000Z", endsAt: "2030-11-12T16:00:00.000Z" };
    expect(change({ rules: { coupon: { threshold: 200, discount: 40 } } }, later)).toEqual({ zh: "满300减40 → 满200减40, 11月12日 00:00 起", en: "Coupon 300-40 is now 200-40 from 12 Nov 00:00" });
    const sameEvening = { ...base, startsAt: "2030-11-11T13:30:00.000Z" };
    expect(change({ rules: { coupon: { threshold: 200, discount: 40 } } }, sameEvening).zh).toBe("满300减40 → 满200减40, 21:30 起");
  });

  it("phrases coupon tiers, price, percent off, the per-customer limit, stacking and gifts", () => {
    expect(change({ rules: { coupon: [{ threshold: 300, discount: 40 }, { threshold: 500, discount: 80 }] } })).toEqual({
      zh: "满300减40 → 满300减40、满500减80, 20:00 起",
      en: "Coupon 300-40 is now 300-40, 500-80 from 20:00",
    });
    const priced = withRules({ price: 199, percentOff: 20, perCustomerLimit: 2, stackable: true });
    expect(change({ rules: { price: 179, percentOff: 15, perCustomerLimit: 1, stackable: false } }, priced)).toEqual({
      zh: ["每人限购 2 件 → 1 件, 20:00 起", "8折 → 8.5折, 20:00 起", "活动价 ¥199 → ¥179, 20:00 起", "改为不可与其他优惠叠加, 20:00 起"].join("\n"),
      en: ["Limit per customer 2 is now 1 from 20:00", "Discount 20% is now 15% from 20:00", "Price ¥199 is now ¥179 from 20:00", "Now not stackable with other offers from 20:00"].join("\n"),
    });
    expect(change({ rules: { ...base.rules, gift: "保温杯" } })).toEqual({ zh: "新增赠品：保温杯, 20:00 起", en: "New gift: 保温杯 from 20:00" });
    expect(change({ rules: {} })).toEqual({ zh: "取消优惠券（原为 满300减40）, 20:00 起", en: "Coupon withdrawn (was 300-40) from 20:00" });
  });

  it("names any other rule by its path with its values in words, never as JSON", () => {
    const before = withRules({ delivery: { cutoff: "16:00", regions: ["sh", "bj"] }, vipOnly: false });
    expect(change({ rules: { delivery: { cutoff: "17:00", regions: ["sh"] }, vipOnly: true } }, before)).toEqual({
      zh: ["规则 delivery.cutoff：16:00 → 17:00, 20:00 起", "规则 delivery.regions：sh、bj → sh, 20:00 起", "规则 vipOnly：否 → 是, 20:00 起"].join("\n"),
      en: ["Rule delivery.cutoff: 16:00 is now 17:00 from 20:00", "Rule delivery.regions: sh, bj is now sh from 20:00", "Rule vipOnly: no is now yes from 20:00"].join("\n"),
    });
    // A known rule in a shape it does not have is phrased by path, not guessed at.
    expect(change({ rules: { coupon: { threshold: "三百", discount: 40 } } }).en).toBe("Rule coupon.threshold: 300 is now 三百 from 20:00");
    // Object's own property names are rules like any other.
    expect(change({ rules: { ...base.rules, constructor: 1 } }).en).toBe("New rule constructor: 1 from 20:00");
  });

  it("labels the campaign's own fields, with times in the shop's zone and skills or everyone", () => {
    expect(change({ name: "Double 11 night", startsAt: "2030-11-10T17:00:00.000Z", endsAt: "2031-01-01T16:00:00.000Z", targetSkills: null })).toEqual({
      zh: ["活动名称 「Double 11」 → 「Double 11 night」", "开始时间 11月11日 00:00 → 11月11日 01:00", "结束时间 11月12日 00:00 → 2031年1月2日 00:00", "面向技能组 presale → 全部客服"].join("\n"),
      en: ['Name "Double 11" is now "Double 11 night"', "Start 11 Nov 00:00 is now 11 Nov 01:00", "End 12 Nov 00:00 is now 2 Jan 2031 00:00", "Skills presale is now every agent"].join("\n"),
    });
  });

  it("describes a first version instead of listing fields as JSON, and titles both kinds", () => {
    const content = withRules({ stackable: false, coupon: { threshold: 300, discount: 30 }, note: { text: "限前 1000 名", vip: true } });
    const texts = renderCampaignNotice({ version: 1, after: content, changes: diffCampaign(undefined, content), publishedAt, timeZone: shanghai });
    expect(texts["zh-CN"]).toEqual({
      title: "新活动「Double 11」",
      body: ["满300减30", "不可与其他优惠叠加", "规则 note：text：限前 1000 名，vip：是", "活动时间 11月11日 00:00 至 11月12日 00:00", "面向技能组 presale"].join("\n"),
    });
    expect(texts.en).toEqual({
      title: 'New campaign "Double 11"',
      body: ["Coupon 300-30", "Not stackable with other offers", "Rule note: text: 限前 1000 名, vip: yes", "Runs 11 Nov 00:00 to 12 Nov 00:00", "For skills presale"].join("\n"),
    });
    expect(texts.en.body).not.toMatch(/[{}"]/);
    const everyone = renderCampaignNotice({ version: 1, after: { ...content, targetSkills: null }, changes: [], publishedAt, timeZone: shanghai });
    expect(everyone.en.body.split("\n").at(-1)).toBe("For every agent");
    const v3 = renderCampaignNotice({ version: 3, before: base, after: base, changes: [], publishedAt, timeZone: shanghai });
    expect([v3["zh-CN"].title, v3.en.title]).toEqual(["活动「Double 11」变更（第 3 版）", 'Campaign "Double 11" changed (v3)']);
  });
});

describe("picking a locale", () => {
  it("takes ?lang first, then Accept-Language by weight, else zh-CN", () => {
    expect(pickLocale(undefined, undefined)).toBe("zh-CN");
    expect(pickLocale("en", "zh-CN")).toBe("en");
    expect(pickLocale("zh-CN", "en")).toBe("zh-CN");
    expect(pickLocale(undefined, "en-US,en;q=0.9,zh;q=0.8")).toBe("en");
    expect(pickLocale(undefined, "fr;q=1, zh-TW;q=0.5, en;q=0.7")).toBe("en");
    expect(pickLocale(undefined, "en;q=0, zh")).toBe("zh-CN");
    expect(pickLocale(undefined, "fr, de")).toBe("zh-CN");
    expect(pickLocale(undefined, "garbage;;q=x,,")).toBe("zh-CN");
  });
});
