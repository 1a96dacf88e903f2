/** The part message of a large shift boundary: its size bound and the duty stamp (pure; no network). */
import { describe, expect, it, vi } from "vitest";

// rota/duty-parts.ts loads the table client, which reads its environment (no network is used here).
vi.hoisted(() => {
  process.env.TABLE_NAME ??= "unit-test";
  process.env.AWS_REGION ??= "us-east-1";
});
import { dutyPartMaxBytes, dutyPartSchema, dutyPartSize, dutyStamp, sqsMessageMaxBytes } from "../../functions/rota/duty-parts.js";

const window = { shiftId: "late", from: "2031-03-10T14:00:00.000Z", to: "2031-03-10T22:00:00.000Z" };

describe("duty parts", () => {
  it("keeps a full part, every id and window at its longest, well under SQS's 256 KB", () => {
    const bytes = dutyPartMaxBytes(dutyPartSize);
    expect(bytes).toBeLessThan(0.75 * sqsMessageMaxBytes);
    // The bound is of the schema's own limits: a part one agent larger is refused.
    const entry = { agentId: "a".repeat(64), seen: "x".repeat(22), want: window, next: null, viewOk: false };
    expect(dutyPartSchema.safeParse({ kind: "duty-part", at: window.from, agents: Array.from({ length: dutyPartSize }, () => entry) }).success).toBe(true);
    expect(dutyPartSchema.safeParse({ kind: "duty-part", at: window.from, agents: Array.from({ length: dutyPartSize + 1 }, () => entry) }).success).toBe(false);
    expect(dutyPartSchema.safeParse({ kind: "duty-part", at: window.from, agents: [{ ...entry, agentId: "a".repeat(65) }] }).success).toBe(false);
  });

  it("stamps the duty state the compare-and-set compares, and nothing else", () => {
    const off = dutyStamp({ onDuty: false, shift: null, nextShift: null });
    expect(off).toHaveLength(22);
    expect(dutyStamp({ onDuty: false, shift: null, nextShift: null })).toBe(off);
    expect(dutyStamp({ onDuty: true, shift: window, nextShift: null })).not.toBe(off);
    expect(dutyStamp({ onDuty: false, shift: null, nextShift: window })).not.toBe(off);
    expect(dutyStamp({ onDuty: true, shift: window, nextShift: null })).not.toBe(dutyStamp({ onDuty: true, shift: { ...window, to: "2031-03-10T23:00:00.000Z" }, nextShift: null }));
    // Key order of a window read back from DynamoDB does not matter.
    expect(dutyStamp({ onDuty: true, shift: { to: window.to, from: window.from, shiftId: window.shiftId }, nextShift: null })).toBe(dutyStamp({ onDuty: true, shift: window, nextShift: null }));
  });
});
