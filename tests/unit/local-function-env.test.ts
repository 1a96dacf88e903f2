import { describe, expect, it } from "vitest";
import { functionList } from "../../functions/catalog/index.js";
import type { FunctionSpec } from "../../functions/catalog/types.js";
import { localFunctionEnv, type LocalResources } from "../../local/function-env.js";

const resources: LocalResources = {
  tableName: "t-app",
  queueUrls: { conversations: "http://sqs/q-conversations", notices: "http://sqs/q-notices", callbacks: "http://sqs/q-callbacks", stockChanges: "http://sqs/q-stockChanges", rotaImports: "http://sqs/q-rotaImports", dutyParts: "http://sqs/q-dutyParts", storefront: "http://sqs/q-storefront.fifo" },
  gatewayUrl: "http://127.0.0.1:3000",
  managementEndpoint: "http://127.0.0.1:3000/_connections/stage-token",
  webhookSecret: "a-local-webhook-secret-long-enough",
  jwtIssuer: "urn:local",
  jwtAudience: "local",
};

function spec(name: string): FunctionSpec {
  const found = functionList.find((f) => f.name === name);
  if (!found) throw new Error(`no function ${name}`);
  return found;
}

describe("localFunctionEnv", () => {
  it("gives a function exactly the queue URLs, push endpoint and secret its entry declares", () => {
    const router = localFunctionEnv(spec("Router"), resources, { AWS_REGION: "us-east-1" });
    expect(router.QUEUE_URL_CONVERSATIONS).toBe(resources.queueUrls.conversations);
    expect(router.QUEUE_URL_NOTICES).toBeUndefined();
    expect(router.WS_ENDPOINT).toBe(resources.managementEndpoint);
    expect(router.WEBHOOK_SECRET).toBeUndefined();
    expect(router.AWS_LAMBDA_FUNCTION_NAME).toBe("Router");

    const health = localFunctionEnv(spec("AuditApi"), resources, { AWS_REGION: "us-east-1" });
    expect(Object.keys(health).filter((k) => k.startsWith("QUEUE_URL_") || k === "WS_ENDPOINT" || k === "WEBHOOK_SECRET")).toEqual([]);
    expect(health.TABLE_NAME).toBe("t-app");

    expect(localFunctionEnv(spec("ConversationsApi"), resources, {}).WEBHOOK_SECRET).toBe(resources.webhookSecret);
  });

  it("never passes a per-function variable through the shared part", () => {
    const env = localFunctionEnv(spec("AuditApi"), resources, { WS_ENDPOINT: "http://x", QUEUE_URL_NOTICES: "http://y", WEBHOOK_SECRET: "z".repeat(20), HANDOVER_GRACE_MINUTES: "7" });
    expect(env.WS_ENDPOINT).toBeUndefined();
    expect(env.QUEUE_URL_NOTICES).toBeUndefined();
    expect(env.WEBHOOK_SECRET).toBeUndefined();
    expect(env.HANDOVER_GRACE_MINUTES).toBe("7");
  });
});
