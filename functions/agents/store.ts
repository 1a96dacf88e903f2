/**
 * DynamoDB adapter for agents, over the registry's `Agent` and `Seat` entities
 * (functions/shared/table/entities/agents.ts, docs/data-model.md).
 *
 * One profile per agent and one seat per skill. While the agent is eligible its seats sit in the
 * sparse pool index, ranked best first, so routing reads the best few candidates with one small
 * query whatever the team size. Every write goes through `agentWriteOps`, conditional on the
 * profile's version, and rewrites the seats in the same transaction — the pool can never
 * disagree with the profile.
 */
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import {
  Agent as AgentEntity,
  PresenceChange,
  Seat,
  decodeCursor,
  dynamo,
  encodeCursor,
  isWriteConflict,
  jitter,
  queryAll,
  queryPage,
  seatViewSchema,
  tableName,
  transact,
  type SeatView,
  type TransactItem,
} from "../shared/table/index.js";
import { ContentionError, ValidationError } from "../shared/errors.js";
import { isEligible, poolRank, routingWindow, type Agent, type Skill } from "./domain.js";

export type { SeatView, TransactItem };

/** The profile's primary key (a condition check or batch read in another capability's transaction). */
export const agentKey = (agentId: string) => AgentEntity.key({ agentId });
export const seatKey = (agentId: string, skill: Skill) => Seat.key({ agentId, skill });
/** The pool index partition of a skill. */
export const poolKey = (skill: Skill) => Seat.index.pool.partition({ skill });

/** A stored profile, parsed; a malformed one is a `MalformedItemError`. */
export function fromItem(item: Record<string, unknown>): Agent {
  return AgentEntity.parse(item);
}

function profileItem(agent: Agent) {
  return AgentEntity.item(agent, AgentEntity.index.all.attributes({ agentId: agent.agentId }));
}

/**
 * The condition that the agent may be given work at `at`: its routing window covers it and it is
 * not deactivated. Every path that hands an agent a conversation (pool seat, known agent, transfer,
 * reassign) carries it, so a deactivation racing with an assignment can never lose.
 */
export const onDutyCondition = { expression: "dutyFrom <= :dutyNow AND dutyTo > :dutyNow AND attribute_not_exists(deactivatedAt)", value: (at: string) => ({ ":dutyNow": at }) };

/**
 * Condition + puts that move an agent from `before` to `after` (version + 1) with its seats.
 * The routing window (`dutyFrom`/`dutyTo`) is derived from the duty fields on every write.
 * `onDutyAt`: also require the stored profile to be on duty at that instant (a move to the agent).
 */
export function agentWriteOps(before: Agent | undefined, after: Agent, options: { onDutyAt?: string } = {}): TransactItem[] {
  const stamp = new Date().toISOString();
  const { dutyFrom: _from, dutyTo: _to, ...rest } = after;
  const window = routingWindow(after);
  const next: Agent = {
    ...rest,
    ...(window ?? {}),
    version: (before?.version ?? 0) + 1,
    presenceChangedAt: !before || before.presence !== after.presence ? stamp : (before.presenceChangedAt ?? stamp),
    dutyChangedAt: !before || before.onDuty !== after.onDuty ? stamp : (before.dutyChangedAt ?? stamp),
  };
  const ops: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: profileItem(next),
        ConditionExpression: before ? `version = :v${options.onDutyAt ? ` AND ${onDutyCondition.expression}` : ""}` : "attribute_not_exists(pk)",
        ...(before ? { ExpressionAttributeValues: { ":v": before.version, ...(options.onDutyAt ? onDutyCondition.value(options.onDutyAt) : {}) } } : {}),
      },
    },
  ];
  ops.push(...seatPuts(next, isEligible(next)));
  for (const skill of before?.skills ?? []) {
    if (!next.skills.includes(skill)) ops.push({ Delete: { TableName: tableName, Key: seatKey(next.agentId, skill) } });
  }
  return ops;
}

const poolAttributes = Seat.index.pool.attributeNames;

/** Attributes the router projects from the pool index: the seat view and its rank. */
export const seatViewProjection = `agentId, skills, #load, maxConcurrent, lastAssignedAt, version, dutyFrom, dutyTo, ${poolAttributes.sk}`;
export const seatViewProjectionNames = { "#load": "load" };

function seatPuts(agent: SeatView, eligible: boolean): TransactItem[] {
  return agent.skills.map((skill) => ({
    Put: {
      TableName: tableName,
      Item: Seat.item(
        {
          agentId: agent.agentId,
          skill,
          skills: agent.skills,
          load: agent.load,
          maxConcurrent: agent.maxConcurrent,
          lastAssignedAt: agent.lastAssignedAt,
          version: agent.version,
          ...(agent.dutyFrom !== undefined ? { dutyFrom: agent.dutyFrom } : {}),
          ...(agent.dutyTo !== undefined ? { dutyTo: agent.dutyTo } : {}),
        },
        eligible ? Seat.index.pool.attributes({ skill, rank: poolRank(agent) }) : {},
      ),
    },
  }));
}

/**
 * What a pool entry says about its agent at the agent's version: enough to order candidates and
 * to commit an assignment without reading the profile. A malformed entry is a `MalformedItemError`.
 */
export function seatViewFromItem(item: Record<string, unknown>): SeatView {
  return Seat.parseAs(seatViewSchema, item);
}

/**
 * One more conversation for an agent known only through a pool seat: the profile's load, last
 * assignment and version change conditional on the version the seat showed (an agent in the pool
 * at that version was online and below capacity, and still is if the version holds) and on the
 * profile's routing window covering `at`, the decision's clock — so no conversation is assigned
 * an instant after the shift ends or before it starts, whatever the duty clock's tick. The seats
 * are rewritten in the same transaction, leaving the pool when the agent is full.
 */
export function seatAssignmentOps(seat: SeatView, at: string): TransactItem[] {
  const next: SeatView = { ...seat, load: seat.load + 1, lastAssignedAt: at, version: seat.version + 1 };
  return [
    {
      Update: {
        TableName: tableName,
        Key: agentKey(seat.agentId),
        UpdateExpression: "SET #load = :load, lastAssignedAt = :at, version = :next",
        ConditionExpression: `version = :v AND ${onDutyCondition.expression}`,
        ExpressionAttributeNames: { "#load": "load" },
        ExpressionAttributeValues: { ":load": next.load, ":at": at, ":next": next.version, ":v": seat.version, ...onDutyCondition.value(at) },
      },
    },
    ...seatPuts(next, next.load < next.maxConcurrent),
  ];
}

/**
 * Whether a seat shows at least two free slots (at its capacity): the assignment may then take the
 * cheap path of {@link spareSlotAssignmentOps}, which leaves the seat as it is.
 */
export const seatShowsSpareSlot = (seat: Pick<SeatView, "load" | "maxConcurrent">) => seat.load + 1 < seat.maxConcurrent;

/**
 * How many conversations an agent's pool rank may lag behind its real load: a tenth of its
 * capacity (at least 1). Within it, assignments leave the seats as they are; the one that reaches
 * it re-ranks them. So the pool orders agents by a load at most this much below the truth.
 */
export const rankLag = (maxConcurrent: number) => Math.max(1, Math.floor(maxConcurrent / 10));

/**
 * One more conversation for an agent whose seat showed a spare slot, WITHOUT rewriting its seats
 * (issue 15: the seat's index entry does not move on every assignment). The profile's own state is
 * the condition, not the version a seat showed: capacity unchanged since the seat was written and
 * `load < min(seat load + rankLag, maxConcurrent - 1)` (after this one the agent still has a free
 * slot, so its seats belong in the pool: the pool's meaning, "has a free slot", stays true; and
 * the seat's rank lags the real load by at most {@link rankLag}), online, still holding the seat's
 * skill (invariant 8: a skill removed meanwhile refuses it), its routing window covering `at`, not
 * deactivated. `load` and `version` are added atomically, so concurrent
 * assignments to one agent do not cancel each other and every version-conditioned writer
 * (presence, close, duty, reconciler) still conflicts and re-reads. The last free slot is taken
 * through the profile (`agentWriteOps`), which takes the seats out of the pool in the same
 * transaction; so does the one that reaches the lag, re-ranking them. The seat's load and rank
 * are therefore those of the agent's last profile write: a hint for ordering (at most the lag
 * behind), never the capacity check.
 */
export function spareSlotAssignmentOps(seat: Pick<SeatView, "agentId" | "maxConcurrent" | "load"> & { skill: Skill }, at: string): TransactItem[] {
  const room = Math.min(seat.load + rankLag(seat.maxConcurrent), seat.maxConcurrent - 1);
  return [
    {
      Update: {
        TableName: tableName,
        Key: agentKey(seat.agentId),
        UpdateExpression: "SET lastAssignedAt = :at ADD #load :one, version :one",
        ConditionExpression: `maxConcurrent = :max AND #load < :room AND #presence = :online AND contains(skills, :skill) AND ${onDutyCondition.expression}`,
        ExpressionAttributeNames: { "#load": "load", "#presence": "presence" },
        ExpressionAttributeValues: { ":at": at, ":one": 1, ":max": seat.maxConcurrent, ":room": room, ":online": "online", ":skill": seat.skill, ...onDutyCondition.value(at) },
      },
    },
  ];
}

export async function getAgent(agentId: string): Promise<Agent | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: agentKey(agentId), ConsistentRead: true }));
  return result.Item ? fromItem(result.Item) : undefined;
}

export async function listAgents(): Promise<Agent[]> {
  const all = AgentEntity.index.all;
  const items = await queryAll({
    IndexName: all.index,
    KeyConditionExpression: "#p = :p",
    ExpressionAttributeNames: { "#p": all.attributeNames.pk },
    ExpressionAttributeValues: { ":p": all.partition({}) },
  });
  return items.map(fromItem);
}

export interface AgentPage {
  agents: Agent[];
  /** Opaque cursor of the next page; absent on the last page. */
  next?: string;
}

/** The key attributes of a profile in the `all` index: what a list cursor carries. */
function listCursorOf(item: Record<string, unknown>): string {
  const names = AgentEntity.index.all.attributeNames;
  return encodeCursor({ pk: item.pk, sk: item.sk, [names.pk]: item[names.pk], [names.sk]: item[names.sk] });
}

/** A cursor we issued for this list, or a 400: a forged start key would be a 500 from DynamoDB. */
function checkListCursor(cursor: string): void {
  const all = AgentEntity.index.all;
  const start = decodeCursor(cursor);
  const agentId = start[all.attributeNames.sk];
  const expected = typeof agentId === "string" ? { ...AgentEntity.key({ agentId }), ...all.attributes({ agentId }) } : undefined;
  const same = expected !== undefined && Object.keys(start).length === Object.keys(expected).length && Object.entries(expected).every(([k, v]) => start[k] === v);
  if (!same) throw new ValidationError("The cursor is not one GET /agents issued; start again without it.", { errors: [{ field: "cursor", message: "not a cursor of this list" }] });
}

/**
 * One page of agents in id order (stable: the `all` index is sorted by agent id), optionally only
 * the active or only the deactivated ones. With a filter DynamoDB may return short pages, so
 * pages are read until `limit + 1` matches are found or the index ends: the extra one says
 * whether `next` is needed, and `next` never leads to an empty page.
 */
export async function listAgentsPage(options: { limit: number; cursor?: string; active?: boolean }): Promise<AgentPage> {
  const all = AgentEntity.index.all;
  if (options.cursor !== undefined) checkListCursor(options.cursor);
  const filter =
    options.active === undefined ? {} : { FilterExpression: options.active ? "attribute_not_exists(deactivatedAt)" : "attribute_exists(deactivatedAt)" };
  const found: Record<string, unknown>[] = [];
  let cursor = options.cursor;
  do {
    const page = await queryPage(
      {
        IndexName: all.index,
        KeyConditionExpression: "#p = :p",
        ExpressionAttributeNames: { "#p": all.attributeNames.pk },
        ExpressionAttributeValues: { ":p": all.partition({}) },
        Limit: options.limit + 1 - found.length,
        ...filter,
      },
      cursor,
    );
    found.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined && found.length <= options.limit);
  const items = found.slice(0, options.limit);
  const last = items.at(-1);
  const more = found.length > options.limit;
  return { agents: items.map(fromItem), ...(more && last ? { next: listCursorOf(last) } : {}) };
}

export interface AgentChange {
  before: Agent | undefined;
  after: Agent;
}

/**
 * Optimistic read-modify-write of one agent. `change` returns the new state (or `undefined`
 * for "nothing to do") and may add items to the same transaction (audit, assignment records).
 * A concurrent writer makes the transaction fail; we re-read and retry with jitter.
 *
 * @example
 * await mutateAgent("li.na", (a) => (a ? { after: { ...a, presence: "away" }, extra: [auditPut(entry)] } : undefined));
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
      await transact([...agentWriteOps(before, decision.after), ...(decision.extra ?? [])]);
      return { before, after: { ...decision.after, version: (before?.version ?? 0) + 1 } };
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      await jitter(attempt);
    }
  }
  throw new ContentionError(`Agent ${agentId} is being changed concurrently; retry.`);
}

const presenceRetentionSeconds = 90 * 86_400;

/** A `Put` of one presence change, for the transaction that changes the presence (adherence's history). */
export function presenceChangePut(change: { agentId: string; at: string; presence: Agent["presence"]; previous: Agent["presence"]; by: string }): TransactItem {
  return { Put: { TableName: tableName, Item: PresenceChange.item({ ...change, expiresAtEpoch: Math.floor(Date.parse(change.at) / 1000) + presenceRetentionSeconds }) } };
}

export type PresenceChangeRecord = ReturnType<typeof PresenceChange.parse>;

/**
 * An agent's presence changes in [from, to), oldest first, and the last one before `from` (the
 * state at `from`): two queries of the agent's partition.
 */
export async function presenceHistory(agentId: string, from: string, to: string): Promise<{ before: PresenceChangeRecord | undefined; changes: PresenceChangeRecord[] }> {
  const pk = AgentEntity.partition({ agentId });
  const sk = (at: string) => PresenceChange.key({ agentId, at }).sk;
  const [beforePage, changes] = await Promise.all([
    dynamo.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk AND sk BETWEEN :lo AND :hi", ExpressionAttributeValues: { ":pk": pk, ":lo": PresenceChange.sortPrefix, ":hi": sk(from) }, ScanIndexForward: false, Limit: 2 })),
    queryAll({ KeyConditionExpression: "pk = :pk AND sk BETWEEN :lo AND :hi", ExpressionAttributeValues: { ":pk": pk, ":lo": sk(from), ":hi": sk(to) } }),
  ]);
  const parsed = changes.map((item) => PresenceChange.parse(item)).filter((c) => c.at >= from && c.at < to);
  const before = (beforePage.Items ?? []).map((item) => PresenceChange.parse(item)).find((c) => c.at < from);
  return { before, changes: parsed };
}

/** The agent's latest presence change at or before `at`, if any (one query, Limit 1). */
export async function lastPresenceChange(agentId: string, at: string): Promise<PresenceChangeRecord | undefined> {
  const page = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :lo AND :hi",
      ExpressionAttributeValues: { ":pk": AgentEntity.partition({ agentId }), ":lo": PresenceChange.sortPrefix, ":hi": PresenceChange.key({ agentId, at }).sk },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = page.Items?.[0];
  return item ? PresenceChange.parse(item) : undefined;
}
