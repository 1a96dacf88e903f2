/** Publishing: ad-hoc notices (idempotent by key) and campaign changes (one version per real change). */
import { createHash, randomUUID } from "node:crypto";
import { auditPut } from "../../shared/audit.js";
import { ConflictError, ContentionError, ValidationError } from "../../shared/errors.js";
import { sendMessage } from "../../shared/sqs.js";
import { TransactionCancelledError, isWriteConflict, jitter, transact } from "../../shared/table/index.js";
import { campaignNotice, contentOf, diffCampaign, expiryProblem, type CampaignInput, type FieldChange, type Notice, type NoticeInput } from "../domain.js";
import { activeSk, campaignVersionOps, getCampaign, getNotice, publishOps, type CampaignRecord } from "../store/index.js";
import { currentSettings } from "../../settings/current.js";

/** The zone campaign notices show their times in (a live setting). */
const shopTimeZone = async () => (await currentSettings()).SHOP_TIME_ZONE;

/** The `notices` queue message that asks for a notice's fan-out. */
export function fanoutMessage(noticeId: string, correlationId?: string) {
  return { body: { noticeId }, ...(correlationId ? { correlationId } : {}) };
}

/**
 * Publishes an ad-hoc notice. With an idempotency key (a supervisor's double click, a client
 * retrying after a lost response) the notice id is derived from publisher + key, so a repeat
 * finds the first notice instead of broadcasting a second one.
 *
 * Primary course: validate expiry → write notice + active record + audit in one transaction →
 * enqueue the fan-out. If the enqueue is lost, the reminders job re-enqueues (fan-out sweep).
 */
export async function publishNotice(
  input: NoticeInput,
  actor: string,
  now: Date,
  correlationId: string,
  idempotencyKey?: string,
): Promise<{ notice: Notice; replayed: boolean }> {
  const problem = expiryProblem(input.expiresAt, now);
  if (problem) throw new ValidationError("The request body is invalid.", { errors: [{ field: "expiresAt", message: problem }] });
  const noticeId = idempotencyKey ? `n.k${createHash("sha256").update(`${actor}\n${idempotencyKey}`).digest("hex").slice(0, 32)}` : `n.${randomUUID()}`;
  if (idempotencyKey) {
    const existing = await getNotice(noticeId);
    if (existing) {
      const same = existing.title === input.title && existing.body === input.body && existing.urgency === input.urgency && existing.expiresAt === input.expiresAt;
      if (!same) throw new ConflictError(`Idempotency-Key "${idempotencyKey}" was already used for a different notice (${noticeId}).`, { extra: { noticeId } });
      return { notice: existing, replayed: true };
    }
  }
  const notice: Notice = {
    noticeId,
    title: input.title,
    body: input.body,
    urgency: input.urgency,
    targetSkills: input.targetSkills ?? null,
    publishedAt: now.toISOString(),
    publishedBy: actor,
    expiresAt: input.expiresAt,
  };
  try {
    await transact([
      ...publishOps(notice),
      auditPut({ entity: "notice", entityId: notice.noticeId, action: "notice.published", actor, at: notice.publishedAt, details: { title: notice.title, urgency: notice.urgency, targetSkills: notice.targetSkills, expiresAt: notice.expiresAt } }),
    ]);
  } catch (error) {
    // Two requests with the same key at once: the loser finds the winner's notice.
    const winner = idempotencyKey && error instanceof TransactionCancelledError ? await getNotice(noticeId) : undefined;
    if (winner) return { notice: winner, replayed: true };
    throw error;
  }
  await sendMessage("notices", fanoutMessage(notice.noticeId, correlationId));
  return { notice, replayed: false };
}

export interface CampaignPutResult {
  campaign: CampaignRecord;
  changed: boolean;
  changes: FieldChange[];
  notice?: Notice;
}

/**
 * Primary course: read current → diff → nothing if identical, else write version n+1, its notice
 * (superseding the previous version's active record) and the audit in one transaction,
 * conditional on the version read; a concurrent writer makes us re-read and re-diff.
 */
export async function putCampaign(campaignId: string, input: CampaignInput, actor: string, now: Date, correlationId: string): Promise<CampaignPutResult> {
  const content = contentOf(input);
  for (let attempt = 0; attempt < 8; attempt++) {
    const before = await getCampaign(campaignId);
    const changes = diffCampaign(before?.content, content);
    if (before && changes.length === 0) return { campaign: before, changed: false, changes };
    const version = (before?.version ?? 0) + 1;
    const notice = campaignNotice({ campaignId, version, before: before?.content, content, changes }, { urgency: input.urgency, actor, now, timeZone: await shopTimeZone() });
    const after: CampaignRecord = { campaignId, version, content, noticeId: notice.noticeId, activeSk: activeSk(notice), updatedAt: notice.publishedAt, updatedBy: actor };
    try {
      await transact([
        ...campaignVersionOps(before, after, changes),
        ...publishOps(notice),
        auditPut({ entity: "campaign", entityId: campaignId, action: before ? "campaign.updated" : "campaign.created", actor, at: notice.publishedAt, details: { version, noticeId: notice.noticeId, changes } }),
      ]);
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      await jitter(attempt);
      continue;
    }
    await sendMessage("notices", fanoutMessage(notice.noticeId, correlationId));
    return { campaign: after, changed: true, changes, notice };
  }
  throw new ContentionError(`Campaign ${campaignId} is being changed concurrently; retry.`);
}
