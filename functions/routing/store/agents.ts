/**
 * The agents' items routing reads (owned by agents, read through their entities): the pool head,
 * profiles by id and an agent's open assignment records.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod/mini";
import { poolRank, type Agent, type Skill } from "../../agents/domain.js";
import { Agent as AgentItem, Assignment, Seat, batchGet, dynamo, queryAll, tableName, type CapacityMeter } from "../../shared/table/index.js";


/** The seat view the router projects from the pool: enough to order and assign without the profile. */
export type PoolSeat = z.infer<typeof Seat.schema>;

/** Attributes of a seat the router reads from the pool index. */
const seatProjection = { expression: "agentId, skill, skills, #load, maxConcurrent, lastAssignedAt, version, dutyFrom, dutyTo", names: { "#load": "load" } };

/**
 * The best `limit` seats of a skill's availability pool, best first, with their pool rank;
 * `next` continues after them (seats whose window does not cover the decision's clock are
 * skipped by the caller, which may then read one more page).
 */
export async function poolHead(skill: Skill, limit: number, meter?: CapacityMeter, cursor?: Record<string, unknown>): Promise<{ seats: { seat: PoolSeat; rank: string }[]; next?: Record<string, unknown> }> {
  const pool = Seat.index.pool;
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: pool.index,
      KeyConditionExpression: `${pool.attributeNames.pk} = :p`,
      ExpressionAttributeValues: { ":p": pool.partition({ skill }) },
      ProjectionExpression: seatProjection.expression,
      ExpressionAttributeNames: seatProjection.names,
      Limit: limit,
      ReturnConsumedCapacity: "TOTAL",
      ...(cursor ? { ExclusiveStartKey: cursor } : {}),
    }),
  );
  meter?.add(result.ConsumedCapacity);
  // The pool's sort key is the seat's rank at its version: recomputed from the seat, not read raw.
  const seats = (result.Items ?? []).map((item) => {
    const seat = Seat.parse(item);
    return { seat, rank: poolRank(seat) };
  });
  return { seats, ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}) };
}

/** Agent profiles by id, strongly consistent; unknown ids are absent. */
export async function agentsById(agentIds: readonly string[], meter?: CapacityMeter): Promise<Agent[]> {
  if (agentIds.length === 0) return [];
  const items = await batchGet(
    agentIds.map((agentId) => AgentItem.key({ agentId })),
    { consistent: true, ...(meter ? { meter } : {}) },
  );
  return items.map((item) => AgentItem.parse(item));
}

/** The agent's open conversations (assignment records). */
export async function openAssignments(agentId: string): Promise<{ conversationId: string; assignedAt: string }[]> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :c)",
    ExpressionAttributeValues: { ":pk": Assignment.partition({ agentId }), ":c": Assignment.sortPrefix },
    ConsistentRead: true,
  });
  return items.map((item) => Assignment.parse(item));
}
