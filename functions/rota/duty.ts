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
 * A boundary with more differences than one part (`dutyPartSize`) is not applied here: the
 * differences go as part messages to RotaDutyParts (duty-parts.ts), which applies each part's
 * compare-and-set in its own invocation.
 */
import { getAgent, listAgents } from "../agents/store.js";
import type { Agent } from "../agents/domain.js";
import { applyDuty, DutyRun, profileCurrent, viewMatches, wanted, type DutyRunResult } from "./duty-apply.js";
import { inLanes } from "../shared/lanes.js";
import { dutyPartSize, dutyStamp, sendDutyParts, type DutyPartEntry } from "./duty-parts.js";
import { logger } from "../shared/logger.js";
import { dutyAt, resolveRota, type DutyWindow } from "./resolve.js";
import { deleteOnDuty, listOnDuty, loadRotaData } from "./store.js";
import { dayMs } from "./time.js";

export { dutyActor, type DutyRunResult } from "./duty-apply.js";

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

/**
 * Brings the duty state of `agentIds` (all agents when omitted) in line with the rota at `now`.
 * A full run (the clock) with more differences than `partSize` sends them as parts to the
 * `dutyParts` queue (duty-parts.ts) instead of applying them itself; `partSize` is only lowered
 * by tests.
 *
 * @example
 * await recomputeDuty(new Date(), ["li-na"]); // after changing li-na's rota
 */
export async function recomputeDuty(now: Date, agentIds?: readonly string[], options: { partSize?: number } = {}): Promise<DutyRunResult> {
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
  const run = new DutyRun(now, agents.length);
  const { result } = run;

  // What each agent differs in, computed once; agents already in line cost nothing more.
  const work: { agent: Agent; want: DutyWindow | null; next: DutyWindow | null; viewOk: boolean }[] = [];
  for (const agent of agents) {
    const { want, next } = wanted(agent, desired.get(agent.agentId) ?? null, upcoming.get(agent.agentId) ?? null);
    const viewOk = viewMatches(viewByAgent.get(agent.agentId), want, agent);
    if (!profileCurrent(agent, want, next) || !viewOk) work.push({ agent, want, next, viewOk });
  }

  const partSize = options.partSize ?? dutyPartSize;
  if (!agentIds && work.length > partSize) {
    // Too many for one invocation: each part is applied by its own RotaDutyParts invocation
    // (bounded time, retried alone). Each entry carries the duty state read here, so a part keeps
    // this run's compare-and-set: it applies only to a profile that still shows it.
    const entries: DutyPartEntry[] = work.map(({ agent, want, next, viewOk }) => ({ agentId: agent.agentId, seen: dutyStamp(agent), want, next, viewOk }));
    result.parts = await sendDutyParts(now, entries, partSize);
    logger.info("Duty boundary sent in parts", { at: result.at, agents: entries.length, parts: result.parts });
  } else {
    // A full run (a shift boundary) works many agents at once: each is a few small calls, and the
    // profile transactions of different agents touch different partitions (the view is sharded).
    await inLanes(work, agentIds ? 8 : 16, async ({ agent, want, next, viewOk }) => {
      if (agentIds) return applyDuty(agent, want, next, viewOk, run);
      // A full run (the clock) does not stop at one agent's failure (a throttled or timed-out call):
      // that agent is left as it is and the next tick, a minute later, tries it again.
      try {
        await applyDuty(agent, want, next, viewOk, run);
      } catch (error) {
        result.failed.push(agent.agentId);
        logger.warn("Duty not updated for an agent; the next tick retries", { agentId: agent.agentId, error: error as Error });
      }
    });
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
  // Drains, the log line and the wall's push: once at the end of the invocation, however many changed.
  return run.finish();
}
