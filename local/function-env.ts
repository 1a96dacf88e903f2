/**
 * Each local function's own environment, built from the same deployment plan the CDK stack
 * turns into Lambda environment variables (infra/function-plan.ts), so a function gets locally
 * exactly the queue URLs, secret and push endpoint its function-list entry declares, and an
 * undeclared one fails here as it would in AWS. Pure, unit-tested.
 */
import { planFunction, type EnvSource } from "../infra/function-plan.js";
import type { FunctionSpec } from "../functions/catalog/types.js";
import type { QueueName } from "../functions/catalog/resources.js";

/** What the local stack provides in place of the AWS resources an {@link EnvSource} names. */
export interface LocalResources {
  tableName: string;
  queueUrls: Record<QueueName, string>;
  /** The local gateway's URL: the JWKS lives under it. */
  gatewayUrl: string;
  /** The WebSocket management API endpoint (the gateway's secret stage path). */
  managementEndpoint: string;
  /** Locally the secret itself stands in for its Secrets Manager ARN. */
  webhookSecret: string;
  /** The chat platform's assignment-callback URL; empty: callbacks off. */
  assignmentCallbackUrl?: string;
  /** The secret callbacks are signed with (default: the webhook secret). */
  callbackSecret?: string;
  jwtIssuer: string;
  jwtAudience: string;
}

/** Variables only the functions that declare them may see; never in the shared process environment. */
export function isPerFunctionVariable(name: string): boolean {
  return name.startsWith("QUEUE_URL_") || name === "WS_ENDPOINT" || name === "WEBHOOK_SECRET" || name === "WEBHOOK_SECRET_ARN" || name === "ASSIGNMENT_CALLBACK_URL" || name === "CALLBACK_SECRET" || name === "CALLBACK_SECRET_ARN";
}

function resolve(name: string, source: EnvSource, resources: LocalResources): [string, string] {
  switch (source.kind) {
    case "literal":
      return [name, source.value];
    case "tableName":
      return [name, resources.tableName];
    case "queueUrl":
      return [name, resources.queueUrls[source.queue]];
    case "webSocketEndpoint":
      return [name, resources.managementEndpoint];
    case "webhookSecretArn":
      return ["WEBHOOK_SECRET", resources.webhookSecret];
    case "assignmentCallbackUrl":
      return [name, resources.assignmentCallbackUrl ?? ""];
    case "callbackSecretArn":
      return ["CALLBACK_SECRET", resources.callbackSecret ?? resources.webhookSecret];
    case "jwtIssuer":
      return [name, resources.jwtIssuer];
    case "jwksUrl":
      return [name, `${resources.gatewayUrl}/.well-known/jwks.json`];
    case "jwtAudience":
      return [name, resources.jwtAudience];
  }
}

/**
 * The environment `spec` runs with locally: `shared` (region, local endpoints, log level,
 * settings: what every function gets) plus its plan's variables and its name.
 *
 * @example
 * localFunctionEnv(routerSpec, resources, shared).QUEUE_URL_CONVERSATIONS; // the local queue's URL
 * localFunctionEnv(healthSpec, resources, shared).WS_ENDPOINT; // undefined: HealthApi does not push
 */
export function localFunctionEnv(spec: FunctionSpec, resources: LocalResources, shared: Record<string, string>): Record<string, string> {
  const own = Object.entries(planFunction(spec).environment).map(([name, source]) => resolve(name, source, resources));
  return { ...withoutPerFunctionVariables(shared), ...Object.fromEntries(own), AWS_LAMBDA_FUNCTION_NAME: spec.name };
}

function withoutPerFunctionVariables(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isPerFunctionVariable(name)));
}
