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

/** Unchanged since read, and held by no change. A missing item is version 0. */
function versionCondition(expected: number) {
  return expected === 0
    ? { ConditionExpression: "attribute_not_exists(#v) AND attribute_not_exists(changeId)" }
    : { ConditionExpression: "#v = :expected AND attribute_not_exists(changeId)", values: { ":expected": expected } };
}

export function versionBumpOp({ agentId, version }: AgentVersion): TransactItem {
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

export function versionLockOp({ agentId, version }: AgentVersion, changeId: string, leaseUntil: string): TransactItem {
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
export async function transactChecked(items: readonly TransactItem[], versions: { offset: number; list: readonly AgentVersion[] } | undefined): Promise<void> {
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
