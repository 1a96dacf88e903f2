/**
 * Stack tests: the synthesized templates say what the function list and resources.ts say, and
 * cdk-nag's AwsSolutions pack finds nothing unacknowledged. Functions are inline stubs
 * (`bundle: false`), otherwise configured exactly as deployed.
 *
 * Besides the real function list, a fixture list exercises every trigger and auth kind, so
 * the rules hold before any capability happens to use a queue, a schedule or a webhook.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, CfnElement, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { functionList, type FunctionSpec } from "../../functions/catalog/index.js";
import { appTable, queueNames, queues, queueUrlEnvName } from "../../functions/catalog/resources.js";
import { buildApp, type BuiltApp } from "../../infra/build-app.js";
import { defaultSettings } from "../../infra/config.js";
import { planFunction } from "../../infra/function-plan.js";

const fixtureSpecs: FunctionSpec[] = [
  {
    name: "FixtureConsumer",
    entry: "functions/fixture/consumer.ts",
    handler: "handler",
    description: "fixture: queue consumer that sends on",
    triggers: [{ kind: "queue", queue: "conversations", batchSize: 5, reportBatchItemFailures: true }],
    access: { table: "write", sends: ["notices"] },
    timeoutSeconds: 20,
  },
  {
    name: "FixtureFifoConsumer",
    entry: "functions/fixture/fifo.ts",
    handler: "consume",
    description: "fixture: FIFO consumer, read-only",
    triggers: [{ kind: "queue", queue: "storefront", batchSize: 10, reportBatchItemFailures: true }],
    access: { table: "read" },
  },
  {
    name: "FixtureWebhook",
    entry: "functions/fixture/webhook.ts",
    handler: "handler",
    description: "fixture: signed webhook and signature-or-jwt route",
    triggers: [
      { kind: "http", method: "POST", path: "/__fixture/webhook", auth: { kind: "signature" } },
      { kind: "http", method: "POST", path: "/__fixture/either", auth: { kind: "signature-or-jwt", roles: ["supervisor"] } },
      { kind: "http", method: "DELETE", path: "/__fixture/jwt/{id}", auth: { kind: "jwt", roles: ["agent"] } },
    ],
    access: { table: "write", sends: ["storefront"] },
    memoryMb: 1024,
  },
  {
    name: "FixtureSchedule",
    entry: "functions/fixture/tick.ts",
    handler: "handler",
    description: "fixture: schedule without table access",
    triggers: [{ kind: "schedule", everyMinutes: 5 }],
    access: { table: "none" },
  },
];

interface Synthesized {
  stacks: BuiltApp;
  stateful: Template;
  stateless: Template;
}

function build(functions: readonly FunctionSpec[]): Synthesized {
  const stacks = buildApp({ bundle: false, functions });
  return { stacks, stateful: Template.fromStack(stacks.stateful), stateless: Template.fromStack(stacks.stateless) };
}

const real = build(functionList);
const all = build([...functionList, ...fixtureSpecs]);
const allSpecs = [...functionList, ...fixtureSpecs];

function logicalId(construct: IConstruct): string {
  const child = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(child)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(child);
}

function functionId(name: string): string {
  const fn = all.stacks.stateless.functions.get(name);
  if (!fn) throw new Error(`no function ${name} in the stateless stack`);
  return logicalId(fn);
}

describe("stateful stack", () => {
  it("keeps the table: retained, on-demand, point-in-time recovery, keys and indexes from resources.ts", () => {
    all.stateful.resourceCountIs("AWS::DynamoDB::Table", 1);
    all.stateful.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: appTable.ttlAttribute, Enabled: true },
        KeySchema: [
          { AttributeName: appTable.partitionKey, KeyType: "HASH" },
          { AttributeName: appTable.sortKey, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: appTable.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: "HASH" },
            { AttributeName: index.sortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: index.projection.type },
        })),
      }),
    });
  });

  it.each(queueNames)("queue %s redrives to its own encrypted DLQ after maxReceiveCount receives", (name) => {
    const { queue, deadLetterQueue } = all.stacks.stateful.queues[name];
    const definition = queues[name];
    const fifo = definition.fifo ? { FifoQueue: true, ContentBasedDeduplication: false } : {};
    const templateQueues = all.stateful.findResources("AWS::SQS::Queue");

    expect(templateQueues[logicalId(queue)]).toMatchObject({
      DeletionPolicy: "Retain",
      Properties: {
        ...fifo,
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [logicalId(deadLetterQueue), "Arn"] }, maxReceiveCount: definition.maxReceiveCount },
      },
    });
    expect(templateQueues[logicalId(deadLetterQueue)]).toMatchObject({
      DeletionPolicy: "Retain",
      Properties: { ...fifo, MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true },
    });
    if (!definition.fifo) expect(templateQueues[logicalId(queue)]?.Properties.FifoQueue).toBeUndefined();
  });

  it("denies non-TLS access to every queue", () => {
    const queueIds = Object.keys(all.stateful.findResources("AWS::SQS::Queue"));
    for (const id of queueIds) {
      all.stateful.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]),
        },
      });
    }
  });

  it.each(queueNames)("alarms on queue %s: any message in the DLQ, oldest message too old", (name) => {
    const { queue, deadLetterQueue } = all.stacks.stateful.queues[name];
    all.stateful.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(deadLetterQueue), "QueueName"] } }],
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 0,
      AlarmActions: [{ Ref: Match.stringLikeRegexp("^AlarmTopic") }],
    });
    all.stateful.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateAgeOfOldestMessage",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(queue), "QueueName"] } }],
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: defaultSettings.queueAgeAlarmSeconds,
    });
  });

  it("takes alarm thresholds from CDK context", () => {
    const tuned = buildApp({ bundle: false, functions: functionList, appProps: { context: { queueAgeAlarmSeconds: 120 } } });
    Template.fromStack(tuned.stateful).resourcePropertiesCountIs(
      "AWS::CloudWatch::Alarm",
      { MetricName: "ApproximateAgeOfOldestMessage", Threshold: 120 },
      queueNames.length,
    );
  });

  it("has a user pool with the supervisor and agent groups, strong passwords and no self sign-up", () => {
    all.stateful.hasResource("AWS::Cognito::UserPool", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true }) },
      }),
    });
    for (const group of ["supervisor", "agent"]) all.stateful.hasResourceProperties("AWS::Cognito::UserPoolGroup", { GroupName: group });
    all.stateful.hasResourceProperties("AWS::Cognito::UserPoolClient", { GenerateSecret: false });
  });

  it("keeps the webhook secret in Secrets Manager, retained", () => {
    all.stateful.hasResource("AWS::SecretsManager::Secret", { DeletionPolicy: "Retain" });
  });
});

describe("stateless stack", () => {
  it("builds one function per entry of the list: Node.js 24 on arm64, traced, sized from the list", () => {
    all.stateless.resourceCountIs("AWS::Lambda::Function", allSpecs.length);
    for (const spec of allSpecs) {
      const plan = planFunction(spec);
      expect(all.stateless.findResources("AWS::Lambda::Function")[functionId(spec.name)]?.Properties).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        MemorySize: plan.memoryMb,
        Timeout: plan.timeoutSeconds,
        Handler: `index.${spec.handler}`,
      });
    }
  });

  it("gives each function exactly the environment its access implies", () => {
    const functions = all.stateless.findResources("AWS::Lambda::Function");
    for (const spec of allSpecs) {
      const variables: Record<string, unknown> = functions[functionId(spec.name)]?.Properties.Environment.Variables ?? {};
      const names = Object.keys(variables);
      expect(names).toEqual(expect.arrayContaining(["TABLE_NAME", "JWT_ISSUER", "JWKS_URL", "JWT_AUDIENCE", "POWERTOOLS_SERVICE_NAME", "NODE_OPTIONS"]));
      expect(variables.NODE_OPTIONS).toBe("--enable-source-maps");
      expect(variables.TABLE_NAME).toBe(all.stacks.stateful.tableName);
      for (const queue of queueNames) {
        expect(names.includes(queueUrlEnvName(queue)), `${spec.name} ${queueUrlEnvName(queue)}`).toBe((spec.access.sends ?? []).includes(queue));
      }
      expect(names.includes("WS_ENDPOINT"), `${spec.name} WS_ENDPOINT`).toBe(spec.access.pushesToAgents === true);
      const signed = spec.access.webhookSecret === true || spec.triggers.some((t) => t.kind === "http" && (t.auth.kind === "signature" || t.auth.kind === "signature-or-jwt"));
      expect(names.includes("WEBHOOK_SECRET_ARN"), `${spec.name} WEBHOOK_SECRET_ARN`).toBe(signed);
      expect(names.includes("ASSIGNMENT_CALLBACK_URL"), `${spec.name} ASSIGNMENT_CALLBACK_URL`).toBe(spec.access.assignmentCallbacks !== undefined);
      expect(names.includes("CALLBACK_SECRET_ARN"), `${spec.name} CALLBACK_SECRET_ARN`).toBe(spec.access.assignmentCallbacks === "deliver");
    }
  });

  it("grants table writes only to functions that declare them, and nothing to those without table access", () => {
    const policies = all.stateless.findResources("AWS::IAM::Policy");
    for (const spec of allSpecs) {
      const fn = all.stacks.stateless.functions.get(spec.name);
      const roleId = fn?.role ? logicalId(fn.role) : "";
      const policy = Object.values(policies).find((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
      const actions = JSON.stringify(policy?.Properties.PolicyDocument.Statement ?? []);
      expect(actions.includes("dynamodb:PutItem"), `${spec.name} writes`).toBe(spec.access.table === "write");
      expect(actions.includes("dynamodb:GetItem"), `${spec.name} reads`).toBe(spec.access.table !== "none");
      const readsStream = spec.triggers.some((t) => t.kind === "stream");
      // A stream consumer also sends to the stream failure queue (its on-failure destination).
      expect(actions.includes("sqs:SendMessage"), `${spec.name} sends`).toBe((spec.access.sends ?? []).length > 0 || readsStream);
      expect(actions.includes("dynamodb:DescribeStream"), `${spec.name} reads the stream`).toBe(readsStream);
      expect(actions.includes("execute-api:ManageConnections"), `${spec.name} pushes`).toBe(spec.access.pushesToAgents === true);
      const grants = planFunction(spec).grants;
      expect(actions.includes("secretsmanager:GetSecretValue"), `${spec.name} secret`).toBe(grants.readsWebhookSecret || grants.readsCallbackSecret);
      // Each secret only to the functions that use it: the deliverer cannot read the webhook key, nor the others the callback key.
      const stateful = all.stacks.stateful;
      expect(actions.includes(logicalId(stateful.webhookSecret)), `${spec.name} webhook secret`).toBe(grants.readsWebhookSecret);
      expect(actions.includes(logicalId(stateful.callbackSecret)), `${spec.name} callback secret`).toBe(grants.readsCallbackSecret);
    }
  });

  it("puts the JWT authorizer on exactly the routes whose catalog auth is jwt", () => {
    const httpTriggers = allSpecs.flatMap((spec) => spec.triggers.flatMap((t) => (t.kind === "http" ? [{ spec, trigger: t }] : [])));
    const routes = Object.values(all.stateless.findResources("AWS::ApiGatewayV2::Route"));
    for (const { spec, trigger } of httpTriggers) {
      const route = routes.find((r) => r.Properties.RouteKey === `${trigger.method} ${trigger.path}`);
      expect(route, `route ${trigger.method} ${trigger.path}`).toBeDefined();
      if (trigger.auth.kind === "jwt") {
        expect(route?.Properties).toMatchObject({ AuthorizationType: "JWT", AuthorizerId: { Ref: expect.stringMatching(/^HttpApiCognitoJwtAuthorizer/) } });
      } else {
        expect(route?.Properties.AuthorizationType, `${spec.name} ${trigger.path}`).not.toBe("JWT");
        expect(route?.Properties.AuthorizerId).toBeUndefined();
      }
      // The route reaches this function, not another one.
      const integrationId: string | undefined = route?.Properties.Target["Fn::Join"][1][1].Ref;
      const integration = integrationId ? all.stateless.findResources("AWS::ApiGatewayV2::Integration")[integrationId] : undefined;
      expect(integration?.Properties.IntegrationUri).toEqual({ "Fn::GetAtt": [functionId(spec.name), "Arn"] });
    }
    const httpRouteCount = routes.filter((r) => !String(r.Properties.RouteKey).startsWith("$")).length;
    expect(httpRouteCount).toBe(httpTriggers.length);
  });

  it("binds the JWT authorizer to the Cognito pool's issuer and app clients (the app's and the console's)", () => {
    all.stateless.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: {
        Issuer: { "Fn::Join": ["", Match.arrayWith(["https://cognito-idp."])] },
        Audience: [{ "Fn::ImportValue": Match.stringLikeRegexp("UserPoolAppClient") }, { "Fn::ImportValue": Match.stringLikeRegexp("ConsoleClient") }],
      },
    });
  });

  it("logs access on the HTTP API default stage and the WebSocket prod stage", () => {
    all.stateless.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp("requestId") },
    });
    all.stateless.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "prod",
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp("connectionId") },
    });
  });

  it("reports partial batch failures on every SQS event source", () => {
    const consumers = allSpecs.flatMap((spec) => spec.triggers.flatMap((t) => (t.kind === "queue" ? [{ spec, trigger: t }] : [])));
    const streamConsumers = allSpecs.filter((spec) => spec.triggers.some((t) => t.kind === "stream"));
    all.stateless.resourceCountIs("AWS::Lambda::EventSourceMapping", consumers.length + streamConsumers.length);
    for (const mapping of Object.values(all.stateless.findResources("AWS::Lambda::EventSourceMapping"))) {
      if (mapping.Properties.TumblingWindowInSeconds !== undefined) continue;
      expect(mapping.Properties.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    }
    for (const { spec, trigger } of consumers) {
      all.stateless.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        FunctionName: { Ref: functionId(spec.name) },
        BatchSize: trigger.batchSize,
        EventSourceArn: { "Fn::ImportValue": Match.stringLikeRegexp(`${trigger.queue[0]?.toUpperCase()}${trigger.queue.slice(1)}Queue`) },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      expect(planFunction(spec).timeoutSeconds).toBeLessThan(queues[trigger.queue].visibilityTimeoutSeconds);
    }
  });

  it("reads the table's stream in tumbling windows, one shard batch at a time, filtered to the trigger's key prefixes, failures to the stream failure queue", () => {
    const streamTriggers = allSpecs.flatMap((spec) => spec.triggers.flatMap((t) => (t.kind === "stream" ? [{ spec, trigger: t }] : [])));
    expect(streamTriggers.map(({ spec }) => spec.name)).toEqual(["RoutingAggregates"]);
    all.stateful.hasResourceProperties("AWS::DynamoDB::Table", { StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" } });
    all.stateful.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(all.stacks.stateful.streamFailureQueue), "QueueName"] } }] });
    for (const { spec, trigger } of streamTriggers) {
      const mappings = Object.values(all.stateless.findResources("AWS::Lambda::EventSourceMapping", { Properties: { FunctionName: { Ref: functionId(spec.name) } } }));
      expect(mappings).toHaveLength(1);
      const properties = mappings[0]?.Properties;
      expect(properties).toMatchObject({
        StartingPosition: "TRIM_HORIZON",
        BatchSize: trigger.batchSize,
        TumblingWindowInSeconds: trigger.tumblingWindowSeconds,
        MaximumRetryAttempts: trigger.retryAttempts,
        ParallelizationFactor: 1,
        FilterCriteria: { Filters: trigger.keyPrefixes.map((prefix) => ({ Pattern: JSON.stringify({ dynamodb: { Keys: { pk: { S: [{ prefix }] } } } }) })) },
      });
      expect(JSON.stringify(properties.EventSourceArn)).toContain("StreamArn");
      expect(JSON.stringify(properties.DestinationConfig)).toContain(logicalId(all.stacks.stateful.streamFailureQueue));
      // Never skipped (the shard marks would refuse a replay): retried until trimmed, its lag alarmed.
      expect(trigger.retryAttempts).toBe(-1);
      all.stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: "IteratorAge",
        Statistic: "Maximum",
        Threshold: defaultSettings.streamLagAlarmSeconds * 1000,
        EvaluationPeriods: 5,
        Dimensions: [{ Name: "FunctionName", Value: { Ref: functionId(spec.name) } }],
        AlarmActions: Match.anyValue(),
      });
    }
  });

  it("caps an event source's concurrency only where the function list says so (RotaDutyParts: 4)", () => {
    const consumers = allSpecs.flatMap((spec) => spec.triggers.flatMap((t) => (t.kind === "queue" ? [{ spec, trigger: t }] : [])));
    expect(consumers.some(({ spec, trigger }) => spec.name === "RotaDutyParts" && trigger.queue === "dutyParts" && trigger.maxConcurrency === 4)).toBe(true);
    for (const { spec, trigger } of consumers) {
      const mappings = Object.values(all.stateless.findResources("AWS::Lambda::EventSourceMapping", { Properties: { FunctionName: { Ref: functionId(spec.name) } } }));
      expect(mappings).toHaveLength(1);
      expect(mappings[0]?.Properties.ScalingConfig, spec.name).toEqual(trigger.maxConcurrency === undefined ? undefined : { MaximumConcurrency: trigger.maxConcurrency });
    }
  });

  it("runs scheduled functions on an EventBridge rate rule", () => {
    for (const spec of allSpecs) {
      for (const trigger of spec.triggers) {
        if (trigger.kind !== "schedule") continue;
        all.stateless.hasResourceProperties("AWS::Events::Rule", {
          ScheduleExpression: `rate(${trigger.everyMinutes} ${trigger.everyMinutes === 1 ? "minute" : "minutes"})`,
          Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [functionId(spec.name), "Arn"] } })],
        });
      }
    }
  });

  it("routes every WebSocket route of the list to its function on one API", () => {
    const wsTriggers = allSpecs.flatMap((spec) => spec.triggers.flatMap((t) => (t.kind === "websocket" ? [t.route] : [])));
    const hasHttp = allSpecs.some((spec) => spec.triggers.some((t) => t.kind === "http"));
    all.stateless.resourceCountIs("AWS::ApiGatewayV2::Api", (hasHttp ? 1 : 0) + (wsTriggers.length > 0 ? 1 : 0));
    for (const route of wsTriggers) all.stateless.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: route });
  });

  it("sets the account's API Gateway logging role unless told the account manages it", () => {
    all.stateless.resourceCountIs("AWS::ApiGateway::Account", 1);
    const unmanaged = buildApp({ bundle: false, functions: functionList, appProps: { context: { manageApiGatewayAccountRole: "false" } } });
    Template.fromStack(unmanaged.stateless).resourceCountIs("AWS::ApiGateway::Account", 0);
  });

  it("alarms on every function's errors", () => {
    for (const spec of allSpecs) {
      all.stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: { Ref: functionId(spec.name) } }],
      });
    }
  });
});

describe("cdk-nag AwsSolutions", () => {
  function unacknowledged(built: BuiltApp) {
    // Synthesis runs the registered plugin and throws on any unacknowledged error in test mode.
    const assembly = built.app.synth();
    const report: { pluginReports: unknown[] } = JSON.parse(
      readFileSync(path.join(assembly.directory, "validation-report.json"), "utf8"),
    );
    // And directly, independent of how CDK reports: every finding, errors and warnings.
    const direct = new AwsSolutionsChecks().validateScope(built.app).violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(", ")}`);
    return { report, direct };
  }

  it("finds nothing unacknowledged in the app as deployed", () => {
    const { report, direct } = unacknowledged(buildApp({ bundle: false }));
    expect(direct).toEqual([]);
    expect(JSON.stringify(report.pluginReports)).not.toMatch(/"severity":\s*"(error|fatal)"/);
  });

  it("finds nothing unacknowledged with every trigger and auth kind in use", () => {
    const { direct } = unacknowledged(buildApp({ bundle: false, functions: [...functionList, ...fixtureSpecs] }));
    expect(direct).toEqual([]);
  });

  it("is live: flags a plain-HTTP, unencrypted queue nobody acknowledged", () => {
    const app = new App();
    const stack = new Stack(app, "NagCanary");
    new sqs.Queue(stack, "Careless", { encryption: sqs.QueueEncryption.UNENCRYPTED, enforceSSL: false });
    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(["AwsSolutions-SQS2", "AwsSolutions-SQS3", "AwsSolutions-SQS4"]));
  });
});

// The real list must still synthesize on its own (the fixtures must not be what makes it pass).
describe("the function list as it stands", () => {
  it("synthesizes with one function per entry", () => {
    real.stateless.resourceCountIs("AWS::Lambda::Function", functionList.length);
  });
});
