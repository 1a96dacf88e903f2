/**
 * A large shift boundary in parts (issue 15 item 5): the duty clock computes what every agent's
 * duty should be once, and when more agents differ than one part holds, it sends the differences
 * as part messages to the `dutyParts` queue. Each part (RotaDutyParts) re-reads its agents'
 * profiles and applies the clock's compare-and-set (duty-apply.ts): same audit, view, arrival
 * hook and drains, each part in its own invocation, so a boundary of 10,000 agents is ~25
 * invocations of seconds instead of one over its timeout.
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { getAgent } from "../agents/store.js";
import { agentIdSchema, type Agent } from "../agents/domain.js";
import { lazy } from "../shared/lazy-schema.js";
import { logger } from "../shared/logger.js";
import { sendMessages } from "../shared/sqs.js";
import { applyDuty, DutyRun, profileCurrent, wanted, type DutyRunResult } from "./duty-apply.js";
import { inLanes } from "../shared/lanes.js";
import type { DutyWindow } from "./resolve.js";

/**
 * Agents per part. A part's invocation is ~400 × (a profile read, one transaction, an arrival
 * message) over 16 lanes: on AWS (10–20 ms a call) about 1 s, far inside RotaDutyParts' 50 s even
 * when DynamoDB throttles; 10,000 agents make 25 parts. Its message is at most
 * `dutyPartMaxBytes(400)` = 176 KB with every id and window at its longest (≈ 60 KB with ids of
 * 20 characters), under SQS's 256 KB with room (tests/unit/duty-parts.test.ts).
 * A boundary of at most one part stays inline in the clock, as before.
 */
export const dutyPartSize = 400;

/** SQS's limit for one message body. */
export const sqsMessageMaxBytes = 256 * 1024;

/**
 * A part older than this is dropped unapplied: later ticks (one a minute) have computed duty
 * again and sent whatever still differs, so an old part (a DLQ redrive hours later) must not
 * apply a rota state that has passed. Longer than the retry chain (5 receives over ~2.5 min), so
 * a part that keeps failing still reaches the DLQ.
 */
export const dutyPartMaxAgeMs = 10 * 60_000;

const windowSchema = lazy(() => z.object({
  shiftId: z.string().check(z.minLength(1), z.maxLength(64)),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
}));

const entrySchema = lazy(() => z.object({
  agentId: agentIdSchema,
  /** The duty state the clock read before resolving the rota (`dutyStamp`): the part applies only if the profile still shows it. */
  seen: z.string().check(z.length(22)),
  want: z.nullable(windowSchema),
  next: z.nullable(windowSchema),
  /** The clock found the on-duty view item right for this agent. */
  viewOk: z.boolean(),
}));

/** A part message's body; RotaDutyParts parses it with this schema. */
export const dutyPartSchema = lazy(() => z.object({
  kind: z.literal("duty-part"),
  /** The clock's instant: the duty wanted is the rota's at this instant; audit records carry it. */
  at: z.iso.datetime({ offset: true }),
  agents: z.array(entrySchema).check(z.minLength(1), z.maxLength(dutyPartSize)),
}));
export type DutyPart = z.infer<typeof dutyPartSchema>;
export type DutyPartEntry = DutyPart["agents"][number];

/**
 * A short fingerprint of the duty state a profile shows (what the compare-and-set compares): a
 * part carries it instead of the windows themselves, so a message stays small.
 */
export function dutyStamp(agent: Pick<Agent, "onDuty" | "shift" | "nextShift">): string {
  const w = (d: DutyWindow | null | undefined) => (d ? [d.shiftId, d.from, d.to] : null);
  return createHash("sha256").update(JSON.stringify([agent.onDuty, w(agent.shift), w(agent.nextShift ?? null)])).digest("base64url").slice(0, 22);
}

/** The largest body a part of `size` agents can have: every id and window at its longest. */
export function dutyPartMaxBytes(size: number): number {
  const window = { shiftId: "s".repeat(64), from: "2030-01-10T14:00:00.000+08:00", to: "2030-01-10T22:00:00.000+08:00" };
  const entry: DutyPartEntry = { agentId: "a".repeat(64), seen: "x".repeat(22), want: window, next: window, viewOk: false };
  const part: DutyPart = { kind: "duty-part", at: "2030-01-10T14:00:00.000+08:00", agents: Array.from({ length: size }, () => entry) };
  return Buffer.byteLength(JSON.stringify(part));
}

/** Sends `entries` as parts of `partSize`; returns how many. */
export async function sendDutyParts(at: Date, entries: readonly DutyPartEntry[], partSize: number): Promise<number> {
  const parts: DutyPart[] = [];
  for (let i = 0; i < entries.length; i += partSize) parts.push({ kind: "duty-part", at: at.toISOString(), agents: entries.slice(i, i + partSize) });
  const tick = at.toISOString();
  await sendMessages("dutyParts", parts.map((body, i) => ({ body, correlationId: `duty-${tick}-${i}` })));
  return parts.length;
}

/** A part failed for some of its agents; the others are applied (a retry skips them: their profiles no longer show `seen`). */
export class DutyPartError extends Error {
  override name = "DutyPartError";
  constructor(readonly failed: readonly string[]) {
    super(`Duty not applied for ${failed.length} agent(s) of the part: ${failed.slice(0, 10).join(", ")}${failed.length > 10 ? ", …" : ""}; the part is retried`);
  }
}

/**
 * One part of a large boundary (its own message).
 *
 * Primary course: re-read each agent's profile → skip it unless it still shows the duty state
 * the clock read (`seen`: someone, maybe a newer rota, changed it since, or this part was applied
 * already) → the clock's compare-and-set (`applyDuty`) → the part's drains and wall push. An
 * agent that fails does not stop the others; the part then fails so SQS retries it (only the
 * failed agents still match), then moves it to the DLQ.
 */
export async function applyDutyPart(part: DutyPart, options: { sentAt?: Date; now?: Date } = {}): Promise<DutyRunResult & { skipped: number; stale?: true }> {
  const at = new Date(part.at);
  const run = new DutyRun(at, part.agents.length);
  const now = options.now ?? new Date();
  if (options.sentAt && now.getTime() - options.sentAt.getTime() > dutyPartMaxAgeMs) {
    logger.warn("Duty part older than its maximum age dropped; later ticks have sent what still differs", { at: part.at, sentAt: options.sentAt.toISOString(), agents: part.agents.length });
    return { ...run.result, skipped: part.agents.length, stale: true };
  }
  let skipped = 0;
  await inLanes(part.agents, 16, async (entry) => {
    try {
      const agent = await getAgent(entry.agentId);
      if (!agent || dutyStamp(agent) !== entry.seen) {
        skipped++;
        return;
      }
      const { want, next } = wanted(agent, entry.want, entry.next);
      // A profile already current whose view the clock found right: nothing to do (a redelivery lands here only for view-only entries).
      if (entry.viewOk && profileCurrent(agent, want, next)) {
        skipped++;
        return;
      }
      await applyDuty(agent, want, next, entry.viewOk, run);
    } catch (error) {
      run.result.failed.push(entry.agentId);
      logger.warn("Duty not updated for an agent of a part; the part is retried", { agentId: entry.agentId, error: error as Error });
    }
  });
  const result = await run.finish();
  if (result.failed.length > 0) throw new DutyPartError(result.failed);
  return { ...result, skipped };
}
