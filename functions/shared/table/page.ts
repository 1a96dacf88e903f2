/**
 * Cursor pagination over one partition of the table or of an index, for lists that can grow
 * (campaigns, sent notices, a waiting line): a stable order (the partition's sort key), a page of
 * at most `limit` items, and an opaque `next` cursor present exactly when more items follow, so a
 * client walking `next` sees every item once and never ends on an empty page.
 */
import type { IndexName } from "../../catalog/resources.js";
import { ValidationError } from "../errors.js";
import { decodeCursor, encodeCursor, queryPage } from "./client.js";
import { indexAttributes } from "./entity.js";

export interface PartitionPage {
  items: Record<string, unknown>[];
  /** Opaque cursor of the next page; absent on the last page. */
  next?: string;
}

export interface PartitionPageOptions {
  /** The index queried; absent: the table itself. */
  index?: IndexName;
  /** The partition value (from the entity: `Campaign.index.all.partition({})`). */
  partition: string;
  limit: number;
  cursor?: string | undefined;
  /** Descending sort-key order (newest first for time-ordered keys). */
  descending?: boolean;
  /** Names the problem in the 400 when the cursor belongs elsewhere ("campaigns"). */
  listName: string;
}

/**
 * One page of a partition in sort-key order. A cursor is checked against the query it came from
 * (the same key attributes and partition): a forged cursor, or one of another list, is a 400
 * naming `cursor`, never a DynamoDB error surfacing as a 500.
 *
 * @example
 * const first = await partitionPage({ index: "gsi2", partition: Campaign.index.all.partition({}), limit: 50, listName: "campaigns" });
 * const second = first.next ? await partitionPage({ ...sameOptions, cursor: first.next }) : undefined;
 */
export async function partitionPage(options: PartitionPageOptions): Promise<PartitionPage> {
  const keys = options.index ? indexAttributes(options.index) : undefined;
  const partitionAttribute = keys ? keys.pk : "pk";
  const keyNames = ["pk", "sk", ...(keys ? [keys.pk, keys.sk] : [])];
  if (options.cursor !== undefined) {
    const start = decodeCursor(options.cursor);
    const names = Object.keys(start).sort().join(",");
    if (names !== [...keyNames].sort().join(",") || start[partitionAttribute] !== options.partition) {
      throw new ValidationError(`The cursor is not one of the ${options.listName} list; start again without it.`, { errors: [{ field: "cursor", message: `not a cursor of the ${options.listName} list` }] });
    }
  }
  // One item more than asked tells whether another page follows, so `next` never leads to an empty page.
  const page = await queryPage(
    {
      ...(options.index ? { IndexName: options.index } : {}),
      KeyConditionExpression: "#p = :p",
      ExpressionAttributeNames: { "#p": partitionAttribute },
      ExpressionAttributeValues: { ":p": options.partition },
      Limit: options.limit + 1,
      ScanIndexForward: !options.descending,
    },
    options.cursor,
  );
  const items = page.items.slice(0, options.limit);
  const last = items.at(-1);
  const more = page.items.length > options.limit || (page.next !== undefined && items.length < options.limit);
  return { items, ...(more && last ? { next: encodeCursor(Object.fromEntries(keyNames.map((k) => [k, last[k]]))) } : {}) };
}

export { pageQuery } from "./page-query.js";
