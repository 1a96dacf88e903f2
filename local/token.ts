/**
 * `npm run token -- --role supervisor|agent --sub <id>`: prints a bearer token the local stack
 * accepts (signed with the key kept in DATA_DIR, created on first use).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadOrCreateKeys, mintToken } from "./keys.js";

const { values } = parseArgs({ options: { role: { type: "string" }, sub: { type: "string" }, ttl: { type: "string", default: "12h" }, help: { type: "boolean" } } });
if (values.help || !values.role || !values.sub || (values.role !== "supervisor" && values.role !== "agent")) {
  console.error("usage: npm run token -- --role supervisor|agent --sub <id> [--ttl 12h]");
  process.exit(values.help ? 0 : 2);
}
const keys = await loadOrCreateKeys(resolve(process.env.DATA_DIR ?? ".data"));
console.log(await mintToken(keys, values.role, values.sub, values.ttl));
