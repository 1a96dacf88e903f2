/** SQS adapter: one client per container and a JSON send that carries the correlation id. */
import { SQSClient, SendMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { baseEnv, functionEnv, functionName } from "./env.js";
import { queueUrlEnvName, type QueueName } from "../catalog/resources.js";

const env = baseEnv();

let client: SQSClient | undefined;

/**
 * The container's SQS client, built on first use rather than at cold start (building an SDK client
 * resolves its whole configuration: ~10-30 ms of a function's load). Bounded like the DynamoDB
 * client: an unreachable queue fails in seconds, not at the gateway's 30 s.
 */
export function sqs(): SQSClient {
  client ??= new SQSClient({
    region: env.AWS_REGION,
    ...(env.SQS_ENDPOINT ? { endpoint: env.SQS_ENDPOINT } : {}),
    maxAttempts: 3,
    requestHandler: { requestTimeout: 2_000, connectionTimeout: 1_000, throwOnRequestTimeout: true },
  });
  return client;
}

/** The URL of a queue this function sends to; a queue missing from its `access.sends` is a loud error, as in AWS. */
export function queueUrl(queue: QueueName): string {
  const url = functionEnv()[queueUrlEnvName(queue)];
  if (!url) {
    throw new Error(`Invalid environment: ${queueUrlEnvName(queue)} is not set, so ${functionName()} cannot send to the "${queue}" queue. Declare "${queue}" in access.sends of its entry in functions/*/functions.ts.`);
  }
  return url;
}

export interface OutgoingMessage {
  body: unknown;
  correlationId?: string;
  /** FIFO only. */
  groupId?: string;
  deduplicationId?: string;
  delaySeconds?: number;
}

function attributes(correlationId: string | undefined) {
  return correlationId ? { correlationId: { DataType: "String", StringValue: correlationId } } : undefined;
}

export async function sendMessage(queue: QueueName, message: OutgoingMessage): Promise<void> {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queueUrl(queue),
      MessageBody: JSON.stringify(message.body),
      MessageAttributes: attributes(message.correlationId),
      MessageGroupId: message.groupId,
      MessageDeduplicationId: message.deduplicationId,
      DelaySeconds: message.delaySeconds,
    }),
  );
}

/** Sends up to any number of messages in batches of 10; throws if any entry failed. */
export async function sendMessages(queue: QueueName, messages: OutgoingMessage[]): Promise<void> {
  const chunks: OutgoingMessage[][] = [];
  for (let i = 0; i < messages.length; i += 10) chunks.push(messages.slice(i, i + 10));
  const sendChunk = async (chunk: OutgoingMessage[]) => {
    const result = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl(queue),
        Entries: chunk.map((m, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(m.body),
          MessageAttributes: attributes(m.correlationId),
          MessageGroupId: m.groupId,
          MessageDeduplicationId: m.deduplicationId,
          DelaySeconds: m.delaySeconds,
        })),
      }),
    );
    if (result.Failed && result.Failed.length > 0) {
      throw new Error(`SQS batch send to ${queue} failed for ${result.Failed.length} message(s): ${result.Failed.map((f) => f.Message).join("; ")}`);
    }
  };
  // Messages of a FIFO group must arrive in order: their batches go one after another. Without
  // groups order means nothing to a standard queue, and up to 10 batches go at once (the
  // sweeper's page of 100 in one round trip instead of ten).
  const lanes = messages.some((m) => m.groupId !== undefined) ? 1 : 10;
  const lane = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) await sendChunk(chunk);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, chunks.length) }, lane));
}
