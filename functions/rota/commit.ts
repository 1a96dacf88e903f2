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
import { ConflictError, ContentionError } from "../shared/errors.js";
import { logger } from "../shared/logger.js";
import {
  AuditRecord,
  RotaAssignment,
  RotaChange,
  RotaChangePart,
  RotaPattern,
  RotaVersion,
  TransactionCancelledError,
  batchGet,
  batchWrite,
  dynamo,
  isConditionalCheckFailed,
  jitter,
  maxTransactItems,
  queryAll,
  tableName,
  transact,
  type TransactItem,
  type WriteRequest,
} from "../shared/table/index.js";
import { auditEntries, type AgentVersion, type RotaChangeOp, type RotaChangeSet, type RotaChangeStatus } from "./change-set.js";

/** How long a writer holds its agents: longer than the function's 30 s timeout, so a live writer is never recovered. */
export const leaseMs = 60_000;
/** Parts stay readable this long (recovery needs them only while the change is open). */
const partDays = 30;
/** A finished header stays this long, for whoever asks what happened to a change. */
const headerDays = 7;
const maxPartChars = 350_000;

const epochSeconds = (iso: string, days: number) => Math.floor(Date.parse(iso) / 1000) + days * 86_400;

/** Runs `work` over `items`, at most `lanes` at a time; the first failure fails the whole. */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < items.length && !failed) {
      const item = items[next++];
      if (item === undefined) continue;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(lanes, items.length) }, lane));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected) throw rejected.reason;
}

/** Parallel lanes for a large change's independent writes (each guarded by the change's status). */
const lanes = 4;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- versions

export interface RotaVersionState {
  agentId: string;
  version: number;
  changeId?: string | undefined;
  leaseUntil?: string | undefined;
}

export async function getRotaVersion(agentId: string): Promise<RotaVersionState> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: RotaVersion.key({ agentId }), ConsistentRead: true }));
  return result.Item ? RotaVersion.parse(result.Item) : { agentId, version: 0 };
}

async function getRotaVersions(agentIds: readonly string[]): Promise<RotaVersionState[]> {
  const items = await batchGet(agentIds.map((agentId) => RotaVersion.key({ agentId })), { consistent: true });
  const found = new Map(items.map((item) => RotaVersion.parse(item)).map((v) => [v.agentId, v]));
  return agentIds.map((agentId) => found.get(agentId) ?? { agentId, version: 0 });
}

/** Unchanged since read, and held by no change. A missing item is version 0. */
function versionCondition(expected: number) {
  return expected === 0
    ? { ConditionExpression: "attribute_not_exists(#v) AND attribute_not_exists(changeId)" }
    : { ConditionExpression: "#v = :expected AND attribute_not_exists(changeId)", values: { ":expected": expected } };
}

function versionBumpOp({ agentId, version }: AgentVersion): TransactItem {
  const condition = versionCondition(version);
  return {
    Update: {
      TableName: tableName,
      Key: RotaVersion.key({ agentId }),
      UpdateExpression: "SET #v = :next, agentId = :agentId, #type = :type",
      ConditionExpression: condition.ConditionExpression,
      ExpressionAttributeNames: { "#v": "version", "#type": "type" },
      ExpressionAttributeValues: { ":next": version + 1, ":agentId": agentId, ":type": RotaVersion.type, ...(condition.values ?? {}) },
    },
  };
}

function versionLockOp({ agentId, version }: AgentVersion, changeId: string, leaseUntil: string): TransactItem {
  const condition = versionCondition(version);
  return {
    Update: {
      TableName: tableName,
      Key: RotaVersion.key({ agentId }),
      UpdateExpression: "SET agentId = :agentId, #type = :type, changeId = :change, leaseUntil = :lease",
      ConditionExpression: condition.ConditionExpression,
      ExpressionAttributeNames: { "#v": "version", "#type": "type" },
      ExpressionAttributeValues: { ":agentId": agentId, ":type": RotaVersion.type, ":change": changeId, ":lease": leaseUntil, ...(condition.values ?? {}) },
    },
  };
}

function versionUnlockOp(agentId: string, changeId: string, committed: boolean): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: RotaVersion.key({ agentId }),
      UpdateExpression: committed ? "SET #v = if_not_exists(#v, :zero) + :one REMOVE changeId, leaseUntil" : "REMOVE changeId, leaseUntil",
      ConditionExpression: "changeId = :change",
      ...(committed ? { ExpressionAttributeNames: { "#v": "version" } } : {}),
      ExpressionAttributeValues: { ":change": changeId, ...(committed ? { ":zero": 0, ":one": 1 } : {}) },
    },
  };
}

/** The 409 for agents whose version moved or that another change holds, naming each. */
async function conflictFor(expected: readonly AgentVersion[]): Promise<ConflictError> {
  const now = await getRotaVersions(expected.map((v) => v.agentId));
  const changed = now.flatMap((current, i) => {
    const want = expected[i];
    if (!want || (current.version === want.version && !current.changeId)) return [];
    return [{ agentId: current.agentId, expectedVersion: want.version, version: current.version, ...(current.changeId ? { changeId: current.changeId, heldUntil: current.leaseUntil } : {}) }];
  });
  const held = changed.filter((c) => c.changeId);
  const moved = changed.filter((c) => !c.changeId);
  const parts = [
    ...(moved.length ? [`the rota of ${moved.map((c) => `${c.agentId} (version ${c.expectedVersion} → ${c.version})`).join(", ")} changed after this change read it`] : []),
    ...(held.length ? [`the rota of ${held.map((c) => c.agentId).join(", ")} is being changed by another change (${[...new Set(held.map((c) => c.changeId))].join(", ")})`] : []),
  ];
  return new ConflictError(`${parts.join("; ") || "another change touched the same agents"}. Nothing was changed; read the rota again and retry.`, { extra: { changed } });
}

/**
 * One transaction; a pure TransactionConflict (another transaction on the same items at that
 * moment, no condition failed) is retried as is, since its conditions still say whether the
 * change may apply. A failed version condition becomes the 409.
 */
async function transactChecked(items: readonly TransactItem[], versions: { offset: number; list: readonly AgentVersion[] } | undefined): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await transact(items);
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      const failed = error.reasons.some((r) => r === "ConditionalCheckFailed");
      if (!failed && error.isConflict && attempt < 4) {
        await jitter(attempt + 2);
        continue;
      }
      if (versions && (error.reasons.slice(versions.offset, versions.offset + versions.list.length).some((r) => r === "ConditionalCheckFailed") || !failed)) throw await conflictFor(versions.list);
      throw error;
    }
  }
}

// ---- items

/**
 * The stored item for one side of a change. Staged (`changeId` given): the new value marked with
 * the change and the previous value; a removal is a tombstone keeping the old value.
 */
function itemOf(op: RotaChangeOp, side: "before" | "after", changeId?: string): Record<string, unknown> | undefined {
  if (op.kind === "assignment") {
    const value = side === "after" ? (op.after ?? (changeId ? op.before : null)) : op.before;
    const mark = changeId ? { staged: { changeId, prev: op.before, deleted: op.after === null } } : {};
    return value ? RotaAssignment.item({ ...value, ...mark }, RotaAssignment.index.byMonth.attributes({ month: op.date.slice(0, 7), date: op.date, agentId: op.agentId })) : undefined;
  }
  const value = side === "after" ? op.after : op.before;
  const mark = changeId ? { staged: { changeId, prev: op.before, deleted: false } } : {};
  return value ? RotaPattern.item({ ...value, ...mark }, RotaPattern.index.all.attributes({ agentId: op.agentId, startDate: op.startDate })) : undefined;
}

const keyOf = (op: RotaChangeOp) => (op.kind === "assignment" ? RotaAssignment.key({ agentId: op.agentId, date: op.date }) : RotaPattern.key({ agentId: op.agentId, startDate: op.startDate }));

/** The item as one side of the change has it: a put, or a delete where that side has none. */
function requestFor(op: RotaChangeOp, side: "before" | "after"): WriteRequest {
  const item = itemOf(op, side);
  return item ? { PutRequest: { Item: item } } : { DeleteRequest: { Key: keyOf(op) } };
}

function asTransactItem(request: WriteRequest): TransactItem {
  if (request.PutRequest?.Item) return { Put: { TableName: tableName, Item: request.PutRequest.Item } };
  if (request.DeleteRequest?.Key) return { Delete: { TableName: tableName, Key: request.DeleteRequest.Key } };
  throw new Error("empty write request");
}

/** Staged: the new value marked with the change and the previous value. */
function stagedPut(op: RotaChangeOp, changeId: string): TransactItem {
  const item = itemOf(op, "after", changeId);
  if (!item) throw new Error(`A rota change op for ${op.agentId} has neither a before nor an after`);
  return { Put: { TableName: tableName, Item: item } };
}

/** The ops whose item still carries this change's mark (only the change's own agents, which it holds). */
async function stillStaged(changeId: string, ops: readonly RotaChangeOp[]): Promise<RotaChangeOp[]> {
  const byKey = new Map(ops.map((op) => [`${keyOf(op).pk}|${keyOf(op).sk}`, op]));
  const items = await batchGet(ops.map(keyOf), { consistent: true });
  return items.flatMap((item) => {
    const op = byKey.get(`${String(item.pk)}|${String(item.sk)}`);
    if (!op) return [];
    const stored = op.kind === "assignment" ? RotaAssignment.parse(item) : RotaPattern.parse(item);
    return stored.staged?.changeId === changeId ? [op] : [];
  });
}

function auditOps(change: Pick<RotaChangeSet, "action" | "range" | "versions" | "ops" | "actor" | "at" | "changeId">): Map<string, TransactItem> {
  return new Map(
    auditEntries(change).map((entry) => [
      entry.agentId,
      {
        // Keyed by the change id, so a second finisher writes the same record, not a second one.
        Put: { TableName: tableName, Item: AuditRecord.item({ entity: "rota", entityId: entry.agentId, action: entry.action, actor: change.actor, at: change.at, details: entry.details, uuid: change.changeId }) },
      },
    ]),
  );
}

// ---- commit

/** Whether the change fits one transaction: its items, a version bump and an audit record per agent. */
export const fitsOneTransaction = (change: RotaChangeSet) => change.ops.length + 2 * change.versions.length <= maxTransactItems;

/**
 * Applies `change` whole or not at all, with one audit record per changed agent.
 *
 * @throws ConflictError (409) when an agent's rota moved since `change.versions` were read, or
 * another change holds it; ContentionError (503) when the change outlived its lease and was
 * rolled back. Anything else (store unreachable, a crash) leaves the old rota, or — after the
 * commit point — the new one, finished by recovery.
 */
export async function commitRotaChange(change: RotaChangeSet, now: Date): Promise<void> {
  if (change.ops.length === 0) return;
  const audits = auditOps(change);
  if (fitsOneTransaction(change)) {
    const items = [...change.versions.map(versionBumpOp), ...change.ops.map((op) => asTransactItem(requestFor(op, "after"))), ...audits.values()];
    await transactChecked(items, { offset: 0, list: change.versions });
    return;
  }
  await commitStaged(change, audits, now);
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

async function commitStaged(change: RotaChangeSet, audits: Map<string, TransactItem>, now: Date): Promise<void> {
  const { changeId } = change;
  const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
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

  // Lock every agent at the version the change was computed from; the first transaction also creates the header.
  let started = false;
  try {
    for (const [i, batch] of chunks(change.versions, maxTransactItems - 1).entries()) {
      const head: TransactItem[] = i === 0 ? [{ Put: { TableName: tableName, Item: header, ConditionExpression: "attribute_not_exists(pk)" } }] : [];
      await transactChecked([...head, ...batch.map((v) => versionLockOp(v, changeId, leaseUntil))], { offset: head.length, list: batch });
      started = true;
    }
    const guard: TransactItem = {
      ConditionCheck: { TableName: tableName, Key: headerKey(changeId), ConditionExpression: "#s = :applying", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":applying": "applying" } },
    };
    await inLanes(chunks(change.ops, maxTransactItems - 1), lanes, (batch) => transactChecked([guard, ...batch.map((op) => stagedPut(op, changeId))], undefined));
    // The commit point, with as many audit records as fit; the rest follow with the unlocks.
    const flip: TransactItem = {
      Update: {
        TableName: tableName,
        Key: headerKey(changeId),
        UpdateExpression: "SET #s = :committed",
        ConditionExpression: "#s = :applying",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":committed": "committed", ":applying": "applying" },
      },
    };
    await transactChecked([flip, ...[...audits.values()].slice(0, maxTransactItems - 1)], undefined);
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

async function unlock(changeId: string, agents: readonly string[], committed: boolean, audits: Map<string, TransactItem>): Promise<void> {
  // An agent already unlocked (a finisher before us) is skipped: its audit record went with its unlock.
  for (const batch of chunks(agents, Math.floor(maxTransactItems / 2))) {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      try {
        await transact(
          pending.flatMap((agentId) => {
            const audit = committed ? audits.get(agentId) : undefined;
            return audit ? [versionUnlockOp(agentId, changeId, committed), audit] : [versionUnlockOp(agentId, changeId, committed)];
          }),
        );
        pending = [];
      } catch (error) {
        if (!(error instanceof TransactionCancelledError) || attempt >= 4) throw error;
        const held = await getRotaVersions(pending);
        pending = held.filter((v) => v.changeId === changeId).map((v) => v.agentId);
        await jitter(attempt + 1);
      }
    }
  }
}

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
  // The first 99 agents' audit records went with the commit point.
  const later = new Map([...audits].slice(maxTransactItems - 1));
  await unlock(
    changeId,
    versions.map((v) => v.agentId),
    true,
    later,
  );
  await setStatus(changeId, "done", new Date().toISOString());
}

/** Before the commit point: every item back to its previous value, agents unlocked, `aborted`. Idempotent. */
async function rollBack(changeId: string, versions: readonly AgentVersion[], ops: readonly RotaChangeOp[]): Promise<void> {
  // Only items this change marked: an agent it never locked is someone else's.
  await inLanes(chunks(await stillStaged(changeId, ops), 100), lanes, (batch) => batchWrite(batch.map((op) => requestFor(op, "before"))));
  await unlock(
    changeId,
    versions.map((v) => v.agentId),
    false,
    new Map(),
  );
  await setStatus(changeId, "aborted", new Date().toISOString());
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
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: headerKey(changeId),
          UpdateExpression: "SET #s = :aborting",
          ConditionExpression: "#s = :applying",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":aborting": "aborting", ":applying": "applying" },
        }),
      );
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
