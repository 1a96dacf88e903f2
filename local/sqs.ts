/**
 * The SQS emulator (`fauxqs`, in-process) with the queues and dead-letter queues from the
 * same definitions the CDK uses. Messages are kept in memory only; the conversation sweeper
 * re-drives anything accepted but not yet routed after a restart.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { physicalQueueName, queueNames, queues, type QueueName } from "../functions/catalog/resources.js";

export interface LocalQueues {
  endpoint: string;
  urls: Record<QueueName, string>;
  dlqUrls: Record<QueueName, string>;
  stop(): Promise<void>;
}

export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: process.env.AWS_REGION ?? "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
}

export async function startLocalQueues(options: { port: number; prefix: string }): Promise<LocalQueues> {
  const server = await startFauxqs({ port: options.port, logger: false });
  const endpoint = server.address;
  const client = sqsClient(endpoint);
  const urls = {} as Record<QueueName, string>;
  const dlqUrls = {} as Record<QueueName, string>;
  for (const name of queueNames) {
    const def = queues[name];
    const fifo = def.fifo ? { FifoQueue: "true" } : {};
    const dlq = await client.send(new CreateQueueCommand({ QueueName: physicalQueueName(options.prefix, name, true), Attributes: { ...fifo, MessageRetentionPeriod: String(14 * 24 * 3600) } }));
    const dlqArn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
    const main = await client.send(
      new CreateQueueCommand({
        QueueName: physicalQueueName(options.prefix, name),
        Attributes: {
          ...fifo,
          VisibilityTimeout: String(def.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: def.maxReceiveCount }),
        },
      }),
    );
    if (!main.QueueUrl || !dlq.QueueUrl) throw new Error(`fauxqs did not return a URL for queue ${name}`);
    urls[name] = main.QueueUrl;
    dlqUrls[name] = dlq.QueueUrl;
  }
  return {
    endpoint,
    urls,
    dlqUrls,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
