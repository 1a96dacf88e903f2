/** Invokes a handler the way the Lambda runtime does: an event and a context object. */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import type { FunctionSpec } from "../functions/catalog/types.js";
import { planFunction } from "../infra/function-plan.js";

const invocationScope = new AsyncLocalStorage<string>();

/**
 * The invocation running now (its request id), undefined outside one: the bench's billing
 * recorder tells concurrent invocations of one function apart by it (their calls overlap in time
 * but are separate billed durations).
 */
export const currentInvocationId = (): string | undefined => invocationScope.getStore();

/** Runs `fn` as the invocation `requestId`. */
export function runAsInvocation<T>(requestId: string, fn: () => T): T {
  return invocationScope.run(requestId, fn);
}

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The context of one invocation of `spec` with the timeout the CDK deploys it with: middy ends a
 * handler just before `getRemainingTimeInMillis` runs out, so locally an invocation may run as
 * long as in Lambda, and no longer (it was 30 s for every function, which cut 50 s queue
 * consumers and the 300 s import job short under the scale bench).
 */
export function contextFor(spec: FunctionSpec): Context {
  let timeoutMs = deployedTimeoutMs.get(spec);
  if (timeoutMs === undefined) {
    timeoutMs = planFunction(spec).timeoutSeconds * 1000;
    deployedTimeoutMs.set(spec, timeoutMs);
  }
  return lambdaContext(spec.name, timeoutMs);
}

/** Planned once per function, not on every request. */
const deployedTimeoutMs = new WeakMap<FunctionSpec, number>();
