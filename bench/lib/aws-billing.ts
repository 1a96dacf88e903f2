/**
 * What AWS would bill, from AWS's published rules, for the items a call actually wrote and
 * read. Pure (no SDK, no clock), unit-tested against AWS's documented examples
 * (tests/unit/aws-billing.test.ts).
 *
 * Why not DynamoDB Local's `ReturnConsumedCapacity`: Local merges identical entries of a
 * transaction (1, 2 or 5 small puts all report 2 units where AWS bills 2 / 4 / 10) and doubles
 * index writes inside transactions, so its figure is shown beside this one, never instead.
 *
 * Sources (DynamoDB developer guide unless said otherwise):
 * - "DynamoDB item sizes and formats" (CapacityUnitCalculations.html): an item's size is the
 *   sum of its attribute names' and values' UTF-8 bytes; numbers ≈ 1 byte per two significant
 *   digits + 1; binary its raw bytes; null and Boolean 1 byte; a List or Map 3 bytes + its
 *   elements, each element 1 byte more.
 * - "DynamoDB read and write operations" (read-write-operations.html): writes in 1 KB, reads in
 *   4 KB, eventually consistent half, transactional double; Put/Update bill the larger of the
 *   before and after images, Delete the deleted item; Batch* round each item; a Query sums the
 *   items returned, then rounds; a failed conditional write still bills the item (1 if absent);
 *   a read of a missing item still bills the minimum.
 * - "Global secondary indexes", write capacity units (GSI.html#GSI.ThroughputConsiderations):
 *   an item entering an index = 1 write, a changed index key = 2 (delete + put), leaving = 1,
 *   a changed projected attribute = 1, each sized by the index entry (its projection).
 * - "Amazon DynamoDB Transactions: How It Works", capacity management (transaction-apis.html):
 *   two underlying writes (or reads) per item, one to prepare and one to commit; changes reach
 *   the indexes after the commit, so index writes are counted once.
 *
 * Where AWS documents nothing, the choice is named where it is made (`conditionCheck`,
 * `cancelledItemUnits`).
 */

/** A DynamoDB attribute value in its wire form (what `marshall` produces). */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Uint8Array }
  | { BOOL: boolean }
  | { NULL: boolean }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: Uint8Array[] };

export type Item = Record<string, AttributeValue>;

/** DynamoDB's kilobyte: 1,024 bytes. */
export const KB = 1024;

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * Bytes of a number value. AWS's rule: "approximately (1 byte per two significant digits) +
 * (1 byte)", leading and trailing zeros trimmed, the exponent not counted. Two refinements
 * measured against real DynamoDB at the 400 KB item limit (paritysuite/dynamodb-conformance,
 * src/item-size.ts, captured 2026-08-18) are applied: an odd digit count rounds up, the digits
 * either side of the decimal point are paired separately (`3.14159` is 5 bytes, `123456` 4),
 * and a negative number takes one byte more.
 *
 * @example numberBytes("42") // 2
 */
export function numberBytes(literal: string): number {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(literal.trim());
  if (!match || (!match[2] && !match[3])) throw new RangeError(`Not a DynamoDB number: ${JSON.stringify(literal)}`);
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  const digits = whole + fraction;
  if (!/[1-9]/.test(digits)) return 1;
  // Move the decimal point by the exponent, then split into the integer and fraction halves.
  const point = whole.length + Number(exponent);
  const integerPart = (point <= 0 ? "" : point >= digits.length ? digits + "0".repeat(point - digits.length) : digits.slice(0, point)).replace(/^0+/, "");
  const fractionPart = (point <= 0 ? "0".repeat(-point) + digits : point >= digits.length ? "" : digits.slice(point)).replace(/0+$/, "");
  // Zeros between significant digits count: the integer's trailing zeros fall away only when no
  // fraction follows, the fraction's leading zeros only when no integer precedes.
  const integerDigits = fractionPart === "" ? integerPart.replace(/0+$/, "").length : integerPart.length;
  const fractionDigits = integerPart === "" ? fractionPart.replace(/^0+/, "").length : fractionPart.length;
  return 1 + Math.ceil(integerDigits / 2) + Math.ceil(fractionDigits / 2) + (sign === "-" ? 1 : 0);
}

/**
 * Bytes of one value (its name not included). Sets are not described by AWS's page; they are
 * sized as the sum of their members, without container overhead.
 */
export function valueBytes(value: AttributeValue): number {
  if ("S" in value) return utf8Bytes(value.S);
  if ("N" in value) return numberBytes(value.N);
  if ("B" in value) return value.B.byteLength;
  if ("BOOL" in value || "NULL" in value) return 1;
  if ("L" in value) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  if ("M" in value) return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8Bytes(name) + valueBytes(element), 0);
  if ("SS" in value) return value.SS.reduce((sum, s) => sum + utf8Bytes(s), 0);
  if ("NS" in value) return value.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
}

/** An item's size: every attribute's name plus its value. */
export function itemBytes(item: Item | undefined): number {
  if (!item) return 0;
  let total = 0;
  for (const [name, value] of Object.entries(item)) total += utf8Bytes(name) + valueBytes(value);
  return total;
}

/**
 * A JavaScript value as the document client marshals it (`removeUndefinedValues`): strings,
 * numbers, bigints, booleans, null, bytes, sets, arrays and plain objects. `undefined` is dropped.
 */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === undefined) return undefined;
  if (value === null) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number" || typeof value === "bigint") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (value instanceof Uint8Array) return { B: value };
  if (value instanceof Set) {
    const members = [...(value as Set<unknown>)];
    if (members.every((m) => typeof m === "string")) return { SS: members as string[] };
    if (members.every((m) => typeof m === "number" || typeof m === "bigint")) return { NS: members.map(String) };
    return { BS: members.filter((m): m is Uint8Array => m instanceof Uint8Array) };
  }
  if (Array.isArray(value)) return { L: value.map(toAttributeValue).filter((v): v is AttributeValue => v !== undefined) };
  if (typeof value === "object") {
    // lib-dynamodb's NumberValue keeps a number's exact digits.
    if ("value" in value && value.constructor?.name === "NumberValue") return { N: String((value as { value: unknown }).value) };
    return { M: toItem(value as Record<string, unknown>) };
  }
  throw new TypeError(`Cannot size a ${typeof value} as a DynamoDB value`);
}

export function toItem(document: Record<string, unknown>): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(document)) {
    const converted = toAttributeValue(value);
    if (converted !== undefined) out[name] = converted;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Units

export type ReadMode = "eventual" | "strong" | "transactional";

const readFactor: Record<ReadMode, number> = { eventual: 0.5, strong: 1, transactional: 2 };

/** Write request units for one item of `bytes`: 1 KB each, rounded up, at least 1. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / KB));
}

/** Read request units for `bytes` read at once: 4 KB each, rounded up, at least 1, by consistency. */
export function readUnits(bytes: number, mode: ReadMode): number {
  return Math.max(1, Math.ceil(bytes / (4 * KB))) * readFactor[mode];
}

// ---------------------------------------------------------------------------------------------
// Tables and indexes

export type Projection = { type: "ALL" } | { type: "KEYS_ONLY" } | { type: "INCLUDE"; attributes: readonly string[] };

export interface IndexSchema {
  name: string;
  partitionKey: string;
  sortKey?: string;
  projection: Projection;
}

export interface TableSchema {
  partitionKey: string;
  sortKey?: string;
  indexes: readonly IndexSchema[];
}

/** The item's entry in the index (its projection), or undefined when the item is not in it (sparse). */
export function indexEntry(item: Item | undefined, index: IndexSchema, table: TableSchema): Item | undefined {
  if (!item || !(index.partitionKey in item) || (index.sortKey !== undefined && !(index.sortKey in item))) return undefined;
  if (index.projection.type === "ALL") return item;
  const names = new Set([table.partitionKey, ...(table.sortKey ? [table.sortKey] : []), index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]);
  if (index.projection.type === "INCLUDE") for (const name of index.projection.attributes) names.add(name);
  const entry: Item = {};
  for (const name of names) {
    const value = item[name];
    if (value !== undefined) entry[name] = value;
  }
  return entry;
}

/** How an index entry changed: it entered, left, moved (its key changed), was rewritten in place, or did not change. */
export type IndexChange = "none" | "put" | "delete" | "move" | "update";

export interface IndexWrite {
  index: string;
  change: IndexChange;
  /** Write request units: 0, 1 per put/delete/update, 2 for a move (delete + put), each per 1 KB of entry. */
  units: number;
}

function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
  return value;
}

function sameItem(a: Item, b: Item): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if (!sameValue(a[name], b[name])) return false;
  return true;
}

/** What a table write costs one index, from the item before and after the write. */
export function indexWrite(before: Item | undefined, after: Item | undefined, index: IndexSchema, table: TableSchema): IndexWrite {
  const was = indexEntry(before, index, table);
  const is = indexEntry(after, index, table);
  const name = index.name;
  if (!was && !is) return { index: name, change: "none", units: 0 };
  if (!was && is) return { index: name, change: "put", units: writeUnits(itemBytes(is)) };
  if (was && !is) return { index: name, change: "delete", units: writeUnits(itemBytes(was)) };
  if (!was || !is) throw new Error("unreachable");
  const keyMoved = !sameValue(was[index.partitionKey], is[index.partitionKey]) || (index.sortKey !== undefined && !sameValue(was[index.sortKey], is[index.sortKey]));
  if (keyMoved) return { index: name, change: "move", units: writeUnits(itemBytes(was)) + writeUnits(itemBytes(is)) };
  if (sameItem(was, is)) return { index: name, change: "none", units: 0 };
  return { index: name, change: "update", units: writeUnits(Math.max(itemBytes(was), itemBytes(is))) };
}

export interface WriteBill {
  /** Units billed on the table (× 2 inside a transaction). */
  table: number;
  /** One entry per index the item was in before or after (changes `none` included, at 0). */
  indexes: IndexWrite[];
  /** Table and index units together. */
  units: number;
}

/**
 * A successful Put, Update or Delete (alone, in a batch, or in a transaction): the table bills
 * the larger of the before and after images (the deleted item for a delete; 1 unit when a
 * delete finds nothing), twice in a transaction; each index bills its own change once.
 */
export function writeBill(before: Item | undefined, after: Item | undefined, table: TableSchema, options: { transactional?: boolean } = {}): WriteBill {
  const base = writeUnits(Math.max(itemBytes(before), itemBytes(after)));
  const tableUnits = base * (options.transactional ? 2 : 1);
  const indexes = table.indexes.filter((index) => indexEntry(before, index, table) || indexEntry(after, index, table)).map((index) => indexWrite(before, after, index, table));
  return { table: tableUnits, indexes, units: tableUnits + indexes.reduce((sum, w) => sum + w.units, 0) };
}

/**
 * A conditional Put, Update or Delete whose condition failed (outside a transaction): AWS still
 * bills the existing item's size, or 1 unit when it does not exist; nothing reaches an index.
 */
export function failedWriteUnits(existing: Item | undefined): number {
  return writeUnits(itemBytes(existing));
}

/**
 * One item of a cancelled transaction. AWS does not document what a cancelled
 * TransactWriteItems bills (its response carries no consumed capacity). Assumption: the
 * prepare phase ran, the commit did not — one underlying write per item, sized by the item as
 * it stood (1 unit when absent), and no index write.
 */
export function cancelledItemUnits(existing: Item | undefined): number {
  return writeUnits(itemBytes(existing));
}

/**
 * A ConditionCheck inside TransactWriteItems. AWS's guide does not say which units it bills.
 * Default `write`: 2 write units per 1 KB of the checked item, as measured on real DynamoDB
 * (paritysuite/dynamodb-conformance PR #67: "A standalone ConditionCheck costs 2 WCU, billed as
 * write rather than read"); `read` bills it as a transactional read (2 read units per 4 KB).
 */
export function conditionCheckBill(existing: Item | undefined, as: "write" | "read" = "write"): { wru: number; rru: number } {
  const bytes = itemBytes(existing);
  return as === "write" ? { wru: 2 * writeUnits(bytes), rru: 0 } : { wru: 0, rru: readUnits(bytes, "transactional") };
}

/** GetItem (or one Get of TransactGetItems with `transactional`): the whole item, missing or not. */
export function getUnits(item: Item | undefined, mode: ReadMode): number {
  return readUnits(itemBytes(item), mode);
}

/** BatchGetItem: each item rounded to 4 KB on its own, then summed (missing keys bill the minimum). */
export function batchGetUnits(items: readonly (Item | undefined)[], mode: ReadMode): number {
  return items.reduce((sum, item) => sum + getUnits(item, mode), 0);
}

/**
 * Query (or Scan): the entries read — before any filter, whatever the projection asked for —
 * summed, then rounded up to 4 KB once; an empty result still bills the minimum. On an index the
 * entries are the index's projections.
 */
export function queryUnits(entries: readonly Item[], mode: Exclude<ReadMode, "transactional">): number {
  return readUnits(entries.reduce((sum, entry) => sum + itemBytes(entry), 0), mode);
}

// ---------------------------------------------------------------------------------------------
// Dollars at list prices (us-east-1, no free tier)

export const listPrices = {
  /** DynamoDB on-demand, per write request unit ($0.625 per million). */
  dynamoWru: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit ($0.125 per million). */
  dynamoRru: 0.125 / 1e6,
  /** SQS standard, per request; each 64 KB chunk of a payload is one request ($0.40 per million). */
  sqsRequest: 0.4 / 1e6,
  sqsChunkBytes: 64 * KB,
  /** Lambda, per invocation ($0.20 per million). */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda arm64, per GB-second, billed per 1 ms. */
  lambdaArmGbSecond: 0.0000133334,
  /** API Gateway HTTP API, per request of up to 512 KB ($1.00 per million). */
  httpApiRequest: 1 / 1e6,
  httpApiChunkBytes: 512 * KB,
  /** API Gateway WebSocket API, per message of up to 32 KB ($1.00 per million). */
  webSocketMessage: 1 / 1e6,
  webSocketChunkBytes: 32 * KB,
} as const;

/** SQS requests a call carrying `payloadBytes` is billed as (64 KB chunks, at least 1). */
export function sqsRequests(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / listPrices.sqsChunkBytes));
}

/** Lambda arm64: invocations plus GB-seconds, the duration billed in whole milliseconds. */
export function lambdaDollars(invocations: number, memoryMb: number, durationMs: number): number {
  return invocations * (listPrices.lambdaRequest + (memoryMb / 1024) * (Math.ceil(durationMs) / 1000) * listPrices.lambdaArmGbSecond);
}

export interface Usage {
  wru: number;
  rru: number;
  sqsRequests: number;
  lambda: readonly { invocations: number; memoryMb: number; durationMs: number }[];
  httpApiRequests: number;
  webSocketMessages: number;
}

export interface Dollars {
  dynamoDb: number;
  sqs: number;
  lambda: number;
  apiGateway: number;
  total: number;
}

/** What `usage` costs at list prices. */
export function dollars(usage: Usage): Dollars {
  const dynamoDb = usage.wru * listPrices.dynamoWru + usage.rru * listPrices.dynamoRru;
  const sqs = usage.sqsRequests * listPrices.sqsRequest;
  const lambda = usage.lambda.reduce((sum, f) => sum + lambdaDollars(f.invocations, f.memoryMb, f.durationMs), 0);
  const apiGateway = usage.httpApiRequests * listPrices.httpApiRequest + usage.webSocketMessages * listPrices.webSocketMessage;
  return { dynamoDb, sqs, lambda, apiGateway, total: dynamoDb + sqs + lambda + apiGateway };
}
