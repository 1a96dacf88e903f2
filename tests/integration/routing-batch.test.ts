/**
 * Routing decisions per SQS batch (functions/routing/use-cases/route-batch.ts): the Router is
 * invoked with real batches of route messages (as the poller or Lambda's event source mapping
 * delivers them) for conversations written `queued` as the webhook writes them. Pool reads are
 * counted on the functions' own DynamoDB client (a middleware that only counts), decisions through
 * the router's decision listener; everything else is read back through the API.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Conversation } from "../../functions/routing/conversation.js";
import type { RoutingDecision } from "../../functions/routing/decisions.js";
import { agent, conversation, makeAgent, setDuty } from "../support/routing.js";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack();
// Imported once the stack has set the functions' environment.
const table = () => import("../../functions/shared/table/index.js");

async function newSkill(s: TestStack): Promise<string> {
  const skill = s.uid("batch");
  expect((await s.api("PUT", `/skills/${skill}`, { as: await s.supervisor(), body: { name: skill } })).status).toBe(201);
  return skill;
}

/** `count` conversations of `skill` written `queued` as the webhook writes them, one millisecond apart in arrival. */
async function queuedConversations(s: TestStack, skill: string, count: number, options: { priorities?: Record<number, Conversation["priority"]>; at?: Date } = {}): Promise<Conversation[]> {
  const { createConversationOnce } = await import("../../functions/routing/store/index.js");
  const base = (options.at ?? new Date()).getTime();
  const out: Conversation[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(base + i).toISOString();
    const c: Conversation = {
      conversationId: s.uid("conv"),
      customerId: s.uid("cust"),
      channel: "tmall",
      skill,
      requestedSkill: skill,
      priority: options.priorities?.[i] ?? "normal",
      status: "queued",
      arrivedAt: at,
      assignments: 0,
      history: [{ at, action: "received", actor: "system:chat-platform" }],
    };
    const created = await s.runAs("ConversationsApi", () => createConversationOnce(c, `event:${randomUUID()}`));
    expect(created.created).toBe(true);
    out.push(c);
  }
  return out;
}

type Body = Record<string, unknown>;
const routeOf = (c: Conversation): Body => ({ kind: "route", conversationId: c.conversationId, snapshot: c });

/** Invokes the Router with one batch of these bodies; returns the ids of the records it reported failed. */
async function routerBatch(s: TestStack, bodies: Body[]): Promise<{ failed: string[]; ids: string[] }> {
  const ids = bodies.map(() => randomUUID());
  const Records = bodies.map((body, i) => ({
    messageId: ids[i],
    receiptHandle: `r-${ids[i]}`,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:local-conversations",
    awsRegion: "us-east-1",
  }));
  const response = (await s.invoke("Router", { Records })) as { batchItemFailures: { itemIdentifier: string }[] };
  return { failed: response.batchItemFailures.map((f) => f.itemIdentifier), ids };
}

/** Counts the pool queries of each skill and the routing decisions made while `run` runs. */
async function observed<T>(run: () => Promise<T>): Promise<{ result: T; poolReads: Map<string, number>; decisions: RoutingDecision[] }> {
  const { dynamo, Seat } = await table();
  const { onRoutingDecision } = await import("../../functions/routing/decisions.js");
  const pool = Seat.index.pool;
  const poolReads = new Map<string, number>();
  const name = `testCountPoolReads-${randomUUID()}`;
  const count = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    const input = (args as { input?: { IndexName?: string; ExpressionAttributeValues?: Record<string, unknown> } }).input;
    const partition = input?.ExpressionAttributeValues?.[":p"];
    if (context.commandName === "QueryCommand" && input?.IndexName === pool.index && typeof partition === "string" && partition.startsWith("POOL#")) poolReads.set(partition, (poolReads.get(partition) ?? 0) + 1);
    return next(args);
  };
  const decisions: RoutingDecision[] = [];
  const stop = onRoutingDecision((d) => decisions.push(d));
  dynamo.middlewareStack.add(count as never, { step: "initialize", name });
  try {
    return { result: await run(), poolReads, decisions };
  } finally {
    dynamo.middlewareStack.remove(name);
    stop();
  }
}

const poolOf = async (skill: string) => (await table()).Seat.index.pool.partition({ skill });

describe("routing decisions per SQS batch", () => {
  it("a batch of 8 route messages for one skill: 8 agents of 1 slot each get one each, from one pool read, without colliding", async () => {
    const s = stack();
    const skill = await newSkill(s);
    const agents: string[] = [];
    for (let i = 0; i < 8; i++) agents.push(await makeAgent(s, { skills: [skill], maxConcurrent: 1 }));
    const conversations = await queuedConversations(s, skill, 8);
    const { result, poolReads, decisions } = await observed(() => routerBatch(s, conversations.map(routeOf)));
    expect(result.failed).toEqual([]);
    const routed = await Promise.all(conversations.map((c) => conversation(s, c.conversationId)));
    expect(routed.map((c) => c.status)).toEqual(Array(8).fill("assigned"));
    expect(new Set(routed.map((c) => c.agentId)).size).toBe(8);
    expect(routed.every((c) => agents.includes(c.agentId))).toBe(true);
    for (const a of agents) expect((await agent(s, a)).load).toBe(1);
    // One pool query for the whole batch (a decision alone reads it once each: 8).
    expect(poolReads.get(await poolOf(skill))).toBe(1);
    // Distinct seats: no decision of the batch lost a race to another one.
    const mine = decisions.filter((d) => conversations.some((c) => c.conversationId === d.conversationId));
    expect(mine).toHaveLength(8);
    expect(mine.every((d) => d.outcome === "assigned" && d.batched === true && d.candidatesTried === 1)).toBe(true);
    for (const a of agents) await setDuty(a, false);
  });

  it("fewer slots than conversations: the first in line (priority, then arrival) are assigned, the rest wait in FIFO order and are served as slots free", async () => {
    const s = stack();
    const skill = await newSkill(s);
    const agents: string[] = [];
    for (let i = 0; i < 3; i++) agents.push(await makeAgent(s, { skills: [skill], maxConcurrent: 1 }));
    // The 7th to arrive is urgent: it goes before the normal ones.
    const conversations = await queuedConversations(s, skill, 8, { priorities: { 6: "urgent" } });
    const ids = conversations.map((c) => c.conversationId);
    // Delivered in another order than they arrived: the plan serves the line's order, not the batch's.
    const shuffled = [5, 2, 7, 0, 6, 3, 1, 4].map((i) => conversations[i] as Conversation);
    const { result } = await observed(() => routerBatch(s, shuffled.map(routeOf)));
    expect(result.failed).toEqual([]);
    const status = async () => Object.fromEntries(await Promise.all(ids.map(async (id) => [id, (await conversation(s, id)).status] as const)));
    const first = await status();
    const assigned = ids.filter((id) => first[id] === "assigned");
    expect(new Set(assigned)).toEqual(new Set([ids[6], ids[0], ids[1]]));
    expect(ids.filter((id) => first[id] === "waiting")).toEqual([ids[2], ids[3], ids[4], ids[5], ids[7]]);
    for (const a of agents) expect((await agent(s, a)).load).toBe(1);
    // A slot frees: the earliest waiting conversation is served, the others keep waiting.
    const sup = await s.supervisor();
    expect((await s.api("POST", `/conversations/${ids[0]}/close`, { as: sup })).status).toBe(200);
    await s.eventually(async () => (await conversation(s, ids[2] ?? "")).status === "assigned");
    const after = await status();
    expect(ids.filter((id) => after[id] === "waiting")).toEqual([ids[3], ids[4], ids[5], ids[7]]);
    for (const a of agents) expect((await agent(s, a)).load).toBeLessThanOrEqual(1);
    for (const a of agents) await setDuty(a, false);
  });

  it("a batch mixing skills, a drain, a message without snapshot and a poison record: each skill's pool read once for its group, each conversation to its skill, only the poison record failed", async () => {
    const s = stack();
    const [a, b] = [await newSkill(s), await newSkill(s)];
    const aAgents: string[] = [];
    const bAgents: string[] = [];
    for (let i = 0; i < 5; i++) aAgents.push(await makeAgent(s, { skills: [a], maxConcurrent: 1 }));
    for (let i = 0; i < 3; i++) bAgents.push(await makeAgent(s, { skills: [b], maxConcurrent: 1 }));
    const aConversations = await queuedConversations(s, a, 5);
    const bConversations = await queuedConversations(s, b, 3);
    const [bare, ...aPlanned] = aConversations as [Conversation, ...Conversation[]];
    const bodies: Body[] = [
      ...aPlanned.slice(0, 2).map(routeOf),
      { kind: "teleport" },
      ...bConversations.map(routeOf),
      { kind: "route", conversationId: bare.conversationId },
      { kind: "drain", skills: [b], reason: "test" },
      ...aPlanned.slice(2).map(routeOf),
    ];
    expect(bodies).toHaveLength(10);
    const { result, poolReads } = await observed(() => routerBatch(s, bodies));
    expect(result.failed).toEqual([result.ids[2]]);
    for (const [conversations, agents] of [[aConversations, aAgents], [bConversations, bAgents]] as const) {
      const routed = await Promise.all(conversations.map((c) => conversation(s, c.conversationId)));
      expect(routed.map((c) => c.status)).toEqual(Array(conversations.length).fill("assigned"));
      expect(routed.every((c) => agents.includes(c.agentId))).toBe(true);
      expect(new Set(routed.map((c) => c.agentId)).size).toBe(conversations.length);
    }
    for (const x of [...aAgents, ...bAgents]) expect((await agent(s, x)).load).toBe(1);
    // b: its group's one read (the drain found no line to serve). a: its group's read, plus the
    // message without snapshot deciding alone as ever (and re-reading if it lost a race).
    expect(poolReads.get(await poolOf(b))).toBe(1);
    expect(poolReads.get(await poolOf(a))).toBeGreaterThanOrEqual(2);
    for (const x of [...aAgents, ...bAgents]) await setDuty(x, false);
  });

  it("a batch delivered twice at once, then again: each conversation assigned once, no agent over capacity, nothing changes on the redelivery", async () => {
    const s = stack();
    const skill = await newSkill(s);
    const agents: string[] = [];
    for (let i = 0; i < 6; i++) agents.push(await makeAgent(s, { skills: [skill], maxConcurrent: 1 }));
    const conversations = await queuedConversations(s, skill, 6);
    const bodies = conversations.map(routeOf);
    // Two copies of the same batch at once (a redelivery racing the first delivery): the same plan, the same seats.
    const racing = await Promise.all([routerBatch(s, bodies), routerBatch(s, bodies)]);
    expect(racing.flatMap((r) => r.failed)).toEqual([]);
    const routed = await Promise.all(conversations.map((c) => conversation(s, c.conversationId)));
    expect(routed.map((c) => [c.status, c.assignments])).toEqual(Array(6).fill(["assigned", 1]));
    expect(new Set(routed.map((c) => c.agentId)).size).toBe(6);
    for (const x of agents) expect((await agent(s, x)).load).toBe(1);
    // Delivered again later, with free agents for the plan to hand out: every decision stops at
    // "already" (its transaction refused on the conversation), nothing is written.
    const fresh: string[] = [];
    for (let i = 0; i < 6; i++) fresh.push(await makeAgent(s, { skills: [skill], maxConcurrent: 1 }));
    const { result, decisions } = await observed(() => routerBatch(s, bodies));
    expect(result.failed).toEqual([]);
    const stored = (c: { status: string; agentId: string; assignments: number; assignedAt: string; history: unknown[] }) => [c.status, c.agentId, c.assignments, c.assignedAt, c.history];
    const again = await Promise.all(conversations.map((c) => conversation(s, c.conversationId)));
    expect(again.map(stored)).toEqual(routed.map(stored));
    expect(decisions.filter((d) => conversations.some((c) => c.conversationId === d.conversationId)).map((d) => d.outcome)).toEqual(Array(6).fill("already"));
    for (const x of agents) expect((await agent(s, x)).load).toBe(1);
    for (const x of fresh) expect((await agent(s, x)).load).toBe(0);
    for (const x of [...agents, ...fresh]) await setDuty(x, false);
  });
});
