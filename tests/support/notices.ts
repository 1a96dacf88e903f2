/** Factories for notice tests: agents on or off duty (tracked for clean-up), fan-out completion. */
import { expect } from "vitest";
import type { Skill } from "../../functions/agents/domain.js";
import { setDuty as setAgentDuty } from "./routing.js";
import type { TestStack } from "./stack.js";

export function noticeFixtures() {
  /** Agents this file created; `offDutyAll()` takes them off duty after each test. */
  const created: string[] = [];

  async function setDuty(ids: string[], onDuty: boolean) {
    for (const id of ids) await setAgentDuty(id, onDuty);
  }

  async function agent(s: TestStack, skills: Skill[], onDuty: boolean): Promise<string> {
    const id = s.uid("ag");
    const res = await s.api("PUT", `/agents/${id}`, { as: await s.supervisor(), body: { name: id, skills, maxConcurrent: 5 } });
    expect(res.status).toBe(201);
    created.push(id);
    if (onDuty) await setDuty([id], true);
    return id;
  }

  /** Waits until the fan-out of `noticeId` has completed (its active record is marked). */
  async function fannedOut(s: TestStack, noticeId: string) {
    const { activeNotices } = await import("../../functions/notices/store/index.js");
    return s.eventually(async () => (await activeNotices(new Date())).find((n) => n.noticeId === noticeId && n.fannedOutAt));
  }

  return { agent, setDuty, fannedOut, offDutyAll: () => setDuty(created.splice(0), false) };
}
