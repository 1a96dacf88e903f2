/** The supervisor's lists: every campaign, and every sent notice with its receipt counts, a page at a time. */
import { isExpired, noticeView, receiptCounts } from "../domain.js";
import type { Locale } from "../render.js";
import type { CampaignView } from "../responses.js";
import { campaignsPage, sentNoticesPage, type CampaignRecord } from "../store/index.js";

/** A campaign as the API shows it: its current content and version. */
export function campaignView(c: CampaignRecord): CampaignView {
  return { campaignId: c.campaignId, version: c.version, ...c.content, noticeId: c.noticeId, updatedAt: c.updatedAt, updatedBy: c.updatedBy };
}

/** Primary course: one query of the campaigns index from the cursor → each campaign's current version, by id. */
export async function listCampaigns(limit: number, cursor?: string) {
  const page = await campaignsPage(limit, cursor);
  return { campaigns: page.campaigns.map(campaignView), ...(page.next ? { next: page.next } : {}) };
}

/**
 * Primary course: one query of the sent-notices index from the cursor, newest first → each notice
 * in the reader's locale with its counts from its own counters (no receipt is read).
 */
export async function listSentNotices(limit: number, cursor: string | undefined, locale: Locale, now: Date) {
  const page = await sentNoticesPage(limit, cursor);
  return {
    locale,
    notices: page.notices.map((n) => ({
      ...noticeView(n, locale),
      publishedBy: n.publishedBy,
      expired: isExpired(n, now),
      supersededBy: n.supersededBy ?? null,
      counts: receiptCounts(n),
    })),
    ...(page.next ? { next: page.next } : {}),
  };
}
