/** Getting notices into inboxes: the fan-out after publishing, and late joiners on arrival. */
import type { ArrivalReason } from "../../agents/arrival.js";
import { getAgent, listAgents } from "../../agents/store.js";
import { pushToAgent } from "../../shared/push.js";
import { sendMessage } from "../../shared/sqs.js";
import { CapacityMeter } from "../../shared/table/index.js";
import { isExpired, isTargeted, noticePush, type Notice } from "../domain.js";
import { activeNotices, getCampaign, getNotice, getNotices, heldNoticeIds, lateRecipients, lateVia, markActive, putDeliveryIfAbsent, setFanoutCount, writeDeliveries } from "../store/index.js";
import { pushToAgents } from "./push.js";
import { noteDelivered } from "../../shared/supervisor-push.js";

export interface FanoutResult {
  noticeId: string;
  /** On-duty agents in the notice's audience. */
  targeted: number;
  /** Inbox entries written: the audience less the late joiners who got it since publishing. */
  delivered: number;
  pushed: number;
  /** Stale connections removed (410) during the pushes. */
  gone: number;
  skipped?: "expired" | "superseded";
  /** The audience was larger than one part: this many part messages were sent, each written by its own invocation. */
  parts?: number;
  /** Capacity of the notices capability's own reads and writes (the agents list is the agents capability's). */
  capacityUnits: number;
  ms: number;
}

/**
 * Primary course: read the notice → skip if expired or superseded → select on-duty agents in the
 * audience (the agents capability's list) less those who got it as late joiners since publishing
 * → BatchWrite their inbox entries (deterministic keys: redelivery adds nothing) → push a nudge
 * to each (410s delete that connection, never fail the fan-out) → record the count on the notice
 * (SET: a redelivered run states it again) → mark fanned out.
 */
export async function fanOutNotice(noticeId: string, now: Date, options: { partSize?: number } = {}): Promise<FanoutResult> {
  const started = Date.now();
  const meter = new CapacityMeter();
  const result = (partial: Partial<FanoutResult>): FanoutResult => ({ noticeId, targeted: 0, delivered: 0, pushed: 0, gone: 0, ...partial, capacityUnits: meter.units, ms: Date.now() - started });
  const notice = await liveNotice(noticeId, now, meter);
  if ("skipped" in notice) return result({ skipped: notice.skipped });
  const audience = (await listAgents()).filter((a) => a.onDuty && isTargeted(notice.targetSkills, a.skills));
  // Late joiners who got it since publishing are counted already (and were pushed): leave their entries alone.
  const late = await lateRecipients(noticeId, meter);
  const agentIds = audience.map((a) => a.agentId).filter((agentId) => !late.has(agentId));
  const partSize = options.partSize ?? fanoutPartSize;
  if (agentIds.length > partSize) {
    // Too many for one invocation: each part is a message of its own, written and pushed by its own
    // invocation (bounded time, retried alone); the count and the mark say what the parts deliver.
    const parts: string[][] = [];
    for (let i = 0; i < agentIds.length; i += partSize) parts.push(agentIds.slice(i, i + partSize));
    await Promise.all(parts.map((part, i) => sendMessage("notices", { body: { kind: "fanout-part", noticeId, agentIds: part }, correlationId: `fanout-${noticeId}-${i}` })));
    await setFanoutCount(noticeId, agentIds.length, meter);
    await markActive(notice, "fannedOutAt", now.toISOString(), meter);
    return result({ targeted: audience.length, parts: parts.length });
  }
  await writeDeliveries(agentIds, notice, now.toISOString(), meter);
  const { pushed, gone } = await pushToAgents(agentIds, { type: "notice", notice: noticePush(notice) });
  await setFanoutCount(noticeId, agentIds.length, meter);
  if (agentIds.length > 0) noteDelivered([noticeId]);
  await markActive(notice, "fannedOutAt", now.toISOString(), meter);
  return result({ targeted: audience.length, delivered: agentIds.length, pushed, gone });
}

/**
 * Agents per fan-out invocation: a larger audience is split into part messages. 1,000 ids (≤ 64
 * characters each) stay well under SQS's 256 KB, and 1,000 deliveries (2,000 WRU with their
 * receipts-index entries) take about 2 s of one index partition's 1,000 WCU/s: a part finishes
 * far inside the function's timeout whatever the team's size (issue 15: 20,000 agents).
 */
export const fanoutPartSize = 1_000;

/** The notice, unless it expired or a newer campaign version superseded it. */
async function liveNotice(noticeId: string, now: Date, meter: CapacityMeter): Promise<Notice | { skipped: "expired" | "superseded" }> {
  const notice = await getNotice(noticeId, meter);
  if (!notice) throw new Error(`Notice ${noticeId} does not exist; the fan-out message is invalid`);
  if (isExpired(notice, now)) return { skipped: "expired" };
  if (notice.campaignId) {
    const campaign = await getCampaign(notice.campaignId, meter);
    if (campaign && notice.campaignVersion !== undefined && campaign.version > notice.campaignVersion) return { skipped: "superseded" };
  }
  return notice;
}

/**
 * One part of a large fan-out (its own message).
 *
 * Primary course: read the notice → skip if expired or superseded meanwhile → BatchWrite the
 * part's inbox entries (deterministic keys: a redelivered part adds nothing) → push a nudge to
 * each. The count was set when the parts were sent.
 */
export async function fanOutPart(noticeId: string, agentIds: readonly string[], now: Date): Promise<FanoutResult> {
  const started = Date.now();
  const meter = new CapacityMeter();
  const result = (partial: Partial<FanoutResult>): FanoutResult => ({ noticeId, targeted: agentIds.length, delivered: 0, pushed: 0, gone: 0, ...partial, capacityUnits: meter.units, ms: Date.now() - started });
  const notice = await liveNotice(noticeId, now, meter);
  if ("skipped" in notice) return result({ skipped: notice.skipped });
  await writeDeliveries(agentIds, notice, now.toISOString(), meter);
  noteDelivered([noticeId]);
  const { pushed, gone } = await pushToAgents(agentIds, { type: "notice", notice: noticePush(notice) });
  return result({ delivered: agentIds.length, pushed, gone });
}

/**
 * Late joiners, on an agent's arrival (the agents capability's `agent-arrived` event).
 *
 * Primary course: read the agent → one query of the active partition → notices aimed at the
 * agent's skills → BatchGet which the agent already holds → conditional put of the missing ones
 * → push them (not on `connect`: a connecting client reads its inbox anyway, and the connection
 * may not be open yet). Arrivals other than `duty` count only while the agent is on duty, the
 * same audience as the fan-out. Idempotent: a repeated arrival delivers nothing new.
 */
export async function deliverOnArrival(agentId: string, now: Date, reason: ArrivalReason): Promise<{ delivered: string[]; capacityUnits: number }> {
  const meter = new CapacityMeter();
  const agent = await getAgent(agentId);
  if (!agent || (reason !== "duty" && !agent.onDuty)) return { delivered: [], capacityUnits: meter.units };
  const candidates = (await activeNotices(now, meter)).filter((n) => isTargeted(n.targetSkills, agent.skills));
  if (candidates.length === 0) return { delivered: [], capacityUnits: meter.units };
  const held = await heldNoticeIds(
    agentId,
    candidates.map((n) => n.noticeId),
    meter,
  );
  const missing = candidates.filter((n) => !held.has(n.noticeId)).map((n) => n.noticeId);
  if (missing.length === 0) return { delivered: [], capacityUnits: meter.units };
  const delivered: Notice[] = [];
  for (const notice of await getNotices(missing, meter)) {
    if (await putDeliveryIfAbsent(agentId, notice, now.toISOString(), lateVia(reason), meter)) delivered.push(notice);
  }
  if (delivered.length > 0) noteDelivered(delivered.map((n) => n.noticeId));
  if (reason !== "connect") {
    for (const notice of delivered) await pushToAgent(agentId, { type: "notice", notice: noticePush(notice) });
  }
  return { delivered: delivered.map((n) => n.noticeId), capacityUnits: meter.units };
}
