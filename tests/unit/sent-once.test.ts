/**
 * `sentOnce` (functions/shared/table/sent-once.ts): a write that must not be applied twice (an
 * ADD) is never sent again by the SDK after a failure that may have applied it, while a throttle
 * (surely not applied) is still retried. The SDK's retry is the thing under test, so the client
 * talks to a small HTTP endpoint that counts what reaches it and answers as DynamoDB does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AmbiguousWriteError, sentOnce } from "../../functions/shared/table/sent-once.js";

type Mode = "hang" | "throttle" | "refuse" | "ok";
let mode: Mode = "ok";
let requests = 0;
const hanging: ServerResponse[] = [];

function answer(res: ServerResponse, status: number, body: unknown, type?: string): void {
  res.writeHead(status, { "content-type": "application/x-amz-json-1.0", ...(type ? { "x-amzn-errortype": type } : {}) });
  res.end(JSON.stringify(body));
}

const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on("end", () => {
    requests++;
    if (mode === "hang") hanging.push(res);
    else if (mode === "throttle") answer(res, 400, { __type: "com.amazonaws.dynamodb.v20120810#ThrottlingException", message: "Rate exceeded" }, "ThrottlingException");
    else if (mode === "refuse") answer(res, 400, { __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", message: "The conditional request failed" }, "ConditionalCheckFailedException");
    else answer(res, 200, { Attributes: { n: { N: "1" } } });
  });
});

let client: DynamoDBDocumentClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 3,
      retryMode: "standard",
      requestHandler: { requestTimeout: 150, throwOnRequestTimeout: true },
    }),
  );
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = 0;
});

const add = () => new UpdateCommand({ TableName: "t", Key: { pk: "COUNT", sk: "x" }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": 1 }, ReturnValues: "UPDATED_NEW" });

describe("sentOnce", () => {
  it("a timed-out ADD is sent once and fails as ambiguous (unguarded, the SDK sends it three times)", async () => {
    mode = "hang";
    await expect(client.send(add())).rejects.toThrow();
    expect(requests).toBe(3);
    requests = 0;
    const error = await client.send(sentOnce(add())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousWriteError);
    expect((error as AmbiguousWriteError).original).toBeInstanceOf(Error);
    expect(requests).toBe(1);
  });

  it("a throttled ADD (surely not applied) is still retried", async () => {
    mode = "throttle";
    const error = await client.send(sentOnce(add())).catch((e: unknown) => e);
    expect((error as Error).name).toBe("ThrottlingException");
    expect(requests).toBe(3);
  });

  it("a refusal passes through as itself, sent once; a success returns the answer", async () => {
    mode = "refuse";
    const error = await client.send(sentOnce(add())).catch((e: unknown) => e);
    expect((error as Error).name).toBe("ConditionalCheckFailedException");
    expect(requests).toBe(1);
    mode = "ok";
    const result = await client.send(sentOnce(add()));
    expect(result.Attributes).toEqual({ n: 1 });
    expect(requests).toBe(2);
  });
});
