/**
 * Issue 11 item 7: supervision never swallows an error. The load repair retries only a lost
 * race (a write conflict) and rethrows anything else (AccessDenied, validation); the clock logs a
 * failure that leaves work undone at `error` and fails the run (the Errors alarm), while a race
 * lost to a concurrent close or move is only a warning.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { newAgent, type Agent } from "../../functions/agents/domain.js";
import { ConflictError } from "../../functions/shared/errors.js";
import { TransactionCancelledError } from "../../functions/shared/table/client.js";

// The client module reads its environment when loaded (no network is used: transact is mocked).
vi.hoisted(() => {
  process.env.TABLE_NAME ??= "unit-test";
  process.env.AWS_REGION ??= "us-east-1";
});

const agent: Agent = { ...newAgent({ agentId: "a1", name: "A", skills: ["presale"], maxConcurrent: 3 }, "test", new Date("2026-12-01T00:00:00Z")), load: 2, onDuty: false, version: 4 };

const state = vi.hoisted(() => ({ transact: vi.fn(), moveToQueue: vi.fn(), errors: [] as unknown[][], warnings: [] as unknown[][] }));

vi.mock("../../functions/shared/table/index.js", async () => {
  const client = await vi.importActual<typeof import("../../functions/shared/table/client.js")>("../../functions/shared/table/client.js");
  return { isWriteConflict: client.isWriteConflict, transact: state.transact };
});
vi.mock("../../functions/agents/store.js", () => ({
  listAgents: async () => [agent],
  getAgent: async () => agent,
  agentWriteOps: () => [{ Put: { TableName: "t", Item: {} } }],
}));
vi.mock("../../functions/routing/store/index.js", () => ({
  openAssignments: async () => [{ conversationId: "c1", assignedAt: "2026-12-01T00:00:00Z" }],
  getConversation: async () => undefined,
  awaitingReplySince: async () => [],
  waitingConversations: async () => [],
  escalateConversation: async () => false,
  conversationsArrivedBetween: async () => [],
}));
vi.mock("../../functions/routing/use-cases/index.js", () => ({ moveToQueue: state.moveToQueue, drainWaiting: async () => 0 }));
// Load repairs are audited in their transaction (issue 12): the record itself is not under test here.
vi.mock("../../functions/shared/audit.js", () => ({ auditPut: () => ({ Put: { TableName: "t", Item: {} } }) }));
// Skills as data: the seeded defaults, no table read.
vi.mock("../../functions/agents/skills.js", () => ({ listSkills: async () => [], knownSkillIds: async () => ["presale"] }));
vi.mock("../../functions/shared/push.js", () => ({ pushToSupervisors: async () => ({ delivered: 0, gone: 0, failed: 0 }) }));
vi.mock("../../functions/shared/metrics.js", () => ({ emitCount: () => undefined }));
vi.mock("../../functions/shared/logger.js", () => ({
  logger: { error: (...args: unknown[]) => state.errors.push(args), warn: (...args: unknown[]) => state.warnings.push(args), info: () => undefined, debug: () => undefined },
}));
vi.mock("../../functions/supervision/config.js", () => ({
  supervisionConfig: () => ({ handoverGraceMs: 0, shiftEndPolicy: "handover", awayTimeoutMs: 0, awayPolicy: "handover", firstResponseTimeoutMs: 180_000, escalateAfterMs: 120_000, escalationMode: "fallback-and-notify" }),
}));

const { reconcileLoads, runSupervisionClock, SupervisionRunError } = await import("../../functions/supervision/use-cases.js");

function accessDenied(): Error {
  return Object.assign(new Error("User is not authorized to perform: dynamodb:TransactWriteItems"), { name: "AccessDeniedException" });
}

beforeEach(() => {
  state.transact.mockReset();
  state.moveToQueue.mockReset();
  state.errors.length = 0;
  state.warnings.length = 0;
});

describe("load repair", () => {
  it("counts again after a write conflict and repairs on the next try", async () => {
    state.transact.mockRejectedValueOnce(new TransactionCancelledError(["ConditionalCheckFailed"])).mockResolvedValueOnce(undefined);
    const report = await reconcileLoads(new Date());
    expect(report.repairs).toEqual([{ agentId: "a1", from: 2, to: 0 }]);
    expect(state.transact).toHaveBeenCalledTimes(2);
  });

  it("rethrows anything that is not a write conflict instead of treating it as 'changed under us'", async () => {
    state.transact.mockRejectedValue(accessDenied());
    await expect(reconcileLoads(new Date())).rejects.toThrow(/not authorized/);
    expect(state.transact).toHaveBeenCalledTimes(1);
  });
});

describe("supervision clock", () => {
  it("logs a handover that failed for another reason at error and fails the run after trying the rest", async () => {
    state.moveToQueue.mockRejectedValue(accessDenied());
    await expect(runSupervisionClock(new Date())).rejects.toBeInstanceOf(SupervisionRunError);
    expect(state.errors).toHaveLength(1);
    expect(String(state.errors[0]?.[0])).toMatch(/Handover failed/);
  });

  it("treats a handover lost to a concurrent close as a warning, not a failure", async () => {
    state.moveToQueue.mockRejectedValue(new ConflictError("Conversation c1 is closed; only an assigned conversation can be moved."));
    await expect(runSupervisionClock(new Date())).resolves.toMatchObject({ handedOver: 0 });
    expect(state.errors).toHaveLength(0);
    expect(state.warnings).toHaveLength(1);
  });
});
