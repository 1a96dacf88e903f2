/**
 * Helpers shared by the stock integration files: signed calls at a pinned time, SKU setup, and
 * a collector for the storefront FIFO queue (nothing consumes it locally, so tests read it).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { TestStack } from "./stack.js";

export interface StorefrontMessage {
  type: string;
  sku: string;
  pageStock: number;
  previousPageStock: number | null;
  version: number;
  idempotencyKey: string;
  reason: string;
  dedupId: string | undefined;
  groupId: string | undefined;
}

/** A signed webhook call at instant `at` (the signature timestamp must match the pinned clock). */
export function signedAt(at: Date) {
  return { signed: { timestamp: Math.floor(at.getTime() / 1000) }, at };
}

export async function warehouse(s: TestStack, sku: string, onHand: number, seq: number, at = new Date()) {
  const res = await s.api("PUT", `/stock/${sku}/warehouse`, { body: { onHand, seq }, ...signedAt(at) });
  if (res.status !== 200) throw new Error(`warehouse update failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

export async function stockOf(s: TestStack, sku: string) {
  const res = await s.api("GET", `/stock/${sku}`, { as: await s.supervisor() });
  return res.body;
}

/** Collects every storefront message of the file's queue (receive + delete, FIFO group by group). */
export function storefrontCollector(s: () => TestStack) {
  const seen: StorefrontMessage[] = [];
  let client: SQSClient | undefined;
  const pull = async () => {
    const stack = s();
    client ??= new SQSClient({ endpoint: stack.sqsEndpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    for (;;) {
      const got = await client.send(
        new ReceiveMessageCommand({ QueueUrl: stack.queueUrls.storefront, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ["All"] }),
      );
      const messages = got.Messages ?? [];
      if (messages.length === 0) return;
      for (const m of messages) {
        seen.push({ ...(JSON.parse(m.Body ?? "{}") as StorefrontMessage), dedupId: m.Attributes?.MessageDeduplicationId, groupId: m.Attributes?.MessageGroupId });
      }
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: stack.queueUrls.storefront, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })) }));
    }
  };
  return {
    /** All messages for `sku` received so far, in receive order. */
    async of(sku: string): Promise<StorefrontMessage[]> {
      await pull();
      return seen.filter((m) => m.sku === sku);
    },
    /** Waits until the newest message for `sku` shows `page`. */
    async until(sku: string, page: number): Promise<StorefrontMessage[]> {
      return s().eventually(async () => {
        const list = await this.of(sku);
        return list.at(-1)?.pageStock === page ? list : undefined;
      }, 10_000);
    },
    close() {
      client?.destroy();
    },
  };
}
