/**
 * `npm run token -- --role supervisor|agent --sub <id>`: prints a bearer token the local stack
 * accepts. It asks the running stack on `PORT` (default 3000) first (`POST /local/token`), so
 * the token is signed with that stack's key whatever `DATA_DIR` it was started with. With no
 * stack answering, it signs with the key kept in `DATA_DIR` (default `.data/`, created on first
 * use) and says so on stderr, naming the folder.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { LocalTokenResponse } from "./console.js";
import { keyFile, loadOrCreateKeys, mintToken } from "./keys.js";

const { values } = parseArgs({ options: { role: { type: "string" }, sub: { type: "string" }, ttl: { type: "string", default: "12h" }, help: { type: "boolean" } } });
if (values.help || !values.role || !values.sub || (values.role !== "supervisor" && values.role !== "agent")) {
  console.error("usage: npm run token -- --role supervisor|agent --sub <id> [--ttl 12h]   (PORT: the running stack's port, default 3000)");
  process.exit(values.help ? 0 : 2);
}
const role = values.role;
const sub = values.sub;
const ttl = /^(\d+)([smhd])$/.exec(values.ttl);
if (!ttl) {
  console.error(`--ttl must be a number and a unit s, m, h or d (e.g. 12h), got "${values.ttl}"`);
  process.exit(2);
}
const ttlSeconds = Number(ttl[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[ttl[2] as "s" | "m" | "h" | "d"];
const port = process.env.PORT ?? "3000";
const stackUrl = `http://127.0.0.1:${port}`;

/** The running stack's token, or why there is none (stack not running, or not ours on that port). */
async function fromRunningStack(): Promise<{ token: string } | { why: string }> {
  try {
    const response = await fetch(`${stackUrl}/local/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role, sub, ttlSeconds }),
      signal: AbortSignal.timeout(3000),
    });
    const body = (await response.json().catch(() => undefined)) as (LocalTokenResponse & { detail?: string }) | undefined;
    if (response.ok && typeof body?.token === "string") return { token: body.token };
    if (response.status === 400) {
      console.error(`The local stack refused: ${body?.detail ?? response.statusText}`);
      process.exit(2);
    }
    return { why: `${stackUrl} answered ${response.status}, it is not this project's local stack` };
  } catch {
    return { why: `no local stack answers on ${stackUrl}` };
  }
}

const running = await fromRunningStack();
if ("token" in running) {
  console.log(running.token);
  process.exit(0);
}
const dataDir = resolve(process.env.DATA_DIR ?? ".data");
console.error(`npm run token: ${running.why}; signed with the key in ${keyFile(dataDir)} (DATA_DIR). A stack started with another DATA_DIR rejects it: set PORT (or DATA_DIR) to match.`);
const keys = await loadOrCreateKeys(dataDir);
console.log(await mintToken(keys, role, sub, `${ttlSeconds}s`));
