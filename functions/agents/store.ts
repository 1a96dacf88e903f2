/**
 * DynamoDB adapter for agents.
 *
 * Items (see docs/data-model.md):
 * - profile  `pk=AGENT#<id>, sk=PROFILE`, listed via `gsi2pk=AGENTS`.
 * - seats    `pk=AGENT#<id>, sk=SEAT#<skill>`, one per skill. While the agent is eligible the
 *            seat carries `gsi1pk=POOL#<skill>, gsi1sk=<poolRank>`: a sparse availability index,
 *            so routing reads the best few candidates with one small query whatever the team size.
 *
 * Every write goes through `agentWriteOps`, conditional on the profile's version, and rewrites
 * the seats in the same transaction — the index can never disagree with the profile.
 */
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { dynamo, isTransactionConflict, jitter, queryAll, tableName } from "../shared/dynamo.js";
import { ContentionError, NotFoundError } from "../shared/errors.js";
import { isEligible, poolRank, type Agent, type Skill } from "./domain.js";

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

export const agentKey = (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: "PROFILE" });
export const seatKey = (agentId: string, skill: Skill) => ({ pk: `AGENT#${agentId}`, sk: `SEAT#${skill}` });
export const poolKey = (skill: Skill) => `POOL#${skill}`;

function toItem(agent: Agent) {
  return { ...agentKey(agent.agentId), type: "Agent", gsi2pk: "AGENTS", gsi2sk: agent.agentId, ...agent };
}

export function fromItem(item: Record<string, unknown>): Agent {
  return {
    agentId: String(item.agentId),
    name: String(item.name),
    skills: (item.skills as Skill[]) ?? [],
    maxConcurrent: Number(item.maxConcurrent),
    presence: item.presence as Agent["presence"],
    load: Number(item.load ?? 0),
    onDuty: Boolean(item.onDuty),
    shift: (item.shift as Agent["shift"]) ?? null,
    lastAssignedAt: String(item.lastAssignedAt),
    ...(item.presenceChangedAt ? { presenceChangedAt: String(item.presenceChangedAt) } : {}),
    ...(item.dutyChangedAt ? { dutyChangedAt: String(item.dutyChangedAt) } : {}),
    version: Number(item.version ?? 0),
    updatedAt: String(item.updatedAt),
    updatedBy: String(item.updatedBy),
  };
}

/** Condition + puts that move an agent from `before` to `after` (version + 1) with its seats. */
export function agentWriteOps(before: Agent | undefined, after: Agent): TransactItem[] {
  const stamp = new Date().toISOString();
  const next: Agent = {
    ...after,
    version: (before?.version ?? 0) + 1,
    presenceChangedAt: !before || before.presence !== after.presence ? stamp : (before.presenceChangedAt ?? stamp),
    dutyChangedAt: !before || before.onDuty !== after.onDuty ? stamp : (before.dutyChangedAt ?? stamp),
  };
  const ops: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: toItem(next),
        ConditionExpression: before ? "version = :v" : "attribute_not_exists(pk)",
        ...(before ? { ExpressionAttributeValues: { ":v": before.version } } : {}),
      },
    },
  ];
  const eligible = isEligible(next);
  for (const skill of next.skills) {
    ops.push({
      Put: {
        TableName: tableName,
        Item: {
          ...seatKey(next.agentId, skill),
          type: "Seat",
          agentId: next.agentId,
          skill,
          load: next.load,
          maxConcurrent: next.maxConcurrent,
          version: next.version,
          ...(eligible ? { gsi1pk: poolKey(skill), gsi1sk: poolRank(next) } : {}),
        },
      },
    });
  }
  for (const skill of before?.skills ?? []) {
    if (!next.skills.includes(skill)) ops.push({ Delete: { TableName: tableName, Key: seatKey(next.agentId, skill) } });
  }
  return ops;
}

export async function getAgent(agentId: string): Promise<Agent | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: agentKey(agentId), ConsistentRead: true }));
  return result.Item ? fromItem(result.Item) : undefined;
}

export async function requireAgent(agentId: string): Promise<Agent> {
  const agent = await getAgent(agentId);
  if (!agent) throw new NotFoundError(`No agent "${agentId}". Create it with PUT /agents/${agentId}.`);
  return agent;
}

export async function listAgents(): Promise<Agent[]> {
  const items = await queryAll({ TableName: tableName, IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": "AGENTS" } });
  return items.map(fromItem);
}

export interface AgentChange {
  before: Agent | undefined;
  after: Agent;
}

/**
 * Optimistic read-modify-write of one agent. `change` returns the new state (or `undefined`
 * for "nothing to do") and may add items to the same transaction (audit, assignment records).
 * A concurrent writer makes the transaction fail; we re-read and retry with jitter.
 */
export async function mutateAgent(
  agentId: string,
  change: (current: Agent | undefined) => { after: Agent; extra?: TransactItem[] } | undefined,
  maxAttempts = 12,
): Promise<AgentChange | undefined> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const before = await getAgent(agentId);
    const decision = change(before);
    if (!decision) return undefined;
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: [...agentWriteOps(before, decision.after), ...(decision.extra ?? [])] }));
      return { before, after: { ...decision.after, version: (before?.version ?? 0) + 1 } };
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      await jitter(attempt);
    }
  }
  throw new ContentionError(`Agent ${agentId} is being changed concurrently; retry.`);
}
