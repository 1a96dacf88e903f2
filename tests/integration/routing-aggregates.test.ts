/**
 * Issue 15: the hourly routing aggregates and the forecast's arrival counts come from the table's
 * change stream (`RoutingAggregates`, tumbling windows), not from each conversation write's own
 * transaction. Through the real stream of DynamoDB Local: a conversation's writes reach both; a
 * window's final invocation that Lambda retries counts once; a record handed over again within a
 * window is skipped; a later window of the same shard adds on; a window that keeps failing holds
 * its shard back and is retried until it succeeds, never skipped.
 */
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { routingAggregates } from "../../functions/routing/functions.js";
import { retryUntilTrimmed, type StreamTrigger } from "../../functions/catalog/types.js";
import { localClient } from "../../local/dynamodb.js";
import { startStreamConsumer } from "../../local/streams.js";
import type { Conversation } from "../../functions/routing/conversation.js";
import type { StreamWindowEvent } from "../../functions/routing/aggregates.stream.js";
import { minutesInto as minutes, quietHours, storedConversation as conversation } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";
import { until } from "../support/backend-process.js";

const stack = useLocalStack({ tableStream: true });

const quietHour = quietHours(2022);

describe("aggregates from the table's change stream", () => {
  it("a conversation's writes reach its hour's aggregates and its arrival slot, once each", async () => {
    const s = stack();
    const { arrivalCountsOn, closeOps, createConversation, routingHour } = await import("../../functions/routing/store/index.js");
    const { metricsDelta, metricsHour } = await import("../../functions/routing/metrics.js");
    const { transact, arrivalSlot } = await import("../../functions/shared/table/index.js");
    const hour = quietHour();
    const at = minutes(hour, 10);
    const queued = conversation(s.uid("agg"), at);
    expect(await createConversation(queued)).toBe(true);
    const entry = { at: minutes(hour, 14), action: "closed" as const, actor: "system:test" };
    await transact(closeOps(queued, entry));
    await s.streamsSettled();

    const closed: Conversation = { ...queued, status: "closed", closedAt: entry.at, abandoned: true, history: [...queued.history, entry] };
    const expected = metricsDelta(undefined, closed);
    expect(expected.length).toBeGreaterThan(0);
    const aggregates = await routingHour(metricsHour(at));
    for (const { owner, counters } of expected) expect(aggregates.get(owner)).toEqual(counters);
    const { day, slot } = arrivalSlot(new Date(at));
    expect((await arrivalCountsOn(day)).filter((c) => c.slot === slot)).toEqual([{ slot, skill: "logistics", arrivals: 1 }]);
  });

  it("a retried final invocation counts once, a record handed over again is skipped, and the shard's next window adds on", async () => {
    const s = stack();
    const { routingHour } = await import("../../functions/routing/store/index.js");
    const { metricsHour } = await import("../../functions/routing/metrics.js");
    const { Conversation: ConversationItem } = await import("../../functions/shared/table/index.js");
    const hour = quietHour();
    const id = s.uid("win");
    const at = minutes(hour, 5);
    const queued = conversation(id, at);
    const closed: Conversation = { ...queued, status: "closed", closedAt: minutes(hour, 7), abandoned: true, history: [...queued.history, { at: minutes(hour, 7), action: "closed", actor: "test" }] };
    const record = (sequence: string, before: Conversation | undefined, after: Conversation | undefined): DynamoDBRecord => ({
      eventName: before ? (after ? "MODIFY" : "REMOVE") : "INSERT",
      dynamodb: {
        SequenceNumber: sequence,
        Keys: marshall(ConversationItem.key(queued)) as never,
        ...(before ? { OldImage: marshall(ConversationItem.item(before), { removeUndefinedValues: true }) as never } : {}),
        ...(after ? { NewImage: marshall(ConversationItem.item(after), { removeUndefinedValues: true }) as never } : {}),
      },
    });
    const shardId = `shardId-${s.uid("test")}`;
    const windowOf = (start: number, records: DynamoDBRecord[], state: Record<string, unknown> | undefined, final: boolean): StreamWindowEvent => ({
      Records: records,
      window: { start: new Date(start).toISOString(), end: new Date(start + 30_000).toISOString() },
      ...(state ? { state } : {}),
      shardId,
      isFinalInvokeForWindow: final,
      isWindowTerminatedEarly: false,
    });
    // Nobody was given it: its counters are under one unassigned shard's owner, the hour's only one.
    const owner = async () => {
      const owners = [...(await routingHour(metricsHour(at))).values()];
      expect(owners.length).toBe(1);
      return owners[0];
    };

    // Window 1: the INSERT, the close, and the close handed over again (the same sequence number).
    const first = (await s.invoke("RoutingAggregates", windowOf(hour, [record("100", undefined, queued), record("101", queued, closed)], undefined, false))) as { state: Record<string, string> };
    expect(first.state.aggregates).toBeDefined();
    const final = windowOf(hour, [record("101", queued, closed)], first.state, true);
    expect(await s.invoke("RoutingAggregates", final)).toEqual({ state: {} });
    const once = await owner();
    expect(once?.["s.logistics.r"]).toBe(1);
    expect(once?.["s.logistics.c"]).toBe(1);

    // Lambda retries the final invocation (its answer was lost): nothing is counted again.
    await s.invoke("RoutingAggregates", final);
    expect(await owner()).toEqual(once);

    // The shard's next window: the conversation leaves the aggregates (a REMOVE), then is written closed again.
    await s.invoke("RoutingAggregates", windowOf(hour + 30_000, [record("102", closed, undefined), record("103", undefined, closed)], undefined, true));
    expect(await owner()).toEqual(once);
    await s.invoke("RoutingAggregates", windowOf(hour + 60_000, [record("104", closed, { ...closed, closeReason: "customer-left" })], undefined, true));
    expect((await owner())?.["s.logistics.l"]).toBe(1);
  });

  it("a window that keeps failing holds its shard back and is retried until it succeeds: never skipped, nothing after it read meanwhile", async () => {
    const s = stack();
    // A reader of the table's real stream of its own, seeing only this test's items, with a
    // handler that fails every final invocation until told to stop: a DynamoDB outage, say.
    const prefix = `CONV#${s.uid("held")}-`;
    const trigger: StreamTrigger = { kind: "stream", keyPrefixes: [prefix], batchSize: 1000, tumblingWindowSeconds: 1, retryAttempts: retryUntilTrimmed };
    expect(routingAggregates.triggers).toContainEqual(expect.objectContaining({ kind: "stream", retryAttempts: retryUntilTrimmed }));
    let failing = true;
    let failures = 0;
    const finals: { keys: string[]; ok: boolean }[] = [];
    const consumer = startStreamConsumer({
      endpoint: s.dynamoEndpoint,
      tableName: s.tableName,
      spec: { ...routingAggregates, triggers: [trigger] },
      trigger,
      windowSeconds: 1,
      retryDelayMs: 20,
      onError: () => undefined,
      handler: async (invoked: unknown) => {
        const event = invoked as StreamWindowEvent;
        const keys = event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? "");
        const state = { seen: [...((event.state?.seen as string[] | undefined) ?? []), ...keys] };
        if (!event.isFinalInvokeForWindow) return { state };
        finals.push({ keys: state.seen, ok: !failing });
        if (failing) {
          failures++;
          throw new Error("throttled");
        }
        return { state: {} };
      },
    });
    try {
      const dynamo = localClient(s.dynamoEndpoint);
      const put = (name: string) => dynamo.send(new PutCommand({ TableName: s.tableName, Item: { pk: `${prefix}${name}`, sk: "CONV", type: "Probe" } }));
      await put("a");
      void consumer.settled(120_000).catch(() => undefined);
      // More failures than the 10 retries it used to give up after.
      await until(async () => (failures >= 12 ? true : undefined), 60_000, "the first window failing a dozen times");
      await put("b");
      // The shard waits on the failing window: as it keeps being retried, b is never read.
      const seenAtB = failures;
      await until(async () => (failures >= seenAtB + 12 ? true : undefined), 60_000, "a dozen more retries of the first window");
      expect(finals.every((f) => f.keys.length === 1 && f.keys[0] === `${prefix}a`)).toBe(true);

      failing = false;
      await consumer.settled(60_000);
      const succeeded = finals.filter((f) => f.ok);
      // a's window once, then b's: nothing skipped, nothing twice, in order.
      expect(succeeded.map((f) => f.keys)).toEqual([[`${prefix}a`], [`${prefix}b`]]);
    } finally {
      await consumer.stop();
    }
  }, 180_000);
});
