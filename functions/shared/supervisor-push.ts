/**
 * The supervisors' live wall, pushed instead of polled. Use cases note what changed while they
 * run (a conversation's queue or assignment, a drain, an acknowledgement); at the end of the
 * invocation (invocation.ts) everything noted goes out as at most one message per kind to every
 * supervisor connection — one connection query and one post per connection per invocation,
 * never one per agent or per change. Pushes are nudges: the console applies what it can (an
 * acknowledgement turns its receipt row at once) and re-reads `GET /queue` once, coalesced, for
 * the rest; its slow safety re-read and the re-read on reconnect cover a push that was lost.
 * The function must declare `access.pushesToAgents`. push.js is imported statically: a dynamic
 * import makes esbuild wrap push.js and everything under it (the whole entity registry) as
 * lazily initialised modules it cannot tree-shake, ~100 KB more in every bundle that notes a push.
 */
import { perFunction } from "./env.js";
import { logger } from "./logger.js";
import { onInvocationEnd } from "./invocation.js";
import { pushToSupervisors } from "./push.js";

/** One conversation's new place: waiting in a line, with an agent, or gone (closed, abandoned). */
export interface QueueChange {
  conversationId: string;
  status: string;
  skill: string;
  agentId?: string;
}

export interface ReceiptChange {
  noticeId: string;
  agentId: string;
  acknowledgedAt: string;
}

/** What the supervisors' WebSocket receives (besides escalations). */
export type SupervisorPush =
  | { type: "queue"; changes: QueueChange[]; drained: string[]; agents: string[]; more: boolean }
  /** `delivered`: notices delivered to more agents (re-read their receipts); `acknowledgements`: apply as is. */
  | { type: "receipts"; acknowledgements: ReceiptChange[]; delivered: string[]; more: boolean };

/** Changes carried per message at most (the console re-reads the queue anyway; `more` says some were left out). */
export const maxChangesPerPush = 50;

/**
 * The notes of the function running now (per environment: locally every function shares one
 * process, and each must send only its own notes, with its own push access).
 */
const notes = perFunction(() => ({ queueChanges: new Map<string, QueueChange>(), drained: new Set<string>(), agents: new Set<string>(), receipts: new Map<string, ReceiptChange>(), delivered: new Set<string>() }));

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  onInvocationEnd(flushSupervisorPushes);
}

/** Notes a conversation's new queue/assignment state (the last one per conversation wins). */
export function noteQueueChange(change: QueueChange): void {
  register();
  notes().queueChanges.set(change.conversationId, { conversationId: change.conversationId, status: change.status, skill: change.skill, ...(change.agentId ? { agentId: change.agentId } : {}) });
}

/** Notes that the lines of `skills` were drained (capacity freed: a close, presence, a shift). */
export function noteDrained(skills: readonly string[]): void {
  register();
  for (const skill of skills) notes().drained.add(skill);
}

/** Notes agents whose duty changed (a shift started, ended or moved): the wall's agent rows moved. */
export function noteAgents(agentIds: readonly string[]): void {
  register();
  for (const agentId of agentIds) notes().agents.add(agentId);
}

/** Notes that a notice reached more agents (a fan-out, a late joiner): its receipts grew. */
export function noteDelivered(noticeIds: readonly string[]): void {
  register();
  for (const noticeId of noticeIds) notes().delivered.add(noticeId);
}

/** Notes an agent's acknowledgement of a notice. */
export function noteReceipt(change: ReceiptChange): void {
  register();
  notes().receipts.set(`${change.noticeId}/${change.agentId}`, change);
}

/** The messages for what was noted, emptying the notes (exported for tests). */
export function takeSupervisorPushes(): SupervisorPush[] {
  const { queueChanges, drained, agents, receipts, delivered } = notes();
  const messages: SupervisorPush[] = [];
  if (queueChanges.size > 0 || drained.size > 0 || agents.size > 0) {
    const changes = [...queueChanges.values()];
    const agentIds = [...agents].sort();
    messages.push({
      type: "queue",
      changes: changes.slice(0, maxChangesPerPush),
      drained: [...drained].sort(),
      agents: agentIds.slice(0, maxChangesPerPush),
      more: changes.length > maxChangesPerPush || agentIds.length > maxChangesPerPush,
    });
  }
  if (receipts.size > 0 || delivered.size > 0) {
    const acknowledgements = [...receipts.values()];
    const notices = [...delivered].sort();
    messages.push({
      type: "receipts",
      acknowledgements: acknowledgements.slice(0, maxChangesPerPush),
      delivered: notices.slice(0, maxChangesPerPush),
      more: acknowledgements.length > maxChangesPerPush || notices.length > maxChangesPerPush,
    });
  }
  queueChanges.clear();
  drained.clear();
  agents.clear();
  receipts.clear();
  delivered.clear();
  return messages;
}

/** Sends what was noted to every supervisor connection; never throws (a push is a nudge). */
export async function flushSupervisorPushes(): Promise<void> {
  const messages = takeSupervisorPushes();
  if (messages.length === 0) return;
  try {
    for (const message of messages) await pushToSupervisors(message);
  } catch (error) {
    logger.warn("Supervisor push failed; the console's safety re-read catches up", { kinds: messages.map((m) => m.type), error: error as Error });
  }
}
