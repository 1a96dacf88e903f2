/**
 * Notices HTTP API. Supervisors publish (campaign changes, ad-hoc notices), list campaigns and
 * sent notices and read receipts; agents read and acknowledge only their own inbox — the token's
 * `sub` is the agent id, so no path can name another agent.
 *
 * Locale: campaign notices are rendered in zh-CN and en when published; a read picks one with
 * `?lang=en|zh-CN` or, without it, `Accept-Language` (zh-CN by default).
 */
import { knownSkillIds, requireKnownSkills } from "../agents/skills.js";
import { actorOf, httpApi, jsonBody, userOf, validate, type HttpRequest } from "../shared/http.js";
import { NotFoundError } from "../shared/errors.js";
import { campaignPath, campaignsQuery, idempotencyHeaderSchema, langQuery, noticePath, noticesQuery, versionQuery } from "./contract.js";
import { campaignInputSchema, noticeInputAt, noticeView } from "./domain.js";
import { noticesApi } from "./functions.js";
import { pickLocale, type Locale } from "./render.js";
import { getCampaign, getCampaignVersion } from "./store/index.js";
import { acknowledge, campaignView, inbox, listCampaigns, listSentNotices, publishNotice, putCampaign, receipts } from "./use-cases/index.js";

function campaignIdOf(request: HttpRequest): string {
  return validate(campaignPath, request.params, "path").campaignId;
}

function noticeIdOf(request: HttpRequest): string {
  return validate(noticePath, request.params, "path").noticeId;
}

function localeOf(request: HttpRequest): Locale {
  const { lang } = validate(langQuery, request.query, "query");
  return pickLocale(lang, request.headers["accept-language"]);
}

export const handler = httpApi(noticesApi, {
  "PUT /campaigns/{campaignId}": async (request) => {
    const campaignId = campaignIdOf(request);
    const input = jsonBody(request, campaignInputSchema);
    if (input.targetSkills) await requireKnownSkills(input.targetSkills, "targetSkills");
    const result = await putCampaign(campaignId, input, actorOf(request), request.now, request.correlationId);
    const created = result.changed && result.campaign.version === 1;
    return {
      status: created ? 201 : 200,
      body: { ...campaignView(result.campaign), changed: result.changed, changes: result.changes, notice: result.notice ? noticeView(result.notice, localeOf(request)) : null },
    };
  },

  "GET /campaigns": async (request) => {
    const { limit, cursor } = validate(campaignsQuery, request.query, "query");
    return { status: 200, body: await listCampaigns(limit, cursor) };
  },

  "GET /campaigns/{campaignId}": async (request) => {
    const campaignId = campaignIdOf(request);
    const { version } = validate(versionQuery, request.query, "query");
    if (version !== undefined) {
      const past = await getCampaignVersion(campaignId, version);
      if (!past) throw new NotFoundError(`Campaign "${campaignId}" has no version ${version}.`);
      return { status: 200, body: { ...campaignView(past), changes: past.changes } };
    }
    const current = await getCampaign(campaignId);
    if (!current) throw new NotFoundError(`No campaign "${campaignId}". Create it with PUT /campaigns/${campaignId}.`);
    return { status: 200, body: campaignView(current) };
  },

  "POST /notices": async (request) => {
    const input = jsonBody(request, noticeInputAt(request.now, await knownSkillIds()));
    const key = validate(idempotencyHeaderSchema, request.headers, "headers")["idempotency-key"];
    const { notice, replayed } = await publishNotice(input, actorOf(request), request.now, request.correlationId, key);
    return { status: replayed ? 200 : 201, body: { ...noticeView(notice), publishedBy: notice.publishedBy, ...(replayed ? { replayed: true } : {}) } };
  },

  "GET /notices": async (request) => {
    const { limit, cursor } = validate(noticesQuery, request.query, "query");
    return { status: 200, body: await listSentNotices(limit, cursor, localeOf(request), request.now) };
  },

  "GET /notices/{noticeId}/receipts": async (request) => {
    return { status: 200, body: await receipts(noticeIdOf(request), request.now, localeOf(request)) };
  },

  "GET /notices/inbox": async (request) => {
    return { status: 200, body: await inbox(userOf(request).sub, request.now, localeOf(request)) };
  },

  "POST /notices/{noticeId}/ack": async (request) => {
    const result = await acknowledge(userOf(request).sub, noticeIdOf(request), request.now);
    return { status: 200, body: result };
  },
});
