/** The supervisor's lists: every campaign, and every sent notice with its receipt counts, a page at a time. */
import { isExpired, noticeView, receiptCounts } from "../domain.js";
import type { Locale } from "../render.js";
import type { CampaignView } from "../responses.js";
import { inLanes } from "../../shared/lanes.js";
import { campaignsPage, receiptShardTotals, sentNoticesPage, type CampaignRecord } from "../store/index.js";

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
 * Primary course: one query of the sent-notices index from the cursor, newest first → each
 * notice's count shards (one query each, 8 at a time) → each notice in the reader's locale with
 * its counts (no receipt is read).
 */
export async function listSentNotices(limit: number, cursor: string | undefined, locale: Locale, now: Date) {
  const page = await sentNoticesPage(limit, cursor);
  const shards = await inLanes(page.notices, 8, (n) => receiptShardTotals(n.noticeId));
  return {
    locale,
    notices: page.notices.map((n, i) => ({
      ...noticeView(n, locale),
      publishedBy: n.publishedBy,
      expired: isExpired(n, now),
      supersededBy: n.supersededBy ?? null,
      counts: receiptCounts(n, shards[i]),
    })),
    ...(page.next ? { next: page.next } : {}),
  };
}
