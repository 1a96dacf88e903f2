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
 * Runs every minute (`RotaDutyClock`) and after every rota change for the agents it touches.
 * Cost: four small queries for the rota plus one agent-list query, and writes only on change.
 */
import { mutateAgent, getAgent, listAgents } from "../agents/store.js";
import type { Agent } from "../agents/domain.js";
import { onAgentArrival } from "../agents/arrival.js";
import { requestDrain } from "../shared/wake-router.js";
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
  const desired = dutyAt(resolveRota(data, window), now);
  const viewByAgent = new Map(view.map((v) => [v.agentId, v]));
  const at = now.toISOString();
  const result: DutyRunResult = { at, checked: agents.length, started: [], ended: [], moved: [], viewRepaired: 0 };

  await forEachLimited(agents, 8, async (agent) => {
    const want = desired.get(agent.agentId) ?? null;
    if (agent.onDuty === (want !== null) && sameWindow(agent.shift, want)) {
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
      if (current.onDuty !== agent.onDuty || !sameWindow(current.shift, agent.shift)) return undefined;
      const action = want === null ? "agent.duty-ended" : current.onDuty ? "agent.duty-moved" : "agent.duty-started";
      return {
        after: { ...current, onDuty: want !== null, shift: want },
        extra: [
          want ? onDutyPut({ agentId: current.agentId, ...want, skills: current.skills }) : onDutyDelete(current.agentId),
          auditOp({ entity: "agent", entityId: current.agentId, action, actor: dutyActor, at, details: { before: current.shift, after: want } }),
        ],
      };
    });
    if (!change) return;
    if (!change.after.onDuty) result.ended.push(agent.agentId);
    else if (change.before?.onDuty) result.moved.push(agent.agentId);
    else {
      result.started.push(agent.agentId);
      await requestDrain(change.after.skills, "shift started");
      await onAgentArrival(agent.agentId, now, "duty");
    }
  });

  // A full run also drops view items of agents that no longer exist.
  if (!agentIds) {
    const known = new Set(agents.map((a) => a.agentId));
    const orphans = view.filter((v) => !known.has(v.agentId));
    if (orphans.length > 0) {
      await deleteOnDuty(orphans.map((v) => v.agentId));
      result.viewRepaired += orphans.length;
    }
  }
  if (result.started.length + result.ended.length + result.moved.length > 0) logger.info("Duty changed", { ...result });
  return result;
}
