/**
 * Supervision use cases: the time-driven rules run every minute by `SupervisionClock` with the
 * event time as the clock (shift handover, away handover, unresponsive re-offer, wait
 * escalation), load repair run by `LoadReconciler`, and the supervisor's views (live queue,
 * routing metrics).
 *
 * Errors: a rule acts on each item independently, so one failure does not block the others.
 * Losing a race (the conversation moved, closed or changed meanwhile) is expected and logged at
 * info/warn; any other failure leaves work undone (an absent agent keeps a conversation, a
 * supervisor is never told), so it is logged at `error` and the run fails afterwards
 * (`SupervisionRunError`), which trips the function's Errors alarm and EventBridge's retry.
 */
import { agentView, windowCovers, type Agent, type Skill } from "../agents/domain.js";
import { knownSkillIds, listSkills } from "../agents/skills.js";
import { agentWriteOps, getAgent, listAgents } from "../agents/store.js";
import { AppError, ConflictError, ContentionError, NotFoundError, ValidationError } from "../shared/errors.js";
import { auditPut } from "../shared/audit.js";
import { logger } from "../shared/logger.js";
import { emitCount } from "../shared/metrics.js";
import { pushToSupervisors } from "../shared/push.js";
import { decodeCursor, encodeCursor, isWriteConflict, transact } from "../shared/table/index.js";
import { allowedFallbacks, type Conversation } from "../routing/conversation.js";
import { orderCandidates } from "../routing/policy.js";
import { awaitingReplySince, conversationsArrivedBetween, poolHead, escalateConversation, getConversation, openAssignments, queuedBetween, routingHour, waitingArrivedBetween, waitingConversations, waitingPage, waitingSummary } from "../routing/store/index.js";
import { contributions, mergeCounters, metricsHour, type Counters } from "../routing/metrics.js";
import { drainWaiting, moveToQueue } from "../routing/use-cases/index.js";
import { supervisionConfig } from "./config.js";
import { handoverReason, metricsFromCounters } from "./domain.js";

const system = "system:supervision";

/** Failures of a run that left work undone; thrown after every item was tried. */
export class SupervisionRunError extends Error {
  constructor(readonly failures: readonly { rule: string; conversationId: string; error: unknown }[]) {
    super(`${failures.length} supervision action(s) failed and left work undone: ${failures.map((f) => `${f.rule} ${f.conversationId}`).join(", ")}`);
    this.name = "SupervisionRunError";
  }
}

type Failures = { rule: string; conversationId: string; error: unknown }[];

/** The conversation moved, closed or kept changing meanwhile: nothing is lost, the next run looks again. */
function lostRace(error: unknown): boolean {
  return error instanceof ConflictError || error instanceof NotFoundError || error instanceof ContentionError;
}

function failed(failures: Failures, rule: string, conversationId: string, error: unknown): void {
  if (lostRace(error)) {
    logger.warn(`${rule} skipped: the conversation changed meanwhile`, { conversationId, error: error as AppError });
    return;
  }
  logger.error(`${rule} failed; the work is left undone until the next run`, { conversationId, error: error as Error });
  failures.push({ rule, conversationId, error });
}

/**
 * Shift and away handover.
 *
 * Primary course: for each agent whose shift ended past the grace period, or who has been away
 * or offline past the timeout (per policy), put each open conversation back in line, excluding
 * that agent; routing then gives it to someone eligible.
 */
export async function handOver(now: Date, failures: Failures = []) {
  let handedOver = 0;
  const config = await supervisionConfig();
  for (const agent of await listAgents()) {
    const reason = handoverReason(agent, now, config);
    if (!reason) continue;
    for (const open of await openAssignments(agent.agentId)) {
      try {
        await moveToQueue({ conversationId: open.conversationId, actor: system, fromAgentId: agent.agentId, now, exclude: true, action: "handed-over", detail: reason });
        handedOver++;
      } catch (error) {
        failed(failures, "Handover", open.conversationId, error);
      }
    }
  }
  return handedOver;
}

/** Seats read per page, and pages per skill at most, when looking for someone else in a pool. */
const eligibilityPage = 25;
const eligibilityPages = 4;

/**
 * Is there someone else who could take this conversation right now? Asked of the availability
 * pools of its skill and (escalated) its fallback skills: a seat there means on duty, online and
 * with a free slot at the agent's last profile write, the same index routing reads, so the answer
 * costs a few entries per conversation whatever the team's size (issue 15: the team's list was
 * 20,000 profiles at rush size). Seats of the silent agent or of agents it excludes, seats whose
 * window does not cover `now`, and full seats do not count. A legacy `any` conversation (escalated
 * before fallback skills existed) asks the team's list, read once per run.
 */
async function anotherEligible(conversation: Conversation, now: Date, team: () => Promise<readonly Agent[]>): Promise<boolean> {
  const excluded = new Set([conversation.agentId, ...(conversation.excludeAgentIds ?? [])]);
  if (conversation.skill === "any") {
    const others = (await team()).filter((a) => !excluded.has(a.agentId));
    return orderCandidates(others, "any", undefined, now, undefined, allowedFallbacks(conversation)).length > 0;
  }
  for (const skill of [conversation.skill, ...allowedFallbacks(conversation)]) {
    let cursor: Record<string, unknown> | undefined;
    for (let page = 0; page < eligibilityPages; page++) {
      const { seats, next } = await poolHead(skill, eligibilityPage, undefined, cursor);
      if (seats.some(({ seat }) => !excluded.has(seat.agentId) && seat.load < seat.maxConcurrent && windowCovers(seat, now))) return true;
      if (!next) break;
      cursor = next;
    }
  }
  return false;
}

/**
 * Unresponsive re-offer.
 *
 * Primary course: conversations assigned longer than the first-response timeout without a reply
 * are put back in line, excluding the silent agent — only if someone else could take them now.
 */
export async function reofferUnanswered(now: Date, failures: Failures = []) {
  const { firstResponseTimeoutMs } = await supervisionConfig();
  const before = new Date(now.getTime() - firstResponseTimeoutMs).toISOString();
  let reoffered = 0;
  const unanswered = await awaitingReplySince(before);
  // Each re-offer's own transaction re-checks the conversation, and routing re-checks whoever takes it.
  let team: Promise<readonly Agent[]> | undefined;
  const readTeam = () => (team ??= listAgents());
  for (const conversation of unanswered) {
    // Re-offering only helps if someone else can take it; otherwise it stays where it is.
    if (!(await anotherEligible(conversation, now, readTeam))) continue;
    try {
      await moveToQueue({ conversationId: conversation.conversationId, actor: system, now, exclude: true, action: "reoffered", detail: `no first response from ${conversation.agentId} within ${firstResponseTimeoutMs / 1000} s` });
      reoffered++;
    } catch (error) {
      failed(failures, "Re-offer", conversation.conversationId, error);
    }
  }
  return reoffered;
}

/**
 * Wait escalation.
 *
 * Primary course: a conversation waiting longer than the threshold is marked escalated; per
 * mode supervisors are told (`notify`, the default) and/or it becomes open to agents with one of
 * its skill's fallback skills (`fallback`), keeping its place in its own line. Never to any
 * skill: an agent with neither the skill nor a fallback never gets it (invariant 8).
 */
export async function escalateWaiting(now: Date, failures: Failures = []) {
  const { escalateAfterMs, escalationMode } = await supervisionConfig();
  const useFallbacks = escalationMode !== "notify";
  const notify = escalationMode !== "fallback";
  const known = await listSkills();
  let escalated = 0;
  for (const { skillId: skill, fallbackSkills } of known) {
    for (const conversation of await waitingConversations(skill)) {
      if (conversation.escalated || now.getTime() - Date.parse(conversation.arrivedAt) < escalateAfterMs) continue;
      const fallback = useFallbacks ? fallbackSkills : [];
      const entry = { at: now.toISOString(), action: "escalated", actor: system, detail: `waited over ${escalateAfterMs / 1000} s${fallback.length > 0 ? `: ${skill} may fall back to ${fallback.join(", ")}` : ""}` };
      try {
        // False: assigned, closed or escalated meanwhile.
        if (!(await escalateConversation(conversation, entry, fallback))) continue;
        escalated++;
        if (notify) {
          await pushToSupervisors({ type: "escalation", conversationId: conversation.conversationId, skill, priority: conversation.priority, waitingSince: conversation.arrivedAt });
        }
      } catch (error) {
        failed(failures, "Escalation", conversation.conversationId, error);
      }
    }
  }
  // runSupervisionClock drains every queue right after this (fallback agents included).
  return escalated;
}

/**
 * The minute's rules in order, then a drain of every queue. Throws `SupervisionRunError` after
 * the run when an action failed for another reason than a lost race.
 */
export async function runSupervisionClock(now: Date) {
  const failures: Failures = [];
  const handedOver = await handOver(now, failures);
  const reoffered = await reofferUnanswered(now, failures);
  const escalated = await escalateWaiting(now, failures);
  const drained = await drainWaiting(await knownSkillIds(), now);
  emitCount("ConversationsHandedOver", handedOver);
  emitCount("ConversationsReoffered", reoffered);
  emitCount("ConversationsEscalated", escalated);
  if (failures.length > 0) throw new SupervisionRunError(failures);
  return { handedOver, reoffered, escalated, drained };
}

/**
 * Load repair.
 *
 * Primary course: for each agent, read it, count its open assignment records whose conversation
 * is still assigned to it, and if the load differs write the count back conditional on the
 * version read — an assignment racing with the repair makes the repair count again (5 tries)
 * instead of undoing it. Only a lost race is retried; any other failure fails the run.
 */
export async function reconcileLoads(now: Date) {
  const repairs: { agentId: string; from: number; to: number }[] = [];
  for (const listed of await listAgents()) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const agent = await getAgent(listed.agentId);
      if (!agent) break;
      const open = await openAssignments(agent.agentId);
      // Records whose conversation is no longer assigned to this agent are leftovers.
      const real = (await Promise.all(open.map((o) => getConversation(o.conversationId)))).filter((c) => c?.status === "assigned" && c.agentId === agent.agentId).length;
      if (real === agent.load) break;
      try {
        // Audited in the same transaction (invariant 6): a repaired counter says who changed it and why.
        const audit = auditPut({ entity: "agent", entityId: agent.agentId, action: "load-repaired", actor: "system:load-reconciler", at: now.toISOString(), details: { from: agent.load, to: real, openRecords: open.length } });
        await transact([...agentWriteOps(agent, { ...agent, load: real }), audit]);
        repairs.push({ agentId: agent.agentId, from: agent.load, to: real });
        break;
      } catch (error) {
        if (!isWriteConflict(error)) throw error;
        // Changed under us (an assignment, a close, a profile edit): count again.
      }
    }
  }
  emitCount("LoadDriftRepaired", repairs.length);
  if (repairs.length > 0) logger.warn("Load drift repaired", { repaired: repairs.length, repairs });
  else logger.info("No load drift");
  return { checked: true, repaired: repairs.length, repairs };
}

/**
 * The live queue.
 *
 * Primary course: per line (every skill's, then the widened `any` one; or the one asked for) how
 * many wait, how many are escalated, the longest wait and who is first → one page of the waiting
 * conversations in service order, line after line from the cursor, with wait times and a `next`
 * cursor while more wait → every agent on duty or still holding work with load and capacity.
 */
export async function liveQueue(now: Date, page: QueuePageRequest) {
  const lines: (Skill | "any")[] = page.skill ? [page.skill] : [...(await knownSkillIds()), "any"];
  const waitSeconds = (arrivedAt: string) => Math.round((now.getTime() - Date.parse(arrivedAt)) / 1000);
  const entry = (c: Conversation) => ({
    conversationId: c.conversationId,
    priority: c.priority,
    requestedSkill: c.requestedSkill,
    escalated: c.escalated ?? false,
    ...(c.fallbackSkills ? { fallbackSkills: c.fallbackSkills } : {}),
    arrivedAt: c.arrivedAt,
    waitSeconds: waitSeconds(c.arrivedAt),
  });
  const summaries = await Promise.all(lines.map(async (line) => ({ line, ...(await waitingSummary(line)), head: (await waitingPage(line, 1)).conversations[0] })));
  const start = queueCursorStart(page.cursor, lines);
  // The page walks the lines in order from the cursor's, continuing a line where the last page stopped.
  const waiting: Record<string, unknown[]> = {};
  let remaining = page.limit;
  let next: string | undefined;
  let line = start.line;
  for (; line < lines.length && remaining > 0; line++) {
    const skill = lines[line];
    if (skill === undefined) break;
    const part = await waitingPage(skill, remaining, line === start.line ? start.after : undefined);
    waiting[skill] = part.conversations.map(entry);
    remaining -= part.conversations.length;
    if (part.next) {
      next = encodeCursor({ line: skill, after: part.next });
      break;
    }
  }
  // A full page that ended with a line: the next page starts at the next line with anyone waiting.
  const following = next === undefined && remaining === 0 ? summaries.slice(line).find((s) => s.count > 0) : undefined;
  if (following) next = encodeCursor({ line: following.line });
  // Counted over everyone, listed up to a bound: 20,000 agents in full would pass Lambda's 6 MB (issue 15).
  const present = (await listAgents()).filter((a) => a.onDuty || a.load > 0);
  const online = present.filter((a) => a.onDuty && a.presence === "online");
  const listed = present.length <= queueAgentLimit ? present : [...present].sort((a, b) => b.load / Math.max(1, b.maxConcurrent) - a.load / Math.max(1, a.maxConcurrent) || b.load - a.load || a.agentId.localeCompare(b.agentId)).slice(0, queueAgentLimit);
  const agents = listed.map((a) => ({ ...agentView(a), shiftEnd: a.shift?.to ?? null }));
  const agentTotals = {
    onDuty: present.filter((a) => a.onDuty).length,
    online: online.length,
    freeSlots: online.reduce((n, a) => n + Math.max(0, a.maxConcurrent - a.load), 0),
    holdingWork: present.filter((a) => a.load > 0).length,
    listed: agents.length,
    truncated: agents.length < present.length,
  };
  return {
    at: now.toISOString(),
    totalWaiting: summaries.reduce((n, s) => n + s.count, 0),
    lines: Object.fromEntries(
      summaries.map((s) => [
        s.line,
        { waiting: s.count, escalated: s.escalated, longestWaitSeconds: s.oldestArrivedAt ? waitSeconds(s.oldestArrivedAt) : null, head: s.head ? entry(s.head) : null },
      ]),
    ),
    waiting,
    ...(next ? { next } : {}),
    agents,
    agentTotals,
  };
}

/** At most this many agents are listed by `GET /queue` (the busiest first); `agentTotals` counts them all. */
export const queueAgentLimit = 1_000;

/** A page of `GET /queue`'s waiting list (sizes: `queuePageSizes` in contract.ts), optionally of one line. */
export interface QueuePageRequest {
  limit: number;
  cursor?: string | undefined;
  skill?: Skill | "any" | undefined;
}

/** Where a page of the queue starts: a line, and within it after the previous page's last entry. */
function queueCursorStart(cursor: string | undefined, lines: readonly string[]): { line: number; after?: string } {
  if (cursor === undefined) return { line: 0 };
  const { line, after, ...rest } = decodeCursor(cursor);
  const index = lines.indexOf(String(line));
  if (index < 0 || Object.keys(rest).length > 0 || (after !== undefined && typeof after !== "string")) {
    throw new ValidationError("The cursor is not one of this queue's pages; start again without it.", { errors: [{ field: "cursor", message: "not a cursor of the queue (or of another skill's line)" }] });
  }
  return typeof after === "string" ? { line: index, after } : { line: index };
}

/** Routing metrics of the conversations that arrived in [from, to] (read hour by hour). */
/**
 * Routing metrics of the conversations that arrived in [from, to).
 *
 * Primary course: the whole UTC hours inside the range are read from their hourly aggregates
 * (`RoutingHour`, one query per hour: its cost grows with the hours and the agents active in
 * them, not with the conversations), plus the conversations of those hours still queued or
 * waiting (never aggregated: their wait grows with the clock; read from the queued list and the
 * waiting lines, bounded by the queue); the partial hours at the range's ends are read
 * conversation by conversation (arrival-hour index), as the counters of each. All of it is summed
 * as the same counters, so a range of whole hours and the same range read conversation by
 * conversation give the same figures, except percentiles (aggregate buckets: exact below 10 s,
 * then two significant digits).
 */
export async function routingMetricsBetween(from: Date, to: Date, now: Date) {
  const hour = 3_600_000;
  const firstWhole = Math.ceil(from.getTime() / hour) * hour;
  const wholeHours: string[] = [];
  for (let t = firstWhole; t + hour <= to.getTime(); t += hour) wholeHours.push(new Date(t).toISOString());
  const owners = new Map<string, Counters>();
  const add = (conversations: readonly Conversation[]) => {
    for (const c of conversations) mergeCounters(owners, contributions(c, now, true));
  };
  if (wholeHours.length === 0) {
    add(await conversationsArrivedBetween(from, to));
  } else {
    const w0 = new Date(firstWhole);
    const w1 = new Date(firstWhole + wholeHours.length * hour);
    // Hours a day at a time, each merged as it comes: the heap holds one day's items at most.
    const readHours = async () => {
      for (let i = 0; i < wholeHours.length; i += 24) {
        for (const h of await Promise.all(wholeHours.slice(i, i + 24).map((hour) => routingHour(metricsHour(hour))))) mergeCounters(owners, h);
      }
    };
    const [before, after, , queued, waiting] = await Promise.all([
      w0.getTime() > from.getTime() ? conversationsArrivedBetween(from, w0) : Promise.resolve([]),
      to.getTime() > w1.getTime() ? conversationsArrivedBetween(w1, to) : Promise.resolve([]),
      readHours(),
      queuedBetween(w0.toISOString(), w1.toISOString()),
      (async () => (await Promise.all([...(await knownSkillIds()), "any" as const].map((line) => waitingArrivedBetween(line, w0.toISOString(), w1.toISOString())))).flat())(),
    ]);
    add(before);
    add(after);
    // Live in the whole hours: each once (a conversation read in both lists moved meanwhile).
    const live = new Map<string, Conversation>();
    for (const c of [...queued, ...waiting]) if ((c.status === "queued" || c.status === "waiting") && c.arrivedAt >= w0.toISOString() && c.arrivedAt < w1.toISOString()) live.set(c.conversationId, c);
    add([...live.values()]);
  }
  return { from: from.toISOString(), to: to.toISOString(), ...metricsFromCounters(owners) };
}
