/** Supervision rules that need no I/O (unit tested). */
import type { Agent } from "../agents/domain.js";
import type { HandoverPolicy } from "./config.js";

export interface HandoverConfig {
  handoverGraceMs: number;
  shiftEndPolicy: HandoverPolicy;
  awayTimeoutMs: number;
  awayPolicy: HandoverPolicy;
}

/** Why an agent's open work should be handed over now, or undefined to leave it with them. */
export function handoverReason(agent: Agent, now: Date, config: HandoverConfig): string | undefined {
  if (agent.load === 0) return undefined;
  if (!agent.onDuty && config.shiftEndPolicy === "handover") {
    const since = Date.parse(agent.dutyChangedAt ?? agent.updatedAt);
    if (now.getTime() - since >= config.handoverGraceMs) return "shift ended";
  }
  if (agent.presence !== "online" && config.awayPolicy === "handover") {
    const since = Date.parse(agent.presenceChangedAt ?? agent.updatedAt);
    if (now.getTime() - since >= config.awayTimeoutMs) return `agent ${agent.presence}`;
  }
  return undefined;
}
