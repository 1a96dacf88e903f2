/**
 * DynamoDB adapter for the rota: shifts, assignments, patterns, exceptions and the on-duty view,
 * all through the registry's entities (functions/shared/table/entities/rota.ts). Every item
 * read is parsed by its entity's schema; a malformed one is a `MalformedItemError`.
 *
 * Assignments and patterns a large change has staged (commit/change.ts) are read as that change's
 * status says: the new value once it is committed, the previous one until then — so a reader
 * sees a change whole or not at all.
 */
import { randomUUID } from "node:crypto";
import {
  AuditRecord,
  OnDuty,
  RotaChange,
  auditEntrySchema,
  batchGet,
  batchWrite,
  onDutySchema,
  RotaAssignment,
  RotaException as RotaExceptionEntity,
  RotaPattern,
  Shift as ShiftEntity,
  dynamo,
  queryAll,
  onDutyShard,
  onDutyShardList,
  rotaAssignmentShardList,
  tableName,
  type TransactItem,
} from "../shared/table/index.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod/mini";
import { isCommitted, type RotaChangeStatus } from "./change-set.js";
import { exceptionStartKey, maxRangeDays, type Assignment, type Pattern, type RotaException, type Shift } from "./domain.js";
import { candidateDays, type RotaData, type Window } from "./resolve.js";
import { formatDate } from "./time.js";

async function getItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return result.Item;
}

export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** An audit record written in the change's own transaction (invariant 6). */
export function auditOp(entry: AuditEntry, id: string = randomUUID()): TransactItem {
  return { Put: { TableName: tableName, Item: AuditRecord.item({ ...entry, uuid: id }) } };
}

// ---- shifts

/**
 * Creates a shift (with `uses = 0`) or replaces its fields, keeping its use count: an Update,
 * not a Put, which would drop the count the rota's changes keep.
 */
export function shiftPut(shift: Shift, before: Shift | undefined): TransactItem {
  const { pk: _pk, sk: _sk, ...fields } = ShiftEntity.item(shift, ShiftEntity.index.all.attributes({ shiftId: shift.shiftId }));
  const entries = Object.entries(fields);
  const names = Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name]));
  const values: Record<string, unknown> = Object.fromEntries(entries.map(([, value], i) => [`:f${i}`, value]));
  const sets = entries.map((_, i) => `#f${i} = :f${i}`);
  if (!before) {
    sets.push("uses = :zero");
    values[":zero"] = 0;
  }
  return {
    Update: {
      TableName: tableName,
      Key: ShiftEntity.key({ shiftId: shift.shiftId }),
      UpdateExpression: `SET ${sets.join(", ")}`,
      // Created only if still new, replaced only if unchanged since read: a concurrent edit is a conflict, not a lost update.
      ...(before
        ? { ConditionExpression: "updatedAt = :at AND updatedBy = :by", ExpressionAttributeValues: { ...values, ":at": before.updatedAt, ":by": before.updatedBy } }
        : { ConditionExpression: "attribute_not_exists(pk)", ExpressionAttributeValues: values }),
      ExpressionAttributeNames: names,
    },
  };
}

/** Deletes a shift only while no rota entry names it (`uses = 0`) and it is unchanged since read. */
export function shiftDelete(before: Shift): TransactItem {
  return {
    Delete: {
      TableName: tableName,
      Key: ShiftEntity.key({ shiftId: before.shiftId }),
      ConditionExpression: "uses = :zero AND updatedAt = :at AND updatedBy = :by",
      ExpressionAttributeValues: { ":zero": 0, ":at": before.updatedAt, ":by": before.updatedBy },
    },
  };
}

function readShift(item: Record<string, unknown>): { shift: Shift; uses: number | undefined } {
  const { uses, ...shift } = ShiftEntity.parse(item);
  return { shift, uses };
}

/** A shift with its use count (undefined for a shift stored before counts were kept). */
export async function getShiftWithUses(shiftId: string): Promise<{ shift: Shift; uses: number | undefined } | undefined> {
  const item = await getItem(ShiftEntity.key({ shiftId }));
  return item ? readShift(item) : undefined;
}

export async function getShift(shiftId: string): Promise<Shift | undefined> {
  return (await getShiftWithUses(shiftId))?.shift;
}

export async function listShifts(): Promise<Shift[]> {
  const items = await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": ShiftEntity.index.all.partition({}) } });
  return items.map((item) => readShift(item).shift);
}

/**
 * Dated assignments naming `shiftId` in the given months (one query each, filtered: it reads the
 * months' whole partitions, so callers keep the list of months short).
 */
export async function assignmentsUsing(shiftId: string, months: readonly string[]): Promise<Assignment[]> {
  const pages = await Promise.all(
    months.flatMap((month) =>
      rotaAssignmentShardList.map((shard) =>
        queryAll({
          IndexName: "gsi2",
          KeyConditionExpression: "gsi2pk = :p",
          FilterExpression: "shiftId = :s OR staged.prev.shiftId = :s",
          ExpressionAttributeValues: { ":p": RotaAssignment.index.byMonth.partition({ month, shard }), ":s": shiftId },
        }),
      ),
    ),
  );
  return (await visible(pages.flat().map(readAssignment))).filter((a) => a.shiftId === shiftId);
}

// ---- staged values

interface StagedMark<T> {
  changeId: string;
  prev: T | null;
  deleted: boolean;
}

async function changeStatuses(changeIds: readonly string[]): Promise<Map<string, RotaChangeStatus>> {
  if (changeIds.length === 0) return new Map();
  const items = await batchGet([...new Set(changeIds)].map((changeId) => RotaChange.key({ changeId })), { consistent: true });
  return new Map(items.map((item) => RotaChange.parse(item)).map((h) => [h.changeId, h.status]));
}

/** What readers see of items a change may have staged: its new value once committed, else the previous one. */
async function visible<T>(stored: readonly { value: T; staged?: StagedMark<T> | undefined }[]): Promise<T[]> {
  const statuses = await changeStatuses(stored.flatMap((item) => (item.staged ? [item.staged.changeId] : [])));
  return stored.flatMap(({ value, staged }) => {
    if (!staged) return [value];
    if (isCommitted(statuses.get(staged.changeId))) return staged.deleted ? [] : [value];
    return staged.prev ? [staged.prev] : [];
  });
}

function readAssignment(item: Record<string, unknown>): { value: Assignment; staged?: StagedMark<Assignment> | undefined } {
  const { staged, ...value } = RotaAssignment.parse(item);
  return { value, staged };
}

function readPattern(item: Record<string, unknown>): { value: Pattern; staged?: StagedMark<Pattern> | undefined } {
  const { staged, ...value } = RotaPattern.parse(item);
  return { value, staged };
}

// ---- assignments

const monthOf = (date: string) => date.slice(0, 7);

function monthsBetween(fromDate: string, toDate: string): string[] {
  const months: string[] = [];
  let year = Number(fromDate.slice(0, 4));
  let month = Number(fromDate.slice(5, 7));
  for (;;) {
    const key = `${year}-${String(month).padStart(2, "0")}`;
    if (key > monthOf(toDate)) return months;
    months.push(key);
    if (++month > 12) [year, month] = [year + 1, 1];
  }
}

/** All agents' assignments dated `fromDate…toDate` (inclusive), by date then agent: one query per month and shard. */
export async function listAssignments(fromDate: string, toDate: string): Promise<Assignment[]> {
  const pages = await Promise.all(
    monthsBetween(fromDate, toDate).flatMap((month) =>
      rotaAssignmentShardList.map((shard) =>
        queryAll({
          IndexName: "gsi2",
          KeyConditionExpression: "gsi2pk = :p AND gsi2sk BETWEEN :a AND :b",
          ExpressionAttributeValues: { ":p": RotaAssignment.index.byMonth.partition({ month, shard }), ":a": fromDate, ":b": `${toDate}~` },
        }),
      ),
    ),
  );
  // The index's order within one partition, across the shards.
  const order = (a: Assignment) => `${a.date}#${a.agentId}`;
  return (await visible(pages.flat().map(readAssignment))).sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** One agent's assignments dated `fromDate…toDate` (strongly consistent, for replacements). */
export async function listAgentAssignments(agentId: string, fromDate: string, toDate: string): Promise<Assignment[]> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b",
    ExpressionAttributeValues: {
      ":p": RotaAssignment.partition({ agentId }),
      ":a": RotaAssignment.key({ agentId, date: fromDate }).sk,
      ":b": RotaAssignment.key({ agentId, date: toDate }).sk,
    },
    ConsistentRead: true,
  });
  return visible(items.map(readAssignment));
}

// ---- patterns

/** One agent's patterns by start date (strongly consistent, for changes). */
export async function agentPatterns(agentId: string): Promise<Map<string, Pattern>> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :p AND begins_with(sk, :s)",
    ExpressionAttributeValues: { ":p": RotaPattern.partition({ agentId }), ":s": RotaPattern.sortPrefix },
    ConsistentRead: true,
  });
  const patterns = await visible(items.map(readPattern));
  return new Map(patterns.map((p) => [p.startDate, p]));
}

export async function listPatterns(): Promise<Pattern[]> {
  const items = await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": RotaPattern.index.all.partition({}) } });
  return visible(items.map(readPattern));
}

// ---- exceptions

export function exceptionPut(e: RotaException): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: RotaExceptionEntity.item(e, RotaExceptionEntity.index.timeline.attributes({ start: exceptionStartKey(e), exceptionId: e.exceptionId })),
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

export function exceptionDelete(exceptionId: string): TransactItem {
  return { Delete: { TableName: tableName, Key: RotaExceptionEntity.key({ exceptionId }), ConditionExpression: "attribute_exists(pk)" } };
}

export async function getException(exceptionId: string): Promise<RotaException | undefined> {
  const item = await getItem(RotaExceptionEntity.key({ exceptionId }));
  return item ? RotaExceptionEntity.parse(item) : undefined;
}

/** Exceptions starting in `[fromKey, toKey]` (date or ISO instant keys), oldest first. */
export async function listExceptions(fromKey: string, toKey: string): Promise<RotaException[]> {
  const items = await queryAll({
    IndexName: "gsi2",
    KeyConditionExpression: "gsi2pk = :p AND gsi2sk BETWEEN :a AND :b",
    ExpressionAttributeValues: { ":p": RotaExceptionEntity.index.timeline.partition({}), ":a": fromKey, ":b": `${toKey}~` },
  });
  return items.map((item) => RotaExceptionEntity.parse(item));
}

// ---- resolution input

/** Everything the resolver needs for `window`: four small queries (plus one per extra month). */
export async function loadRotaData(window: Window): Promise<RotaData> {
  const { first, last } = candidateDays(window);
  const [shifts, assignments, patterns, exceptions] = await Promise.all([
    listShifts(),
    listAssignments(formatDate(first), formatDate(last)),
    listPatterns(),
    // An exception starting up to maxRangeDays before the window can still reach into it.
    listExceptions(formatDate(first - maxRangeDays - 1), formatDate(last)),
  ]);
  return { shifts, assignments, patterns, exceptions };
}

// ---- on-duty view

export type OnDutyItem = z.infer<typeof onDutySchema>;

/** Every on-duty view item: one consistent query per shard, all in parallel (the view is split by agent). */
export async function listOnDuty(): Promise<OnDutyItem[]> {
  const pages = await Promise.all(onDutyShardList.map((shard) => queryAll({ KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": OnDuty.partition({ shard }) }, ConsistentRead: true })));
  return pages.flat().map((item) => OnDuty.parse(item));
}

const onDutyKey = (agentId: string) => OnDuty.key({ agentId, shard: onDutyShard(agentId) });

export function onDutyPut(item: OnDutyItem): TransactItem {
  return { Put: { TableName: tableName, Item: OnDuty.item({ ...item, shard: onDutyShard(item.agentId) }) } };
}

/** Drops view items of agents that no longer exist (blind deletes, retried until processed). */
export async function deleteOnDuty(agentIds: readonly string[]): Promise<void> {
  await batchWrite(agentIds.map((agentId) => ({ DeleteRequest: { Key: onDutyKey(agentId) } })));
}

export function onDutyDelete(agentId: string): TransactItem {
  return { Delete: { TableName: tableName, Key: onDutyKey(agentId) } };
}
