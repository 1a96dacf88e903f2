/**
 * Every cdk-nag (AwsSolutions) finding this app accepts, each on the one resource it concerns
 * and with the reason it is acceptable. cdk-nag 3 matches acknowledgements by exact finding id
 * (`AwsSolutions-IAM5[Resource::…]`), so wildcard findings are computed from the same resolved
 * ARN the grant wrote, never typed by hand: a new grant with a new wildcard fails synth until
 * someone reasons about it here.
 *
 * Kept in one module so a reviewer sees the whole exception list at once.
 */
import { DefaultStackSynthesizer, Stack, Token, Validations } from "aws-cdk-lib";
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";
import { appTable } from "../functions/catalog/resources.js";
import type { FunctionPlan, HttpRoutePlan } from "./function-plan.js";
import type { ConsoleContentStack, ConsoleStack } from "./console-stack.js";
import type { StatefulStack } from "./stateful-stack.js";

const pack = "AwsSolutions";

function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${pack}-${rule}`, reason });
}

/**
 * Flattens a resolved CloudFormation value the way cdk-nag names IAM findings:
 * `{Ref: X}` → `<X>`, `{Fn::GetAtt: [X, Y]}` → `<X.Y>`, `Fn::Join` concatenated.
 */
function flatten(value: unknown): string {
  if (typeof value === "string") return value.replace(/\$\{/g, "<").replace(/\}/g, ">");
  if (value && typeof value === "object") {
    const node = value as Record<string, unknown>;
    const join = node["Fn::Join"];
    if (Array.isArray(join) && typeof join[0] === "string" && Array.isArray(join[1])) return join[1].map(flatten).join(join[0]);
    if ("Ref" in node) return `<${flatten(node.Ref)}>`;
    const getAtt = node["Fn::GetAtt"];
    if (Array.isArray(getAtt)) return `<${flatten(getAtt[0])}.${flatten(getAtt[1])}>`;
    if ("Fn::ImportValue" in node) return flatten(node["Fn::ImportValue"]);
    if ("Fn::Sub" in node) return flatten(node["Fn::Sub"]);
  }
  return JSON.stringify(value);
}

/** The `IAM5[Resource::…]` finding id cdk-nag reports for a wildcard resource ARN. */
export function wildcardResourceFinding(scope: IConstruct, arn: string): string {
  const resolved = Token.isUnresolved(arn) ? Stack.of(scope).resolve(arn) : arn;
  return `IAM5[Resource::${flatten(resolved)}]`;
}

// ---------------------------------------------------------------------------------------------
// Stateful stack
// ---------------------------------------------------------------------------------------------

export function acknowledgeStatefulFindings(stack: StatefulStack): void {
  acknowledge(
    stack.webhookSecret,
    "SMG4",
    "The webhook HMAC key is shared with external systems (chat platform, warehouse, order system) that cannot fetch it; rotation is a coordinated manual change (docs/deploy.md), which a rotation Lambda cannot perform.",
  );
  acknowledge(
    stack.callbackSecret,
    "SMG4",
    "The callback HMAC key is shared with the chat platform, which verifies our assignment callbacks with it and cannot fetch it; rotation is a coordinated manual change (docs/integration.md), which a rotation Lambda cannot perform.",
  );
  acknowledge(
    stack.streamFailureQueue,
    "SQS3",
    "This queue is itself a dead-letter destination: Lambda's on-failure destination for the table stream's consumers, holding the shard and sequence range of records that failed every retry. Nothing consumes it, so there is nothing to redrive from it; its alarm fires on the first message (docs/operations.md).",
  );
  acknowledge(
    stack.userPool,
    "COG2",
    "MFA is optional (TOTP) so agents can sign in on shared shop-floor consoles during a rush; the pool is on the Plus tier with threat protection enforced, which blocks compromised credentials and risky sign-ins.",
  );
}

// ---------------------------------------------------------------------------------------------
// Stateless stack
// ---------------------------------------------------------------------------------------------

export interface FunctionFindingContext {
  table: dynamodb.ITable;
  webSocketStage: apigwv2.WebSocketStage | undefined;
}

/** Findings every function's role raises, plus the wildcards its declared access implies. */
export function acknowledgeFunctionFindings(fn: lambda.Function, plan: FunctionPlan, context: FunctionFindingContext): void {
  const role: iam.IRole | undefined = fn.role;
  if (!role) return;
  acknowledge(
    role,
    "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "AWSLambdaBasicExecutionRole only allows writing the function's own CloudWatch log streams; it is the AWS-maintained minimum for any Lambda function.",
  );
  acknowledge(
    role,
    "IAM5[Resource::*]",
    "Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (resource must be *).",
  );
  if (plan.grants.table !== "none") {
    acknowledge(
      role,
      wildcardResourceFinding(fn, `${context.table.tableArn}/index/*`),
      `${plan.grants.table === "read" ? "grantReadData" : "grantReadWriteData"} covers the table's GSIs (${appTable.globalSecondaryIndexes.map((i) => i.indexName).join(", ")}) with index/*: the single-table access patterns query them, and the grant stays on this one table.`,
    );
  }
  if (plan.grants.managesWebSocketConnections && context.webSocketStage) {
    const stage = context.webSocketStage;
    const connectionsArn = `${Stack.of(stage).formatArn({ service: "execute-api", resource: stage.api.apiId })}/${stage.stageName}/*/@connections/*`;
    acknowledge(
      role,
      wildcardResourceFinding(fn, connectionsArn),
      "Pushing to agents posts to connection ids only known at run time; the grant is limited to execute-api:ManageConnections on this API's prod stage connections.",
    );
  }
}

/** HTTP routes without the JWT authorizer: machine webhooks, signature-or-JWT routes, health. */
export function acknowledgeUnauthorizedHttpRoute(route: apigwv2.HttpRoute, plan: HttpRoutePlan): void {
  const reasons: Record<HttpRoutePlan["auth"]["kind"], string> = {
    jwt: "",
    signature:
      "Machine caller (chat platform / warehouse): the function verifies an HMAC-SHA256 signature of the raw body with a 5-minute replay window before doing anything; an API Gateway authorizer cannot see the raw body.",
    "signature-or-jwt":
      "Accepts either the order system's HMAC signature or a supervisor JWT; API Gateway cannot express either-or, so the function verifies the signature or the Cognito JWT (JWKS) itself and rejects anything else.",
    public: "Liveness probe: returns only up/down, reads no caller data and changes nothing.",
  };
  acknowledge(route, "APIG4", `${plan.method} ${plan.path}: ${reasons[plan.auth.kind]}`);
}

/** WebSocket routes: API Gateway allows an authorizer only on $connect. */
export function acknowledgeWebSocketRoute(route: apigwv2.WebSocketRoute, routeKey: string): void {
  const reason =
    routeKey === "$connect"
      ? "$connect carries the Cognito token as a query parameter (browsers cannot set headers on WebSocket upgrades); the function verifies it against the pool's JWKS and refuses the connection otherwise."
      : `${routeKey} runs on a connection already authenticated at $connect; API Gateway does not support authorizers on routes other than $connect.`;
  acknowledge(route, "APIG4", reason);
}

/** The account-level role API Gateway needs to write WebSocket access logs. */
export function acknowledgeApiGatewayAccount(role: iam.IRole): void {
  acknowledge(
    role,
    "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
    "AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy for API Gateway's account-level logging role, required for WebSocket access logs.",
  );
}

// ---------------------------------------------------------------------------------------------
// Console stacks (infra/console-stack.ts)
// ---------------------------------------------------------------------------------------------

export function acknowledgeConsoleFindings(stack: ConsoleStack): void {
  acknowledge(
    stack.distribution,
    "CFR1",
    "No geo restriction: the console's users are the shop's agents and supervisors, who work wherever the shop does (remote agents, travelling supervisors); every call it makes needs a Cognito sign-in.",
  );
  acknowledge(
    stack.distribution,
    "CFR2",
    "No WAF in front of the console: it serves static files only (GET/HEAD from a private bucket, nothing dynamic to attack); the API it calls is API Gateway's, throttled and authorised per route. A web ACL costs a fixed monthly fee per distribution for no protection these files need.",
  );
  acknowledge(
    stack.distribution,
    "CFR4",
    "The distribution uses CloudFront's default *.cloudfront.net certificate, whose TLS policy CloudFront fixes (a minimum protocol version applies only with a custom certificate); HTTPS is enforced (HTTP redirects). A shop that gives the console its own domain adds its ACM certificate with minimumProtocolVersion TLSv1.2_2021 (docs/console.md).",
  );
}

/** The bootstrap's asset bucket, as the deployment role's grant names it. */
function assetBucketObjects(stack: Stack): string {
  const qualifier = (stack.node.tryGetContext("@aws-cdk/core:bootstrapQualifier") as string | undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  return `IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*]`;
}

export function acknowledgeConsoleContentFindings(stack: ConsoleContentStack): void {
  // The deployment custom resource (aws-s3-deployment's singleton function and its role).
  const deployer = stack.node.findAll().find((c) => c.node.id.startsWith("Custom::CDKBucketDeployment"));
  if (!deployer) throw new Error("The console content stack has no bucket deployment to acknowledge");
  acknowledge(deployer, "L1", "aws-s3-deployment's own custom-resource function: CDK pins its runtime to the one its bundled AWS CLI layer supports, and upgrades it with aws-cdk-lib.");
  acknowledge(
    deployer,
    "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "The deployment function only writes its own logs with this managed policy (CloudWatch Logs create/put); it runs once per deploy.",
  );
  const s3Actions = ["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"];
  for (const action of s3Actions) {
    acknowledge(deployer, `IAM5[Action::${action}]`, `aws-s3-deployment's grant to copy the console's files: ${action} is CDK's read/write grant on the asset bucket and the console bucket only, as the resources below name them.`);
  }
  acknowledge(deployer, wildcardResourceFinding(stack, `${stack.bucketArn}/*`), "The deployment copies the built console into its own bucket: every object of that one bucket (the console's files and config.json).");
  acknowledge(deployer, assetBucketObjects(stack), "The deployment reads the console's zipped build from the CDK bootstrap asset bucket, whose object keys are content hashes known only at deploy time.");
  acknowledge(deployer, "IAM5[Resource::*]", "CloudFront invalidations (CreateInvalidation/GetInvalidation) after a deploy: the deployment's custom resource grants them on `*`, as CloudFront's invalidation actions support no narrower resource in CDK's grant.");
}
