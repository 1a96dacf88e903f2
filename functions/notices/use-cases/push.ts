/** Pushing notices to agents' phones, a bounded number at a time. */
import { pushToAgent } from "../../shared/push.js";

/** Pushes in flight at once: each is a connections query plus one call per open connection; 50 matches the SDK's default socket pool. */
const pushConcurrency = 50;

/** Pushes `message` to every agent; returns the connections reached and the stale ones removed (410). */
export async function pushToAgents(agentIds: readonly string[], message: unknown): Promise<{ pushed: number; gone: number }> {
  const queue = [...agentIds];
  let pushed = 0;
  let gone = 0;
  const worker = async () => {
    for (let agentId = queue.shift(); agentId !== undefined; agentId = queue.shift()) {
      const outcome = await pushToAgent(agentId, message);
      pushed += outcome.delivered;
      gone += outcome.gone;
    }
  };
  await Promise.all(Array.from({ length: Math.min(pushConcurrency, queue.length) }, worker));
  return { pushed, gone };
}
