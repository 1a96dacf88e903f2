/** Builds the console once for the browser tests (when console/ changed since the last build). */
import { ensureConsoleBuilt } from "../../local/console-build.js";

export default async function setup() {
  await ensureConsoleBuilt();
}
