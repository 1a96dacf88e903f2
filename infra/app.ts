/** CDK entry point (`cdk.json` → `npx tsx infra/app.ts`). */
import { buildApp } from "./build-app.js";
import { builtConsole } from "./console-assets.js";

buildApp({ consoleAssets: builtConsole() }).app.synth();
