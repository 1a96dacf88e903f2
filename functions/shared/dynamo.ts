/**
 * Transitional re-export while capabilities move to the entity registry (functions/shared/table).
 * There is one client: the registry's.
 */
export { dynamo, tableName, queryAll, capacityUnits, jitter, isConditionalCheckFailed, isWriteConflict as isTransactionConflict, TransactionCancelledError } from "./table/client.js";
import { TransactionCancelledError } from "./table/client.js";

/** Reason codes of a cancelled transaction, one per item. */
export function cancellationReasons(error: unknown): string[] | undefined {
  if (error instanceof TransactionCancelledError) return [...error.reasons];
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((r) => r.Code ?? "None") ?? [];
}
