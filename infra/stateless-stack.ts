/**
 * The code and its entry points: one Lambda function per entry of the function list, the HTTP
 * API, the agent WebSocket API, queue event sources and schedules. Everything here can be
 * destroyed and redeployed without losing data; the data lives in the stateful stack.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from "aws-cdk-lib";
import * as apigateway from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cloudwatchActions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { FunctionSpec } from "../functions/catalog/types.js";
import { appTable, type QueueName } from "../functions/catalog/resources.js";
import type { InfraSettings } from "./config.js";
import { FunctionSpecError, planFunctions, type EnvSource, type FunctionPlan } from "./function-plan.js";
import {
  acknowledgeApiGatewayAccount,
  acknowledgeFunctionFindings,
  acknowledgeUnauthorizedHttpRoute,
  acknowledgeWebSocketRoute,
} from "./nag-acknowledgements.js";
import type { QueuePair } from "./stateful-stack.js";
import { bundleAliases, esmRequireBanner, mainFields } from "./lambda-bundling.js";

/** Repository root: function entries in the list are relative to it. */
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export const webSocketStageName = "prod";

export interface StatelessStackProps extends StackProps {
  readonly settings: InfraSettings;
  readonly functions: readonly FunctionSpec[];
  /** Physical name of the application table (see {@link StatefulStack.tableName}). */
  readonly tableName: string;
  readonly queues: Readonly<Record<QueueName, QueuePair>>;
  /** The table's stream (see {@link StatefulStack.table}); needed when a function has a stream trigger. */
  readonly tableStreamArn?: string;
  /** Where stream consumers send records that failed every retry; needed with a stream trigger. */
  readonly streamFailureQueue?: sqs.IQueue;
  readonly webhookSecret: secretsmanager.ISecret;
  /** Signs assignment callbacks; read only by the deliverer. Absent: callbacks cannot be signed (a synth error if a function delivers). */
  readonly callbackSecret?: secretsmanager.ISecret;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** The console's app client (infra/console-stack.ts): its tokens are accepted too. */
  readonly consoleClient?: cognito.IUserPoolClient;
  /** The console's origin (`https://<distribution>.cloudfront.net`): the HTTP API answers its CORS preflights. */
  readonly consoleOrigin?: string;
  readonly jwtIssuer: string;
  readonly alarmTopic: sns.ITopic;
  /**
   * `true` (default): bundle each handler with esbuild, as deployed. `false`: an inline stub
   * with otherwise identical configuration, so template tests run in seconds.
   */
  readonly bundle?: boolean;
}

export class StatelessStack extends Stack {
  /** Functions by their name in the function list. */
  readonly functions: ReadonlyMap<string, lambda.Function>;
  readonly plans: readonly FunctionPlan[];
  readonly httpApi: apigwv2.HttpApi | undefined;
  readonly webSocketApi: apigwv2.WebSocketApi | undefined;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    // Strong references (Export/ImportValue): CloudFormation refuses to delete or replace a
    // queue, the secret or the user pool while these functions still use it.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { settings } = props;
    const bundle = props.bundle ?? true;
    const plans = planFunctions(props.functions);
    this.plans = plans;
    const table = dynamodb.Table.fromTableAttributes(this, "AppTable", {
      tableName: props.tableName,
      globalIndexes: appTable.globalSecondaryIndexes.map((index) => index.indexName),
    });

    const needsWebSocket = plans.some((p) => p.webSocketRoutes.length > 0);
    const pusher = plans.find((p) => p.grants.managesWebSocketConnections);
    if (pusher && !needsWebSocket) {
      throw new FunctionSpecError(`Function ${pusher.name} pushes to agents, but no function handles a websocket route, so there is no WebSocket API to push through.`);
    }

    const webSocketApi = needsWebSocket ? new apigwv2.WebSocketApi(this, "AgentWebSocketApi", { apiName: `${settings.stackPrefix}-agents` }) : undefined;
    const webSocketStage = webSocketApi ? this.webSocketStage(webSocketApi, settings) : undefined;
    this.webSocketApi = webSocketApi;

    const audiences = [props.userPoolClient.userPoolClientId, ...(props.consoleClient ? [props.consoleClient.userPoolClientId] : [])];
    const resolveEnv = (source: EnvSource): string => {
      switch (source.kind) {
        case "literal":
          return source.value;
        case "tableName":
          return table.tableName;
        case "queueUrl":
          return props.queues[source.queue].queue.queueUrl;
        case "webSocketEndpoint":
          if (!webSocketStage) throw new Error("unreachable: WS_ENDPOINT planned without a WebSocket API");
          return webSocketStage.callbackUrl;
        case "webhookSecretArn":
          return props.webhookSecret.secretArn;
        case "assignmentCallbackUrl":
          return settings.assignmentCallbackUrl ?? "";
        case "callbackSecretArn":
          if (!props.callbackSecret) throw new FunctionSpecError("A function delivers assignment callbacks, but the stack was given no callbackSecret to sign them with.");
          return props.callbackSecret.secretArn;
        case "jwtIssuer":
          return props.jwtIssuer;
        case "jwksUrl":
          return `${props.jwtIssuer}/.well-known/jwks.json`;
        case "jwtAudience":
          // Comma-separated: the app client's tokens and the console's (functions/shared/auth-token.ts).
          return audiences.join(",");
      }
    };

    const alarmAction = new cloudwatchActions.SnsAction(props.alarmTopic);
    let streamTable: dynamodb.ITable | undefined;
    const functions = new Map<string, lambda.Function>();
    for (const plan of plans) {
      const environment = {
        ...Object.fromEntries(Object.entries(plan.environment).map(([name, source]) => [name, resolveEnv(source)])),
        ...settings.functionSettings,
      };
      const fn = this.createFunction(plan, environment, settings, bundle);
      functions.set(plan.name, fn);

      if (plan.grants.table === "read") table.grantReadData(fn);
      if (plan.grants.table === "readWrite") table.grantReadWriteData(fn);
      for (const queue of plan.grants.sendsTo) props.queues[queue].queue.grantSendMessages(fn);
      if (plan.grants.readsWebhookSecret) props.webhookSecret.grantRead(fn);
      if (plan.grants.readsCallbackSecret) props.callbackSecret?.grantRead(fn);
      if (plan.grants.managesWebSocketConnections && webSocketStage) webSocketStage.grantManagementApiAccess(fn);

      for (const source of plan.queueSources) {
        fn.addEventSource(new SqsEventSource(props.queues[source.queue].queue, { batchSize: source.batchSize, reportBatchItemFailures: true, ...(source.maxConcurrency !== undefined ? { maxConcurrency: source.maxConcurrency } : {}) }));
      }
      for (const source of plan.streamSources) {
        if (!props.tableStreamArn || !props.streamFailureQueue) throw new FunctionSpecError(`Function ${plan.name} reads the table's stream, but the stack was given no tableStreamArn and streamFailureQueue.`);
        // A reference of its own, with the stream: grants on `table` (grantReadData) would
        // otherwise give every reader the stream's actions too.
        streamTable ??= dynamodb.Table.fromTableAttributes(this, "AppTableStream", { tableName: props.tableName, tableStreamArn: props.tableStreamArn });
        fn.addEventSource(
          new DynamoEventSource(streamTable, {
            startingPosition: lambda.StartingPosition.TRIM_HORIZON,
            batchSize: source.batchSize,
            tumblingWindow: Duration.seconds(source.tumblingWindowSeconds),
            retryAttempts: source.retryAttempts,
            // One batch per shard at a time (the default, stated): a window's state and the
            // consumer's per-shard marks need the shard's records in order.
            parallelizationFactor: 1,
            onFailure: new SqsDlq(props.streamFailureQueue),
            filters: source.keyPrefixes.map((prefix) => lambda.FilterCriteria.filter({ dynamodb: { Keys: { [appTable.partitionKey]: { S: lambda.FilterRule.beginsWith(prefix) } } } })),
          }),
        );
        // A consumer that retries a window until it succeeds shows its trouble as lag, not errors alone.
        new cloudwatch.Alarm(this, `${plan.name}StreamLagAlarm`, {
          alarmDescription: `${plan.name}: the table stream's oldest unread record is over ${settings.streamLagAlarmSeconds} s old for 5 min (failing windows are retried, not skipped: its aggregates are late; the stream keeps records 24 h, docs/operations.md).`,
          metric: fn.metric("IteratorAge", { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
          threshold: settings.streamLagAlarmSeconds * 1000,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 5,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }).addAlarmAction(alarmAction);
      }
      plan.schedules.forEach((schedule, index) => {
        new events.Rule(this, `${plan.name}Schedule${index === 0 ? "" : index + 1}`, {
          description: `${plan.name}: every ${schedule.everyMinutes} min`,
          schedule: events.Schedule.rate(Duration.minutes(schedule.everyMinutes)),
          // A missed tick is repaired by the next one; retries only cover throttling.
          targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(schedule.everyMinutes) })],
        });
      });
      if (webSocketApi) {
        for (const route of plan.webSocketRoutes) {
          const routeId = route.replace("$", "");
          const wsRoute = webSocketApi.addRoute(route, { integration: new WebSocketLambdaIntegration(`${plan.name}${routeId}Integration`, fn) });
          acknowledgeWebSocketRoute(wsRoute, route);
        }
      }

      new cloudwatch.Alarm(this, `${plan.name}ErrorsAlarm`, {
        alarmDescription: `${plan.name}: unhandled errors or timeouts (more than ${settings.functionErrorsAlarmThreshold} in 5 min).`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: settings.functionErrorsAlarmThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(alarmAction);

      acknowledgeFunctionFindings(fn, plan, { table, webSocketStage });
    }
    this.functions = functions;

    this.httpApi = this.httpApiFor(plans, functions, props, settings);
    if (webSocketStage) new CfnOutput(this, "WebSocketUrl", { value: webSocketStage.url });
  }

  private createFunction(plan: FunctionPlan, environment: Record<string, string>, settings: InfraSettings, bundle: boolean): lambda.Function {
    const logGroup = new logs.LogGroup(this, `${plan.name}Logs`, { retention: settings.logRetentionDays });
    const common = {
      description: plan.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: plan.memoryMb,
      timeout: Duration.seconds(plan.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      environment,
    } satisfies Partial<lambda.FunctionProps>;

    if (!bundle) {
      return new lambda.Function(this, plan.name, {
        ...common,
        handler: `index.${plan.handler}`,
        code: lambda.Code.fromInline(`exports.${plan.handler} = async () => { throw new Error("template-test stub for ${plan.entry}"); };`),
      });
    }

    const entry = path.join(repoRoot, plan.entry);
    if (!existsSync(entry)) {
      throw new FunctionSpecError(`Function ${plan.name}: entry ${plan.entry} does not exist (looked for ${entry}). Write the handler or fix "entry" in its functions.ts.`);
    }
    return new NodejsFunction(this, plan.name, {
      ...common,
      entry,
      handler: plan.handler,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, "package-lock.json"),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields,
        banner: esmRequireBanner,
        esbuildArgs: { "--alias": Object.entries(bundleAliases(repoRoot)).map(([from, to]) => `${from}=${to}`) },
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Pin the SDK version the tests ran with instead of the runtime's copy.
        bundleAwsSDK: true,
        tsconfig: path.join(repoRoot, "tsconfig.json"),
        // Files loaded at run time beside the entry (HiGHS's wasm for RotaPlansApi).
        ...(plan.bundleFiles.length > 0
          ? { commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: (inputDir: string, outputDir: string) => plan.bundleFiles.map((f) => `cp "${path.join(inputDir, f)}" "${outputDir}"`) } }
          : {}),
      },
    });
  }

  private webSocketStage(api: apigwv2.WebSocketApi, settings: InfraSettings): apigwv2.WebSocketStage {
    // WebSocket (like REST) APIs write access logs through the account-wide API Gateway role;
    // without it the stage fails to deploy with access logging on.
    let account: apigateway.CfnAccount | undefined;
    if (settings.manageApiGatewayAccountRole) {
      const role = new iam.Role(this, "ApiGatewayCloudWatchRole", {
        assumedBy: new iam.ServicePrincipal("apigateway.amazonaws.com"),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName("service-role/AmazonAPIGatewayPushToCloudWatchLogs")],
      });
      account = new apigateway.CfnAccount(this, "ApiGatewayAccount", { cloudWatchRoleArn: role.roleArn });
      acknowledgeApiGatewayAccount(role);
    }

    const accessLogs = new logs.LogGroup(this, "AgentWebSocketAccessLogs", { retention: settings.logRetentionDays });
    const stage = new apigwv2.WebSocketStage(this, "AgentWebSocketStage", {
      webSocketApi: api,
      stageName: webSocketStageName,
      autoDeploy: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            connectionId: "$context.connectionId",
            eventType: "$context.eventType",
            routeKey: "$context.routeKey",
            status: "$context.status",
            requestTime: "$context.requestTime",
            ip: "$context.identity.sourceIp",
            integrationError: "$context.integrationErrorMessage",
          }),
        ),
      },
    });
    if (account) stage.node.addDependency(account);
    return stage;
  }

  private httpApiFor(
    plans: readonly FunctionPlan[],
    functions: ReadonlyMap<string, lambda.Function>,
    props: StatelessStackProps,
    settings: InfraSettings,
  ): apigwv2.HttpApi | undefined {
    if (!plans.some((p) => p.httpRoutes.length > 0)) return undefined;
    const api = new apigwv2.HttpApi(this, "HttpApi", {
      apiName: `${settings.stackPrefix}-http`,
      createDefaultStage: false,
      // The console calls the API from its CloudFront origin, with a bearer token.
      ...(props.consoleOrigin
        ? {
            corsPreflight: {
              allowOrigins: [props.consoleOrigin],
              allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.PUT, apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.PATCH, apigwv2.CorsHttpMethod.DELETE],
              allowHeaders: ["authorization", "content-type", "idempotency-key", "if-match", "x-correlation-id"],
              exposeHeaders: ["etag", "location", "retry-after", "x-correlation-id"],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const accessLogs = new logs.LogGroup(this, "HttpApiAccessLogs", { retention: settings.logRetentionDays });
    const stage = api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: settings.httpThrottleRateLimit, burstLimit: settings.httpThrottleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            routeKey: "$context.routeKey",
            status: "$context.status",
            requestTime: "$context.requestTime",
            latencyMs: "$context.responseLatency",
            ip: "$context.identity.sourceIp",
            authorizerError: "$context.authorizer.error",
            integrationError: "$context.integrationErrorMessage",
          }),
        ),
      },
    });
    const authorizer = new HttpJwtAuthorizer("CognitoJwtAuthorizer", props.jwtIssuer, {
      jwtAudience: [props.userPoolClient.userPoolClientId, ...(props.consoleClient ? [props.consoleClient.userPoolClientId] : [])],
      identitySource: ["$request.header.Authorization"],
    });

    for (const plan of plans) {
      if (plan.httpRoutes.length === 0) continue;
      const fn = functions.get(plan.name);
      if (!fn) throw new Error(`unreachable: no function built for ${plan.name}`);
      const integration = new HttpLambdaIntegration(`${plan.name}Integration`, fn);
      for (const route of plan.httpRoutes) {
        const [created] = api.addRoutes({
          path: route.path,
          methods: [apigwv2.HttpMethod[route.method]],
          integration,
          ...(route.authorizer === "jwt" ? { authorizer } : {}),
        });
        if (created && route.authorizer === "none") acknowledgeUnauthorizedHttpRoute(created, route);
      }
    }
    if (stage.url) new CfnOutput(this, "HttpApiUrl", { value: stage.url });
    return api;
  }
}
