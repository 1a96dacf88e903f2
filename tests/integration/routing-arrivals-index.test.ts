/**
 * Issue 15: arrivals by hour in a keys-only index (gsi4). The partial hours of
 * `GET /metrics/routing` find the conversations through their keys, still find conversations
 * written by earlier releases in the legacy gsi3 (ALL), and a reopen moves the conversation to
 * its new episode's hour.
 */
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { minutesInto as minutes, quietHours, storedConversation as conversation } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

const quietHour = quietHours(2021);

describe("arrivals by hour (keys-only gsi4)", () => {
  it("finds a partial hour's conversations through their keys, and the index carries keys only", async () => {
    const s = stack();
    const { conversationsArrivedBetween, createConversation } = await import("../../functions/routing/store/index.js");
    const { Conversation: ConversationItem, arrivalHour, dynamo, tableName } = await import("../../functions/shared/table/index.js");
    const hour = quietHour();
    const ids = [10, 20, 40, 59].map((m) => ({ id: s.uid(`arr-${m}`), at: minutes(hour, m) }));
    for (const { id, at } of ids) expect(await createConversation(conversation(id, at))).toBe(true);

    const found = await conversationsArrivedBetween(new Date(minutes(hour, 15)), new Date(minutes(hour, 59)));
    expect(found.map((c) => c.conversationId).sort()).toEqual([ids[1]?.id, ids[2]?.id].sort());
    expect(found.every((c) => c.history.length === 1 && c.status === "queued")).toBe(true);

    const index = ConversationItem.index.arrived;
    const entries = await dynamo.send(new QueryCommand({ TableName: tableName, IndexName: index.index, KeyConditionExpression: `${index.attributeNames.pk} = :p`, ExpressionAttributeValues: { ":p": index.partition({ hour: arrivalHour(minutes(hour, 0)) }) } }));
    expect(entries.Items?.length).toBe(4);
    // Keys only: no attribute a later write changes is copied, so a change never rewrites the entry.
    for (const entry of entries.Items ?? []) expect(Object.keys(entry).sort()).toEqual(["gsi4pk", "gsi4sk", "pk", "sk"]);
  });

  it("still finds a conversation an earlier release wrote into the legacy gsi3, once", async () => {
    const s = stack();
    const { conversationsArrivedBetween, createConversation } = await import("../../functions/routing/store/index.js");
    const { Conversation: ConversationItem, arrivalHour, dynamo, tableName } = await import("../../functions/shared/table/index.js");
    const hour = quietHour();
    const legacyId = s.uid("legacy");
    const legacyAt = minutes(hour, 30);
    const legacy = ConversationItem.item(conversation(legacyId, legacyAt, { status: "closed", closedAt: minutes(hour, 35), abandoned: true }), ConversationItem.index.arrivedLegacy.attributes({ hour: arrivalHour(legacyAt), arrivedAt: legacyAt, conversationId: legacyId }));
    await dynamo.send(new PutCommand({ TableName: tableName, Item: legacy }));
    const newId = s.uid("new");
    await createConversation(conversation(newId, minutes(hour, 31)));

    const found = await conversationsArrivedBetween(new Date(minutes(hour, 29)), new Date(minutes(hour, 45)));
    expect(found.map((c) => c.conversationId).sort()).toEqual([legacyId, newId].sort());
    expect(found.find((c) => c.conversationId === legacyId)?.status).toBe("closed");
  });

  it("a reopen moves the conversation to its new episode's hour and out of the legacy index", async () => {
    const s = stack();
    const { conversationsArrivedBetween, reopenOp } = await import("../../functions/routing/store/index.js");
    const { Conversation: ConversationItem, arrivalHour, dynamo, tableName, transact } = await import("../../functions/shared/table/index.js");
    const hour = quietHour();
    const id = s.uid("reopened");
    const firstAt = minutes(hour, 10);
    const closed = conversation(id, firstAt, { status: "closed", closedAt: minutes(hour, 12), abandoned: true });
    // Written as an earlier release did (legacy index only), then reopened by this one.
    await dynamo.send(new PutCommand({ TableName: tableName, Item: ConversationItem.item(closed, ConversationItem.index.arrivedLegacy.attributes({ hour: arrivalHour(firstAt), arrivedAt: firstAt, conversationId: id })) }));
    const againAt = minutes(hour, 150);
    const { op } = reopenOp(closed, againAt, "logistics", againAt);
    await transact([op]);

    expect((await conversationsArrivedBetween(new Date(minutes(hour, 5)), new Date(minutes(hour, 20)))).map((c) => c.conversationId)).not.toContain(id);
    const later = await conversationsArrivedBetween(new Date(minutes(hour, 140)), new Date(minutes(hour, 160)));
    expect(later.map((c) => c.conversationId)).toEqual([id]);
    expect(later[0]?.status).toBe("queued");
  });

  it("the one-off migration moves legacy gsi3 conversations into gsi4 (a dry run writes nothing), drops a legacy pair already mirrored in gsi4, and reports one whose gsi4 entry is another arrival's", async () => {
    const s = stack();
    const { conversationsArrivedBetween, createConversation } = await import("../../functions/routing/store/index.js");
    const { moveLegacyArrivals } = await import("../../functions/routing/store/arrivals-migration.js");
    const { Conversation: ConversationItem, arrivalHour, dynamo, tableName } = await import("../../functions/shared/table/index.js");
    const hour = quietHour();
    const legacyIds = [5, 15, 25, 35, 45].map((m) => ({ id: s.uid(`mig-${m}`), at: minutes(hour, m) }));
    for (const { id, at } of legacyIds) {
      await dynamo.send(new PutCommand({ TableName: tableName, Item: ConversationItem.item(conversation(id, at, { status: "closed", closedAt: minutes(hour, 50), abandoned: true }), ConversationItem.index.arrivedLegacy.attributes({ hour: arrivalHour(at), arrivedAt: at, conversationId: id })) }));
    }
    const newId = s.uid("mig-new");
    await createConversation(conversation(newId, minutes(hour, 30)));
    const before = (await conversationsArrivedBetween(new Date(minutes(hour, 0)), new Date(minutes(hour, 59)))).map((c) => c.conversationId).sort();
    expect(before).toEqual([...legacyIds.map((l) => l.id), newId].sort());

    // A dry run writes nothing.
    const dry = await moveLegacyArrivals({ dryRun: true, segments: 2 });
    expect(dry.scanned).toBeGreaterThanOrEqual(legacyIds.length);
    const inLegacy = async () => {
      const index = ConversationItem.index.arrivedLegacy;
      const page = await dynamo.send(new QueryCommand({ TableName: tableName, IndexName: index.index, KeyConditionExpression: `${index.attributeNames.pk} = :p`, ExpressionAttributeValues: { ":p": index.partition({ hour: arrivalHour(minutes(hour, 0)) }) } }));
      return (page.Items ?? []).map((i) => String(i.conversationId)).sort();
    };
    expect(await inLegacy()).toEqual(legacyIds.map((l) => l.id).sort());

    const moved = await moveLegacyArrivals({ segments: 2, lanes: 3, pageSize: 2 });
    expect(moved.moved).toBeGreaterThanOrEqual(legacyIds.length);
    expect(moved.scanned).toBe(moved.moved + moved.skipped + moved.conflicts.length);
    expect(await inLegacy()).toEqual([]);
    const index = ConversationItem.index.arrived;
    const entries = await dynamo.send(new QueryCommand({ TableName: tableName, IndexName: index.index, KeyConditionExpression: `${index.attributeNames.pk} = :p`, ExpressionAttributeValues: { ":p": index.partition({ hour: arrivalHour(minutes(hour, 0)) }) } }));
    expect(entries.Items?.length).toBe(legacyIds.length + 1);
    // The reader finds the same conversations, each once, now all through gsi4.
    expect((await conversationsArrivedBetween(new Date(minutes(hour, 0)), new Date(minutes(hour, 59)))).map((c) => c.conversationId).sort()).toEqual(before);

    // Written by both releases during a deploy: in gsi4 under the same arrival, the legacy pair is
    // just removed; under another arrival, it is left in both and reported.
    const both = (id: string, legacyAt: string, newAt: string) =>
      dynamo.send(new PutCommand({ TableName: tableName, Item: ConversationItem.item(conversation(id, newAt), { ...ConversationItem.index.arrivedLegacy.attributes({ hour: arrivalHour(legacyAt), arrivedAt: legacyAt, conversationId: id }), ...ConversationItem.index.arrived.attributes({ hour: arrivalHour(newAt), arrivedAt: newAt, conversationId: id }) }) }));
    const sameId = s.uid("mig-same");
    const otherId = s.uid("mig-other");
    await both(sameId, minutes(hour, 55), minutes(hour, 55));
    await both(otherId, minutes(hour, 56), minutes(hour, 130));
    const again = await moveLegacyArrivals({ segments: 1 });
    expect(again).toMatchObject({ scanned: 2, moved: 1, skipped: 0, conflicts: [otherId] });
    expect(await inLegacy()).toEqual([otherId]);
    const last = await moveLegacyArrivals({ dryRun: true });
    expect(last.scanned).toBe(1);
  });
});
