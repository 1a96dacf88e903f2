/**
 * One DynamoDB Local JVM for the whole integration run (in memory). Each test file starts its
 * own in-process local stack against it with a unique table/queue prefix, so files run in
 * parallel without seeing each other's data.
 */
import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../local/dynamodb.js";
import { freePort } from "../../local/ports.js";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  project.provide("dynamoEndpoint", dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
