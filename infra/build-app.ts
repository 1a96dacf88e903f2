/**
 * Builds the CDK app: both stacks, wired, with cdk-nag's AwsSolutions checks registered so any
 * unacknowledged error fails synthesis. `infra/app.ts` synthesizes it; the infra tests build it
 * with `bundle: false`.
 */
import { App, Validations, type AppProps } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { functionList, type FunctionSpec } from "../functions/catalog/index.js";
import { parseSettings } from "../functions/catalog/settings.js";
import { settingsFromContext, type InfraSettings } from "./config.js";
import { ConsoleContentStack, ConsoleStack } from "./console-stack.js";
import { StatefulStack } from "./stateful-stack.js";
import { StatelessStack, webSocketStageName } from "./stateless-stack.js";

export interface BuildAppOptions {
  /** Passed to `new App(...)`; tests set `context` here to exercise settings. */
  readonly appProps?: AppProps;
  /** See {@link StatelessStackProps.bundle}. Default `true`. */
  readonly bundle?: boolean;
  /** Defaults to the one function list. */
  readonly functions?: readonly FunctionSpec[];
  /** The built console (console/dist) to deploy; undefined: a placeholder page (template tests). */
  readonly consoleAssets?: string | undefined;
}

export interface BuiltApp {
  readonly app: App;
  readonly settings: InfraSettings;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  readonly console: ConsoleStack;
  readonly consoleContent: ConsoleContentStack;
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
  // Before the APIs: they accept the console's tokens (JWT audience) and its origin (CORS).
  const console = new ConsoleStack(app, `${settings.stackPrefix}-Console`, {
    settings,
    userPool: stateful.userPool,
    description: "Shift & queue routing: the console's private bucket behind CloudFront, its Cognito app client and managed login domain",
  });
  console.addStackDependency(stateful);
  const stateless = new StatelessStack(app, `${settings.stackPrefix}-Stateless`, {
    settings,
    description: "Shift & queue routing: functions, HTTP and WebSocket APIs, schedules",
    functions: options.functions ?? functionList,
    tableName: stateful.tableName,
    tableStreamArn: stateful.table.tableStreamArn,
    streamFailureQueue: stateful.streamFailureQueue,
    queues: stateful.queues,
    webhookSecret: stateful.webhookSecret,
    callbackSecret: stateful.callbackSecret,
    userPoolClient: stateful.userPoolClient,
    consoleClient: console.client,
    consoleOrigin: console.origin,
    jwtIssuer: stateful.jwtIssuer,
    alarmTopic: stateful.alarmTopic,
    bundle: options.bundle ?? true,
  });
  stateless.addStackDependency(stateful);
  stateless.addStackDependency(console);
  // After the APIs: config.json says where they are.
  const consoleContent = new ConsoleContentStack(app, `${settings.stackPrefix}-ConsoleContent`, {
    description: "Shift & queue routing: the built console and its config.json, deployed to the console bucket",
    console,
    assetsDir: options.consoleAssets,
    config: {
      apiUrl: stateless.httpApi?.apiEndpoint ?? "",
      wsUrl: stateless.webSocketApi ? `${stateless.webSocketApi.apiEndpoint}/${webSocketStageName}` : "",
      signIn: {
        kind: "cognito",
        domain: console.loginDomain.baseUrl(),
        clientId: console.client.userPoolClientId,
        redirectUri: console.consoleUrl,
        logoutUri: console.consoleUrl,
        scopes: ["openid", "email", "profile"],
      },
      shopTimeZone: parseSettings(settings.functionSettings).SHOP_TIME_ZONE,
    },
  });
  consoleContent.addStackDependency(stateless);
  consoleContent.addStackDependency(console);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, settings, stateful, stateless, console, consoleContent };
}
