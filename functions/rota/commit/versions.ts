/**
 * Optimistic concurrency for the rota: each agent's rota version (`RotaVersion`), the conditions
 * that refuse a change computed from a version that moved or that another change holds, the 409
 * naming those agents, and the unlock that ends a change's hold.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../../shared/errors.js";
import { RotaVersion, TransactionCancelledError, batchGet, dynamo, jitter, maxTransactItems, tableName, transact, type TransactItem } from "../../shared/table/index.js";
import type { AgentVersion } from "../change-set.js";
import { chunks } from "./batches.js";

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

export async function getRotaVersions(agentIds: readonly string[]): Promise<RotaVersionState[]> {
  const items = await batchGet(agentIds.map((agentId) => RotaVersion.key({ agentId })), { consistent: true });
  const found = new Map(items.map((item) => RotaVersion.parse(item)).map((v) => [v.agentId, v]));
  return agentIds.map((agentId) => found.get(agentId) ?? { agentId, version: 0 });
}

/**
 * A write to an agent's version item, conditional on it being unchanged since read and held by
 * no change (a missing item is version 0); it (re)states the item's agentId and type.
 */
function guardedVersionUpdate({ agentId, version }: AgentVersion, set: string, values: Record<string, unknown>): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: RotaVersion.key({ agentId }),
      UpdateExpression: `SET ${set}, agentId = :agentId, #type = :type`,
      ConditionExpression: version === 0 ? "attribute_not_exists(#v) AND attribute_not_exists(changeId)" : "#v = :expected AND attribute_not_exists(changeId)",
      ExpressionAttributeNames: { "#v": "version", "#type": "type" },
      ExpressionAttributeValues: { ...values, ":agentId": agentId, ":type": RotaVersion.type, ...(version === 0 ? {} : { ":expected": version }) },
    },
  };
}

export function versionBumpOp(expected: AgentVersion): TransactItem {
  return guardedVersionUpdate(expected, "#v = :next", { ":next": expected.version + 1 });
}

export function versionLockOp(expected: AgentVersion, changeId: string, leaseUntil: string): TransactItem {
  return guardedVersionUpdate(expected, "changeId = :change, leaseUntil = :lease", { ":change": changeId, ":lease": leaseUntil });
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

/** Pure transaction collisions retried before giving up (shift use counts make a popular shift's item shared by concurrent changes). */
const conflictAttempts = 8;

/**
 * One transaction; a pure TransactionConflict (another transaction on the same items at that
 * moment, no condition failed) is retried as is, since its conditions still say whether the
 * change may apply. A failed version condition becomes the 409; any other failed condition goes
 * to `otherwise` (e.g. a shift deleted meanwhile), else the cancellation is rethrown.
 */
export async function transactChecked(
  items: readonly TransactItem[],
  versions: { offset: number; list: readonly AgentVersion[] } | undefined,
  otherwise?: (error: TransactionCancelledError) => Error | undefined,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await transact(items);
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      const failed = error.reasons.some((r) => r === "ConditionalCheckFailed");
      if (!failed && error.isConflict && attempt < conflictAttempts) {
        await jitter(attempt + 2);
        continue;
      }
      if (versions && (error.reasons.slice(versions.offset, versions.offset + versions.list.length).some((r) => r === "ConditionalCheckFailed") || !failed)) throw await conflictFor(versions.list);
      throw otherwise?.(error) ?? error;
    }
  }
}

export async function unlock(changeId: string, agents: readonly string[], committed: boolean, audits: Map<string, TransactItem>): Promise<void> {
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
