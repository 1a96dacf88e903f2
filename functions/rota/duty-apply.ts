/**
 * One agent's duty brought in line with what the rota wants: the compare-and-set the duty clock
 * applies inline and each part of a large boundary applies in its own invocation (duty-parts.ts).
 */
import { mutateAgent } from "../agents/store.js";
import { isActive, routingWindow, type Agent } from "../agents/domain.js";
import { onAgentArrival } from "../agents/arrival.js";
import { requestDrain } from "../shared/wake-router.js";
import { noteAgents } from "../shared/supervisor-push.js";
import { logger } from "../shared/logger.js";
import { Agent as AgentEntity, isWriteConflict, tableName, transact } from "../shared/table/index.js";
import type { DutyWindow } from "./resolve.js";
import { auditOp, onDutyDelete, onDutyPut, type OnDutyItem } from "./store.js";

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
  /** A boundary larger than one part: this many part messages were sent, each applied by RotaDutyParts. */
  parts?: number;
}

/** The stored routing window is the one the duty fields give (a profile written before it existed is not). */
export function windowStored(agent: Agent): boolean {
  const window = routingWindow(agent);
  return window ? agent.dutyFrom === window.dutyFrom && agent.dutyTo === window.dutyTo : agent.dutyFrom === undefined && agent.dutyTo === undefined;
}

export function sameWindow(a: DutyWindow | null, b: DutyWindow | null): boolean {
  if (a === null || b === null) return a === b;
  return a.shiftId === b.shiftId && a.from === b.from && a.to === b.to;
}

export function viewMatches(item: OnDutyItem | undefined, want: DutyWindow | null, agent: Agent): boolean {
  if (want === null) return item === undefined;
  return item !== undefined && sameWindow(item, want) && [...item.skills].sort().join() === [...agent.skills].sort().join();
}

/** What the rota wants for an agent: a deactivated agent (kept for history) is never on duty, whatever the rota still says. */
export function wanted(agent: Agent, desired: DutyWindow | null, upcoming: DutyWindow | null): { want: DutyWindow | null; next: DutyWindow | null } {
  return isActive(agent) ? { want: desired, next: upcoming } : { want: null, next: null };
}

/** True when the profile already shows `want`/`next` (the view may still need repair). */
export function profileCurrent(agent: Agent, want: DutyWindow | null, next: DutyWindow | null): boolean {
  return agent.onDuty === (want !== null) && sameWindow(agent.shift, want) && sameWindow(agent.nextShift, next) && windowStored(agent);
}

/** One invocation's duty work: its result and the drains it owes, sent once at the end. */
export class DutyRun {
  readonly result: DutyRunResult;
  // Drains, one per skill set (and start instant) however many agents share it: a boundary of
  // 10,000 agents on two skills sends two per invocation, not 10,000 (sent after the writes).
  private readonly drains = new Map<string, { skills: readonly string[]; reason: string; at?: Date }>();

  constructor(readonly now: Date, checked: number) {
    this.result = { at: now.toISOString(), checked, started: [], ended: [], moved: [], viewRepaired: 0, upcoming: [], failed: [] };
  }

  drain(skills: readonly string[], reason: string, at?: Date): void {
    const key = `${[...skills].sort().join(",")}|${reason}|${at?.toISOString() ?? ""}`;
    if (!this.drains.has(key)) this.drains.set(key, { skills, reason, ...(at ? { at } : {}) });
  }

  /** Drains, the log line and the wall's push, once per invocation however many agents changed. */
  async finish(): Promise<DutyRunResult> {
    for (const d of this.drains.values()) {
      await requestDrain(d.skills, d.reason, undefined, d.at ? { at: d.at, delaySeconds: (d.at.getTime() - this.now.getTime()) / 1000 } : {});
    }
    const r = this.result;
    if (r.started.length + r.ended.length + r.moved.length + r.upcoming.length > 0) logger.info("Duty changed", { ...r });
    noteAgents([...r.started, ...r.ended, ...r.moved]);
    return r;
  }
}

/**
 * Brings `agent` (as read before the rota, or re-read by a part) to `want`/`next`: one
 * `mutateAgent` transaction writes the profile (and so routing's seats), the on-duty view item
 * and an audit record together, only if the profile still shows the duty state of `agent`. A
 * profile already current only has its view item repaired when `viewOk` is false.
 */
export async function applyDuty(agent: Agent, want: DutyWindow | null, next: DutyWindow | null, viewOk: boolean, run: DutyRun): Promise<void> {
  const { result } = run;
  const dutySame = agent.onDuty === (want !== null) && sameWindow(agent.shift, want);
  if (profileCurrent(agent, want, next)) {
    if (!viewOk) {
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
  const at = result.at;
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
    run.drain(change.after.skills, "shift starting", new Date(next.from));
  }
  if (dutySame) return;
  if (!change.after.onDuty) result.ended.push(agent.agentId);
  else if (change.before?.onDuty) result.moved.push(agent.agentId);
  else {
    result.started.push(agent.agentId);
    run.drain(change.after.skills, "shift started");
    await onAgentArrival(agent.agentId, run.now, "duty");
  }
}
