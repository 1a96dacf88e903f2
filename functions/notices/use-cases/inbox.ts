/** What agents and supervisors read and do with delivered notices: inbox, ack, receipts. */
import { auditPut } from "../../shared/audit.js";
import { ConflictError, NotFoundError } from "../../shared/errors.js";
import { TransactionCancelledError, transact } from "../../shared/table/index.js";
import { inboxView, isExpired, noticeView, receiptsView } from "../domain.js";
import { ackOps, getAck, getCampaign, getNotice, inboxEntries, receiptRows } from "../store/index.js";

/**
 * Idempotent ack. Primary course: read the notice → in one transaction check the delivery exists,
 * write the ack once and its audit record. A repeat returns the first ack's time.
 */
export async function acknowledge(agentId: string, noticeId: string, now: Date): Promise<{ noticeId: string; acknowledgedAt: string; alreadyAcknowledged: boolean }> {
  const notice = await getNotice(noticeId);
  if (!notice) throw new NotFoundError(`No notice "${noticeId}".`);
  const at = now.toISOString();
  try {
    await transact([...ackOps(agentId, notice, at), auditPut({ entity: "notice", entityId: noticeId, action: "notice.acknowledged", actor: `agent:${agentId}`, at })]);
    return { noticeId, acknowledgedAt: at, alreadyAcknowledged: false };
  } catch (error) {
    if (!(error instanceof TransactionCancelledError)) throw error;
    if (error.conditionFailedAt(0)) throw new NotFoundError(`Notice "${noticeId}" was not delivered to agent ${agentId}.`);
    if (error.conditionFailedAt(1)) {
      const previous = await getAck(agentId, noticeId);
      if (previous) return { noticeId, acknowledgedAt: previous, alreadyAcknowledged: true };
    }
    if (error.reasons.includes("TransactionConflict")) throw new ConflictError("The acknowledgement collided with a concurrent one; retry.");
    throw error;
  }
}

/** Primary course: one consistent query of the agent's inbox → newest campaign versions, unacknowledged first. */
export async function inbox(agentId: string, now: Date) {
  const entries = inboxView(await inboxEntries(agentId), now);
  return {
    agentId,
    unacknowledged: entries.filter((e) => !e.acknowledgedAt).length,
    notices: entries.map((e) => ({ ...noticeView(e.notice), deliveredAt: e.deliveredAt, acknowledged: Boolean(e.acknowledgedAt), acknowledgedAt: e.acknowledgedAt ?? null })),
  };
}

/** Primary course: read the notice (and its campaign, to tell superseded) → one query of its receipts → rows and counts. */
export async function receipts(noticeId: string, now: Date) {
  const notice = await getNotice(noticeId);
  if (!notice) throw new NotFoundError(`No notice "${noticeId}".`);
  const campaign = notice.campaignId ? await getCampaign(notice.campaignId) : undefined;
  const supersededBy = campaign && notice.campaignVersion !== undefined && campaign.version > notice.campaignVersion ? campaign.noticeId : null;
  return {
    notice: { ...noticeView(notice), publishedBy: notice.publishedBy, expired: isExpired(notice, now), supersededBy },
    ...receiptsView(await receiptRows(noticeId), supersededBy !== null),
  };
}
