/**
 * A fan-out larger than one part (issue 15: 20,000 agents passed the 50 s timeout in one
 * invocation): the audience goes out as part messages through the real notices queue, each
 * written by its own invocation; every agent gets exactly one entry, a redelivered part adds
 * nothing, a malformed part fails alone.
 */
import { afterEach, describe, expect, it } from "vitest";
import { noticeFixtures } from "../support/notices.js";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();
const { agent, offDutyAll } = noticeFixtures();

afterEach(async () => {
  await offDutyAll();
});

describe("notice fan-out in parts", () => {
  it("splits a large audience into part messages, delivers each agent once, and a redelivered part adds nothing", { timeout: 240_000 }, async () => {
    const s = stack();
    const agents = [];
    for (let i = 0; i < 5; i++) agents.push(await agent(s, ["logistics"], true));
    const offDuty = await agent(s, ["logistics"], false);
    const { publishOps } = await import("../../functions/notices/store/index.js");
    const { fanOutNotice } = await import("../../functions/notices/use-cases/index.js");
    const { transact, NoticeDelivery, dynamo, tableName } = await import("../../functions/shared/table/index.js");
    const { QueryCommand } = await import("@aws-sdk/lib-dynamodb");
    const noticeId = `n.${s.uid("parts")}`;
    const now = new Date();
    // Published directly (no fan-out message), so this test's part size applies.
    await transact(publishOps({ noticeId, title: "Parts", body: "Threshold 200", urgency: "important", targetSkills: ["logistics"], publishedAt: now.toISOString(), publishedBy: "sup", expiresAt: new Date(now.getTime() + 3_600_000).toISOString() }));

    const planned = await s.runAs("NoticeFanout", () => fanOutNotice(noticeId, new Date(), { partSize: 2 }));
    expect(planned).toMatchObject({ targeted: 5, parts: 3, delivered: 0 });

    const sup = await s.supervisor();
    const receipts = await s.eventually(async () => {
      const r = (await s.api("GET", `/notices/${noticeId}/receipts`, { as: sup })).body;
      return r?.counts?.delivered === 5 ? r : undefined;
    }, 120_000);
    expect(receipts.counts).toMatchObject({ targeted: 5, delivered: 5, acknowledged: 0 });
    expect(new Set(receipts.agents.map((a: { agentId: string }) => a.agentId))).toEqual(new Set(agents));
    const entries = async (agentId: string) =>
      (await dynamo.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk AND begins_with(sk, :n)", ExpressionAttributeValues: { ":pk": NoticeDelivery.partition({ agentId }), ":n": NoticeDelivery.sortPrefix } }))).Items ?? [];
    expect(await entries(offDuty)).toHaveLength(0);

    const record = (messageId: string, body: unknown) => ({ messageId, receiptHandle: messageId, body: JSON.stringify(body), attributes: { ApproximateReceiveCount: "2", SentTimestamp: String(Date.now()) }, messageAttributes: {} });
    // A redelivered part and a malformed one (no agents) in the same batch: the bad one fails alone.
    const redelivered = await s.invoke("NoticeFanout", { Records: [record("p1", { kind: "fanout-part", noticeId, agentIds: agents.slice(0, 2) }), record("bad", { kind: "fanout-part", noticeId, agentIds: [] })] });
    expect(redelivered).toEqual({ batchItemFailures: [{ itemIdentifier: "bad" }] });
    for (const agentId of agents) expect(await entries(agentId)).toHaveLength(1);
    const after = (await s.api("GET", `/notices/${noticeId}/receipts`, { as: sup })).body;
    expect(after.counts).toMatchObject({ targeted: 5, delivered: 5 });
  });
});
