/**
 * `npm start`: the whole backend on this machine. Data is kept under DATA_DIR (default `.data/`),
 * so a restart loses nothing; Ctrl-C stops every part.
 */
import { resolve } from "node:path";
import { ensureConsoleBuilt } from "./console-build.js";
import { startLocalStack, defaultWebhookSecret } from "./stack.js";

// Node 20 is supported by the SDK versions we pin; the notice about 2027 releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const port = Number(process.env.PORT ?? "3000");
const dataDir = resolve(process.env.DATA_DIR ?? ".data");

try {
  // The console is built when missing or stale (a second or two), so `npm start` alone serves it.
  const consoleDir = await ensureConsoleBuilt({ log: (line) => console.error(line) });
  const stack = await startLocalStack({
    port,
    dataDir,
    consoleDir,
    prefix: process.env.STACK_PREFIX ?? "local",
    schedules: "auto",
    webhookSecret: process.env.WEBHOOK_SECRET ?? defaultWebhookSecret,
    // LOCAL_TEST_MODE=1: X-Local-Time and POST /_local/schedules/{name} with the printed admin token.
    testMode: process.env.LOCAL_TEST_MODE === "1",
    log: (line) => console.error(line),
  });
  const portHint = port === 3000 ? "" : `PORT=${port} `;
  console.log(`Shift & queue routing backend is up.
  Console    ${stack.consoleUrl}   (sign in: Role 角色 supervisor or agent, any User ID 用户 ID)
  HTTP API   ${stack.url}        (GET ${stack.url}/health)
  WebSocket  ${stack.wsUrl}?token=<JWT>
  DynamoDB   ${stack.dynamoEndpoint}  table ${stack.tableName}  (data in ${dataDir})
  SQS        ${stack.sqsEndpoint}
  Tokens     ${portHint}npm run token -- --role supervisor --sub alice   (signed by this stack, key ${stack.keyFile})${stack.adminToken ? `\n  Test mode  X-Local-Admin-Token: ${stack.adminToken}` : ""}
Press Ctrl-C to stop.`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("Stopping...");
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
} catch (error) {
  console.error(`Could not start the local stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
