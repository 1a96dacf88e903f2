/**
 * DynamoDB adapter that commits a rota change set whole or not at all, with its audit, and
 * serialises concurrent writers (docs/rota.md "Atomic changes").
 *
 * - Every agent's rota has a version (`RotaVersion`). A change is computed from the versions it
 *   read first and is refused (409 naming the agents) if any moved or is held by another change.
 * - A change that fits one transaction (items + 2 per agent ≤ 100) is one transaction: version
 *   bumps, items and audit records.
 * - A larger one is staged: its parts (every item's before and after) are written first, then
 *   the header (`RotaChange`, status `applying`) with a lock on each agent's version, then the
 *   items, each marked `staged` with its previous value — readers keep seeing that previous value
 *   while the change is not committed. One conditional update of the header to `committed`
 *   (with the audit records) is the commit point; then the marks are cleared, the agents
 *   unlocked (version + 1) and the header `done`.
 * - A writer that dies leaves the header open with its lease: the duty clock (or the next writer
 *   of those agents) rolls it back before the commit point and forward after it, from the parts.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ContentionError } from "../../shared/errors.js";
import { logger } from "../../shared/logger.js";
import { RotaChange, RotaChangePart, TransactionCancelledError, batchWrite, dynamo, isConditionalCheckFailed, maxTransactItems, queryAll, tableName, type TransactItem } from "../../shared/table/index.js";
import type { AgentVersion, RotaChangeOp, RotaChangeSet, RotaChangeStatus } from "../change-set.js";
import { shiftUsageDeltas } from "../usage.js";
import { inLanes } from "../../shared/lanes.js";
import { chunks, lanes } from "./batches.js";
import { asTransactItem, auditOps, requestFor, stagedPut, stillStaged } from "./items.js";
import { checkShiftCount, gainOps, lossOps, netUsageOps, shiftGoneError } from "./usage.js";
import { transactChecked, unlock, versionBumpOp, versionLockOp } from "./versions.js";

/** How long a writer holds its agents: longer than the function's 30 s timeout, so a live writer is never recovered. */
export const leaseMs = 60_000;
/** Parts stay readable this long (recovery needs them only while the change is open). */
const partDays = 30;
/** A finished header stays this long, for whoever asks what happened to a change. */
const headerDays = 7;
const maxPartChars = 350_000;

const epochSeconds = (iso: string, days: number) => Math.floor(Date.parse(iso) / 1000) + days * 86_400;

/** Whether the change fits one transaction: its items, a version bump and an audit record per agent, a use count per shift it moves. */
export const fitsOneTransaction = (change: RotaChangeSet, shifts: number) => change.ops.length + 2 * change.versions.length + shifts <= maxTransactItems;

/** Audit records that go with a staged change's commit point (the rest go with the unlocks): what the flip and the use-count losses leave room for. */
const commitPointAudits = (ops: readonly RotaChangeOp[]) => maxTransactItems - 1 - lossOps(shiftUsageDeltas(ops)).length;

/**
 * Applies `change` whole or not at all, with one audit record per changed agent.
 *
 * @throws ConflictError (409) when an agent's rota moved since `change.versions` were read, or
 * another change holds it; ContentionError (503) when the change outlived its lease and was
 * rolled back. Anything else (store unreachable, a crash) leaves the old rota, or — after the
 * commit point — the new one, finished by recovery.
 */
export interface CommitOptions {
  /** How long the writer holds its agents (default `leaseMs`): longer than the writing function's timeout. */
  leaseMs?: number;
  /** Called as a staged change's items are written: how many of `change.ops` are staged so far. */
  onStaged?: (staged: number) => void;
}

export async function commitRotaChange(change: RotaChangeSet, now: Date, options: CommitOptions = {}): Promise<void> {
  if (change.ops.length === 0) return;
  const audits = auditOps(change);
  const deltas = shiftUsageDeltas(change.ops);
  checkShiftCount(deltas);
  const usage = netUsageOps(deltas);
  if (fitsOneTransaction(change, usage.ops.length)) {
    const items = [...change.versions.map(versionBumpOp), ...change.ops.map((op) => asTransactItem(requestFor(op, "after"))), ...usage.ops, ...audits.values()];
    await transactChecked(items, { offset: 0, list: change.versions }, (error) => shiftGoneError(error, change.versions.length + change.ops.length, usage.shiftIds));
    return;
  }
  await commitStaged(change, audits, now, options);
}

function partsOf(change: RotaChangeSet): { agents: AgentVersion[]; ops: RotaChangeOp[] }[] {
  const parts: { agents: AgentVersion[]; ops: RotaChangeOp[] }[] = [];
  let current = { agents: [] as AgentVersion[], ops: [] as RotaChangeOp[] };
  let size = 0;
  const add = (chars: number, put: () => void) => {
    if (size + chars > maxPartChars && size > 0) {
      parts.push(current);
      current = { agents: [], ops: [] };
      size = 0;
    }
    put();
    size += chars;
  };
  for (const v of change.versions) add(JSON.stringify(v).length, () => current.agents.push(v));
  for (const op of change.ops) add(JSON.stringify(op).length, () => current.ops.push(op));
  parts.push(current);
  return parts;
}

const headerKey = (changeId: string) => RotaChange.key({ changeId });

/** Conditional on the change's header still being in `status`. */
function headerIn(changeId: string, status: RotaChangeStatus) {
  return { TableName: tableName, Key: headerKey(changeId), ConditionExpression: "#s = :from", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":from": status } };
}

/** The header's move from one status to the next, refused if another writer moved it first. */
function statusMove(changeId: string, from: RotaChangeStatus, to: RotaChangeStatus) {
  const guard = headerIn(changeId, from);
  return { ...guard, UpdateExpression: "SET #s = :to", ExpressionAttributeValues: { ...guard.ExpressionAttributeValues, ":to": to } };
}

async function commitStaged(change: RotaChangeSet, audits: Map<string, TransactItem>, now: Date, options: CommitOptions): Promise<void> {
  const { changeId } = change;
  const leaseUntil = new Date(now.getTime() + (options.leaseMs ?? leaseMs)).toISOString();
  const parts = partsOf(change);
  // The parts first: nothing refers to them until the header exists.
  await batchWrite(parts.map((p, part) => ({ PutRequest: { Item: RotaChangePart.item({ changeId, part, agents: p.agents, ops: p.ops, expiresAtEpoch: epochSeconds(change.at, partDays) }) } })));
  const header = RotaChange.item(
    {
      changeId,
      status: "applying",
      action: change.action,
      actor: change.actor,
      at: change.at,
      leaseUntil,
      parts: parts.length,
      agents: change.versions.length,
      assignments: change.ops.filter((o) => o.kind === "assignment").length,
      patterns: change.ops.filter((o) => o.kind === "pattern").length,
      ...(change.range ? { range: change.range } : {}),
    },
    RotaChange.index.open.attributes({ at: change.at, changeId }),
  );

  // Lock every agent at the version the change was computed from; the first transaction also
  // creates the header and counts the uses the change adds (so those shifts cannot be deleted meanwhile).
  const deltas = shiftUsageDeltas(change.ops);
  const gains = gainOps(deltas);
  const firstBatch = maxTransactItems - 1 - gains.ops.length;
  const batches = [change.versions.slice(0, firstBatch), ...chunks(change.versions.slice(firstBatch), maxTransactItems - 1)].filter((b) => b.length > 0);
  let started = false;
  try {
    for (const [i, batch] of batches.entries()) {
      const head: TransactItem[] = i === 0 ? [{ Put: { TableName: tableName, Item: header, ConditionExpression: "attribute_not_exists(pk)" } }, ...gains.ops] : [];
      await transactChecked([...head, ...batch.map((v) => versionLockOp(v, changeId, leaseUntil))], { offset: head.length, list: batch }, (error) => shiftGoneError(error, 1, gains.shiftIds));
      started = true;
    }
    const guard: TransactItem = { ConditionCheck: headerIn(changeId, "applying") };
    let staged = 0;
    await inLanes(chunks(change.ops, maxTransactItems - 1), lanes, async (batch) => {
      await transactChecked([guard, ...batch.map((op) => stagedPut(op, changeId))], undefined);
      staged += batch.length;
      options.onStaged?.(staged);
    });
    // The commit point, with the uses the change removes and as many audit records as fit; the rest follow with the unlocks.
    const flip: TransactItem = { Update: statusMove(changeId, "applying", "committed") };
    await transactChecked([flip, ...lossOps(deltas), ...[...audits.values()].slice(0, commitPointAudits(change.ops))], undefined);
  } catch (error) {
    if (!started) throw error;
    // Undo what we staged, unless the commit point was in fact reached (a lost answer).
    const outcome = await settleChange(changeId, now, { claim: false }).catch((settleError: unknown) => {
      logger.error("Could not settle a failed rota change; the duty clock will", { changeId, error: settleError as Error });
      return undefined;
    });
    if (outcome !== "done") {
      if (error instanceof TransactionCancelledError && outcome === "aborted") {
        throw new ContentionError(`The rota change ${changeId} took longer than its lease and was rolled back; nothing was changed. Retry.`, { cause: error });
      }
      throw error;
    }
    return;
  }
  await finishChange(changeId, change.versions, change.ops, audits, { known: true }).catch((error: unknown) => {
    // Committed: readers already see it; recovery completes the clean-up and the remaining audit records.
    logger.error("Rota change committed but not finished; the duty clock finishes it", { changeId, error: error as Error });
  });
}

// ---- finishing and recovery

async function setStatus(changeId: string, status: RotaChangeStatus, at: string): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: tableName,
      Key: headerKey(changeId),
      UpdateExpression: "SET #s = :s, expiresAtEpoch = :ttl REMOVE gsi2pk, gsi2sk",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": status, ":ttl": epochSeconds(at, headerDays) },
    }),
  );
}

/**
 * After the commit point: clear the marks, unlock (+1), the remaining audit records, `done`.
 * Idempotent. The writer itself knows its items are all staged (`known`); a recoverer checks.
 */
async function finishChange(changeId: string, versions: readonly AgentVersion[], ops: readonly RotaChangeOp[], audits: Map<string, TransactItem>, options: { known: boolean } = { known: false }): Promise<void> {
  const staged = options.known ? ops : await stillStaged(changeId, ops);
  await inLanes(chunks(staged, 100), lanes, (batch) => batchWrite(batch.map((op) => requestFor(op, "after"))));
  // The first agents' audit records went with the commit point.
  const later = new Map([...audits].slice(commitPointAudits(ops)));
  await unlock(
    changeId,
    versions.map((v) => v.agentId),
    true,
    later,
  );
  await setStatus(changeId, "done", new Date().toISOString());
}

/** Before the commit point: every item back to its previous value, agents unlocked, the uses it added taken back, `aborted`. Idempotent. */
async function rollBack(changeId: string, versions: readonly AgentVersion[], ops: readonly RotaChangeOp[]): Promise<void> {
  // Only items this change marked: an agent it never locked is someone else's.
  await inLanes(chunks(await stillStaged(changeId, ops), 100), lanes, (batch) => batchWrite(batch.map((op) => requestFor(op, "before"))));
  await unlock(
    changeId,
    versions.map((v) => v.agentId),
    false,
    new Map(),
  );
  // The uses go back with the move to `aborted`, which happens once: a second settler finds it done.
  const aborted = statusMove(changeId, "aborting", "aborted");
  const ended: TransactItem = {
    Update: {
      ...aborted,
      UpdateExpression: `${aborted.UpdateExpression}, expiresAtEpoch = :ttl REMOVE gsi2pk, gsi2sk`,
      ExpressionAttributeValues: { ...aborted.ExpressionAttributeValues, ":ttl": epochSeconds(new Date().toISOString(), headerDays) },
    },
  };
  try {
    await transactChecked([ended, ...gainOps(shiftUsageDeltas(ops), -1).ops], undefined);
  } catch (error) {
    if (!(error instanceof TransactionCancelledError && error.conditionFailedAt(0))) throw error;
  }
}

async function getHeader(changeId: string) {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: headerKey(changeId), ConsistentRead: true }));
  return result.Item ? RotaChange.parse(result.Item) : undefined;
}

/**
 * Ends a change its writer did not: forward if it reached the commit point, back otherwise.
 * With `claim`, only a change whose lease is over, and only one settler at a time (it takes the
 * lease). Returns the change's final status.
 */
export async function settleChange(changeId: string, now: Date, options: { claim: boolean }): Promise<"done" | "aborted" | "busy" | "missing"> {
  let header = await getHeader(changeId);
  if (!header) return "missing";
  if (header.status === "done" || header.status === "aborted") return header.status;
  if (options.claim) {
    if (Date.parse(header.leaseUntil) > now.getTime()) return "busy";
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: headerKey(changeId),
          UpdateExpression: "SET leaseUntil = :lease",
          ConditionExpression: "leaseUntil = :seen",
          ExpressionAttributeValues: { ":lease": new Date(now.getTime() + leaseMs).toISOString(), ":seen": header.leaseUntil },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return "busy";
      throw error;
    }
  }
  if (header.status === "applying") {
    try {
      await dynamo.send(new UpdateCommand(statusMove(changeId, "applying", "aborting")));
      header = { ...header, status: "aborting" };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // It reached the commit point (or was settled) meanwhile.
      header = await getHeader(changeId);
      if (!header) return "missing";
    }
  }
  const stored = await queryAll({
    KeyConditionExpression: "pk = :p AND begins_with(sk, :s)",
    ExpressionAttributeValues: { ":p": RotaChangePart.partition({ changeId }), ":s": RotaChangePart.sortPrefix },
    ConsistentRead: true,
  });
  const parts = stored.map((item) => RotaChangePart.parse(item)).sort((a, b) => a.part - b.part);
  const versions = parts.flatMap((p) => p.agents);
  const ops = parts.flatMap((p) => p.ops);
  if (header.status === "committed") {
    const audits = auditOps({ changeId, action: header.action, actor: header.actor, at: header.at, versions, ops, ...(header.range ? { range: header.range } : {}) });
    await finishChange(changeId, versions, ops, audits);
    return "done";
  }
  if (header.status === "aborting") {
    await rollBack(changeId, versions, ops);
    return "aborted";
  }
  return header.status === "done" ? "done" : "aborted";
}

/**
 * Finds changes whose writer is gone (lease over) and settles each. Run by the duty clock.
 *
 * @example
 * await recoverRotaChanges(new Date()); // { settled: [{ changeId, outcome: "aborted" }] }
 */
export async function recoverRotaChanges(now: Date): Promise<{ settled: { changeId: string; outcome: string }[] }> {
  const open = await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": RotaChange.index.open.partition({}) } });
  const settled: { changeId: string; outcome: string }[] = [];
  for (const header of open.map((item) => RotaChange.parse(item))) {
    if (Date.parse(header.leaseUntil) > now.getTime()) continue;
    const outcome = await settleChange(header.changeId, now, { claim: true });
    if (outcome !== "busy") settled.push({ changeId: header.changeId, outcome });
  }
  if (settled.length > 0) logger.warn("Recovered rota changes left by their writer", { settled });
  return { settled };
}
