/**
 * SQS pollers: what Lambda's event source mapping does in AWS. Each poller receives a real
 * batch, invokes the queue's handler, deletes only the records that succeeded and leaves the
 * failures to the queue's redrive policy (DLQ after maxReceiveCount). Failed records are made
 * visible again after LOCAL_RETRY_DELAY_SECONDS (default 1 s) instead of the full visibility
 * timeout, so retries and DLQ moves are observable in seconds locally.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import type { QueueTrigger } from "../functions/catalog/types.js";
import type { FunctionSpec } from "../functions/catalog/types.js";
import { contextFor, type LambdaHandler } from "./invoke.js";

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attrs = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? "1",
      SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
      SenderId: attrs.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attrs.MessageGroupId ? { MessageGroupId: attrs.MessageGroupId } : {}),
      ...(attrs.MessageDeduplicationId ? { MessageDeduplicationId: attrs.MessageDeduplicationId } : {}),
      ...(attrs.SequenceNumber ? { SequenceNumber: attrs.SequenceNumber } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, { dataType: v.DataType ?? "String", ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}) }]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: "us-east-1",
  };
}

export interface PollerOptions {
  client: SQSClient;
  queueUrl: string;
  /** The consuming function: each invocation gets its deployed timeout (invoke.ts `contextFor`). */
  spec: FunctionSpec;
  trigger: QueueTrigger;
  handler: LambdaHandler;
  retryDelaySeconds: number;
  onError: (error: unknown) => void;
}

export function startPollers(options: PollerOptions): { stop(): Promise<void> } {
  let running = true;
  const queueArn = `arn:aws:sqs:us-east-1:000000000000:${options.queueUrl.split("/").pop() ?? ""}`;
  const loop = async () => {
    while (running) {
      try {
        const received = await options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: Math.min(10, options.trigger.batchSize),
            WaitTimeSeconds: 1,
            MessageAttributeNames: ["All"],
            MessageSystemAttributeNames: ["All"],
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0 || !running) continue;
        const records = messages.map((m) => toRecord(m, queueArn));
        let failedIds: Set<string>;
        try {
          const response = (await options.handler({ Records: records }, contextFor(options.spec))) as SQSBatchResponse | undefined;
          failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (error) {
          // A thrown handler fails the whole batch, as in Lambda.
          options.onError(error);
          failedIds = new Set(records.map((r) => r.messageId));
        }
        const succeeded = records.filter((r) => !failedIds.has(r.messageId));
        const failed = records.filter((r) => failedIds.has(r.messageId));
        if (succeeded.length > 0) {
          await options.client.send(new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: succeeded.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
        }
        if (failed.length > 0) {
          await options.client.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: failed.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle, VisibilityTimeout: options.retryDelaySeconds })),
            }),
          );
        }
      } catch (error) {
        if (running) {
          options.onError(error);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }
  };
  const loops = Array.from({ length: options.trigger.localConcurrency ?? 2 }, loop);
  return {
    stop: async () => {
      running = false;
      await Promise.allSettled(loops);
    },
  };
}
