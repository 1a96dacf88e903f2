/**
 * DynamoDB adapter for the rota.
 *
 * Items (all in the one application table; see docs/rota.md "Data model"):
 * - shift       `pk=SHIFT#<shiftId>, sk=SHIFT`; listed via `gsi2pk=SHIFTS, gsi2sk=<shiftId>`.
 * - assignment  `pk=ROTA#<agentId>, sk=ASSIGN#<date>`; by date range across agents via
 *               `gsi2pk=ROTAASSIGN#<yyyy-mm>, gsi2sk=<date>#<agentId>` (one partition per month,
 *               so a window reads at most three small partitions).
 * - pattern     `pk=ROTA#<agentId>, sk=PATTERN#<startDate>`; all via `gsi2pk=ROTAPATTERNS`.
 * - exception   `pk=ROTAEXC#<exceptionId>, sk=EXC`; on the timeline via
 *               `gsi2pk=ROTAEXC, gsi2sk=<start>#<exceptionId>` (start = UTC instant for leave,
 *               date otherwise; exceptions span ≤ 62 days, which bounds the range query).
 * - on-duty     `pk=ONDUTY, sk=<agentId>` with shiftId/from/to/skills: the current duty view,
 *               written in the same transaction as the agent profile's `onDuty`/`shift`.
 * Audit records use `auditPut` (`AUDIT#rota#<agentId>`, `AUDIT#shift#<shiftId>`).
 */
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { dynamo, queryAll, tableName } from "../shared/dynamo.js";
import type { TransactItem } from "../agents/store.js";
import { exceptionInputSchema, exceptionStartKey, maxRangeDays, type Assignment, type Pattern, type RotaException, type Shift } from "./domain.js";
import { candidateDays, type DutyWindow, type RotaData, type Window } from "./resolve.js";
import { formatDate } from "./time.js";

export const shiftKey = (shiftId: string) => ({ pk: `SHIFT#${shiftId}`, sk: "SHIFT" });
export const assignmentKey = (agentId: string, date: string) => ({ pk: `ROTA#${agentId}`, sk: `ASSIGN#${date}` });
export const patternKey = (agentId: string, startDate: string) => ({ pk: `ROTA#${agentId}`, sk: `PATTERN#${startDate}` });
export const exceptionKey = (exceptionId: string) => ({ pk: `ROTAEXC#${exceptionId}`, sk: "EXC" });
export const onDutyKey = (agentId: string) => ({ pk: "ONDUTY", sk: agentId });

const assignmentMonthPartition = (date: string) => `ROTAASSIGN#${date.slice(0, 7)}`;


/** Commits `ops` in transactions of at most 100 items (DynamoDB's limit). */
export async function commit(ops: readonly TransactItem[]): Promise<void> {
  for (let i = 0; i < ops.length; i += 100) {
    await dynamo.send(new TransactWriteCommand({ TransactItems: ops.slice(i, i + 100) }));
  }
}

// ---- shifts

function shiftFromItem(item: Record<string, unknown>): Shift {
  return {
    shiftId: String(item.shiftId),
    name: String(item.name),
    start: String(item.start),
    end: String(item.end),
    timeZone: String(item.timeZone),
    updatedAt: String(item.updatedAt),
    updatedBy: String(item.updatedBy),
  };
}

export function shiftPut(shift: Shift): TransactItem {
  return { Put: { TableName: tableName, Item: { ...shiftKey(shift.shiftId), type: "Shift", gsi2pk: "SHIFTS", gsi2sk: shift.shiftId, ...shift } } };
}

export async function getShift(shiftId: string): Promise<Shift | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: shiftKey(shiftId), ConsistentRead: true }));
  return result.Item ? shiftFromItem(result.Item) : undefined;
}

export async function listShifts(): Promise<Shift[]> {
  const items = await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": "SHIFTS" } });
  return items.map(shiftFromItem);
}

// ---- assignments

function assignmentFromItem(item: Record<string, unknown>): Assignment {
  return { agentId: String(item.agentId), date: String(item.date), shiftId: String(item.shiftId), updatedAt: String(item.updatedAt), updatedBy: String(item.updatedBy) };
}

export function assignmentPut(a: Assignment): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...assignmentKey(a.agentId, a.date), type: "RotaAssignment", gsi2pk: assignmentMonthPartition(a.date), gsi2sk: `${a.date}#${a.agentId}`, ...a },
    },
  };
}

export function assignmentDelete(agentId: string, date: string): TransactItem {
  return { Delete: { TableName: tableName, Key: assignmentKey(agentId, date) } };
}

function monthsBetween(fromDate: string, toDate: string): string[] {
  const months: string[] = [];
  let year = Number(fromDate.slice(0, 4));
  let month = Number(fromDate.slice(5, 7));
  for (;;) {
    const key = `${year}-${String(month).padStart(2, "0")}`;
    if (key > toDate.slice(0, 7)) return months;
    months.push(key);
    if (++month > 12) [year, month] = [year + 1, 1];
  }
}

/** All agents' assignments dated `fromDate…toDate` (inclusive): one query per month. */
export async function listAssignments(fromDate: string, toDate: string): Promise<Assignment[]> {
  const months = monthsBetween(fromDate, toDate);
  const pages = await Promise.all(
    months.map((month) =>
      queryAll({
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :p AND gsi2sk BETWEEN :a AND :b",
        ExpressionAttributeValues: { ":p": `ROTAASSIGN#${month}`, ":a": fromDate, ":b": `${toDate}~` },
      }),
    ),
  );
  return pages.flat().map(assignmentFromItem);
}

/** One agent's assignments dated `fromDate…toDate` (strongly consistent, for replacements). */
export async function listAgentAssignments(agentId: string, fromDate: string, toDate: string): Promise<Assignment[]> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b",
    ExpressionAttributeValues: { ":p": `ROTA#${agentId}`, ":a": `ASSIGN#${fromDate}`, ":b": `ASSIGN#${toDate}` },
    ConsistentRead: true,
  });
  return items.map(assignmentFromItem);
}

// ---- patterns

function patternFromItem(item: Record<string, unknown>): Pattern {
  return {
    agentId: String(item.agentId),
    pattern: (item.pattern as string[]) ?? [],
    startDate: String(item.startDate),
    ...(typeof item.endDate === "string" ? { endDate: item.endDate } : {}),
    updatedAt: String(item.updatedAt),
    updatedBy: String(item.updatedBy),
  };
}

export function patternPut(p: Pattern): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...patternKey(p.agentId, p.startDate), type: "RotaPattern", gsi2pk: "ROTAPATTERNS", gsi2sk: `${p.agentId}#${p.startDate}`, ...p },
    },
  };
}

export async function getPattern(agentId: string, startDate: string): Promise<Pattern | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: patternKey(agentId, startDate), ConsistentRead: true }));
  return result.Item ? patternFromItem(result.Item) : undefined;
}

export async function listPatterns(): Promise<Pattern[]> {
  const items = await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": "ROTAPATTERNS" } });
  return items.map(patternFromItem);
}

// ---- exceptions

/** An exception as stored: the validated input plus who created it when (parsed, not cast). */
const storedExceptionSchema = exceptionInputSchema.and(z.object({ exceptionId: z.string(), createdAt: z.string(), createdBy: z.string() }));

function exceptionFromItem(item: Record<string, unknown>): RotaException {
  const { pk: _pk, sk: _sk, type: _type, gsi2pk: _g, gsi2sk: _s, ...rest } = item;
  return storedExceptionSchema.parse(rest);
}

export function exceptionPut(e: RotaException): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...exceptionKey(e.exceptionId), type: "RotaException", gsi2pk: "ROTAEXC", gsi2sk: `${exceptionStartKey(e)}#${e.exceptionId}`, ...e },
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

export function exceptionDelete(exceptionId: string): TransactItem {
  return { Delete: { TableName: tableName, Key: exceptionKey(exceptionId), ConditionExpression: "attribute_exists(pk)" } };
}

export async function getException(exceptionId: string): Promise<RotaException | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: exceptionKey(exceptionId), ConsistentRead: true }));
  return result.Item ? exceptionFromItem(result.Item) : undefined;
}

/** Exceptions starting in `[fromKey, toKey]` (date or ISO instant keys), oldest first. */
export async function listExceptions(fromKey: string, toKey: string): Promise<RotaException[]> {
  const items = await queryAll({
    IndexName: "gsi2",
    KeyConditionExpression: "gsi2pk = :p AND gsi2sk BETWEEN :a AND :b",
    ExpressionAttributeValues: { ":p": "ROTAEXC", ":a": fromKey, ":b": `${toKey}~` },
  });
  return items.map(exceptionFromItem);
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

export interface OnDutyItem extends DutyWindow {
  agentId: string;
  skills: string[];
}

export async function listOnDuty(): Promise<OnDutyItem[]> {
  const items = await queryAll({ KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "ONDUTY" }, ConsistentRead: true });
  return items.map((i) => ({ agentId: String(i.agentId), shiftId: String(i.shiftId), from: String(i.from), to: String(i.to), skills: (i.skills as string[]) ?? [] }));
}

export function onDutyPut(item: OnDutyItem): TransactItem {
  return { Put: { TableName: tableName, Item: { ...onDutyKey(item.agentId), type: "OnDuty", ...item } } };
}

export function onDutyDelete(agentId: string): TransactItem {
  return { Delete: { TableName: tableName, Key: onDutyKey(agentId) } };
}
