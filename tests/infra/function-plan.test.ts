/** The deployment plan derived from a function spec, without synthesizing anything. */
import { App } from "aws-cdk-lib";
import { queues } from "../../functions/catalog/resources.js";
import { describe, expect, it } from "vitest";
import { functionList, type FunctionSpec } from "../../functions/catalog/index.js";
import { retryUntilTrimmed, type StreamTrigger } from "../../functions/catalog/types.js";
import { defaultSettings, settingsFromContext } from "../../infra/config.js";
import { FunctionSpecError, planFunction, planFunctions } from "../../infra/function-plan.js";

function spec(overrides: Partial<FunctionSpec>): FunctionSpec {
  return {
    name: "Example",
    entry: "functions/example/handler.ts",
    handler: "handler",
    description: "example",
    triggers: [],
    access: { table: "read" },
    ...overrides,
  };
}

describe("planFunction", () => {
  it("plans every function of the list", () => {
    expect(() => planFunctions(functionList)).not.toThrow();
  });

  it("defaults to 512 MB and 10 s and passes the list's values through", () => {
    expect(planFunction(spec({}))).toMatchObject({ memoryMb: 512, timeoutSeconds: 10 });
    expect(planFunction(spec({ memoryMb: 1024, timeoutSeconds: 5 }))).toMatchObject({ memoryMb: 1024, timeoutSeconds: 5 });
  });

  it("maps table access to read or read-write grants, and none to no grant but still a table name", () => {
    expect(planFunction(spec({ access: { table: "read" } })).grants.table).toBe("read");
    expect(planFunction(spec({ access: { table: "write" } })).grants.table).toBe("readWrite");
    const none = planFunction(spec({ access: { table: "none" } }));
    expect(none.grants.table).toBe("none");
    expect(none.environment.TABLE_NAME).toEqual({ kind: "tableName" });
  });

  it("gives a sender the queue URL variable and the send grant, and nothing for other queues", () => {
    const plan = planFunction(spec({ access: { table: "write", sends: ["conversations", "conversations"] } }));
    expect(plan.grants.sendsTo).toEqual(["conversations"]);
    expect(plan.environment.QUEUE_URL_CONVERSATIONS).toEqual({ kind: "queueUrl", queue: "conversations" });
    expect(plan.environment.QUEUE_URL_NOTICES).toBeUndefined();
  });

  it("reads the webhook secret for signed routes and for declared secret access only", () => {
    const signed = planFunction(spec({ triggers: [{ kind: "http", method: "POST", path: "/hook", auth: { kind: "signature" } }] }));
    const either = planFunction(spec({ triggers: [{ kind: "http", method: "POST", path: "/x", auth: { kind: "signature-or-jwt", roles: ["supervisor"] } }] }));
    const declared = planFunction(spec({ access: { table: "read", webhookSecret: true } }));
    const jwt = planFunction(spec({ triggers: [{ kind: "http", method: "GET", path: "/y", auth: { kind: "jwt", roles: ["agent"] } }] }));
    for (const plan of [signed, either, declared]) {
      expect(plan.grants.readsWebhookSecret).toBe(true);
      expect(plan.environment.WEBHOOK_SECRET_ARN).toEqual({ kind: "webhookSecretArn" });
    }
    expect(jwt.grants.readsWebhookSecret).toBe(false);
    expect(jwt.environment.WEBHOOK_SECRET_ARN).toBeUndefined();
  });

  it("puts the API Gateway authorizer only on jwt routes", () => {
    const plan = planFunction(
      spec({
        triggers: [
          { kind: "http", method: "GET", path: "/a", auth: { kind: "jwt", roles: ["supervisor"] } },
          { kind: "http", method: "POST", path: "/b", auth: { kind: "signature-or-jwt", roles: ["supervisor"] } },
          { kind: "http", method: "GET", path: "/health", auth: { kind: "public" } },
        ],
      }),
    );
    expect(plan.httpRoutes.map((r) => r.authorizer)).toEqual(["jwt", "none", "none"]);
  });

  it("gives pushers the WebSocket endpoint and the ManageConnections grant", () => {
    const plan = planFunction(spec({ access: { table: "read", pushesToAgents: true } }));
    expect(plan.grants.managesWebSocketConnections).toBe(true);
    expect(plan.environment.WS_ENDPOINT).toEqual({ kind: "webSocketEndpoint" });
    expect(planFunction(spec({})).environment.WS_ENDPOINT).toBeUndefined();
  });

  it("gives every function the token verification settings and source maps", () => {
    const { environment } = planFunction(spec({}));
    expect(Object.keys(environment)).toEqual(expect.arrayContaining(["JWT_ISSUER", "JWKS_URL", "JWT_AUDIENCE", "POWERTOOLS_SERVICE_NAME", "NODE_OPTIONS"]));
    expect(environment.NODE_OPTIONS).toEqual({ kind: "literal", value: "--enable-source-maps" });
  });

  it("refuses a consumer whose timeout is not below the queue's visibility timeout", () => {
    const consumer = (timeoutSeconds: number) =>
      spec({ timeoutSeconds, triggers: [{ kind: "queue", queue: "conversations", batchSize: 10, reportBatchItemFailures: true }] });
    const visibility = queues.conversations.visibilityTimeoutSeconds;
    expect(planFunction(consumer(visibility - 1)).queueSources).toEqual([{ queue: "conversations", batchSize: 10 }]);
    expect(() => planFunction(consumer(visibility))).toThrow(FunctionSpecError);
    expect(() => planFunction(consumer(visibility))).toThrow(new RegExp(`${visibility} s timeout.*visibility timeout is ${visibility} s`));
  });

  it("refuses names that cannot be construct ids and schedules that are not whole minutes", () => {
    expect(() => planFunction(spec({ name: "bad-name" }))).toThrow(/PascalCase/);
    expect(() => planFunction(spec({ triggers: [{ kind: "schedule", everyMinutes: 0.5 }] }))).toThrow(/whole minutes/);
    expect(() => planFunction(spec({ triggers: [{ kind: "queue", queue: "dutyParts", batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 1 }] }))).toThrow(/maxConcurrency 1.*from 2 to 1000/);
    expect(planFunction(spec({ triggers: [{ kind: "queue", queue: "dutyParts", batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 4 }] })).queueSources).toEqual([{ queue: "dutyParts", batchSize: 1, maxConcurrency: 4 }]);
  });

  it("plans a stream consumer within Lambda's limits and refuses one outside them", () => {
    const consumer = (overrides: Partial<StreamTrigger>) =>
      spec({ access: { table: "write" }, triggers: [{ kind: "stream", keyPrefixes: ["CONV#"], batchSize: 1000, tumblingWindowSeconds: 30, retryAttempts: retryUntilTrimmed, ...overrides }] });
    expect(planFunction(consumer({})).streamSources).toEqual([{ keyPrefixes: ["CONV#"], batchSize: 1000, tumblingWindowSeconds: 30, retryAttempts: -1 }]);
    expect(planFunction(consumer({ retryAttempts: 0 })).streamSources[0]?.retryAttempts).toBe(0);
    expect(() => planFunction(consumer({ retryAttempts: -2 }))).toThrow(/retries a stream batch -2 times.*0 to 10,000, or -1/);
    expect(() => planFunction(consumer({ retryAttempts: 10_001 }))).toThrow(/10001 times/);
    expect(() => planFunction(consumer({ retryAttempts: 1.5 }))).toThrow(/1.5 times/);
    expect(() => planFunction(consumer({ tumblingWindowSeconds: 901 }))).toThrow(/1 to 900 whole seconds/);
    expect(() => planFunction(consumer({ batchSize: 0 }))).toThrow(/1 to 10,000/);
    expect(() => planFunction(consumer({ keyPrefixes: [] }))).toThrow(/without a key prefix/);
    expect(() => planFunction({ ...consumer({}), access: { table: "read" } })).toThrow(/table access is "read"/);
  });

  it("refuses two functions with one name or on one route", () => {
    const route = { kind: "http", method: "GET", path: "/same", auth: { kind: "public" } } as const;
    expect(() => planFunctions([spec({ name: "A" }), spec({ name: "A" })])).toThrow(/Two functions are named A/);
    expect(() => planFunctions([spec({ name: "A", triggers: [route] }), spec({ name: "B", triggers: [route] })])).toThrow(/GET \/same.*A and B/);
  });
});

describe("settingsFromContext", () => {
  it("falls back to the defaults", () => {
    expect(settingsFromContext(new App())).toEqual(defaultSettings);
  });

  it("reads overrides, including the strings the CLI passes", () => {
    const app = new App({ context: { queueAgeAlarmSeconds: "120", streamLagAlarmSeconds: "600", logRetentionDays: 90, alarmEmail: "oncall@example.com" } });
    expect(settingsFromContext(app)).toMatchObject({ queueAgeAlarmSeconds: 120, streamLagAlarmSeconds: 600, logRetentionDays: 90, alarmEmail: "oncall@example.com" });
  });

  it("names the key, the value and the fix when a value is wrong", () => {
    expect(() => settingsFromContext(new App({ context: { queueAgeAlarmSeconds: "soon" } }))).toThrow(
      /"queueAgeAlarmSeconds" must be a positive whole number of seconds, got "soon"\. .*-c queueAgeAlarmSeconds=/,
    );
    expect(() => settingsFromContext(new App({ context: { logRetentionDays: 10 } }))).toThrow(/logRetentionDays/);
  });

  it("passes known function thresholds through and rejects unknown ones", () => {
    const app = new App({ context: { functionSettings: '{"HANDOVER_GRACE_MINUTES":"10","ESCALATE_AFTER_SECONDS":60}' } });
    expect(settingsFromContext(app).functionSettings).toEqual({ HANDOVER_GRACE_MINUTES: "10", ESCALATE_AFTER_SECONDS: "60" });
    expect(() => settingsFromContext(new App({ context: { functionSettings: { GRACE: "1" } } }))).toThrow(/unknown setting "GRACE"/);
  });
});
