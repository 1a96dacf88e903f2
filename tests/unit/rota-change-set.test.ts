/** The pure part of an atomic rota change: which items change and the audit record each agent gets. */
import { describe, expect, it } from "vitest";
import { assignmentOps, auditEntries, changeCounts, isCommitted, patternOps } from "../../functions/rota/change-set.js";
import type { Assignment, Pattern } from "../../functions/rota/domain.js";

const old = { updatedAt: "2030-01-01T00:00:00.000Z", updatedBy: "supervisor:old" };
const stamp = { at: "2030-02-01T00:00:00.000Z", actor: "supervisor:new" };
const assignment = (date: string, shiftId: string): Assignment => ({ agentId: "a", date, shiftId, ...old });

describe("rota change sets", () => {
  it("keeps only real assignment changes; an import also removes the range's dates missing from the file, listed first", () => {
    const existing = [assignment("2030-03-01", "early"), assignment("2030-03-02", "late"), assignment("2030-03-05", "early")];
    const put = assignmentOps("a", existing, new Map([["2030-03-01", "early"], ["2030-03-02", null], ["2030-03-03", "off"]]), stamp);
    expect(put.map((op) => [op.kind === "assignment" && op.date, op.before?.updatedBy ?? null, op.after === null ? null : op.after.updatedBy])).toEqual([
      ["2030-03-02", "supervisor:old", null],
      ["2030-03-03", null, "supervisor:new"],
    ]);
    const imported = assignmentOps("a", existing, new Map([["2030-03-02", "late"], ["2030-03-04", "early"]]), stamp, { from: "2030-03-01", to: "2030-03-04" });
    expect(imported.map((op) => (op.kind === "assignment" ? `${op.date} ${op.before?.shiftId ?? "-"}→${op.after?.shiftId ?? "-"}` : ""))).toEqual([
      "2030-03-01 early→-",
      "2030-03-04 -→early",
    ]);
    expect(changeCounts(imported)).toEqual({ written: 1, removed: 1, assignments: 2, patterns: 0 });
  });

  it("skips an unchanged pattern and audits each changed agent once, in the change's agent order", () => {
    const stored: Pattern = { agentId: "b", pattern: ["early", "off"], startDate: "2030-03-01", ...old };
    const same = patternOps("b", new Map([[stored.startDate, stored]]), [{ agentId: "b", pattern: ["early", "off"], startDate: "2030-03-01" }], stamp);
    expect(same).toEqual([]);
    const ops = [
      ...assignmentOps("a", [], new Map([["2030-03-01", "early"]]), stamp),
      ...patternOps("b", new Map([[stored.startDate, stored]]), [{ agentId: "b", pattern: ["late"], startDate: "2030-03-01" }], stamp),
    ];
    const versions = [
      { agentId: "a", version: 3 },
      { agentId: "b", version: 0 },
    ];
    expect(auditEntries({ action: "rota.updated", versions, ops })).toEqual([
      { agentId: "a", action: "rota.updated", details: { assignments: [{ date: "2030-03-01", before: null, after: "early" }], patterns: [] } },
      { agentId: "b", action: "rota.updated", details: { assignments: [], patterns: [{ startDate: "2030-03-01", before: stored, after: { agentId: "b", pattern: ["late"], startDate: "2030-03-01" } }] } },
    ]);
    expect(auditEntries({ action: "rota.imported", range: { from: "2030-03-01", to: "2030-03-09" }, versions: versions.slice(0, 1), ops })).toEqual([
      { agentId: "a", action: "rota.imported", details: { from: "2030-03-01", to: "2030-03-09", changes: [{ date: "2030-03-01", before: null, after: "early" }] } },
    ]);
  });

  it("shows a staged change's new values only once it is committed", () => {
    expect((["applying", "aborting", "aborted"] as const).map(isCommitted)).toEqual([false, false, false]);
    expect(isCommitted(undefined)).toBe(false);
    expect(isCommitted("committed") && isCommitted("done")).toBe(true);
  });
});
