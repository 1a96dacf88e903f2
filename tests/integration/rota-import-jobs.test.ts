/**
 * Large rota CSV imports (issue 15, scale): a file over 1,000 rows is checked in the request
 * (bad rows → 400, nothing written), accepted with 202 and a job, and applied by the
 * RotaImportJobs queue consumer all or nothing: a conflicting change at apply time or an
 * overlap fails the job with the rota as before; a failure in the middle of the writes is rolled
 * back and retried; a redelivered message never applies the file twice.
 */
import { describe, expect, it } from "vitest";
import { useLocalStack, type TestStack } from "../support/stack.js";

const stack = useLocalStack();

const table = () => import("../../functions/shared/table/index.js");

const dayAfter = (start: string, n: number) => new Date(Date.parse(`${start}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function auditActions(entityId: string): Promise<string[]> {
  const { AuditRecord, queryAll } = await table();
  const items = await queryAll({ KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": AuditRecord.partition({ entity: "rota", entityId }) }, ConsistentRead: true });
  return items.map((item) => AuditRecord.parse(item).action);
}

async function setup(s: TestStack, agentCount: number) {
  const sup = await s.supervisor("sup-import-jobs");
  const agents = Array.from({ length: agentCount }, () => s.uid("ag"));
  // Agents are seeded as the agents capability writes them (profile and its index items), in batches: they are not under test.
  const { newAgent } = await import("../../functions/agents/domain.js");
  const { agentWriteOps } = await import("../../functions/agents/store.js");
  const { batchWrite } = await table();
  const items = agents.flatMap((agentId) => agentWriteOps(undefined, newAgent({ agentId, name: agentId, skills: ["presale"], maxConcurrent: 3 }, "test", new Date())).flatMap((op) => (op.Put?.Item ? [op.Put.Item] : [])));
  for (let i = 0; i < items.length; i += 25) await batchWrite(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })));
  expect((await s.api("GET", `/agents/${agents[0]}`, { as: sup })).status).toBe(200);
  const shift = async (name: string, start: string, end: string) => {
    const id = s.uid(name);
    expect((await s.api("PUT", `/shifts/${id}`, { as: sup, body: { name, start, end, timeZone: "UTC" } })).status).toBe(201);
    return id;
  };
  const post = (csv: string) => s.api("POST", "/rota/import", { as: sup, raw: csv, headers: { "content-type": "text/csv" } });
  /** Every (agent, date) → shiftId of these agents in [from, to] from GET /rota ("off" days are absent). */
  const cells = async (from: string, to: string) => {
    const res = await s.api("GET", `/rota?from=${from}&to=${to}`, { as: sup });
    expect(res.status).toBe(200);
    const mine = new Set(agents);
    return new Map((res.body.occurrences as { agentId: string; date: string; shiftId: string }[]).filter((o) => mine.has(o.agentId)).map((o) => [`${o.agentId} ${o.date}`, o.shiftId]));
  };
  const job = async (location: string) => (await s.api("GET", location, { as: sup })).body;
  const finished = (location: string, timeoutMs = 240_000) =>
    s.eventually(async () => {
      const body = await job(location);
      return body.status === "done" || body.status === "failed" ? body : undefined;
    }, timeoutMs);
  return { sup, agents, shift, post, cells, job, finished };
}

const csvOf = (agents: readonly string[], days: readonly string[], shiftOf: (agentIndex: number, dayIndex: number) => string) =>
  ["agent,date,shift", ...agents.flatMap((a, i) => days.map((d, j) => `${a},${d},${shiftOf(i, j)}`))].join("\n") + "\n";

describe("large rota imports (202 + job)", () => {
  it("imports 60 agents × 31 days through the queue: 202 with Location, progress, then the whole file in the rota, audited once per agent", async () => {
    const s = stack();
    const { agents, shift, post, cells, job } = await setup(s, 60);
    const early = await shift("early", "06:00", "14:00");
    const late = await shift("late", "14:00", "22:00");
    const from = "2033-05-01";
    const days = Array.from({ length: 31 }, (_, i) => dayAfter(from, i));
    const to = days[30] ?? from;
    const want = (i: number, j: number) => (j % 7 >= 5 ? "off" : (i + j) % 2 === 0 ? early : late);

    const accepted = await post(csvOf(agents, days, want));
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const location = accepted.headers.get("location") ?? "";
    expect(location).toBe(`/rota/imports/${accepted.body.jobId}`);
    expect(accepted.body).toMatchObject({ status: "queued", rows: 1_860, agents: 60, from, to, progress: { applied: 0, total: null } });

    const seen = new Set<string>();
    const done = await s.eventually(async () => {
      const body = await job(location);
      seen.add(body.status);
      return body.status === "done" || body.status === "failed" ? body : undefined;
    }, 240_000);
    expect(done, JSON.stringify(done)).toMatchObject({ status: "done", written: 1_860, removed: 0, progress: { applied: 1_860, total: 1_860 } });
    expect(done.finishedAt).toBeDefined();

    const state = await cells(from, to);
    for (const [i, a] of agents.entries()) {
      for (const [j, d] of days.entries()) {
        const expected = want(i, j);
        expect(state.get(`${a} ${d}`), `${a} ${d}`).toBe(expected === "off" ? undefined : expected);
      }
    }
    // "off" rows are stored too: 1,860 items, in the month index's shards.
    const { RotaAssignment, queryAll, rotaAssignmentShardList } = await table();
    const counts = await Promise.all(
      rotaAssignmentShardList.map(async (shard) => (await queryAll({ IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": RotaAssignment.index.byMonth.partition({ month: "2033-05", shard }) } })).filter((item) => agents.includes(String(item.agentId))).length),
    );
    expect(counts.reduce((n, c) => n + c, 0)).toBe(1_860);
    expect(counts.filter((c) => c > 0).length).toBeGreaterThan(4);
    for (const a of agents.slice(0, 10)) expect(await auditActions(a)).toEqual(["rota.imported"]);

    // The message delivered again, twice at once (SQS is at-least-once): nothing applied a second time.
    const record = (messageId: string) => ({ messageId, receiptHandle: messageId, body: JSON.stringify({ jobId: accepted.body.jobId }), attributes: { ApproximateReceiveCount: "2", SentTimestamp: String(Date.now()) }, messageAttributes: {} });
    const again = await Promise.all([s.invoke("RotaImportJobs", { Records: [record("r1")] }), s.invoke("RotaImportJobs", { Records: [record("r2")] })]);
    expect(again).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    for (const a of agents.slice(0, 10)) expect(await auditActions(a)).toEqual(["rota.imported"]);
    expect(await job(location)).toEqual(done);
  }, 400_000);

  it("applies a job once when its message is delivered several times at once, and rolls back then retries a failure in the middle of its writes", async () => {
    const s = stack();
    const { agents, shift, post, cells, finished } = await setup(s, 40);
    const early = await shift("early", "06:00", "14:00");
    const from = "2033-07-01";
    const days = Array.from({ length: 31 }, (_, i) => dayAfter(from, i));
    const to = days[30] ?? from;
    const { dynamo } = await table();
    const original = dynamo.send.bind(dynamo);
    // The 5th staged-item transaction of the import fails once (a store error after part of it is staged).
    let stagedWrites = 0;
    let failed = false;
    let sawPartial = false;
    (dynamo as { send: unknown }).send = async (command: { constructor: { name: string }; input?: { TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] } }, ...rest: unknown[]) => {
      const items = command.constructor.name === "TransactWriteCommand" ? (command.input?.TransactItems ?? []) : [];
      if (items.some((t) => (t.Put?.Item?.staged as { changeId?: string } | undefined)?.changeId) && !failed && ++stagedWrites === 5) {
        failed = true;
        // Readers meanwhile: some of the file is staged, none of it visible.
        const state = await cells(from, to);
        sawPartial = state.size === 0;
        throw Object.assign(new Error("simulated store failure"), { name: "InternalServerError" });
      }
      return (original as (c: unknown, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
    };
    try {
      const accepted = await post(csvOf(agents, days, () => early));
      expect(accepted.status).toBe(202);
      const location = accepted.headers.get("location") ?? "";
      // Two more deliveries of the same message race the first (SQS is at-least-once).
      const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
      const sqs = new SQSClient({ endpoint: s.sqsEndpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
      await Promise.all([1, 2].map(() => sqs.send(new SendMessageCommand({ QueueUrl: s.queueUrls.rotaImports, MessageBody: JSON.stringify({ jobId: accepted.body.jobId }) }))));
      const done = await finished(location, 180_000);
      expect(done, JSON.stringify(done)).toMatchObject({ status: "done", written: 1_240, progress: { applied: 1_240, total: 1_240 } });
      expect(failed).toBe(true);
      expect(sawPartial).toBe(true);
    } finally {
      (dynamo as { send: unknown }).send = original;
    }
    const state = await cells(from, to);
    expect(state.size).toBe(1_240);
    expect(new Set(state.values())).toEqual(new Set([early]));
    // One committed change per agent: one audit record, version 1.
    for (const a of agents) expect(await auditActions(a)).toEqual(["rota.imported"]);
    const { RotaVersion, batchGet } = await table();
    const versions = await batchGet(agents.map((agentId) => RotaVersion.key({ agentId })), { consistent: true });
    expect(versions.map((v) => RotaVersion.parse(v)).every((v) => v.version === 1 && v.changeId === undefined)).toBe(true);
  }, 400_000);

  it("fails the job, nothing in the rota, when every delivery of its message fails: the last one before the DLQ ends it", async () => {
    const s = stack();
    const { agents, shift, post, cells, finished } = await setup(s, 40);
    const early = await shift("early", "06:00", "14:00");
    const from = "2034-03-01";
    const days = Array.from({ length: 31 }, (_, i) => dayAfter(from, i));
    const to = days[30] ?? from;
    const { dynamo } = await table();
    const original = dynamo.send.bind(dynamo);
    // Every staged-item transaction of the import fails (a store that stays broken for this job).
    let refused = 0;
    (dynamo as { send: unknown }).send = async (command: { constructor: { name: string }; input?: { TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] } }, ...rest: unknown[]) => {
      const items = command.constructor.name === "TransactWriteCommand" ? (command.input?.TransactItems ?? []) : [];
      if (items.some((t) => (t.Put?.Item?.staged as { changeId?: string } | undefined)?.changeId) && (++refused % 3 === 0)) {
        throw Object.assign(new Error("simulated store failure"), { name: "InternalServerError" });
      }
      return (original as (c: unknown, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
    };
    let ended: Record<string, unknown>;
    try {
      const accepted = await post(csvOf(agents, days, () => early));
      expect(accepted.status).toBe(202);
      ended = await finished(accepted.headers.get("location") ?? "", 240_000);
    } finally {
      (dynamo as { send: unknown }).send = original;
    }
    expect(ended, JSON.stringify(ended)).toMatchObject({ status: "failed", problem: "/problems/unavailable" });
    expect(String(ended.detail)).toContain("last delivery");
    // Some items were staged by each attempt before its failure: all rolled back.
    expect(refused).toBeGreaterThanOrEqual(5 * 3);
    expect((await cells(from, to)).size).toBe(0);
    for (const a of agents.slice(0, 10)) expect(await auditActions(a)).toEqual([]);
  }, 400_000);

  it("fails the whole job, the rota as before, when another change moves one of its agents at apply time", async () => {
    const s = stack();
    const { sup, agents, shift, post, cells, finished } = await setup(s, 40);
    const early = await shift("early", "06:00", "14:00");
    const late = await shift("late", "14:00", "22:00");
    const from = "2033-09-01";
    const days = Array.from({ length: 30 }, (_, i) => dayAfter(from, i));
    const to = days[29] ?? from;
    // The rota before: everyone early on the first day.
    expect((await s.api("PUT", "/rota", { as: sup, body: { assignments: agents.map((agentId) => ({ agentId, date: from, shiftId: early })) } })).status).toBe(200);
    const before = await cells(from, to);
    expect(before.size).toBe(40);
    const victim = agents[17] ?? "";

    // Just before the job takes its agents, a supervisor changes one of them (a real change, committed first).
    const { dynamo } = await table();
    const original = dynamo.send.bind(dynamo);
    let interleaved: number | undefined;
    (dynamo as { send: unknown }).send = async (command: { constructor: { name: string }; input?: { TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] } }, ...rest: unknown[]) => {
      const items = command.constructor.name === "TransactWriteCommand" ? (command.input?.TransactItems ?? []) : [];
      if (interleaved === undefined && items.some((t) => t.Put?.Item?.type === "RotaChange" && t.Put.Item.action === "rota.imported")) {
        interleaved = 0;
        interleaved = (await s.api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId: victim, date: dayAfter(from, 3), shiftId: early }] } })).status;
      }
      return (original as (c: unknown, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
    };
    let failedJob: Record<string, unknown> & { errors: { field: string; message: string }[] };
    try {
      const accepted = await post(csvOf(agents, days, () => late));
      expect(accepted.status).toBe(202);
      failedJob = await finished(accepted.headers.get("location") ?? "");
    } finally {
      (dynamo as { send: unknown }).send = original;
    }
    expect(interleaved).toBe(200);
    expect(failedJob, JSON.stringify(failedJob)).toMatchObject({ status: "failed", problem: "/problems/conflict" });
    expect(failedJob.detail).toContain(victim);
    expect(failedJob.errors.map((e) => e.field)).toEqual([`agent ${victim}`]);
    // Nothing of the file: the rota as before plus the supervisor's own change.
    const after = await cells(from, to);
    expect(after).toEqual(new Map([...before, [`${victim} ${dayAfter(from, 3)}`, early]]));
    for (const a of agents) expect(await auditActions(a)).not.toContain("rota.imported");
    // The agents are free: the same file imports now.
    const retry = await post(csvOf(agents, days, () => late));
    expect((await finished(retry.headers.get("location") ?? "")).status).toBe("done");
    expect(new Set((await cells(from, to)).values())).toEqual(new Set([late]));
  }, 400_000);

  it("fails a job whose rows overlap, naming each row, nothing written; a bad row in a large file is still a 400 with nothing written and no job", async () => {
    const s = stack();
    const { agents, shift, post, cells, finished } = await setup(s, 40);
    const early = await shift("early", "06:00", "14:00");
    const night = await shift("night", "22:00", "08:00");
    const from = "2033-11-01";
    const days = Array.from({ length: 30 }, (_, i) => dayAfter(from, i));
    const to = days[29] ?? from;
    // Agent 3 works the night of day 9 then early on day 10: 06:00–08:00 twice.
    const rows = (i: number, j: number) => (i === 3 && j === 9 ? night : j % 2 === 0 ? early : "off");
    const accepted = await post(csvOf(agents, days, rows));
    expect(accepted.status).toBe(202);
    const failedJob = await finished(accepted.headers.get("location") ?? "");
    expect(failedJob, JSON.stringify(failedJob)).toMatchObject({ status: "failed", problem: "/problems/shift-overlap" });
    // Header is row 1; agent 3's rows start at 2 + 3 × 30.
    const first = 2 + 3 * 30;
    expect(failedJob.errors.map((e: { field: string }) => e.field).sort()).toEqual([`row ${first + 10}, shift`, `row ${first + 9}, shift`].sort());
    expect((await cells(from, to)).size).toBe(0);

    // Every job item in the table (a scan, with a patient client of its own: the table holds thousands of items).
    const { DynamoDBClient, ScanCommand } = await import("@aws-sdk/client-dynamodb");
    const scanner = new DynamoDBClient({ endpoint: s.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    const jobs = async () => {
      const { RotaImportJob, tableName } = await table();
      let count = 0;
      let start: Record<string, import("@aws-sdk/client-dynamodb").AttributeValue> | undefined;
      do {
        const page = await scanner.send(new ScanCommand({ TableName: tableName, Select: "COUNT", FilterExpression: "#t = :t", ExpressionAttributeNames: { "#t": "type" }, ExpressionAttributeValues: { ":t": { S: RotaImportJob.type } }, ExclusiveStartKey: start }));
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      return count;
    };
    const jobsBefore = await jobs();
    expect(jobsBefore).toBeGreaterThanOrEqual(1);
    const lines = csvOf(agents, days, () => early).trimEnd().split("\n");
    lines[500] = `${agents[0]},2033-11-31,${early}`;
    lines[900] = `${agents[29]},${dayAfter(from, 29)},lunch`;
    const bad = await post(`${lines.join("\n")}\n`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(["row 501, date", "row 901, shift"]);
    expect((await cells(from, to)).size).toBe(0);
    expect(await jobs()).toBe(jobsBefore);
  }, 400_000);
});
