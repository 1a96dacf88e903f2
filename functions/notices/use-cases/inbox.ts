/** What agents and supervisors read and do with delivered notices: inbox, ack, receipts. */
import { auditPut } from "../../shared/audit.js";
import { noteReceipt } from "../../shared/supervisor-push.js";
import { ConflictError, NotFoundError } from "../../shared/errors.js";
import { TransactionCancelledError, jitter, transact } from "../../shared/table/index.js";
import { inboxView, isExpired, noticeView, receiptsView } from "../domain.js";
import { defaultLocale, type Locale } from "../render.js";
import { ackOps, getAck, getCampaign, getNotice, inboxEntries, receiptRetries, receiptRows } from "../store/index.js";

/**
 * Idempotent ack. Primary course: read the notice → in one transaction check the delivery exists,
 * write the ack once, count it in the agent's count shard of the notice and write its audit record. A repeat returns the
 * first ack's time. Agents acknowledging one urgent notice at once may collide on a count shard; the
 * loser of a collision retries (nothing was written), so every ack lands and the count stays exact.
 */
export async function acknowledge(agentId: string, noticeId: string, now: Date): Promise<{ noticeId: string; acknowledgedAt: string; alreadyAcknowledged: boolean }> {
  const notice = await getNotice(noticeId);
  if (!notice) throw new NotFoundError(`No notice "${noticeId}".`);
  const at = now.toISOString();
  for (let attempt = 0; ; attempt++) {
    try {
      await transact([...ackOps(agentId, notice, at), auditPut({ entity: "notice", entityId: noticeId, action: "notice.acknowledged", actor: `agent:${agentId}`, at })]);
      noteReceipt({ noticeId, agentId, acknowledgedAt: at });
      return { noticeId, acknowledgedAt: at, alreadyAcknowledged: false };
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (error.conditionFailedAt(0)) throw new NotFoundError(`Notice "${noticeId}" was not delivered to agent ${agentId}.`);
      if (error.conditionFailedAt(1)) {
        const previous = await getAck(agentId, noticeId);
        if (previous) return { noticeId, acknowledgedAt: previous, alreadyAcknowledged: true };
      }
      if (!error.reasons.includes("TransactionConflict")) throw error;
      if (attempt >= receiptRetries) throw new ConflictError("The acknowledgement kept colliding with concurrent ones; retry.");
      await jitter(attempt);
    }
  }
}

/** Primary course: one consistent query of the agent's inbox → newest campaign versions, unacknowledged first. */
export async function inbox(agentId: string, now: Date, locale: Locale = defaultLocale) {
  const entries = inboxView(await inboxEntries(agentId), now);
  return {
    agentId,
    locale,
    unacknowledged: entries.filter((e) => !e.acknowledgedAt).length,
    notices: entries.map((e) => ({ ...noticeView(e.notice, locale), deliveredAt: e.deliveredAt, acknowledged: Boolean(e.acknowledgedAt), acknowledgedAt: e.acknowledgedAt ?? null })),
  };
}

/** Primary course: read the notice (and its campaign, to tell superseded) → one query of its receipts → rows and counts. */
export async function receipts(noticeId: string, now: Date, locale: Locale = defaultLocale) {
  const notice = await getNotice(noticeId);
  if (!notice) throw new NotFoundError(`No notice "${noticeId}".`);
  const campaign = notice.campaignId ? await getCampaign(notice.campaignId) : undefined;
  const supersededBy = campaign && notice.campaignVersion !== undefined && campaign.version > notice.campaignVersion ? campaign.noticeId : null;
  return {
    notice: { ...noticeView(notice, locale), publishedBy: notice.publishedBy, expired: isExpired(notice, now), supersededBy },
    ...receiptsView(await receiptRows(noticeId), supersededBy !== null),
  };
}
