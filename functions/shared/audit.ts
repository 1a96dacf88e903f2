/**
 * Audit trail: who did what, when. Records are written in the same transaction as the change
 * they describe where possible, so a change without its audit record cannot exist.
 */
import { randomUUID } from "node:crypto";
import type * as z from "zod/mini";
import { AuditRecord, auditEntrySchema, decodeCursor, encodeCursor, queryAll, queryPage, tableName } from "./table/index.js";
import { ValidationError } from "./errors.js";

export type AuditEntry = z.infer<typeof auditEntrySchema>;

/**
 * A `Put` for `TransactWriteItems`, so the audit record commits with the change. `id` (default
 * random) is the key's tail: a writer that may repeat the same put passes a stable one.
 */
export function auditPut(entry: AuditEntry, id: string = randomUUID()) {
  return {
    Put: {
      TableName: tableName,
      // The random tail keeps two changes in the same millisecond apart and their order stable.
      Item: { ...entry, ...AuditRecord.key({ entity: entry.entity, entityId: entry.entityId, at: entry.at, uuid: id }), type: AuditRecord.type },
    },
  };
}

function trailQuery(entity: string, entityId: string) {
  return { KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": AuditRecord.partition({ entity, entityId }) } };
}

const parse = (item: Record<string, unknown>): AuditEntry => AuditRecord.parse(item);

/** The whole audit trail of one entity, oldest first (tests, small trails). */
export async function auditTrail(entity: string, entityId: string): Promise<AuditEntry[]> {
  return (await queryAll(trailQuery(entity, entityId))).map(parse);
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Opaque cursor of the next page; absent on the last page. */
  next?: string;
}

/**
 * One page of an entity's audit trail in a stable order (by time, then the record's random tail),
 * oldest first or newest first. `next` is present exactly when more entries follow.
 *
 * @example
 * const first = await auditTrailPage("stock", "SKU-1", { limit: 100, newestFirst: true });
 * const second = first.next ? await auditTrailPage("stock", "SKU-1", { limit: 100, newestFirst: true, cursor: first.next }) : undefined;
 */
export async function auditTrailPage(entity: string, entityId: string, options: { limit: number; cursor?: string; newestFirst?: boolean }): Promise<AuditPage> {
  const query = trailQuery(entity, entityId);
  if (options.cursor !== undefined) {
    // A cursor of another trail (or a hand-made one) would make DynamoDB reject the start key.
    const start = decodeCursor(options.cursor);
    const names = Object.keys(start).sort().join(",");
    if (names !== "pk,sk" || start.pk !== query.ExpressionAttributeValues[":pk"]) {
      throw new ValidationError("The cursor belongs to another audit trail; start again without it.", { errors: [{ field: "cursor", message: "not a cursor of this trail" }] });
    }
  }
  // One entry more than asked tells whether another page follows, so `next` never leads to an empty page.
  const page = await queryPage({ ...query, Limit: options.limit + 1, ScanIndexForward: !options.newestFirst }, options.cursor);
  const items = page.items.slice(0, options.limit);
  const last = items.at(-1);
  const more = page.items.length > options.limit || (page.next !== undefined && items.length < options.limit);
  return {
    entries: items.map(parse),
    ...(more && last ? { next: encodeCursor({ pk: last.pk, sk: last.sk }) } : {}),
  };
}
