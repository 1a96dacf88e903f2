/**
 * The adherence screen in Debian's chromium against a local stack: an agent (created through the
 * API) is on a shift all of today in the shop's zone and goes online then away; the screen
 * (zh-CN) shows the team's rate and the agent's row with the same minutes out of adherence the API
 * reports for the day. axe finds no serious or critical violation on it. (The plans screen and the
 * wall's adherence alerts: tests/browser/plans.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleDist } from "../../local/console-build.js";
import { useLocalStack } from "../support/stack.js";
import { expectAccessible, openConsole, signIn, today, useBrowser, type ConsolePage } from "./support.js";

const s = useLocalStack({ consoleDir: consoleDist });
const browser = useBrowser();
const zone = "Asia/Shanghai";

describe("the adherence screen", () => {
  let agentId = "";
  let name = "";
  const pages: ConsolePage[] = [];

  beforeAll(async () => {
    agentId = s().uid("zhao.lei");
    name = `Zhao Lei ${agentId.slice(-4)}`;
    const shiftId = s().uid("allday");
    const sup = await s().supervisor();
    expect((await s().api("PUT", `/agents/${agentId}`, { as: sup, body: { name, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    expect((await s().api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "All day", start: "00:00", end: "00:00", timeZone: zone } })).status).toBe(201);
    expect((await s().api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId, date: today(zone), shiftId }] } })).status).toBe(200);
    const token = await s().agentToken(agentId);
    expect((await s().api("PUT", `/agents/${agentId}/presence`, { as: token, body: { status: "online" } })).status).toBe(200);
    expect((await s().api("PUT", `/agents/${agentId}/presence`, { as: token, body: { status: "away" } })).status).toBe(200);
  }, 120_000);

  afterAll(() => {
    for (const p of pages) expect(p.errors, "page errors").toEqual([]);
  });

  it("shows the team's rate and a row per scheduled agent with minutes out of adherence (zh-CN)", async () => {
    const zh = await openConsole(browser(), s().consoleUrl ?? "");
    pages.push(zh);
    const page = zh.page;
    await signIn(page, "supervisor", "sup-adherence");
    await page.getByRole("heading", { name: "实时看板", level: 1 }).waitFor();
    await page.getByRole("navigation").getByRole("link", { name: "出勤遵从" }).click();
    await page.getByRole("heading", { name: "出勤遵从率", level: 1 }).waitFor();
    await page.getByText(/^团队遵守率 /).waitFor();
    const row = page.locator(`tr[data-agent="${agentId}"]`);
    await row.waitFor();
    const out = Number(await row.locator("td.out-of-adherence").textContent());
    // Scheduled all day (end = start: 24 hours, so the test holds at any hour) and offline until a
    // moment ago: minutes out of adherence, not zero.
    expect(out).toBeGreaterThan(0);
    await row.getByText(/个时段$/).click();
    await row.getByRole("rowheader", { name: /^00:00–00:30$/ }).waitFor();
    await expectAccessible(page, "the adherence screen");
  }, 180_000);
});
