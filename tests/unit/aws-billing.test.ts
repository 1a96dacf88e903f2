/**
 * The bench's AWS cost model (bench/lib/aws-billing.ts) against the examples AWS publishes.
 * Each expectation quotes its source; "guide" is the Amazon DynamoDB Developer Guide.
 */
import { describe, expect, it } from "vitest";
import {
  batchGetUnits,
  cancelledItemUnits,
  conditionCheckBill,
  dollars,
  failedWriteUnits,
  getUnits,
  indexEntry,
  indexWrite,
  itemBytes,
  KB,
  lambdaDollars,
  numberBytes,
  queryUnits,
  readUnits,
  sqsRequests,
  toItem,
  valueBytes,
  writeBill,
  writeUnits,
  type IndexSchema,
  type Item,
  type TableSchema,
} from "../../bench/lib/aws-billing.js";
import type { BillLine, RecordedCall } from "../../bench/lib/billing-recorder.js";
import { billingFloor, callSteps, isInvariantLine, summarizeWindows, type FunctionInfo, type Window } from "../../bench/lib/billing-report.js";

/** An item of exactly `bytes` bytes: `pk` (2 + 1 bytes) and a padding string `p` (1 + n). */
function itemOf(bytes: number, pk = "k"): Item {
  const padding = bytes - (2 + pk.length) - 1;
  if (padding < 0) throw new Error(`no room for ${bytes} bytes`);
  const item: Item = { pk: { S: pk }, p: { S: "x".repeat(padding) } };
  expect(itemBytes(item)).toBe(bytes);
  return item;
}

const gsi: IndexSchema = { name: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: { type: "ALL" } };
const table: TableSchema = { partitionKey: "pk", sortKey: "sk", indexes: [gsi] };

describe("item size (guide, 'DynamoDB item sizes and formats', CapacityUnitCalculations.html)", () => {
  it("strings: 'the size of a string is (number of UTF-8-encoded bytes of attribute name) + (number of UTF-8-encoded bytes)'", () => {
    expect(itemBytes({ name: { S: "Li Na" } })).toBe(4 + 5);
    // UTF-8, not UTF-16: 客服 is 6 bytes, its name 4.
    expect(itemBytes({ 名字: { S: "客服" } })).toBe(6 + 6);
  });

  it("numbers: 'approximately (number of UTF-8-encoded bytes of attribute name) + (1 byte per two significant digits) + (1 byte)', leading and trailing zeros trimmed", () => {
    expect(itemBytes({ load: { N: "12" } })).toBe(4 + 2);
    expect(numberBytes("1234")).toBe(3);
    expect(numberBytes("0042")).toBe(2);
    expect(numberBytes("100")).toBe(2);
    expect(numberBytes("12345678901234567890123456789012345678")).toBe(20);
    expect(numberBytes("0")).toBe(1);
  });

  it("numbers, as measured on real DynamoDB where the guide is approximate (paritysuite/dynamodb-conformance, src/item-size.ts, 2026-08-18 capture)", () => {
    // "['123', 3, '']", "['3.14159', 5, 'the documented rule predicts 4']", "['123456', 4, ...]",
    // "['100.5', 4, ...]", "['0.0000001', 2, ...]", "['1E125', 2, 'the exponent is not counted']", "['-42', 3, 'the sign byte is real']"
    expect(numberBytes("123")).toBe(3);
    expect(numberBytes("3.14159")).toBe(5);
    expect(numberBytes("123456")).toBe(4);
    expect(numberBytes("100.5")).toBe(4);
    expect(numberBytes("0.0000001")).toBe(2);
    expect(numberBytes("1E125")).toBe(2);
    expect(numberBytes("1e+21")).toBe(2);
    expect(numberBytes("-42")).toBe(3);
    expect(numberBytes("-0")).toBe(1);
    expect(() => numberBytes("twelve")).toThrow(RangeError);
  });

  it("binary: '(number of UTF-8-encoded bytes of attribute name) + (number of raw bytes)'; null and Boolean: '+ (1 byte)'", () => {
    expect(itemBytes({ img: { B: new Uint8Array(10) } })).toBe(3 + 10);
    expect(itemBytes({ ok: { BOOL: true }, gone: { NULL: true } })).toBe(2 + 1 + 4 + 1);
  });

  it("List and Map: 'requires 3 bytes of overhead, regardless of its contents' and 'Each List or Map element also requires 1 byte of overhead'", () => {
    // "The size of an empty List or Map is (number of UTF-8-encoded bytes of attribute name) + (3 bytes)."
    expect(itemBytes({ h: { L: [] } })).toBe(1 + 3);
    expect(itemBytes({ h: { M: {} } })).toBe(1 + 3);
    // A list of two strings: name + 3 + (1 + 2) + (1 + 3).
    expect(itemBytes({ skills: { L: [{ S: "vi" }, { S: "vip" }] } })).toBe(6 + 3 + 3 + 4);
    // A map element is a named attribute: its name counts with its value.
    expect(valueBytes({ M: { at: { S: "2026" }, n: { N: "1" } } })).toBe(3 + (1 + 2 + 4) + (1 + 1 + 2));
  });

  it("sizes what the document client would write: undefined dropped, nested lists and maps, sets as their members", () => {
    const item = toItem({ pk: "AGENT#a1", load: 3, paused: false, note: undefined, history: [{ at: "t", action: "assigned" }], tags: new Set(["a", "bc"]) });
    expect(Object.keys(item)).toEqual(["pk", "load", "paused", "history", "tags"]);
    expect(itemBytes(item)).toBe(2 + 8 + (4 + 2) + (6 + 1) + (7 + 3 + 1 + (3 + (1 + 2 + 1) + (1 + 6 + 8))) + (4 + 3));
  });
});

describe("capacity units (guide, 'DynamoDB read and write operations', read-write-operations.html)", () => {
  it("'reading a 3,500-byte item consumes the same throughput as reading a 4 KB item'", () => {
    expect(readUnits(3500, "strong")).toBe(readUnits(4 * KB, "strong"));
    expect(readUnits(3500, "strong")).toBe(1);
  });

  it("'if your item size is 8 KB, you require 2 read units to sustain one strongly consistent read ... 1 read unit if you choose eventually consistent reads or 4 read units for a transactional read request'", () => {
    const item = itemOf(8 * KB);
    expect(getUnits(item, "strong")).toBe(2);
    expect(getUnits(item, "eventual")).toBe(1);
    expect(getUnits(item, "transactional")).toBe(4);
  });

  it("GetItem: 'if you read an item that is 3.5 KB, DynamoDB rounds the item size to 4 KB. If you read an item of 10 KB, DynamoDB rounds the item size to 12 KB'", () => {
    expect(getUnits(itemOf(3.5 * KB), "strong")).toBe(1);
    expect(getUnits(itemOf(10 * KB), "strong")).toBe(3);
    expect(getUnits(itemOf(10 * KB), "eventual")).toBe(1.5);
  });

  it("'If you perform a read operation on an item that does not exist, DynamoDB will still consume provisioned read throughput: ... one read capacity unit, ... eventually consistent ... 0.5'", () => {
    expect(getUnits(undefined, "strong")).toBe(1);
    expect(getUnits(undefined, "eventual")).toBe(0.5);
  });

  it("BatchGetItem: 'if BatchGetItem reads a 1.5 KB item and a 6.5 KB item, DynamoDB will calculate the size as 12 KB (4 KB + 8 KB), not 8 KB'", () => {
    expect(batchGetUnits([itemOf(1.5 * KB), itemOf(6.5 * KB)], "strong")).toBe(3);
  });

  it("Query: 'your query returns 10 items whose combined size is 40.8 KB. DynamoDB rounds the item size for the operation to 44 KB' and '1500 items of 64 bytes each, the cumulative size is 96 KB'", () => {
    const ten = Array.from({ length: 10 }, (_, i) => itemOf(Math.round(4.08 * KB), `k${i}`));
    expect(queryUnits(ten, "strong")).toBe(11);
    const small = Array.from({ length: 1500 }, (_, i) => itemOf(64, `k${String(i).padStart(4, "0")}`));
    expect(queryUnits(small, "strong")).toBe(24);
  });

  it("'For an eventually consistent read, if total item size is 80 KB, the operation consumes only 10 capacity units'; an empty Query still bills the minimum", () => {
    expect(queryUnits(Array.from({ length: 20 }, (_, i) => itemOf(4 * KB, `k${i}`)), "eventual")).toBe(10);
    expect(queryUnits([], "eventual")).toBe(0.5);
  });

  it("Put/Delete: 'if you put or delete an item of 1.6 KB, DynamoDB rounds the item size up to 2 KB'", () => {
    const item = itemOf(Math.round(1.6 * KB));
    expect(writeBill(undefined, item, { partitionKey: "pk", indexes: [] }).units).toBe(2);
    expect(writeBill(item, undefined, { partitionKey: "pk", indexes: [] }).units).toBe(2);
  });

  it("UpdateItem: 'The provisioned throughput consumed reflects the larger of these item sizes' (before and after)", () => {
    const plain: TableSchema = { partitionKey: "pk", indexes: [] };
    expect(writeBill(itemOf(2.5 * KB), itemOf(500), plain).units).toBe(3);
    expect(writeBill(itemOf(500), itemOf(2.5 * KB), plain).units).toBe(3);
    expect(writeBill(undefined, undefined, plain).units).toBe(1);
  });

  it("BatchWriteItem: 'writes a 500 byte item and a 3.5 KB item, DynamoDB will calculate the size as 5 KB (1 KB + 4 KB), not 4 KB'", () => {
    const plain: TableSchema = { partitionKey: "pk", indexes: [] };
    expect(writeBill(undefined, itemOf(500), plain).units + writeBill(undefined, itemOf(3.5 * KB), plain).units).toBe(5);
  });

  it("failed conditional writes: 'a failed conditional write of a 1 KB item would consume one write capacity unit; if the item were twice that size ... two' and 'If the item does not exist, DynamoDB will consume one write capacity unit'", () => {
    expect(failedWriteUnits(itemOf(1 * KB))).toBe(1);
    expect(failedWriteUnits(itemOf(2 * KB))).toBe(2);
    expect(failedWriteUnits(undefined)).toBe(1);
  });

  it("AWS pricing page (aws.amazon.com/dynamodb/pricing/provisioned): 'a standard write request of a 1 KB item would require one WCU, a standard write request of a 3 KB item would require three WCUs, and a transactional write request of a 3 KB item would require six WCUs'", () => {
    const plain: TableSchema = { partitionKey: "pk", indexes: [] };
    expect(writeBill(undefined, itemOf(1 * KB), plain).units).toBe(1);
    expect(writeBill(undefined, itemOf(3 * KB), plain).units).toBe(3);
    expect(writeBill(undefined, itemOf(3 * KB), plain, { transactional: true }).units).toBe(6);
    expect(writeUnits(1 * KB + 1)).toBe(2);
  });
});

describe("transactions (guide, 'Amazon DynamoDB Transactions: How It Works', capacity management)", () => {
  it("'each transaction writes three 500-byte items ... Each item requires two write capacity units (WCUs) ... you would need to provision six WCUs'", () => {
    const plain: TableSchema = { partitionKey: "pk", indexes: [] };
    const units = [1, 2, 3].map((i) => writeBill(undefined, itemOf(500, `k${i}`), plain, { transactional: true }).units);
    expect(units.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it("'each transaction reads three 500-byte items, you would need to provision six read capacity units (RCUs)'", () => {
    expect([1, 2, 3].reduce((sum, i) => sum + getUnits(itemOf(500, `k${i}`), "transactional"), 0)).toBe(6);
  });

  it("index writes of a transaction are counted once ('Changes made with transactions are propagated to global secondary indexes ... after the transaction completes')", () => {
    const item: Item = { pk: { S: "C#1" }, sk: { S: "C" }, gsi1pk: { S: "QUEUED" }, gsi1sk: { S: "t" } };
    const bill = writeBill(undefined, item, table, { transactional: true });
    expect(bill.table).toBe(2);
    expect(bill.indexes).toEqual([{ index: "gsi1", change: "put", units: 1 }]);
    expect(bill.units).toBe(3);
  });

  it("a ConditionCheck bills 2 write units per KB by default (measured on AWS, paritysuite PR #67), or a transactional read when asked", () => {
    expect(conditionCheckBill(itemOf(500))).toEqual({ wru: 2, rru: 0 });
    expect(conditionCheckBill(itemOf(500), "read")).toEqual({ wru: 0, rru: 2 });
    expect(conditionCheckBill(undefined)).toEqual({ wru: 2, rru: 0 });
  });

  it("a cancelled transaction's item bills one underlying write of the item as it stood (the stated assumption), and no index write", () => {
    expect(cancelledItemUnits(itemOf(1.5 * KB))).toBe(2);
    expect(cancelledItemUnits(undefined)).toBe(1);
  });
});

describe("global secondary indexes (guide, GSI.html, 'Provisioned throughput considerations')", () => {
  const base: Item = { pk: { S: "A#1" }, sk: { S: "SEAT" }, load: { N: "1" } };
  const inPool: Item = { ...base, gsi1pk: { S: "POOL#presale" }, gsi1sk: { S: "0.02#a" } };

  it("'If you write a new item to the table that defines an indexed attribute ... one write operation is required to put the item into the index'", () => {
    expect(indexWrite(undefined, inPool, gsi, table)).toEqual({ index: "gsi1", change: "put", units: 1 });
    expect(indexWrite(base, inPool, gsi, table).change).toBe("put");
  });

  it("'If an update to the table changes the value of an indexed key attribute (from A to B), two writes are required'", () => {
    const moved: Item = { ...inPool, gsi1sk: { S: "0.04#a" }, load: { N: "2" } };
    expect(indexWrite(inPool, moved, gsi, table)).toEqual({ index: "gsi1", change: "move", units: 2 });
  });

  it("'a write to the table caused the indexed attribute to be deleted, one write is required to delete the old item projection'", () => {
    expect(indexWrite(inPool, base, gsi, table)).toEqual({ index: "gsi1", change: "delete", units: 1 });
    expect(indexWrite(inPool, undefined, gsi, table).change).toBe("delete");
  });

  it("'If an item is not present in the index before or after the item is updated, there is no additional write cost for the index'", () => {
    expect(indexWrite(base, { ...base, load: { N: "2" } }, gsi, table)).toEqual({ index: "gsi1", change: "none", units: 0 });
  });

  it("'only changes the value of projected attributes ... one write is required'; with KEYS_ONLY an unprojected change costs nothing", () => {
    expect(indexWrite(inPool, { ...inPool, load: { N: "2" } }, gsi, table)).toEqual({ index: "gsi1", change: "update", units: 1 });
    expect(indexWrite(inPool, inPool, gsi, table).change).toBe("none");
    const keysOnly: IndexSchema = { ...gsi, projection: { type: "KEYS_ONLY" } };
    expect(indexWrite(inPool, { ...inPool, load: { N: "2" } }, keysOnly, table).change).toBe("none");
    expect(indexEntry(inPool, keysOnly, table)).toEqual({ pk: inPool.pk, sk: inPool.sk, gsi1pk: inPool.gsi1pk, gsi1sk: inPool.gsi1sk });
    const include: IndexSchema = { ...gsi, projection: { type: "INCLUDE", attributes: ["load"] } };
    expect(indexWrite(inPool, { ...inPool, load: { N: "2" } }, include, table).change).toBe("update");
  });

  it("'Larger index entries will require additional write capacity units': a 1.5 KB entry moving costs 2 + 2", () => {
    const big: Item = { ...inPool, p: { S: "x".repeat(1500) } };
    expect(indexWrite(big, { ...big, gsi1sk: { S: "0.06#a" } }, gsi, table).units).toBe(4);
    const keysOnly: IndexSchema = { ...gsi, projection: { type: "KEYS_ONLY" } };
    expect(indexWrite(big, { ...big, gsi1sk: { S: "0.06#a" } }, keysOnly, table).units).toBe(2);
  });

  it("GSI query: 'each item contains 2000 bytes of data ... the query returns 8 items ... the total cost is 0.5 × (16 KB / 4 KB), or 2 read capacity units'", () => {
    expect(queryUnits(Array.from({ length: 8 }, (_, i) => itemOf(2000, `k${i}`)), "eventual")).toBe(2);
  });

  it("a sparse index: an item without the index's key attributes is not in it", () => {
    expect(indexEntry(base, gsi, table)).toBeUndefined();
    expect(indexEntry({ ...base, gsi1pk: { S: "P" } }, gsi, table)).toBeUndefined();
    expect(writeBill(base, { ...base, load: { N: "2" } }, table).indexes).toEqual([]);
  });
});

describe("dollars at list prices", () => {
  it("DynamoDB on-demand: a million conversations of 6 write and 2 read units cost $3.75 + $0.25", () => {
    const d = dollars({ wru: 6e6, rru: 2e6, sqsRequests: 0, lambda: [], httpApiRequests: 0, webSocketMessages: 0 });
    expect(d.dynamoDb).toBeCloseTo(4.0, 10);
    expect(d.total).toBeCloseTo(4.0, 10);
  });

  it("SQS bills each 64 KB chunk as one request ($0.40 per million); HTTP API $1 per million", () => {
    expect(sqsRequests(2_000)).toBe(1);
    expect(sqsRequests(64 * KB + 1)).toBe(2);
    const d = dollars({ wru: 0, rru: 0, sqsRequests: 3e6, lambda: [], httpApiRequests: 1e6, webSocketMessages: 0 });
    expect(d.sqs).toBeCloseTo(1.2, 10);
    expect(d.apiGateway).toBeCloseTo(1.0, 10);
  });

  it("Lambda arm64: $0.20 per million invocations plus $0.0000133334 per GB-second, billed per millisecond", () => {
    // A million 512 MB invocations of 20 ms: 0.2 + 1e6 × 0.5 GB × 0.02 s × 0.0000133334 = 0.2 + 0.133334.
    expect(lambdaDollars(1e6, 512, 20)).toBeCloseTo(0.333334, 6);
    expect(lambdaDollars(1, 1024, 0.2)).toBeCloseTo(0.2e-6 + 0.001 * 0.0000133334, 12);
  });
});

describe("per-unit figures from recorded windows (bench/lib/billing-report.ts)", () => {
  const call = (fn: string, operation: string, startedAt: number, endedAt: number, lines: RecordedCall["lines"], localUnits?: number): RecordedCall => ({
    fn,
    operation,
    startedAt,
    endedAt,
    overheadMs: 0,
    ok: true,
    lines,
    wru: lines.reduce((s, l) => s + l.wru, 0),
    rru: lines.reduce((s, l) => s + l.rru, 0),
    localUnits,
  });
  const line = (action: BillLine["action"], entity: string, wru: number, rru: number, target = "table"): BillLine => ({ action, entity, target, transactional: false, failed: false, wru, rru });
  const webhook: FunctionInfo = { name: "Webhook", memoryMb: 512 };
  const router: FunctionInfo = { name: "Router", memoryMb: 1024 };

  it("averages billed units per unit of work, keeps cache reads apart, and prices SQS, Lambda and HTTP", () => {
    const window = (t: number): Window => ({
      calls: [
        call("Webhook", "TransactWriteItems", t, t + 10, [line("Put", "Conversation", 2, 0), line("Put", "Conversation", 1, 0, "gsi2")], 3),
        call("Router", "GetItem", t + 20, t + 25, [line("Get", "LiveSettings", 0, 1)], 1),
        call("Router", "Query", t + 30, t + 35, [line("Query", "Seat", 0, 0.5, "gsi1")], 0.5),
        call("Router", "GetItem", t + 31, t + 34, [line("Get", "KnownAgent", 0, 0.5)], 0.5),
        call("Router", "TransactWriteItems", t + 40, t + 60, [line("Update", "Agent", 2, 0)]),
      ],
      sends: [{ fn: "Webhook", queue: "conversations", operation: "SendMessage", messages: 1, bytes: 500, requests: 1, startedAt: t + 11, endedAt: t + 12 }],
    });
    const figures = summarizeWindows([window(0), window(1000)], { http: { function: webhook, requests: 1 }, consumerOf: (q) => (q === "conversations" ? router : undefined), amortisedEntities: new Set(["LiveSettings"]), webSocketMessages: 1 });
    expect(figures.samples).toBe(2);
    expect(figures.wru).toBe(5);
    expect(figures.rru).toBe(1);
    expect(figures.billedUnits).toBe(6);
    expect(figures.amortisedUnits).toBe(1);
    // The transaction returned no consumed capacity (as a cancelled one): counted, not guessed.
    expect(figures.localUnits).toBe(5);
    expect(figures.callsWithoutLocalFigure).toBe(2);
    expect(figures.sqs).toEqual({ sent: 1, sendRequests: 1, consumeRequests: 2, requests: 3 });
    // Webhook: a transaction then a send, in sequence; router: a read, the two parallel reads as one step, a transaction.
    expect([...figures.lambda].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "Router", memoryMb: 1024, invocations: 1, durationMs: 5 + 5 + 5 + 15, measuredMs: 5 + 5 + 20 },
      { name: "Webhook", memoryMb: 512, invocations: 1, durationMs: 5 + 15 + 10, measuredMs: 11 },
    ]);
    const expected = (5 * 0.625 + 2 * 0.125) / 1e6 + 3 * 0.4e-6 + lambdaDollars(1, 512, 30) + lambdaDollars(1, 1024, 30) + 2e-6;
    expect(figures.dollarsPerMillion.total).toBeCloseTo(expected * 1e6, 2);
    expect(figures.breakdown[0]).toMatchObject({ fn: "Webhook", action: "Put", entity: "Conversation", target: "table", wru: 2 });
  });

  it("adds the modelled lines of work outside the windows once per unit: to the totals, the dollars and the breakdown", () => {
    const fanout: FunctionInfo = { name: "Fanout", memoryMb: 512 };
    const window: Window = { calls: [call("Fanout", "BatchWriteItem", 0, 10, [line("Put", "NoticeDelivery", 20, 0)], 20)], sends: [] };
    const plain = summarizeWindows([window], { units: 10, consumerOf: () => undefined, extraInvocations: [{ function: fanout, invocations: 0.1 }] });
    const scan = { fn: "Sweeper", operation: "BatchGetItem", action: "Get" as const, entity: "Conversation", target: "table (modelled)", wru: 0, rru: 0.5 };
    const figures = summarizeWindows([window], { units: 10, consumerOf: () => undefined, extraInvocations: [{ function: fanout, invocations: 0.1 }], modelledLines: [scan] });
    expect(figures.rru).toBe(plain.rru + 0.5);
    expect(figures.billedUnits).toBe(plain.billedUnits + 0.5);
    expect(figures.breakdown).toContainEqual({ ...scan, rru: 0.5 });
    expect(figures.dollarsPerMillion.dynamoDb).toBeCloseTo(plain.dollarsPerMillion.dynamoDb + 0.5 * 0.125, 3);
  });

  it("spreads one invocation over the units it served (a fan-out per receipt)", () => {
    const fanout: FunctionInfo = { name: "Fanout", memoryMb: 512 };
    const window: Window = { calls: [call("Fanout", "BatchWriteItem", 0, 10, [line("Put", "NoticeDelivery", 20, 0)], 20)], sends: [] };
    const figures = summarizeWindows([window], { units: 10, consumerOf: () => undefined, extraInvocations: [{ function: fanout, invocations: 0.1 }] });
    expect(figures.wru).toBe(2);
    expect(figures.lambda).toEqual([{ name: "Fanout", memoryMb: 512, invocations: 0.1, durationMs: 5 + 10, measuredMs: 10 }]);
  });

  it("a burst: observed batches share one receive and one delete, and concurrent invocations keep their own durations", () => {
    // Four conversations: two webhook requests' sends, two Router invocations of two records
    // each, running at the same time (their calls overlap but are separate billed durations).
    const send = (t: number) => ({ fn: "Webhook", queue: "conversations", operation: "SendMessage", messages: 1, bytes: 500, requests: 1, startedAt: t, endedAt: t + 1 });
    const routerCall = (invocation: string, operation: string, t: number, d: number, lines: RecordedCall["lines"]) => ({ ...call("Router", operation, t, t + d, lines), invocation });
    const window: Window = {
      calls: [
        routerCall("r1", "Query", 100, 5, [line("Query", "Seat", 0, 0.5, "gsi1")]),
        routerCall("r2", "Query", 101, 5, [line("Query", "Seat", 0, 0.5, "gsi1")]),
        routerCall("r1", "TransactWriteItems", 110, 20, [line("Update", "Agent", 4, 0)]),
        routerCall("r2", "TransactWriteItems", 111, 20, [line("Update", "Agent", 4, 0)]),
      ],
      sends: [send(0), send(1), send(2), send(3)],
    };
    const figures = summarizeWindows([window], { units: 4, consumerOf: (q) => (q === "conversations" ? router : undefined), observedConsumers: [{ function: router, invocations: 2 }] });
    expect(figures.billedUnits).toBe(2.25);
    // 4 sends + (receive + delete) × 2 batches, over 4 conversations.
    expect(figures.sqs).toEqual({ sent: 1, sendRequests: 1, consumeRequests: 1, requests: 2 });
    // Each invocation: its read, then its transaction (not merged with the other's overlapping calls).
    expect(figures.lambda).toEqual([{ name: "Router", memoryMb: 1024, invocations: 0.5, durationMs: 5 + 5 + 15, measuredMs: 25 }]);
    // Without the invocation ids the overlapping calls of both would be one sequence of two steps.
    const merged = summarizeWindows([{ ...window, calls: window.calls.map(({ invocation: _i, ...c }) => c) }], { units: 4, consumerOf: () => router, observedConsumers: [{ function: router, invocations: 2 }] });
    expect(merged.lambda[0]?.durationMs).toBe(5 + (5 + 15) / 2);
  });

  it("prices the floor: only the invariant items and the pool read, the run's SQS, API Gateway and Lambda beside them", () => {
    const window: Window = {
      calls: [
        call("Webhook", "PutItem", 0, 5, [line("Put", "Conversation", 1, 0), line("Put", "Conversation", 1, 0, "gsi2"), line("Put", "Conversation", 1, 0, "gsi4")]),
        call("Webhook", "UpdateItem", 6, 8, [line("Update", "ArrivalCount", 1, 0)]),
        call("Router", "Query", 10, 12, [line("Query", "Seat", 0, 0.5, "gsi1")]),
        call("Router", "GetItem", 10, 12, [line("Get", "KnownAgent", 0, 0.5)]),
        call("Router", "TransactWriteItems", 20, 40, [line("Update", "Agent", 2, 0), line("Update", "Agent", 1, 0, "gsi2"), line("Update", "Conversation", 2, 0), line("Update", "Conversation", 2, 0, "gsi2"), line("Put", "Assignment", 2, 0), line("Update", "RoutingHour", 2, 0)]),
        call("Router", "Query", 41, 43, [line("Query", "AgentConnection", 0, 0.5)]),
        // The aggregates' stream consumer: every call of it dropped, and its invocation with them.
        call("Aggregates", "UpdateItem", 60, 65, [line("Update", "RoutingHour", 1, 0)]),
      ],
      streamInvocations: [{ function: { name: "Aggregates", memoryMb: 512 }, invocations: 1 }],
      sends: [{ fn: "Webhook", queue: "conversations", operation: "SendMessage", messages: 1, bytes: 500, requests: 1, startedAt: 5, endedAt: 6 }],
    };
    const figures = summarizeWindows([window], { http: { function: webhook, requests: 1 }, consumerOf: (q) => (q === "conversations" ? router : undefined), webSocketMessages: 1 });
    expect(figures.billedUnits).toBe(17.5);
    const floor = billingFloor(figures);
    // Webhook put 1 + agent 2 + conversation 2 (transactional) + pool 0.5: every index entry, the open list, the aggregates and the push's read dropped.
    expect(floor).toMatchObject({ wru: 5, rru: 0.5, billedUnits: 5.5 });
    expect([...floor.kept].sort()).toEqual(["Router Query Seat gsi1", "Router TransactWriteItems Agent table", "Router TransactWriteItems Conversation table", "Webhook PutItem Conversation table"]);
    expect(floor.dollarsPerMillion.dynamoDb).toBeCloseTo(5 * 0.625 + 0.5 * 0.125, 2);
    // The design's other parts are the run's: one send + receive + delete, the webhook request and the push message, both invocations.
    expect(floor.dollarsPerMillion.sqs).toBeCloseTo(1.2, 2);
    expect(floor.dollarsPerMillion.apiGateway).toBeCloseTo(2, 2);
    const aggregates = figures.lambda.find((l) => l.name === "Aggregates");
    expect(aggregates?.invocations).toBe(1);
    expect(floor.dollarsPerMillion.lambda).toBeCloseTo(figures.dollarsPerMillion.lambda - lambdaDollars(1, 512, aggregates?.durationMs ?? 0) * 1e6, 2);
    expect(floor.dollarsPerMillion.total).toBeCloseTo(floor.dollarsPerMillion.dynamoDb + 1.2 + 2 + floor.dollarsPerMillion.lambda, 2);
    // Lower bound: two invocations at $0.20 per million, no duration.
    expect(floor.lowerBoundDollarsPerMillion).toBeCloseTo(floor.dollarsPerMillion.dynamoDb + 1.2 + 2 + 0.4, 2);
    expect(isInvariantLine({ action: "Update", entity: "Conversation", target: "gsi2" })).toBe(false);
    expect(isInvariantLine({ action: "Get", entity: "Conversation", target: "table" })).toBe(false);
  });

  it("treats overlapping calls as one step", () => {
    expect(callSteps([
      { operation: "GetItem", startedAt: 0, endedAt: 10 },
      { operation: "Query", startedAt: 5, endedAt: 12 },
      { operation: "TransactWriteItems", startedAt: 20, endedAt: 30 },
    ])).toEqual({ steps: 2, measuredMs: 22, modelledMs: 5 + 15 });
    expect(callSteps([])).toEqual({ steps: 0, measuredMs: 0, modelledMs: 0 });
  });
});
