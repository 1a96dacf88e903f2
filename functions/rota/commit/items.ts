/**
 * The items a rota change writes: each op's item as before or after the change, the staged form
 * (new value marked with the change and the previous value), and the agents' audit records.
 */
import { AuditRecord, RotaAssignment, RotaPattern, batchGet, rotaAssignmentIndexAttributes, tableName, type TransactItem, type WriteRequest } from "../../shared/table/index.js";
import { auditEntries, type RotaChangeOp, type RotaChangeSet } from "../change-set.js";

/**
 * The stored item for one side of a change. Staged (`changeId` given): the new value marked with
 * the change and the previous value; a removal is a tombstone keeping the old value.
 */
function itemOf(op: RotaChangeOp, side: "before" | "after", changeId?: string): Record<string, unknown> | undefined {
  if (op.kind === "assignment") {
    const value = side === "after" ? (op.after ?? (changeId ? op.before : null)) : op.before;
    const mark = changeId ? { staged: { changeId, prev: op.before, deleted: op.after === null } } : {};
    return value ? RotaAssignment.item({ ...value, ...mark }, rotaAssignmentIndexAttributes(op.agentId, op.date)) : undefined;
  }
  const value = side === "after" ? op.after : op.before;
  const mark = changeId ? { staged: { changeId, prev: op.before, deleted: false } } : {};
  return value ? RotaPattern.item({ ...value, ...mark }, RotaPattern.index.all.attributes({ agentId: op.agentId, startDate: op.startDate })) : undefined;
}

const keyOf = (op: RotaChangeOp) => (op.kind === "assignment" ? RotaAssignment.key({ agentId: op.agentId, date: op.date }) : RotaPattern.key({ agentId: op.agentId, startDate: op.startDate }));

/** The item as one side of the change has it: a put, or a delete where that side has none. */
export function requestFor(op: RotaChangeOp, side: "before" | "after"): WriteRequest {
  const item = itemOf(op, side);
  return item ? { PutRequest: { Item: item } } : { DeleteRequest: { Key: keyOf(op) } };
}

export function asTransactItem(request: WriteRequest): TransactItem {
  if (request.PutRequest?.Item) return { Put: { TableName: tableName, Item: request.PutRequest.Item } };
  if (request.DeleteRequest?.Key) return { Delete: { TableName: tableName, Key: request.DeleteRequest.Key } };
  throw new Error("empty write request");
}

/** Staged: the new value marked with the change and the previous value. */
export function stagedPut(op: RotaChangeOp, changeId: string): TransactItem {
  const item = itemOf(op, "after", changeId);
  if (!item) throw new Error(`A rota change op for ${op.agentId} has neither a before nor an after`);
  return { Put: { TableName: tableName, Item: item } };
}

/** The ops whose item still carries this change's mark (only the change's own agents, which it holds). */
export async function stillStaged(changeId: string, ops: readonly RotaChangeOp[]): Promise<RotaChangeOp[]> {
  const byKey = new Map(ops.map((op) => [`${keyOf(op).pk}|${keyOf(op).sk}`, op]));
  const items = await batchGet(ops.map(keyOf), { consistent: true });
  return items.flatMap((item) => {
    const op = byKey.get(`${String(item.pk)}|${String(item.sk)}`);
    if (!op) return [];
    const stored = op.kind === "assignment" ? RotaAssignment.parse(item) : RotaPattern.parse(item);
    return stored.staged?.changeId === changeId ? [op] : [];
  });
}

export function auditOps(change: Pick<RotaChangeSet, "action" | "range" | "versions" | "ops" | "actor" | "at" | "changeId">): Map<string, TransactItem> {
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
