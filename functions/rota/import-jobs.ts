/**
 * DynamoDB adapter for asynchronous CSV imports (docs/rota.md "Large imports"): the job item
 * (`RotaImportJob`: status, the consumer's claim, progress, the result) and the checked rows it
 * applies (`RotaImportRows`, ≤ 300 KB each). Every status move is conditional, so a redelivered
 * queue message never applies a job twice.
 */
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod/mini";
import type { FieldError } from "../shared/errors.js";
import { RotaImportJob, RotaImportRows, batchWrite, dynamo, isConditionalCheckFailed, queryAll, rotaImportJobSchema, tableName } from "../shared/table/index.js";
import type { CsvRow } from "./csv-rows.js";

export type ImportJob = z.output<typeof rotaImportJobSchema>;

const keepDays = 7;
const maxPartChars = 100_000;
/** Errors kept on a failed job (the first ones; the count is in its detail). */
export const maxJobErrors = 200;

const epochSeconds = (iso: string, days: number) => Math.floor(Date.parse(iso) / 1000) + days * 86_400;

/** Writes the checked rows, then the job (`queued`). Nothing refers to the rows before the job exists. */
export async function createImportJob(job: Omit<ImportJob, "parts" | "attempts" | "applied" | "status">, rows: readonly CsvRow[]): Promise<ImportJob> {
  const parts: [number, string, string, string][][] = [];
  let current: [number, string, string, string][] = [];
  let size = 0;
  for (const row of rows) {
    const tuple: [number, string, string, string] = [row.line, row.agent, row.date, row.shift];
    const chars = JSON.stringify(tuple).length + 1;
    if (size + chars > maxPartChars && current.length > 0) {
      parts.push(current);
      current = [];
      size = 0;
    }
    current.push(tuple);
    size += chars;
  }
  if (current.length > 0) parts.push(current);
  const expiresAtEpoch = epochSeconds(job.acceptedAt, keepDays);
  await batchWrite(parts.map((part, i) => ({ PutRequest: { Item: RotaImportRows.item({ jobId: job.jobId, part: i, rows: part, expiresAtEpoch }) } })));
  const stored: ImportJob = { ...job, status: "queued", parts: parts.length, attempts: 0, applied: 0, expiresAtEpoch };
  await dynamo.send(new PutCommand({ TableName: tableName, Item: RotaImportJob.item(stored), ConditionExpression: "attribute_not_exists(pk)" }));
  return stored;
}

export async function getImportJob(jobId: string): Promise<ImportJob | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: RotaImportJob.key({ jobId }), ConsistentRead: true }));
  return result.Item ? RotaImportJob.parse(result.Item) : undefined;
}

export async function importRows(job: ImportJob): Promise<CsvRow[]> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :p AND begins_with(sk, :s)",
    ExpressionAttributeValues: { ":p": RotaImportRows.partition({ jobId: job.jobId }), ":s": RotaImportRows.sortPrefix },
    ConsistentRead: true,
  });
  const parts = items.map((item) => RotaImportRows.parse(item)).sort((a, b) => a.part - b.part);
  if (parts.length !== job.parts) throw new Error(`Import ${job.jobId}: ${parts.length} of its ${job.parts} row parts found`);
  return parts.flatMap((p) => p.rows.map(([line, agent, date, shift]) => ({ line, agent, date, shift })));
}

/**
 * Takes the job for one consumer: from `queued`, or from `applying` whose claim is over (its
 * consumer died or gave it back). Sets a new change id and lease; undefined if another consumer
 * holds it or it ended.
 */
export async function claimImportJob(job: ImportJob, changeId: string, now: Date, leaseMs: number): Promise<ImportJob | undefined> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: RotaImportJob.key({ jobId: job.jobId }),
        UpdateExpression: "SET #s = :applying, changeId = :change, leaseUntil = :lease, attempts = attempts + :one",
        ConditionExpression: "attempts = :seen AND (#s = :queued OR (#s = :applying AND leaseUntil < :now))",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: {
          ":applying": "applying",
          ":queued": "queued",
          ":change": changeId,
          ":lease": new Date(now.getTime() + leaseMs).toISOString(),
          ":now": now.toISOString(),
          ":one": 1,
          ":seen": job.attempts,
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return result.Attributes ? RotaImportJob.parse(result.Attributes) : undefined;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** Conditional on the job still being held under `changeId` (a consumer that lost its claim writes nothing). */
function held(jobId: string) {
  return { TableName: tableName, Key: RotaImportJob.key({ jobId }), ConditionExpression: "#s = :applying AND changeId = :change" };
}

/** Progress while applying: the change's size once known, how many items are staged. Best effort for `applied`. */
export async function recordImportProgress(jobId: string, changeId: string, progress: { total?: number; written?: number; removed?: number; applied: number }): Promise<void> {
  const set = Object.entries(progress).filter(([, v]) => v !== undefined);
  await dynamo.send(
    new UpdateCommand({
      ...held(jobId),
      UpdateExpression: `SET ${set.map(([k]) => `#${k} = :${k}`).join(", ")}`,
      ExpressionAttributeNames: { "#s": "status", ...Object.fromEntries(set.map(([k]) => [`#${k}`, k])) },
      ExpressionAttributeValues: { ":applying": "applying", ":change": changeId, ...Object.fromEntries(set.map(([k, v]) => [`:${k}`, v])) },
    }),
  );
}

/** Gives the claim back (the lease ends now), so a redelivery takes the job at once. */
export async function releaseImportJob(jobId: string, changeId: string, now: Date): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        ...held(jobId),
        UpdateExpression: "SET leaseUntil = :now",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":applying": "applying", ":change": changeId, ":now": new Date(now.getTime() - 1).toISOString() },
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

export type ImportOutcome = { status: "done"; written: number; removed: number; applied: number } | { status: "failed"; detail: string; problem: string; errors?: FieldError[] };

/** Ends the job held under `changeId`; false if it is no longer this consumer's (someone else ended or took it). */
export async function endImportJob(jobId: string, changeId: string, outcome: ImportOutcome, at: Date): Promise<boolean> {
  const { status, ...rest } = outcome;
  const fields: Record<string, unknown> = { ...rest, finishedAt: at.toISOString() };
  if (outcome.status === "failed" && outcome.errors) fields.errors = outcome.errors.slice(0, maxJobErrors);
  const set = Object.entries(fields).filter(([, v]) => v !== undefined);
  try {
    await dynamo.send(
      new UpdateCommand({
        ...held(jobId),
        UpdateExpression: `SET #s = :status, ${set.map(([k]) => `#${k} = :${k}`).join(", ")} REMOVE leaseUntil`,
        ExpressionAttributeNames: { "#s": "status", ...Object.fromEntries(set.map(([k]) => [`#${k}`, k])) },
        ExpressionAttributeValues: { ":applying": "applying", ":change": changeId, ":status": status, ...Object.fromEntries(set.map(([k, v]) => [`:${k}`, v])) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
