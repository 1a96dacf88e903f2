/**
 * The table's change stream in tumbling windows: what Lambda's DynamoDB event source mapping does
 * in AWS for a function with a `stream` trigger. DynamoDB Local keeps a real stream (the table is
 * created with one: local/dynamodb.ts); this reads each shard in order from its oldest record,
 * keeps the records whose partition key has one of the trigger's prefixes (the event filter),
 * groups them into windows by their creation time, invokes the handler with a batch and the state
 * the previous invocation of the window returned, and finally with `isFinalInvokeForWindow`. A
 * failing invocation is retried with the same records and state, and the shard waits for it; with
 * a trigger that gives up after a number of retries the window is then dropped and logged, as
 * Lambda sends it to the failure queue (`retryUntilTrimmed` never gives up: locally, while the
 * stack runs).
 *
 * Locally a window lasts LOCAL_STREAM_WINDOW_SECONDS (default 1 s, not the deployed 30 s), so
 * tests and the console see the aggregates within about a second.
 */
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBRecord } from "aws-lambda";
import { retryUntilTrimmed, type FunctionSpec, type StreamTrigger } from "../functions/catalog/types.js";
import { appTable } from "../functions/catalog/resources.js";
import { localClient } from "./dynamodb.js";
import { contextFor, type LambdaHandler } from "./invoke.js";

export interface StreamConsumerOptions {
  endpoint: string;
  tableName: string;
  spec: FunctionSpec;
  trigger: StreamTrigger;
  handler: LambdaHandler;
  windowSeconds: number;
  retryDelayMs: number;
  onError: (error: unknown) => void;
}

export interface StreamConsumer {
  /** Resolves once every record written before the call is in a window that was invoked to its end. */
  settled(timeoutMs?: number): Promise<void>;

  stop(): Promise<void>;
}

interface OpenWindow {
  start: number;
  end: number;
  state: Record<string, unknown>;
  pending: DynamoDBRecord[];
}

interface ShardReader {
  shardId: string;
  iterator: string | undefined;
  /** The last record read: where a new iterator starts when the old one can no longer be used. */
  lastSequence: string | undefined;
  window: OpenWindow | undefined;
}

/**
 * How often the shards are read unasked. DynamoDB Local answers GetRecords in time that grows
 * with every stream record the JVM holds, of every table: 135 ms on average and up to 1.2 s in
 * six integration files run together (937 reads took 127 s of the JVM's time, and the suite twice
 * as long). So a shard is read when someone waits for the stream (`settled`: at once, then until
 * caught up and every window with records has ended), and otherwise every `idleMs`, the deployed
 * window's length: unasked, the aggregates are as late locally as in AWS.
 */
const idleMs = 30_000;

function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  return { ...(record as unknown as DynamoDBRecord), eventSourceARN: streamArn, dynamodb: { ...(record.dynamodb as DynamoDBRecord["dynamodb"]), ApproximateCreationDateTime: record.dynamodb?.ApproximateCreationDateTime ? record.dynamodb.ApproximateCreationDateTime.getTime() / 1000 : undefined } };
}

export function startStreamConsumer(options: StreamConsumerOptions): StreamConsumer {
  const dynamo = localClient(options.endpoint);
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: process.env.AWS_REGION ?? "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  const windowMs = options.windowSeconds * 1000;
  const shards = new Map<string, ShardReader>();
  let streamArn: string | undefined;
  let running = true;
  let lastDescribe = 0;
  /** Shards read to their end: DescribeStream keeps listing them, and they are not read again. */
  const finished = new Set<string>();
  const waiters: { since: number; resolve: () => void }[] = [];

  const keep = (record: StreamRecord) => {
    const pk = record.dynamodb?.Keys?.[appTable.partitionKey]?.S;
    return pk !== undefined && options.trigger.keyPrefixes.some((prefix) => pk.startsWith(prefix));
  };

  const invoke = async (shard: ShardReader, window: OpenWindow, records: DynamoDBRecord[], final: boolean) => {
    const event = {
      Records: records,
      window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
      state: window.state,
      shardId: shard.shardId,
      eventSourceARN: streamArn,
      isFinalInvokeForWindow: final,
      isWindowTerminatedEarly: false,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const response = (await options.handler(event, contextFor(options.spec))) as { state?: Record<string, unknown> } | undefined;
        if (!response || typeof response.state !== "object") throw new Error(`${options.spec.name} returned no state: Lambda counts that as a failed invocation`);
        window.state = response.state;
        return;
      } catch (error) {
        options.onError(error);
        const givesUp = options.trigger.retryAttempts !== retryUntilTrimmed && attempt >= options.trigger.retryAttempts;
        if (givesUp || !running) {
          const fate = givesUp ? "dropped (in AWS: sent to the stream failure queue)" : "left unfinished: the stack stopped";
          options.onError(new Error(`${options.spec.name}: window ${event.window.start} of ${shard.shardId} failed ${attempt + 1} times; ${fate}`));
          return;
        }
        await new Promise((r) => setTimeout(r, options.retryDelayMs));
      }
    }
  };

  const closeWindow = async (shard: ShardReader) => {
    const window = shard.window;
    if (!window) return;
    const records = window.pending;
    window.pending = [];
    await invoke(shard, window, records, true);
    shard.window = undefined;
  };

  const discover = async () => {
    if (!streamArn) {
      streamArn = (await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }))).Table?.LatestStreamArn;
      if (!streamArn) throw new Error(`Table ${options.tableName} has no stream; local/dynamodb.ts ensureTable enables it`);
    }
    if (Date.now() - lastDescribe < 5_000 && shards.size > 0) return;
    lastDescribe = Date.now();
    const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of described.StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || shards.has(shard.ShardId) || finished.has(shard.ShardId)) continue;
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
      shards.set(shard.ShardId, { shardId: shard.ShardId, iterator: ShardIterator, lastSequence: undefined, window: undefined });
    }
  };

  /**
   * One page of a shard. DynamoDB Local sometimes refuses an iterator it handed out ("read past
   * the oldest stream record", seen with many tables in one JVM): the shard is then read again
   * after the last record taken (from its start if none was), as Lambda resumes from its checkpoint.
   */
  const readPage = async (shard: ShardReader) => {
    try {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: Math.min(1000, options.trigger.batchSize) }));
      shard.iterator = page.NextShardIterator;
      return page;
    } catch (error) {
      const name = (error as Error).name;
      if (name !== "TrimmedDataAccessException" && name !== "ExpiredIteratorException") throw error;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand(
          shard.lastSequence
            ? { StreamArn: streamArn, ShardId: shard.shardId, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: shard.lastSequence }
            : { StreamArn: streamArn, ShardId: shard.shardId, ShardIteratorType: "TRIM_HORIZON" },
        ),
      );
      shard.iterator = ShardIterator;
      // Not caught up: what the new iterator holds is read on the next pass.
      return { Records: [], reopened: true };
    }
  };

  /** Reads each shard once; true when some shard returned records. */
  const tick = async (): Promise<boolean> => {
    await discover();
    let read = false;
    for (const shard of shards.values()) {
      if (shard.iterator) {
        const page: { Records?: StreamRecord[]; reopened?: boolean } = await readPage(shard);
        const records = page.Records ?? [];
        if (records.length > 0 || page.reopened) read = true;
        for (const record of records) {
          shard.lastSequence = record.dynamodb?.SequenceNumber ?? shard.lastSequence;
          if (!keep(record)) continue;
          const at = record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now();
          const start = Math.floor(at / windowMs) * windowMs;
          if (shard.window && start > shard.window.start) await closeWindow(shard);
          shard.window ??= { start, end: start + windowMs, state: {}, pending: [] };
          shard.window.pending.push(toLambdaRecord(record, streamArn ?? ""));
          if (shard.window.pending.length >= options.trigger.batchSize) {
            const batch = shard.window.pending;
            shard.window.pending = [];
            await invoke(shard, shard.window, batch, false);
          }
        }
      }
      // Caught up and the window's time is over: its final invocation.
      if (shard.window && Date.now() >= shard.window.end) await closeWindow(shard);
      if (!shard.iterator && !shard.window) {
        shards.delete(shard.shardId);
        finished.add(shard.shardId);
      }
    }
    return read;
  };

  let lastPass = 0;
  let wake: (() => void) | undefined;
  const windowOpen = () => [...shards.values()].some((s) => s.window !== undefined);
  const sleepUntilDue = async () => {
    for (;;) {
      if (!running) return;
      const now = Date.now();
      let due = lastPass + idleMs;
      // Someone waits: read on, or at the end of the window still open.
      if (waiters.length > 0) {
        due = now;
        for (const shard of shards.values()) if (shard.window) due = Math.max(due, shard.window.end);
      }
      if (due <= now) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, due - now);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  const loop = (async () => {
    while (running) {
      const started = Date.now();
      lastPass = started;
      let read = false;
      try {
        read = await tick();
      } catch (error) {
        if (running) options.onError(error);
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      if (!read && !windowOpen()) {
        // A pass that began after the call read nothing and left no window open.
        for (const waiter of waiters.filter((w) => w.since <= started)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      if (!read && running) await sleepUntilDue();
    }
  })();

  return {
    settled: (timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const waiter = {
          since: Date.now(),
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        // Given up: no longer waited for (the shards would be read without pause for it).
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${options.spec.name}: the table's stream did not settle within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
        wake?.();
      }),
    stop: async () => {
      running = false;
      wake?.();
      await loop;
      dynamo.destroy();
      streams.destroy();
    },
  };
}
