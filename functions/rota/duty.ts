/**
 * The on-duty view: keeps each agent's `onDuty`/`shift` and the on-duty view items equal to what
 * the rota says for `now`.
 *
 * Primary course: resolve the rota for now ± 1 day → who is on duty now → compare with each
 * agent profile → for every difference, one `mutateAgent` transaction writes the profile (and
 * so routing's availability seats), the on-duty view item and an audit record together. An agent
 * coming on duty wakes the router for their skills and triggers the arrival hook (late-joiner
 * notices). An agent going off duty only stops receiving new work; open conversations are left
 * to the handover logic.
 *
 * The exact boundaries are not this clock's job: the profile carries the current shift and the
 * next one starting within the look-ahead, the seats carry the routing window they give, and the
 * assignment transaction checks the decision's clock against it (`dutyFrom <= :now AND dutyTo >
 * :now`). A shift starting within the look-ahead also gets a drain timed for its first instant.
 * This clock only tidies: flags, the on-duty view, audit, arrival events.
 *
 * Runs every minute (`RotaDutyClock`) and after every rota change for the agents it touches.
 * Cost: four small queries for the rota plus one agent-list query, and writes only on change.
 */
import { mutateAgent, getAgent, listAgents } from "../agents/store.js";
import { isActive, routingWindow, type Agent } from "../agents/domain.js";
import { onAgentArrival } from "../agents/arrival.js";
import { requestDrain } from "../shared/wake-router.js";
import { noteAgents } from "../shared/supervisor-push.js";
import { logger } from "../shared/logger.js";
import { Agent as AgentEntity, isWriteConflict, tableName, transact } from "../shared/table/index.js";
import { dutyAt, resolveRota, type DutyWindow } from "./resolve.js";
import { auditOp, deleteOnDuty, listOnDuty, loadRotaData, onDutyDelete, onDutyPut, type OnDutyItem } from "./store.js";
import { dayMs } from "./time.js";

export const dutyActor = "system:rota";

export interface DutyRunResult {
  at: string;
  checked: number;
  started: string[];
  ended: string[];
  /** Agents that stayed on duty but moved to another shift window (back-to-back shifts). */
  moved: string[];
  /** View items rewritten without a profile change (e.g. after a skills change). */
  viewRepaired: number;
  /** Agents whose next shift (starting within the look-ahead) was written, so routing starts it to the instant. */
  upcoming: string[];
  /** A full run: agents whose update failed (left for the next tick). */
  failed: string[];
}

/**
 * How far ahead the clock writes an agent's next shift on the profile (`nextShift`): routing's
 * window then covers it from its first instant, whatever the clock's tick, and a drain timed for
 * that instant serves the waiting line. More than one tick, so a late tick still lands in time.
 */
export const dutyLookaheadMs = 3 * 60_000;

/** Each agent's earliest duty interval starting after `instant` and within the look-ahead. */
export function upcomingAt(occurrences: readonly { agentId: string; shiftId: string; duty: readonly { from: string; to: string }[] }[], instant: Date, lookaheadMs = dutyLookaheadMs): Map<string, DutyWindow> {
  const t = instant.getTime();
  const out = new Map<string, DutyWindow>();
  for (const o of occurrences) {
    for (const d of o.duty) {
      const from = Date.parse(d.from);
      if (from > t && from <= t + lookaheadMs) {
        const current = out.get(o.agentId);
        if (!current || from < Date.parse(current.from)) out.set(o.agentId, { shiftId: o.shiftId, from: d.from, to: d.to });
      }
    }
  }
  return out;
}

/** The stored routing window is the one the duty fields give (a profile written before it existed is not). */
function windowStored(agent: Agent): boolean {
  const window = routingWindow(agent);
  return window ? agent.dutyFrom === window.dutyFrom && agent.dutyTo === window.dutyTo : agent.dutyFrom === undefined && agent.dutyTo === undefined;
}

function sameWindow(a: DutyWindow | null, b: DutyWindow | null): boolean {
  if (a === null || b === null) return a === b;
  return a.shiftId === b.shiftId && a.from === b.from && a.to === b.to;
}

function viewMatches(item: OnDutyItem | undefined, want: DutyWindow | null, agent: Agent): boolean {
  if (want === null) return item === undefined;
  return item !== undefined && sameWindow(item, want) && [...item.skills].sort().join() === [...agent.skills].sort().join();
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(lanes);
}

/**
 * Brings the duty state of `agentIds` (all agents when omitted) in line with the rota at `now`.
 *
 * @example
 * await recomputeDuty(new Date(), ["li-na"]); // after changing li-na's rota
 */
export async function recomputeDuty(now: Date, agentIds?: readonly string[]): Promise<DutyRunResult> {
  const window = { from: new Date(now.getTime() - dayMs), to: new Date(now.getTime() + dayMs) };
  // Profiles are read before the rota, and a profile is only changed if it still shows the duty
  // state read here: a concurrent run holding an older rota can then never undo a newer one.
  const [view, agents] = await Promise.all([
    listOnDuty(),
    agentIds ? Promise.all([...new Set(agentIds)].map(getAgent)).then((list) => list.filter((a): a is Agent => a !== undefined)) : listAgents(),
  ]);
  const data = await loadRotaData(window);
  const occurrences = resolveRota(data, window);
  const desired = dutyAt(occurrences, now);
  const upcoming = upcomingAt(occurrences, now);
  const viewByAgent = new Map(view.map((v) => [v.agentId, v]));
  const at = now.toISOString();
  const result: DutyRunResult = { at, checked: agents.length, started: [], ended: [], moved: [], viewRepaired: 0, upcoming: [], failed: [] };
  // Drains, one per skill set (and start instant) however many agents share it: a boundary of
  // 10,000 agents on two skills sends two, not 10,000 (sent after the writes, see below).
  const drains = new Map<string, { skills: readonly string[]; reason: string; at?: Date }>();
  const drain = (skills: readonly string[], reason: string, at?: Date) => {
    const key = `${[...skills].sort().join(",")}|${reason}|${at?.toISOString() ?? ""}`;
    if (!drains.has(key)) drains.set(key, { skills, reason, ...(at ? { at } : {}) });
  };

  // A full run (a shift boundary) works many agents at once: each is a few small calls, and the
  // profile transactions of different agents touch different partitions (the view is sharded).
  await forEachLimited(agents, agentIds ? 8 : 16, async (agent) => {
    if (agentIds) return dutyOf(agent);
    // A full run (the clock) does not stop at one agent's failure (a throttled or timed-out call):
    // that agent is left as it is and the next tick, a minute later, tries it again.
    try {
      await dutyOf(agent);
    } catch (error) {
      result.failed.push(agent.agentId);
      logger.warn("Duty not updated for an agent; the next tick retries", { agentId: agent.agentId, error: error as Error });
    }
  });

  async function dutyOf(agent: Agent): Promise<void> {
    // A deactivated agent (kept for history) is never on duty, whatever the rota still says.
    const active = isActive(agent);
    const want = active ? (desired.get(agent.agentId) ?? null) : null;
    const next = active ? (upcoming.get(agent.agentId) ?? null) : null;
    const dutySame = agent.onDuty === (want !== null) && sameWindow(agent.shift, want);
    if (dutySame && sameWindow(agent.nextShift, next) && windowStored(agent)) {
      if (!viewMatches(viewByAgent.get(agent.agentId), want, agent)) {
        try {
          await transact([
            // Only if the profile is still the one we compared with.
            { ConditionCheck: { TableName: tableName, Key: AgentEntity.key({ agentId: agent.agentId }), ConditionExpression: "version = :v", ExpressionAttributeValues: { ":v": agent.version } } },
            want ? onDutyPut({ agentId: agent.agentId, ...want, skills: agent.skills }) : onDutyDelete(agent.agentId),
          ]);
          result.viewRepaired++;
        } catch (error) {
          if (!isWriteConflict(error)) throw error;
        }
      }
      return;
    }
    const change = await mutateAgent(agent.agentId, (current) => {
      if (!current) return undefined;
      // Someone changed duty since we read it (maybe from a newer rota): leave it to them / the next tick.
      if (current.onDuty !== agent.onDuty || !sameWindow(current.shift, agent.shift) || !sameWindow(current.nextShift, agent.nextShift)) return undefined;
      const after: Agent = { ...current, onDuty: want !== null, shift: want, nextShift: next };
      if (dutySame) {
        // Only the next shift (or the stored routing window) changes: no duty event, so no audit
        // record; the shift's start is audited by the tick that sees it begin.
        return { after };
      }
      const action = want === null ? "agent.duty-ended" : current.onDuty ? "agent.duty-moved" : "agent.duty-started";
      return {
        after,
        extra: [
          want ? onDutyPut({ agentId: current.agentId, ...want, skills: current.skills }) : onDutyDelete(current.agentId),
          auditOp({ entity: "agent", entityId: current.agentId, action, actor: dutyActor, at, details: { before: current.shift, after: want } }),
        ],
      };
    });
    if (!change) return;
    if (next && !sameWindow(change.before?.nextShift ?? null, next)) {
      // Routing takes the agent from the shift's first instant; this drain serves the waiting line then.
      result.upcoming.push(agent.agentId);
      drain(change.after.skills, "shift starting", new Date(next.from));
    }
    if (dutySame) return;
    if (!change.after.onDuty) result.ended.push(agent.agentId);
    else if (change.before?.onDuty) result.moved.push(agent.agentId);
    else {
      result.started.push(agent.agentId);
      drain(change.after.skills, "shift started");
      await onAgentArrival(agent.agentId, now, "duty");
    }
  }

  for (const d of drains.values()) {
    await requestDrain(d.skills, d.reason, undefined, d.at ? { at: d.at, delaySeconds: (d.at.getTime() - now.getTime()) / 1000 } : {});
  }

  // A full run also drops view items of agents that no longer exist.
  if (!agentIds) {
    const known = new Set(agents.map((a) => a.agentId));
    const orphans = view.filter((v) => !known.has(v.agentId));
    if (orphans.length > 0) {
      await deleteOnDuty(orphans.map((v) => v.agentId));
      result.viewRepaired += orphans.length;
    }
  }
  if (result.started.length + result.ended.length + result.moved.length + result.upcoming.length > 0) logger.info("Duty changed", { ...result });
  // The wall shows who is on duty: one push at the end of the invocation, however many changed.
  noteAgents([...result.started, ...result.ended, ...result.moved]);
  return result;
}
