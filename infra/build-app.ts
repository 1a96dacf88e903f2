/**
 * Builds the CDK app: both stacks, wired, with cdk-nag's AwsSolutions checks registered so any
 * unacknowledged error fails synthesis. `infra/app.ts` synthesizes it; the infra tests build it
 * with `bundle: false`.
 */
import { App, Validations, type AppProps } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { functionList, type FunctionSpec } from "../functions/catalog/index.js";
import { settingsFromContext, type InfraSettings } from "./config.js";
import { StatefulStack } from "./stateful-stack.js";
import { StatelessStack } from "./stateless-stack.js";

export interface BuildAppOptions {
  /** Passed to `new App(...)`; tests set `context` here to exercise settings. */
  readonly appProps?: AppProps;
  /** See {@link StatelessStackProps.bundle}. Default `true`. */
  readonly bundle?: boolean;
  /** Defaults to the one function list. */
  readonly functions?: readonly FunctionSpec[];
}

export interface BuiltApp {
  readonly app: App;
  readonly settings: InfraSettings;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * @example
 * const { app } = buildApp();
 * app.synth();
 */
export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const app = new App(options.appProps);
  const settings = settingsFromContext(app);
  // No `env`: the stacks are environment-agnostic, so synth needs no credentials or lookups.
  const stateful = new StatefulStack(app, `${settings.stackPrefix}-Stateful`, {
    settings,
    description: "Shift & queue routing: table, queues, webhook secret, user pool, queue alarms",
  });
  const stateless = new StatelessStack(app, `${settings.stackPrefix}-Stateless`, {
    settings,
    description: "Shift & queue routing: functions, HTTP and WebSocket APIs, schedules",
    functions: options.functions ?? functionList,
    tableName: stateful.tableName,
    queues: stateful.queues,
    webhookSecret: stateful.webhookSecret,
    callbackSecret: stateful.callbackSecret,
    userPoolClient: stateful.userPoolClient,
    jwtIssuer: stateful.jwtIssuer,
    alarmTopic: stateful.alarmTopic,
    bundle: options.bundle ?? true,
  });
  stateless.addStackDependency(stateful);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, settings, stateful, stateless };
}
