/**
 * Notice use cases: publish (ad hoc or campaign change), fan out, deliver to late joiners,
 * acknowledge, inbox, receipts and urgent reminders. Handlers (api, consumer, job) only delegate
 * here; the rules live in `domain.ts`, the keys in `store.ts`.
 */
import { createHash, randomUUID } from "node:crypto";
import type { ArrivalReason } from "../agents/arrival.js";
import { getAgent } from "../agents/store.js";
import { auditPut } from "../shared/audit.js";
import { isTransactionConflict, cancellationReasons, jitter } from "../shared/dynamo.js";
import { settings } from "../shared/env.js";
import { ConflictError, ContentionError, NotFoundError, ValidationError } from "../shared/errors.js";
import { logger } from "../shared/logger.js";
import { pushToAgent } from "../shared/push.js";
import { sendMessage } from "../shared/sqs.js";
import {
  campaignNotice,
  contentOf,
  diffCampaign,
  expiryProblem,
  inboxView,
  isExpired,
  isTargeted,
  noticeView,
  receiptsView,
  reminderDue,
  type CampaignInput,
  type FieldChange,
  type Notice,
  type NoticeInput,
} from "./domain.js";
import {
  CapacityMeter,
  ackOps,
  activeNotices,
  activeSk,
  campaignVersionOps,
  getAck,
  getCampaign,
  getNotice,
  getNotices,
  heldNoticeIds,
  inboxEntries,
  markActive,
  onDutyAgents,
  publishOps,
  putDeliveryIfAbsent,
  receiptRows,
  transact,
  writeDeliveries,
  type CampaignRecord,
} from "./store.js";

/** Reminder interval for unacknowledged urgent notices, minutes (env `NOTICE_REMINDER_MINUTES`). */
export const reminderMinutes = () => settings().NOTICE_REMINDER_MINUTES;
/** A notice whose fan-out has not finished this long after publishing is enqueued again. */
const fanoutSweepMinutes = 2;
/** Pushes in flight at once: each is a connections query plus one call per open connection; 50 matches the SDK's default socket pool. */
const pushConcurrency = 50;

async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

export function fanoutMessage(noticeId: string, correlationId?: string) {
  return { body: { noticeId }, ...(correlationId ? { correlationId } : {}) };
}

/**
 * Primary course: validate expiry → write notice + active record + audit in one transaction →
 * enqueue the fan-out. If the enqueue is lost, the reminders job re-enqueues (fan-out sweep).
 */
/**
 * Publishes an ad-hoc notice. With an idempotency key (a supervisor's double click, a client
 * retrying after a lost response) the notice id is derived from publisher + key, so a repeat
 * finds the first notice instead of broadcasting a second one.
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
    const winner = idempotencyKey && cancellationReasons(error) ? await getNotice(noticeId) : undefined;
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
    const notice = campaignNotice(campaignId, version, content, changes, input.urgency, actor, now);
    const after: CampaignRecord = { campaignId, version, content, noticeId: notice.noticeId, activeSk: activeSk(notice), updatedAt: notice.publishedAt, updatedBy: actor };
    try {
      await transact([
        ...campaignVersionOps(before, after, changes),
        ...publishOps(notice),
        auditPut({ entity: "campaign", entityId: campaignId, action: before ? "campaign.updated" : "campaign.created", actor, at: notice.publishedAt, details: { version, noticeId: notice.noticeId, changes } }),
      ]);
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      await jitter(attempt);
      continue;
    }
    await sendMessage("notices", fanoutMessage(notice.noticeId, correlationId));
    return { campaign: after, changed: true, changes, notice };
  }
  throw new ContentionError(`Campaign ${campaignId} is being changed concurrently; retry.`);
}

export interface FanoutResult {
  noticeId: string;
  /** On-duty agents in the notice's audience. */
  targeted: number;
  /** Inbox entries written (equal to targeted unless skipped). */
  delivered: number;
  pushed: number;
  /** Stale connections removed (410) during the pushes. */
  gone: number;
  skipped?: "expired" | "superseded";
  capacityUnits: number;
  ms: number;
}

/**
 * Primary course: read the notice → skip if expired or superseded → select on-duty agents in the
 * audience → BatchWrite their inbox entries (deterministic keys: redelivery adds nothing) → push
 * a nudge to each (410s delete that connection, never fail the fan-out) → mark fanned out.
 */
export async function fanOutNotice(noticeId: string, now: Date): Promise<FanoutResult> {
  const started = Date.now();
  const meter = new CapacityMeter();
  const result = (partial: Partial<FanoutResult>): FanoutResult => ({ noticeId, targeted: 0, delivered: 0, pushed: 0, gone: 0, ...partial, capacityUnits: meter.units, ms: Date.now() - started });
  const notice = await getNotice(noticeId, meter);
  if (!notice) throw new Error(`Notice ${noticeId} does not exist; the fan-out message is invalid`);
  if (isExpired(notice, now)) return result({ skipped: "expired" });
  if (notice.campaignId) {
    const campaign = await getCampaign(notice.campaignId, meter);
    if (campaign && notice.campaignVersion !== undefined && campaign.version > notice.campaignVersion) return result({ skipped: "superseded" });
  }
  const audience = (await onDutyAgents(meter)).filter((a) => isTargeted(notice.targetSkills, a.skills));
  const agentIds = audience.map((a) => a.agentId);
  await writeDeliveries(agentIds, notice, now.toISOString(), meter);
  let pushed = 0;
  let gone = 0;
  const message = { type: "notice", notice: noticeView(notice) };
  await eachLimit(agentIds, pushConcurrency, async (agentId) => {
    const outcome = await pushToAgent(agentId, message);
    pushed += outcome.delivered;
    gone += outcome.gone;
  });
  await markActive(activeSk(notice), "fannedOutAt", now.toISOString(), meter);
  return result({ targeted: agentIds.length, delivered: agentIds.length, pushed, gone });
}

/**
 * Late joiners. Primary course: one query of the active partition → notices aimed at the agent's
 * skills → BatchGet which the agent already holds → conditional put of the missing ones → push
 * them (not on `connect`: API Gateway cannot post to a connection before `$connect` returns, and
 * a connecting client re-reads its inbox anyway). Arrivals other than `duty` count only while
 * the agent is on duty, the same audience as the fan-out.
 */
export async function deliverOnArrival(agentId: string, now: Date, reason: ArrivalReason): Promise<{ delivered: string[]; capacityUnits: number }> {
  const meter = new CapacityMeter();
  const agent = await getAgent(agentId);
  if (!agent || (reason !== "duty" && !agent.onDuty)) return { delivered: [], capacityUnits: meter.units };
  const candidates = (await activeNotices(now, meter)).filter((n) => isTargeted(n.targetSkills, agent.skills));
  if (candidates.length === 0) return { delivered: [], capacityUnits: meter.units };
  const held = await heldNoticeIds(agentId, candidates.map((n) => n.noticeId), meter);
  const missing = candidates.filter((n) => !held.has(n.noticeId)).map((n) => n.noticeId);
  if (missing.length === 0) return { delivered: [], capacityUnits: meter.units };
  const delivered: Notice[] = [];
  for (const notice of await getNotices(missing, meter)) {
    if (await putDeliveryIfAbsent(agentId, notice, now.toISOString(), `arrival:${reason}`, meter)) delivered.push(notice);
  }
  if (reason !== "connect") {
    for (const notice of delivered) await pushToAgent(agentId, { type: "notice", notice: noticeView(notice) });
  }
  return { delivered: delivered.map((n) => n.noticeId), capacityUnits: meter.units };
}

/** Idempotent ack: the first records the time (with its audit record); repeats return it. */
export async function acknowledge(agentId: string, noticeId: string, now: Date): Promise<{ noticeId: string; acknowledgedAt: string; alreadyAcknowledged: boolean }> {
  const notice = await getNotice(noticeId);
  if (!notice) throw new NotFoundError(`No notice "${noticeId}".`);
  const at = now.toISOString();
  try {
    await transact([...ackOps(agentId, notice, at), auditPut({ entity: "notice", entityId: noticeId, action: "notice.acknowledged", actor: `agent:${agentId}`, at })]);
    return { noticeId, acknowledgedAt: at, alreadyAcknowledged: false };
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (reasons[0] === "ConditionalCheckFailed") throw new NotFoundError(`Notice "${noticeId}" was not delivered to agent ${agentId}.`);
    if (reasons[1] === "ConditionalCheckFailed") {
      const previous = await getAck(agentId, noticeId);
      if (previous) return { noticeId, acknowledgedAt: previous, alreadyAcknowledged: true };
    }
    if (reasons.includes("TransactionConflict")) throw new ConflictError("The acknowledgement collided with a concurrent one; retry.");
    throw error;
  }
}

export async function inbox(agentId: string, now: Date) {
  const entries = inboxView(await inboxEntries(agentId), now);
  return {
    agentId,
    unacknowledged: entries.filter((e) => !e.acknowledgedAt).length,
    notices: entries.map((e) => ({ ...noticeView(e.notice), deliveredAt: e.deliveredAt, acknowledged: Boolean(e.acknowledgedAt), acknowledgedAt: e.acknowledgedAt ?? null })),
  };
}

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

export interface ReminderRun {
  reminded: { noticeId: string; agentIds: string[] }[];
  reenqueued: string[];
}

/**
 * Every minute: for active urgent notices whose interval has elapsed, push again to every agent
 * who has not acknowledged (expired and superseded notices are no longer in the active set);
 * re-enqueue any notice whose fan-out never completed.
 */
export async function runReminders(now: Date): Promise<ReminderRun> {
  const interval = reminderMinutes();
  const run: ReminderRun = { reminded: [], reenqueued: [] };
  const active = await activeNotices(now);
  for (const entry of active) {
    if (!entry.fannedOutAt) {
      // Once only: a fan-out that keeps failing belongs in the DLQ, not in an endless loop.
      if (!entry.reenqueuedAt && now.getTime() - Date.parse(entry.publishedAt) >= fanoutSweepMinutes * 60_000) {
        await sendMessage("notices", fanoutMessage(entry.noticeId));
        await markActive(entry.sk, "reenqueuedAt", now.toISOString());
        run.reenqueued.push(entry.noticeId);
      }
      continue;
    }
    if (!reminderDue(entry.urgency, entry.lastRemindedAt ?? entry.publishedAt, now, interval)) continue;
    const notice = await getNotice(entry.noticeId);
    if (!notice) continue;
    const pending = (await receiptRows(entry.noticeId)).filter((r) => !r.acknowledgedAt).map((r) => r.agentId);
    const message = { type: "notice", reminder: true, notice: noticeView(notice) };
    await eachLimit(pending, pushConcurrency, async (agentId) => {
      await pushToAgent(agentId, message);
    });
    await markActive(entry.sk, "lastRemindedAt", now.toISOString());
    run.reminded.push({ noticeId: entry.noticeId, agentIds: pending });
  }
  if (run.reminded.length + run.reenqueued.length > 0) logger.info("Notice reminders", { reminded: run.reminded.map((r) => ({ noticeId: r.noticeId, agents: r.agentIds.length })), reenqueued: run.reenqueued });
  return run;
}
