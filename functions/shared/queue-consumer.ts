/**
 * The standard SQS chain: records are processed one by one (in parallel up to `concurrency`);
 * a failing record is reported in `batchItemFailures` so only it is retried and, after
 * `maxReceiveCount`, lands in the DLQ. One bad record never fails the batch.
 *
 * A consumer may also look at the whole batch first (`prepare`: e.g. the router reads a skill's
 * pool once for all its route messages): what it returns is handed to every record, and the
 * records it names run first. It is an optimisation only: if it fails, every record runs as if
 * it had not been asked.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { atInvocationEnd } from "./invocation.js";
import { logger, withLogKeys } from "./logger.js";
import { sqs } from "./sqs.js";

export interface QueueRecordContext {
  messageId: string;
  correlationId: string;
  receiveCount: number;
  /** When the message was sent (SQS SentTimestamp). */
  sentAt: Date;
}

export type RecordProcessor<B = undefined> = (body: unknown, context: QueueRecordContext, batch: B | undefined) => Promise<void>;

/** What `prepare` made of the batch: shared with every record; `runFirst` (message ids) start before the others. */
export interface BatchPreparation<B> {
  shared: B;
  runFirst?: ReadonlySet<string>;
}

export type BatchPreparer<B> = (records: readonly { messageId: string; body: unknown }[]) => Promise<BatchPreparation<B> | undefined>;

function parsedBody(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch {
    return undefined;
  }
}

/** The batch's preparation, or none when it fails: the records then run unprepared, none lost. */
async function prepared<B>(prepare: BatchPreparer<B> | undefined, records: readonly SQSRecord[]): Promise<BatchPreparation<B> | undefined> {
  if (!prepare) return undefined;
  try {
    return await prepare(records.map((r) => ({ messageId: r.messageId, body: parsedBody(r) })));
  } catch (error) {
    logger.warn("Batch preparation failed; records run one by one", { records: records.length, error: error as Error });
    return undefined;
  }
}

function contextOf(record: SQSRecord): QueueRecordContext {
  return {
    messageId: record.messageId,
    correlationId: record.messageAttributes?.correlationId?.stringValue ?? record.messageId,
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? "1"),
    sentAt: new Date(Number(record.attributes?.SentTimestamp ?? Date.now())),
  };
}

const queueUrls = new Map<string, Promise<string | undefined>>();

/**
 * The source queue's URL from the record's ARN, looked up once per container. Only a successful
 * lookup is kept: a failed one (throttled, a network blip) is tried again on the next failure
 * instead of disabling back-off for the container's life.
 */
function sourceQueueUrl(arn: string): Promise<string | undefined> {
  const name = arn.split(":").pop() ?? "";
  const cached = queueUrls.get(name);
  if (cached) return cached;
  const url = sqs().send(new GetQueueUrlCommand({ QueueName: name })).then((r) => r.QueueUrl);
  queueUrls.set(name, url);
  url.then(
    (found) => {
      if (found === undefined && queueUrls.get(name) === url) queueUrls.delete(name);
    },
    () => {
      if (queueUrls.get(name) === url) queueUrls.delete(name);
    },
  );
  return url;
}

/**
 * A failed record comes back after an exponential back-off (10 s, 20 s, 40 s, … ≤ 120 s) instead
 * of the queue's full visibility timeout (6× the function timeout), so a transient failure is
 * retried soon while a poison message still reaches the DLQ after maxReceiveCount. Best effort:
 * if this call fails the record simply returns after the visibility timeout.
 */
async function backOff(record: SQSRecord, receiveCount: number): Promise<void> {
  try {
    const url = await sourceQueueUrl(record.eventSourceARN);
    if (!url) return;
    await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: record.receiptHandle, VisibilityTimeout: Math.min(120, 5 * 2 ** receiveCount) }));
  } catch (error) {
    logger.debug("Back-off not applied", { messageId: record.messageId, error: error as Error });
  }
}

export function queueConsumer<B = undefined>(processRecord: RecordProcessor<B>, options: { concurrency?: number; prepare?: BatchPreparer<B> } = {}) {
  const concurrency = options.concurrency ?? 10;
  const run = async (event: SQSEvent, lambdaContext: Context): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    const preparation = await prepared(options.prepare, event.Records);
    const first = preparation?.runFirst;
    // Stable: the named records first, each part in the batch's order. A record waiting on the
    // named ones (the router's) thus never holds a worker one of them still needs.
    const records = first ? [...event.Records.filter((r) => first.has(r.messageId)), ...event.Records.filter((r) => !first.has(r.messageId))] : [...event.Records];
    const worker = async () => {
      for (let record = records.shift(); record; record = records.shift()) {
        const current = record;
        const context = contextOf(current);
        // The HTTP request's correlation id travels as a message attribute into every log line of
        // this record, and only this record's: records run concurrently, each with its own logger.
        await withLogKeys({ correlationId: context.correlationId, messageId: current.messageId }, async () => {
          try {
            let body: unknown;
            try {
              body = JSON.parse(current.body);
            } catch {
              // Unparseable bodies can never succeed: still reported, so they reach the DLQ.
              throw new Error(`Message ${current.messageId} is not JSON`);
            }
            await processRecord(body, context, preparation?.shared);
          } catch (error) {
            logger.error("Record failed; left for retry/DLQ", { receiveCount: context.receiveCount, error: error as Error });
            failures.push({ itemIdentifier: current.messageId });
            await backOff(current, context.receiveCount);
          }
        }, lambdaContext);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));
    return { batchItemFailures: failures };
  };
  // What the batch noted for the supervisors' wall goes out once per batch (invocation.ts).
  return middy<SQSEvent, SQSBatchResponse>().use(injectLambdaContext(logger, { resetKeys: true })).use(atInvocationEnd()).handler(run);
}
