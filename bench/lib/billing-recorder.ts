/**
 * Records what the functions of the local stack send to DynamoDB and SQS and prices each call
 * with AWS's rules (./aws-billing.ts), with DynamoDB Local's own consumed capacity beside it.
 * Bench-only: it is a middleware the bench adds to the functions' shared clients
 * (`dynamo` of functions/shared/table/client.ts, `sqs()` of functions/shared/sqs.ts) and removes
 * again; production code has no hook and knows nothing of it. While `active` is false it passes
 * every call straight through.
 *
 * To price a write it needs the item before and after: it reads them itself, strongly
 * consistent, with its own client (uncounted, and outside the function's measured time). A read
 * is priced by what AWS sizes, not by what came back: a projection or a filter does not make a
 * read cheaper, so a Query is repeated without them to see the entries it evaluated. These extra
 * reads make recorded calls slower: record one operation at a time, never a throughput phase.
 * Under concurrency the before/after images may belong to a neighbouring write.
 *
 * @example
 * const recorder = installBillingRecorder({ dynamo, sqs, endpoint, tableName, table, entities, functionName });
 * recorder.active = true;
 * const mark = recorder.mark();
 * await doOneConversation();
 * await recorder.quiet(300);
 * const window = recorder.since(mark);
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  batchGetUnits,
  cancelledItemUnits,
  conditionCheckBill,
  failedWriteUnits,
  getUnits,
  queryUnits,
  sqsRequests,
  toItem,
  utf8Bytes,
  writeBill,
  type IndexChange,
  type ReadMode,
  type TableSchema,
} from "./aws-billing.js";

type Doc = Record<string, unknown>;

export interface BillLine {
  action: "Put" | "Update" | "Delete" | "ConditionCheck" | "Get" | "Query" | "Scan";
  /** The item type (`type` attribute, or the registry entry its key matches). */
  entity: string;
  /** `table`, or the index the line bills. */
  target: string;
  /** On an index line: how the index entry changed. */
  change?: IndexChange;
  transactional: boolean;
  /** A failed condition or a cancelled transaction (billed by the stated assumption). */
  failed: boolean;
  wru: number;
  rru: number;
}

export interface RecordedCall {
  /** The function that made the call (`AWS_LAMBDA_FUNCTION_NAME` of its scope), `bench` outside any. */
  fn: string;
  /** The invocation that made it (its request id), when the recorder is told (`invocationOf`). */
  invocation?: string;
  /** DynamoDB operation: `GetItem`, `TransactWriteItems`, … */
  operation: string;
  /** When the call itself started and ended (ms since epoch), the recorder's own reads excluded. */
  startedAt: number;
  endedAt: number;
  /** Time the recorder spent on its own reads around this call (inside the function's wall time). */
  overheadMs: number;
  ok: boolean;
  error?: string;
  lines: BillLine[];
  wru: number;
  rru: number;
  /** DynamoDB Local's `ConsumedCapacity` for the call; undefined when it returned none (a cancelled transaction). */
  localUnits: number | undefined;
}

export interface RecordedSend {
  fn: string;
  invocation?: string;
  /** Queue name as the catalog knows it (`conversations`, `callbacks`, …), or the URL's last segment. */
  queue: string;
  operation: string;
  messages: number;
  bytes: number;
  /** Billed SQS requests (64 KB chunks). */
  requests: number;
  startedAt: number;
  endedAt: number;
}

/** A registry entry: item type and key templates (`AGENT#{agentId}`), with its indexes' templates. */
export interface EntityKeys {
  type: string;
  pk: string;
  sk: string;
  indexes?: readonly { index: string; pk: string; sk: string }[];
}

interface Stack {
  add(middleware: unknown, options: { step: "initialize"; name: string; priority?: "high" | "normal" | "low" }): void;
  remove(name: string): boolean;
}

export interface RecorderOptions {
  /** The functions' shared document client (`dynamo`). */
  dynamo: { middlewareStack: unknown };
  /** The functions' shared SQS client (`sqs`), to count sends. */
  sqs?: { middlewareStack: unknown };
  /** DynamoDB Local's endpoint, for the recorder's own uncounted reads. */
  endpoint: string;
  region?: string;
  tableName: string;
  table: TableSchema;
  entities: readonly EntityKeys[];
  /** The running function's name (`functionEnv().AWS_LAMBDA_FUNCTION_NAME`), undefined outside a function. */
  functionName: () => string | undefined;
  /** The running invocation's id (local/invoke.ts `currentInvocationId`): concurrent invocations' calls are then priced as separate durations. */
  invocationOf?: () => string | undefined;
  /** Queue name of a queue URL. */
  queueOf?: (url: string) => string;
  /** How a ConditionCheck is billed (see aws-billing.ts `conditionCheckBill`). */
  conditionCheck?: "write" | "read";
}

const middlewareName = "benchBillingRecorder";

const pricedOperations = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "TransactGetItems"]);

function templateRegex(template: string): RegExp {
  const parts = template.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".+?")}$`);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}

function localCapacity(output: unknown): number | undefined {
  const consumed = (output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] } | undefined)?.ConsumedCapacity;
  if (!consumed) return undefined;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

export class BillingRecorder {
  /** Off: every call passes through untouched. */
  active = false;
  readonly calls: RecordedCall[] = [];
  readonly sends: RecordedSend[] = [];
  private inFlight = 0;
  private lastActivity = 0;
  private readonly raw: DynamoDBDocumentClient;
  private readonly matchers: { type: string; pk: RegExp; sk: RegExp; skHead: string; indexes: { index: string; pk: RegExp; skHead: string }[] }[];

  constructor(private readonly options: RecorderOptions) {
    this.raw = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: options.endpoint, region: options.region ?? process.env.AWS_REGION ?? "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 5 }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    const head = (template: string) => template.split("{")[0] ?? "";
    this.matchers = options.entities.map((e) => ({ type: e.type, pk: templateRegex(e.pk), sk: templateRegex(e.sk), skHead: head(e.sk), indexes: (e.indexes ?? []).map((i) => ({ index: i.index, pk: templateRegex(i.pk), skHead: head(i.sk) })) }));
    (options.dynamo.middlewareStack as Stack).add(this.dynamoMiddleware(), { step: "initialize", name: middlewareName, priority: "high" });
    if (options.sqs) (options.sqs.middlewareStack as Stack).add(this.sqsMiddleware(), { step: "initialize", name: middlewareName, priority: "high" });
  }

  /** Takes the middleware off the functions' clients. */
  uninstall(): void {
    (this.options.dynamo.middlewareStack as Stack).remove(middlewareName);
    if (this.options.sqs) (this.options.sqs.middlewareStack as Stack).remove(middlewareName);
    this.raw.destroy();
  }

  /** A position in the record, for {@link since}. */
  mark(): { calls: number; sends: number } {
    return { calls: this.calls.length, sends: this.sends.length };
  }

  /** What was recorded after `mark`. */
  since(mark: { calls: number; sends: number }): { calls: RecordedCall[]; sends: RecordedSend[] } {
    return { calls: this.calls.slice(mark.calls), sends: this.sends.slice(mark.sends) };
  }

  /** Resolves once no recorded call is in flight and none started for `quietMs` (false after `timeoutMs`). */
  async quiet(quietMs: number, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.inFlight === 0 && Date.now() - this.lastActivity >= quietMs) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  private fn(): string {
    return this.options.functionName() ?? "bench";
  }

  private invocation(): { invocation?: string } {
    const id = this.options.invocationOf?.();
    return id ? { invocation: id } : {};
  }

  private dynamoMiddleware() {
    return (next: (args: { input: Doc }) => Promise<{ output: unknown }>, context: { commandName?: string }) =>
      async (args: { input: Doc }) => {
        const operation = (context.commandName ?? "").replace(/Command$/, "");
        if (!this.active || !pricedOperations.has(operation)) return next(args);
        const fn = this.fn();
        const invocation = this.invocation();
        this.inFlight++;
        this.lastActivity = Date.now();
        try {
          const input = args.input;
          const t0 = performance.now();
          const before = await this.beforeImages(operation, input);
          let overheadMs = performance.now() - t0;
          const startedAt = Date.now();
          let result: { output: unknown } | undefined;
          let failure: unknown;
          try {
            result = await next({ ...args, input: { ...input, ReturnConsumedCapacity: input.ReturnConsumedCapacity ?? "TOTAL" } });
          } catch (error) {
            failure = error;
          }
          const endedAt = Date.now();
          const t1 = performance.now();
          const lines = await this.price(operation, input, before, result?.output as Doc | undefined, failure).catch((error: unknown) => {
            process.stderr.write(`billing recorder: could not price ${operation}: ${error instanceof Error ? error.message : String(error)}\n`);
            return [] as BillLine[];
          });
          overheadMs += performance.now() - t1;
          this.calls.push({
            fn,
            ...invocation,
            operation,
            startedAt,
            endedAt,
            overheadMs,
            ok: failure === undefined,
            ...(failure !== undefined ? { error: errorName(failure) } : {}),
            lines,
            wru: lines.reduce((s, l) => s + l.wru, 0),
            rru: lines.reduce((s, l) => s + l.rru, 0),
            localUnits: localCapacity(result?.output),
          });
          if (failure !== undefined) throw failure;
          return result as { output: unknown };
        } finally {
          this.inFlight--;
          this.lastActivity = Date.now();
        }
      };
  }

  private sqsMiddleware() {
    return (next: (args: { input: Doc }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: Doc }) => {
        if (!this.active) return next(args);
        const operation = (context.commandName ?? "").replace(/Command$/, "");
        const fn = this.fn();
        const invocation = this.invocation();
        const input = args.input;
        const url = String(input.QueueUrl ?? "");
        const queue = this.options.queueOf?.(url) ?? url.split("/").pop() ?? url;
        const entries = operation === "SendMessageBatch" ? ((input.Entries as Doc[] | undefined) ?? []) : operation === "SendMessage" ? [input] : [];
        const bytes = entries.reduce((sum, e) => sum + messageBytes(e), 0);
        this.inFlight++;
        this.lastActivity = Date.now();
        const startedAt = Date.now();
        try {
          return await next(args);
        } finally {
          this.sends.push({ fn, ...invocation, queue, operation, messages: entries.length, bytes, requests: entries.length > 0 ? sqsRequests(bytes) : 1, startedAt, endedAt: Date.now() });
          this.inFlight--;
          this.lastActivity = Date.now();
        }
      };
  }

  // -------------------------------------------------------------------------------------------
  // Images and labels

  private key(item: Doc): Doc {
    const { partitionKey, sortKey } = this.options.table;
    return { [partitionKey]: item[partitionKey], ...(sortKey ? { [sortKey]: item[sortKey] } : {}) };
  }

  private keyId(key: Doc): string {
    return JSON.stringify(this.key(key));
  }

  private async getFull(key: Doc): Promise<Doc | undefined> {
    const result = await this.raw.send(new GetCommand({ TableName: this.options.tableName, Key: this.key(key), ConsistentRead: true }));
    return result.Item;
  }

  /** Items by key id, read consistently in BatchGet calls of 100. */
  private async getMany(keys: readonly Doc[]): Promise<Map<string, Doc>> {
    const out = new Map<string, Doc>();
    const unique = [...new Map(keys.map((k) => [this.keyId(k), this.key(k)])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Doc[] = unique.slice(i, i + 100);
      for (let attempt = 0; pending.length > 0 && attempt < 20; attempt++) {
        const result = await this.raw.send(new BatchGetCommand({ RequestItems: { [this.options.tableName]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of result.Responses?.[this.options.tableName] ?? []) out.set(this.keyId(item), item);
        pending = (result.UnprocessedKeys?.[this.options.tableName]?.Keys ?? []) as Doc[];
      }
    }
    return out;
  }

  /** The item type of an item, or of the entity whose key templates match `key`. */
  entityOf(item: Doc | undefined, key: Doc): string {
    if (item && typeof item.type === "string") return item.type;
    const pk = String(key[this.options.table.partitionKey] ?? "");
    const sk = String(key[this.options.table.sortKey ?? ""] ?? "");
    const found = this.matchers.find((m) => m.pk.test(pk) && m.sk.test(sk));
    return found?.type ?? `${pk.split("#")[0] ?? pk}#…`;
  }

  /** The item type a Query's key condition names (for a Query that returned nothing). */
  private entityOfCondition(index: string | undefined, condition: { partition: string; sortPrefix?: string }): string {
    const { partition, sortPrefix } = condition;
    const sortFits = (skHead: string) => sortPrefix === undefined || skHead.startsWith(sortPrefix) || sortPrefix.startsWith(skHead);
    const found = this.matchers.find((m) => (index ? m.indexes.some((i) => i.index === index && i.pk.test(partition) && sortFits(i.skHead)) : m.pk.test(partition) && sortFits(m.skHead)));
    return found?.type ?? `${partition.split("#")[0] ?? partition}#…`;
  }

  private async beforeImages(operation: string, input: Doc): Promise<Map<string, Doc>> {
    const keys: Doc[] = [];
    if (operation === "PutItem") keys.push(input.Item as Doc);
    else if (operation === "UpdateItem" || operation === "DeleteItem") keys.push(input.Key as Doc);
    else if (operation === "TransactWriteItems") {
      for (const t of (input.TransactItems as Doc[] | undefined) ?? []) {
        const item = t.Put as Doc | undefined;
        const other = (t.Update ?? t.Delete ?? t.ConditionCheck) as Doc | undefined;
        if (item) keys.push(item.Item as Doc);
        else if (other) keys.push(other.Key as Doc);
      }
    } else if (operation === "BatchWriteItem") {
      for (const r of ((input.RequestItems as Record<string, Doc[]> | undefined)?.[this.options.tableName] ?? [])) {
        const put = r.PutRequest as Doc | undefined;
        const del = r.DeleteRequest as Doc | undefined;
        if (put) keys.push(put.Item as Doc);
        else if (del) keys.push(del.Key as Doc);
      }
    }
    if (keys.length === 0) return new Map();
    if (keys.length === 1 && keys[0]) {
      const item = await this.getFull(keys[0]);
      return new Map(item ? [[this.keyId(keys[0]), item]] : []);
    }
    return this.getMany(keys);
  }

  private writeLines(action: BillLine["action"], before: Doc | undefined, after: Doc | undefined, key: Doc, transactional: boolean): BillLine[] {
    const bill = writeBill(before ? toItem(before) : undefined, after ? toItem(after) : undefined, this.options.table, { transactional });
    const entity = this.entityOf(after ?? before, key);
    const lines: BillLine[] = [{ action, entity, target: "table", transactional, failed: false, wru: bill.table, rru: 0 }];
    for (const w of bill.indexes) lines.push({ action, entity, target: w.index, change: w.change, transactional, failed: false, wru: w.units, rru: 0 });
    return lines;
  }

  private async price(operation: string, input: Doc, before: Map<string, Doc>, output: Doc | undefined, failure: unknown): Promise<BillLine[]> {
    const table = this.options.tableName;
    const mode: ReadMode = input.ConsistentRead ? "strong" : "eventual";
    const failedLine = (action: BillLine["action"], key: Doc, units: number, transactional: boolean): BillLine => ({ action, entity: this.entityOf(before.get(this.keyId(key)), key), target: "table", transactional, failed: true, wru: units, rru: 0 });
    switch (operation) {
      case "GetItem": {
        if (failure) return [];
        const key = input.Key as Doc;
        const item = input.ProjectionExpression ? await this.getFull(key) : (output?.Item as Doc | undefined);
        return [{ action: "Get", entity: this.entityOf(item, key), target: "table", transactional: false, failed: false, wru: 0, rru: getUnits(item ? toItem(item) : undefined, mode) }];
      }
      case "BatchGetItem": {
        if (failure) return [];
        const request = (input.RequestItems as Record<string, Doc> | undefined)?.[table];
        const keys = (request?.Keys as Doc[] | undefined) ?? [];
        const unprocessed = new Set((((output?.UnprocessedKeys as Record<string, Doc> | undefined)?.[table]?.Keys as Doc[] | undefined) ?? []).map((k) => this.keyId(k)));
        const processed = keys.filter((k) => !unprocessed.has(this.keyId(k)));
        const batchMode: ReadMode = request?.ConsistentRead ? "strong" : "eventual";
        const found = request?.ProjectionExpression ? await this.getMany(processed) : new Map((((output?.Responses as Record<string, Doc[]> | undefined)?.[table]) ?? []).map((item) => [this.keyId(item), item]));
        const byEntity = new Map<string, number>();
        for (const key of processed) {
          const item = found.get(this.keyId(key));
          const entity = this.entityOf(item, key);
          byEntity.set(entity, (byEntity.get(entity) ?? 0) + batchGetUnits([item ? toItem(item) : undefined], batchMode));
        }
        return [...byEntity].map(([entity, rru]) => ({ action: "Get" as const, entity, target: "table", transactional: false, failed: false, wru: 0, rru }));
      }
      case "Query":
      case "Scan": {
        if (failure) return [];
        const index = input.IndexName as string | undefined;
        const entries = await this.evaluated(operation, input);
        const types = [...new Set(entries.map((e) => (typeof e.type === "string" ? e.type : this.entityOf(e, e))))].sort();
        const entity = types.length > 0 ? types.join("+") : this.entityOfCondition(index, this.keyConditionOf(input));
        return [{ action: operation, entity, target: index ?? "table", transactional: false, failed: false, wru: 0, rru: queryUnits(entries.map(toItem), mode === "strong" ? "strong" : "eventual") }];
      }
      case "PutItem":
      case "UpdateItem":
      case "DeleteItem": {
        const key = (operation === "PutItem" ? input.Item : input.Key) as Doc;
        const was = before.get(this.keyId(key));
        const action = operation === "PutItem" ? "Put" : operation === "UpdateItem" ? "Update" : "Delete";
        if (failure) return errorName(failure) === "ConditionalCheckFailedException" ? [failedLine(action, key, failedWriteUnits(was ? toItem(was) : undefined), false)] : [];
        const after = operation === "PutItem" ? (input.Item as Doc) : operation === "DeleteItem" ? undefined : input.ReturnValues === "ALL_NEW" && output?.Attributes ? (output.Attributes as Doc) : await this.getFull(key);
        return this.writeLines(action, was, after, key, false);
      }
      case "BatchWriteItem": {
        if (failure) return [];
        const requests = (input.RequestItems as Record<string, Doc[]> | undefined)?.[table] ?? [];
        const unprocessed = new Set((((output?.UnprocessedItems as Record<string, Doc[]> | undefined)?.[table]) ?? []).map((r) => this.keyId(((r.PutRequest as Doc | undefined)?.Item ?? (r.DeleteRequest as Doc | undefined)?.Key) as Doc)));
        const lines: BillLine[] = [];
        for (const r of requests) {
          const put = r.PutRequest as Doc | undefined;
          const key = (put ? put.Item : (r.DeleteRequest as Doc).Key) as Doc;
          if (unprocessed.has(this.keyId(key))) continue;
          lines.push(...this.writeLines(put ? "Put" : "Delete", before.get(this.keyId(key)), put ? (put.Item as Doc) : undefined, key, false));
        }
        return lines;
      }
      case "TransactWriteItems": {
        const items = (input.TransactItems as Doc[] | undefined) ?? [];
        const parts = items.map((t) => {
          if (t.Put) return { action: "Put" as const, key: (t.Put as Doc).Item as Doc, item: (t.Put as Doc).Item as Doc };
          if (t.Update) return { action: "Update" as const, key: (t.Update as Doc).Key as Doc };
          if (t.Delete) return { action: "Delete" as const, key: (t.Delete as Doc).Key as Doc };
          return { action: "ConditionCheck" as const, key: (t.ConditionCheck as Doc).Key as Doc };
        });
        if (failure) {
          const name = errorName(failure);
          if (name !== "TransactionCanceledException" && name !== "TransactionConflictException") return [];
          return parts.map((p) => {
            const was = before.get(this.keyId(p.key));
            return failedLine(p.action, p.key, cancelledItemUnits(was ? toItem(was) : undefined), true);
          });
        }
        const updated = await this.getMany(parts.filter((p) => p.action === "Update").map((p) => p.key));
        const lines: BillLine[] = [];
        for (const p of parts) {
          const was = before.get(this.keyId(p.key));
          if (p.action === "ConditionCheck") {
            const bill = conditionCheckBill(was ? toItem(was) : undefined, this.options.conditionCheck);
            lines.push({ action: "ConditionCheck", entity: this.entityOf(was, p.key), target: "table", transactional: true, failed: false, ...bill });
            continue;
          }
          const after = p.action === "Put" ? p.item : p.action === "Delete" ? undefined : updated.get(this.keyId(p.key));
          lines.push(...this.writeLines(p.action, was, after, p.key, true));
        }
        return lines;
      }
      case "TransactGetItems": {
        if (failure) return [];
        const gets = ((input.TransactItems as Doc[] | undefined) ?? []).map((t) => (t.Get as Doc).Key as Doc);
        const found = await this.getMany(gets);
        return gets.map((key) => {
          const item = found.get(this.keyId(key));
          return { action: "Get" as const, entity: this.entityOf(item, key), target: "table", transactional: true, failed: false, wru: 0, rru: getUnits(item ? toItem(item) : undefined, "transactional") };
        });
      }
      default:
        return [];
    }
  }

  /** The partition value a Query names (its key condition's first `= :value`) and a `begins_with` sort prefix. */
  private keyConditionOf(input: Doc): { partition: string; sortPrefix?: string } {
    const condition = String(input.KeyConditionExpression ?? "");
    const values = (input.ExpressionAttributeValues ?? {}) as Doc;
    const partition = /=\s*(:\w+)/.exec(condition)?.[1];
    const prefix = /begins_with\s*\(\s*#?\w+\s*,\s*(:\w+)\s*\)/.exec(condition)?.[1];
    return { partition: partition ? String(values[partition] ?? "") : "", ...(prefix ? { sortPrefix: String(values[prefix] ?? "") } : {}) };
  }

  /**
   * The entries a Query or Scan evaluated: the same request without the filter, the projection
   * or COUNT (names and values only the key condition uses kept), so each entry is what AWS
   * sizes — the index's projection on an index, the item on the table.
   */
  private async evaluated(operation: "Query" | "Scan", input: Doc): Promise<Doc[]> {
    const keep = String(input.KeyConditionExpression ?? "");
    const used = (map: unknown, prefix: "#" | ":") =>
      Object.fromEntries(Object.entries((map ?? {}) as Doc).filter(([name]) => new RegExp(`${prefix === "#" ? "#" : ":"}${name.slice(1)}(?![\\w])`).test(keep)));
    const { FilterExpression: _f, ProjectionExpression: _p, Select: _s, ReturnConsumedCapacity: _r, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ...rest } = input;
    const request: Doc = {
      ...rest,
      TableName: this.options.tableName,
      ...(input.IndexName ? { Select: "ALL_PROJECTED_ATTRIBUTES" } : {}),
      ...(Object.keys(used(names, "#")).length > 0 ? { ExpressionAttributeNames: used(names, "#") } : {}),
      ...(Object.keys(used(values, ":")).length > 0 ? { ExpressionAttributeValues: used(values, ":") } : {}),
    };
    const result = operation === "Query" ? await this.raw.send(new QueryCommand(request as never)) : await this.raw.send(new ScanCommand(request as never));
    return (result.Items ?? []) as Doc[];
  }
}

function messageBytes(entry: Doc): number {
  let bytes = utf8Bytes(String(entry.MessageBody ?? ""));
  for (const [name, attribute] of Object.entries((entry.MessageAttributes ?? {}) as Record<string, Doc>)) {
    bytes += utf8Bytes(name) + utf8Bytes(String(attribute.DataType ?? "")) + utf8Bytes(String(attribute.StringValue ?? ""));
  }
  return bytes;
}

export function installBillingRecorder(options: RecorderOptions): BillingRecorder {
  return new BillingRecorder(options);
}
