/**
 * DynamoDB adapter for the rota: shifts, assignments, patterns, exceptions and the on-duty view,
 * all through the registry's entities (functions/shared/table/entities/rota.ts). Every item
 * read is parsed by its entity's schema; a malformed one is a `MalformedItemError`.
 */
import { randomUUID } from "node:crypto";
import {
  AuditRecord,
  OnDuty,
  auditEntrySchema,
  batchWrite,
  maxTransactItems,
  onDutySchema,
  transact,
  RotaAssignment,
  RotaException as RotaExceptionEntity,
  RotaPattern,
  Shift as ShiftEntity,
  dynamo,
  queryAll,
  tableName,
  type TransactItem,
} from "../shared/table/index.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod";
import { exceptionStartKey, maxRangeDays, type Assignment, type Pattern, type RotaException, type Shift } from "./domain.js";
import { candidateDays, type RotaData, type Window } from "./resolve.js";
import { formatDate } from "./time.js";

async function getItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return result.Item;
}

export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Commits `ops` in transactions of at most 100 items (DynamoDB's limit). */
export async function commit(ops: readonly TransactItem[]): Promise<void> {
  for (let i = 0; i < ops.length; i += maxTransactItems) await transact(ops.slice(i, i + maxTransactItems));
}

/** An audit record written in the change's own transaction (invariant 6). */
export function auditOp(entry: AuditEntry, id: string = randomUUID()): TransactItem {
  return { Put: { TableName: tableName, Item: AuditRecord.item({ ...entry, uuid: id }) } };
}

// ---- shifts

export function shiftPut(shift: Shift, before: Shift | undefined): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: ShiftEntity.item(shift, ShiftEntity.index.all.attributes({ shiftId: shift.shiftId })),
      // Created only if still new, replaced only if unchanged since read: a concurrent edit is a conflict, not a lost update.
      ...(before
        ? { ConditionExpression: "updatedAt = :at AND updatedBy = :by", ExpressionAttributeValues: { ":at": before.updatedAt, ":by": before.updatedBy } }
        : { ConditionExpression: "attribute_not_exists(pk)" }),
    },
  };
}

export async function getShift(shiftId: string): Promise<Shift | undefined> {
  const item = await getItem(ShiftEntity.key({ shiftId }));
  return item ? ShiftEntity.parse(item) : undefined;
}

export async function listShifts(): Promise<Shift[]> {
  const items = await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": ShiftEntity.index.all.partition({}) } });
  return items.map((item) => ShiftEntity.parse(item));
}

// ---- assignments

const monthOf = (date: string) => date.slice(0, 7);

export function assignmentPut(a: Assignment): TransactItem {
  return { Put: { TableName: tableName, Item: RotaAssignment.item(a, RotaAssignment.index.byMonth.attributes({ month: monthOf(a.date), date: a.date, agentId: a.agentId })) } };
}

export function assignmentDelete(agentId: string, date: string): TransactItem {
  return { Delete: { TableName: tableName, Key: RotaAssignment.key({ agentId, date }) } };
}

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

/** All agents' assignments dated `fromDate…toDate` (inclusive): one query per month. */
export async function listAssignments(fromDate: string, toDate: string): Promise<Assignment[]> {
  const pages = await Promise.all(
    monthsBetween(fromDate, toDate).map((month) =>
      queryAll({
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :p AND gsi2sk BETWEEN :a AND :b",
        ExpressionAttributeValues: { ":p": RotaAssignment.index.byMonth.partition({ month }), ":a": fromDate, ":b": `${toDate}~` },
      }),
    ),
  );
  return pages.flat().map((item) => RotaAssignment.parse(item));
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
  return items.map((item) => RotaAssignment.parse(item));
}

// ---- patterns

export function patternPut(p: Pattern): TransactItem {
  return { Put: { TableName: tableName, Item: RotaPattern.item(p, RotaPattern.index.all.attributes({ agentId: p.agentId, startDate: p.startDate })) } };
}

export async function getPattern(agentId: string, startDate: string): Promise<Pattern | undefined> {
  const item = await getItem(RotaPattern.key({ agentId, startDate }));
  return item ? RotaPattern.parse(item) : undefined;
}

export async function listPatterns(): Promise<Pattern[]> {
  const items = await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": RotaPattern.index.all.partition({}) } });
  return items.map((item) => RotaPattern.parse(item));
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

export async function listOnDuty(): Promise<OnDutyItem[]> {
  const items = await queryAll({ KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": OnDuty.partition({}) }, ConsistentRead: true });
  return items.map((item) => OnDuty.parse(item));
}

export function onDutyPut(item: OnDutyItem): TransactItem {
  return { Put: { TableName: tableName, Item: OnDuty.item(item) } };
}

/** Drops view items of agents that no longer exist (blind deletes, retried until processed). */
export async function deleteOnDuty(agentIds: readonly string[]): Promise<void> {
  await batchWrite(agentIds.map((agentId) => ({ DeleteRequest: { Key: OnDuty.key({ agentId }) } })));
}

export function onDutyDelete(agentId: string): TransactItem {
  return { Delete: { TableName: tableName, Key: OnDuty.key({ agentId }) } };
}
