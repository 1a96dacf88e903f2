/**
 * The SQS consumer chain: concurrent records log with their own correlation ids, and a failed
 * queue-URL lookup (for the back-off) is not cached for the container's life.
 */
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lambdaContext } from "../../local/invoke.js";

// The chain reads the function's environment when loaded.
process.env.TABLE_NAME ??= "unit-test";
process.env.POWERTOOLS_LOG_LEVEL = "INFO";
const { queueConsumer } = await import("../../functions/shared/queue-consumer.js");
const { logger } = await import("../../functions/shared/logger.js");
const { sqs } = await import("../../functions/shared/sqs.js");

function record(id: string, correlationId: string, queue = "unit-queue"): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: JSON.stringify({ id }),
    attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()), SenderId: "unit", ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: { correlationId: { dataType: "String", stringValue: correlationId } },
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: "us-east-1",
  };
}

/** Every JSON log line written while `fn` runs. */
async function captureLogs(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const writeErr = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await fn();
  } finally {
    write.mockRestore();
    writeErr.mockRestore();
  }
  return lines.flatMap((l) => l.split("\n")).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function deferred() {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => vi.restoreAllMocks());

describe("queueConsumer", () => {
  it("gives each of two concurrent records its own correlation id on every line", async () => {
    // A logs, waits until B has started and logged, then logs again: with one shared logger whose
    // keys are appended per record, A's second line carried B's id.
    const bStarted = deferred();
    const handler = queueConsumer(async (body) => {
      const { id } = body as { id: string };
      logger.info("record started", { id });
      if (id === "a") await bStarted.promise;
      else bStarted.resolve();
      await new Promise((r) => setImmediate(r));
      logger.info("record finished", { id });
      if (id === "b") throw new Error("b fails");
    });
    const event: SQSEvent = { Records: [record("a", "corr-a"), record("b", "corr-b")] };
    vi.spyOn(sqs(), "send").mockImplementation(async () => ({ QueueUrl: "http://sqs/unit-queue" }));
    let response: unknown;
    const lines = await captureLogs(async () => {
      response = await handler(event, lambdaContext("UnitConsumer"));
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "b" }] });
    const ofRecord = (id: string) => lines.filter((l) => l.id === id || (l.message === "Record failed; left for retry/DLQ" && l.messageId === id));
    expect(ofRecord("a").map((l) => l.message)).toEqual(["record started", "record finished"]);
    expect(ofRecord("b").map((l) => l.message)).toEqual(["record started", "record finished", "Record failed; left for retry/DLQ"]);
    for (const line of ofRecord("a")) expect(line).toMatchObject({ correlationId: "corr-a", messageId: "a", function_name: "UnitConsumer" });
    for (const line of ofRecord("b")) expect(line).toMatchObject({ correlationId: "corr-b", messageId: "b", function_name: "UnitConsumer" });
  });

  it("retries a failed queue-URL lookup instead of caching the failure", async () => {
    const calls: string[] = [];
    let lookups = 0;
    vi.spyOn(sqs(), "send").mockImplementation(async (command: { constructor: { name: string } }) => {
      calls.push(command.constructor.name);
      if (command.constructor.name === "GetQueueUrlCommand" && ++lookups === 1) throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      return { QueueUrl: "http://sqs/flaky-queue" };
    });
    const handler = queueConsumer(async () => {
      throw new Error("always fails");
    });
    const event = (id: string): SQSEvent => ({ Records: [record(id, `corr-${id}`, "flaky-queue")] });
    await captureLogs(() => handler(event("first"), lambdaContext("UnitConsumer")));
    expect(calls).toEqual(["GetQueueUrlCommand"]);
    await captureLogs(() => handler(event("second"), lambdaContext("UnitConsumer")));
    expect(calls).toEqual(["GetQueueUrlCommand", "GetQueueUrlCommand", "ChangeMessageVisibilityCommand"]);
    await captureLogs(() => handler(event("third"), lambdaContext("UnitConsumer")));
    expect(calls.slice(3)).toEqual(["ChangeMessageVisibilityCommand"]);
  });
  it("hands every record what the batch's prepare step made, and starts the records it names first", async () => {
    const started: string[] = [];
    const seen: unknown[] = [];
    const handler = queueConsumer<{ ids: string[] }>(
      async (body, _context, batch) => {
        started.push((body as { id: string }).id);
        seen.push(batch);
      },
      { concurrency: 1, prepare: async (records) => ({ shared: { ids: records.map((r) => (r.body as { id: string }).id) }, runFirst: new Set(["c"]) }) },
    );
    const response = await handler({ Records: [record("a", "corr-a"), record("b", "corr-b"), record("c", "corr-c")] }, lambdaContext("UnitConsumer"));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(started).toEqual(["c", "a", "b"]);
    expect(seen).toEqual(Array(3).fill({ ids: ["a", "b", "c"] }));
  });

  it("runs every record unprepared when the prepare step fails: nothing is lost for an optimisation", async () => {
    const seen: unknown[] = [];
    const handler = queueConsumer<string>(
      async (body, _context, batch) => {
        seen.push([(body as { id: string }).id, batch]);
      },
      {
        prepare: async () => {
          throw new Error("store unavailable");
        },
      },
    );
    let response: unknown;
    const lines = await captureLogs(async () => {
      response = await handler({ Records: [record("a", "corr-a"), record("b", "corr-b")] }, lambdaContext("UnitConsumer"));
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([["a", undefined], ["b", undefined]]);
    expect(lines.filter((l) => l.message === "Batch preparation failed; records run one by one")).toHaveLength(1);
  });
});
