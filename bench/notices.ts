/**
 * Notice fan-out benchmark: time and DynamoDB capacity (summed `ReturnConsumedCapacity`) to fan
 * one notice out to 1,000 on-duty agents on the local stack, against a same-run baseline
 * (a notice for 10 agents) since these machines are shared and noisy.
 *
 * Self-contained: give it a started local stack; it seeds its own agents (with one skill of its
 * own choosing, so they are the audience) and calls the fan-out use case directly — not through
 * the queue — so the figures are those of one fan-out and nothing else.
 *
 * @example
 * const stack = await startLocalStack({ ... });
 * console.log(await benchNoticeFanout(stack));
 */
import { randomUUID } from "node:crypto";
import type { LocalStack } from "../local/stack.js";
import { retryUnavailable } from "./lib/retry.js";

export interface FanoutFigures {
  agents: number;
  targeted: number;
  delivered: number;
  /** Fan-out time. */
  ms: number;
  /** Time to seed the agents (not part of the fan-out). */
  seedMs: number;
  capacityUnits: number;
  capacityPerAgent: number;
}

export interface NoticeFanoutBench {
  name: "notice-fanout";
  result: FanoutFigures;
  baseline: FanoutFigures;
  /** result / baseline. */
  ratios: { ms: number; capacityUnits: number; capacityPerAgent: number };
}

export async function benchNoticeFanout(stack: LocalStack, options: { agents?: number; baselineAgents?: number } = {}): Promise<NoticeFanoutBench> {
  const agents = options.agents ?? 1000;
  const baselineAgents = options.baselineAgents ?? 10;
  if (!process.env.TABLE_NAME || process.env.TABLE_NAME !== stack.tableName) throw new Error("benchNoticeFanout: start the local stack in this process first (its environment names the table)");
  // Imported only now: these modules read the stack's environment when first loaded.
  const { newAgent } = await import("../functions/agents/domain.js");
  const { agentWriteOps } = await import("../functions/agents/store.js");
  const { batchWrite, transact } = await import("../functions/shared/table/index.js");
  const { publishOps } = await import("../functions/notices/store/index.js");
  const { fanOutNotice } = await import("../functions/notices/use-cases/index.js");
  type Skill = import("../functions/agents/domain.js").Skill;

  const now = new Date();
  const run = randomUUID().slice(0, 8);

  /** Seeds on-duty agents with one skill, by BatchWriteItem of the agents capability's own items. */
  async function seed(count: number, skill: Skill, label: string): Promise<void> {
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const agent = {
        ...newAgent({ agentId: `bench-${run}-${label}-${i}`, name: `Bench ${i}`, skills: [skill], maxConcurrent: 5 }, "bench", now),
        onDuty: true,
        shift: { shiftId: "bench", from: now.toISOString(), to: new Date(now.getTime() + 8 * 3_600_000).toISOString() },
      };
      // The profile only: the fan-out never reads seats, these agents are offline (so their seats
      // would carry no pool entry), and any later mutateAgent rewrites all seats anyway.
      const profile = agentWriteOps(undefined, agent)[0]?.Put?.Item;
      if (profile) items.push(profile);
    }
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
          await retryUnavailable(() => batchWrite(chunk.map((Item) => ({ PutRequest: { Item } }))));
        }
      }),
    );
  }

  async function measure(count: number, skill: Skill, label: string): Promise<FanoutFigures> {
    const seedStarted = Date.now();
    await seed(count, skill, label);
    const seedMs = Date.now() - seedStarted;
    const noticeId = `n.bench-${run}-${label}`;
    await retryUnavailable(() => transact(
      publishOps({
        noticeId,
        title: "Benchmark notice",
        body: "Coupon threshold 300 → 200 from 20:00",
        urgency: "important",
        targetSkills: [skill],
        publishedAt: now.toISOString(),
        publishedBy: "bench",
        expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      }),
    ));
    // As the NoticeFanout function: the local runtime gives the push endpoint only to functions that declare it.
    const result = await stack.runAs("NoticeFanout", () => fanOutNotice(noticeId, new Date()));
    return {
      agents: count,
      targeted: result.targeted,
      delivered: result.delivered,
      ms: result.ms,
      seedMs,
      capacityUnits: round(result.capacityUnits),
      capacityPerAgent: round(result.capacityUnits / Math.max(1, result.targeted)),
    };
  }

  // Distinct skills keep the two audiences apart; both runs read every on-duty agent.
  const baseline = await measure(baselineAgents, "logistics", "base");
  const result = await measure(agents, "complaint", "main");
  return {
    name: "notice-fanout",
    result,
    baseline,
    ratios: {
      ms: round(result.ms / Math.max(1, baseline.ms)),
      capacityUnits: round(result.capacityUnits / Math.max(0.5, baseline.capacityUnits)),
      capacityPerAgent: round(result.capacityPerAgent / Math.max(0.01, baseline.capacityPerAgent)),
    },
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
