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
import { agentSchema, isEligible, poolRank, type Agent, type Skill } from "./domain.js";

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

export const agentKey = (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: "PROFILE" });
export const seatKey = (agentId: string, skill: Skill) => ({ pk: `AGENT#${agentId}`, sk: `SEAT#${skill}` });
export const poolKey = (skill: Skill) => `POOL#${skill}`;

function toItem(agent: Agent) {
  return { ...agentKey(agent.agentId), type: "Agent", gsi2pk: "AGENTS", gsi2sk: agent.agentId, ...agent };
}

export function fromItem(item: Record<string, unknown>): Agent {
  return agentSchema.parse(item);
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
  ops.push(...seatPuts(next, isEligible(next)));
  for (const skill of before?.skills ?? []) {
    if (!next.skills.includes(skill)) ops.push({ Delete: { TableName: tableName, Key: seatKey(next.agentId, skill) } });
  }
  return ops;
}

/**
 * What a seat says about its agent at the agent's version: enough to order candidates and to
 * commit an assignment without reading the profile. Same version as the profile ⇒ same state.
 */
export interface SeatView {
  agentId: string;
  skills: Skill[];
  load: number;
  maxConcurrent: number;
  lastAssignedAt: string;
  version: number;
}

/** Attributes the router projects from the pool index. */
export const seatViewProjection = "agentId, skills, #load, maxConcurrent, lastAssignedAt, version, gsi1sk";
export const seatViewProjectionNames = { "#load": "load" };

function seatPuts(agent: SeatView, eligible: boolean): TransactItem[] {
  return agent.skills.map((skill) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...seatKey(agent.agentId, skill),
        type: "Seat",
        agentId: agent.agentId,
        skill,
        skills: agent.skills,
        load: agent.load,
        maxConcurrent: agent.maxConcurrent,
        lastAssignedAt: agent.lastAssignedAt,
        version: agent.version,
        ...(eligible ? { gsi1pk: poolKey(skill), gsi1sk: poolRank(agent) } : {}),
      },
    },
  }));
}

/** A seat view from a pool entry, or undefined for seats written before views carried skills. */
export function seatViewFromItem(item: Record<string, unknown>): SeatView | undefined {
  if (!Array.isArray(item.skills) || typeof item.lastAssignedAt !== "string") return undefined;
  return {
    agentId: String(item.agentId),
    skills: item.skills as Skill[],
    load: Number(item.load),
    maxConcurrent: Number(item.maxConcurrent),
    lastAssignedAt: item.lastAssignedAt,
    version: Number(item.version),
  };
}

/**
 * One more conversation for an agent known only through a pool seat: the profile's load, last
 * assignment and version change conditional on the version the seat showed (an agent in the pool
 * at that version was on duty, online and below capacity, and still is if the version holds);
 * the seats are rewritten in the same transaction, leaving the pool when the agent is full.
 */
export function seatAssignmentOps(seat: SeatView, at: string): TransactItem[] {
  const next: SeatView = { ...seat, load: seat.load + 1, lastAssignedAt: at, version: seat.version + 1 };
  return [
    {
      Update: {
        TableName: tableName,
        Key: agentKey(seat.agentId),
        UpdateExpression: "SET #load = :load, lastAssignedAt = :at, version = :next",
        ConditionExpression: "version = :v",
        ExpressionAttributeNames: { "#load": "load" },
        ExpressionAttributeValues: { ":load": next.load, ":at": at, ":next": next.version, ":v": seat.version },
      },
    },
    ...seatPuts(next, next.load < next.maxConcurrent),
  ];
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
