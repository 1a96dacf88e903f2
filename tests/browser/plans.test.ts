/**
 * Issue 17 in the console, Debian's chromium against a local stack.
 *
 * The plans screen (zh-CN, its own chunk): three agents, two shift templates (09–17, 14–22) and a
 * two-day demand typed per hour (day 1: two agents 10:00–16:00, one 18:00–21:00; day 2: three at
 * 10:00) with 56 hours a week and 12 hours' rest. The rest rule keeps whoever works the late on
 * day 1 off day 2's early, so the best plan is five shifts, 40 paid hours, and day 2 10:00 one
 * agent short: the screen shows that, highlighted, with the solver's status. An edit that breaks
 * the rest rule is refused (422) with the rule named and nothing changed; one within the rules is
 * saved (PATCH, version 2, coverage recomputed); the plan is published and the rota (GET /rota)
 * then holds exactly the plan's shifts. A publish the rota refuses (409, an overlap) is shown.
 *
 * The wall's adherence alerts (en): two on-duty agents go away; RotaDutyClock, run ten minutes on,
 * pushes `adherence.alert` for both (ADHERENCE_ALERT_MINUTES 5) and the wall lists them in an
 * alert region; one is dismissed, the other goes when the agent comes online (the router's queue
 * push makes the wall re-read; the safety re-read is an hour away, so only the push can do it).
 * axe finds no serious or critical violation on either screen.
 */
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { consoleDist } from "../../local/console-build.js";
import { useLocalStack } from "../support/stack.js";
import { en, expectAccessible, openConsole, signIn, today, useBrowser, type ConsolePage } from "./support.js";

const s = useLocalStack({ consoleDir: consoleDist });
const browser = useBrowser();
const zone = "Asia/Shanghai";
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Serves the stack's own config.json with the safety re-read an hour apart. */
async function withoutPolling(page: Page): Promise<void> {
  await page.route("**/config.json", async (route) => {
    const response = await route.fetch();
    const config = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: { ...config, safetyRefreshSeconds: 3600 } });
  });
}

const pages: ConsolePage[] = [];
afterAll(() => {
  for (const p of pages) expect(p.errors, "page errors").toEqual([]);
});

describe("the plans screen", () => {
  it("draws a plan from the form, shows its grid and coverage, refuses a rule-breaking edit, and publishes it into the rota (zh-CN)", async () => {
    const sup = await s().supervisor();
    const tag = s().uid("p").slice(-4);
    const agents = ["a", "b", "c"].map((x) => s().uid(`plan.${x}`));
    for (const [i, agentId] of agents.entries()) {
      expect((await s().api("PUT", `/agents/${agentId}`, { as: sup, body: { name: `Planner ${"ABC"[i]} ${tag}`, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    }
    const early = s().uid("early");
    const late = s().uid("late");
    expect((await s().api("PUT", `/shifts/${early}`, { as: sup, body: { name: `早班${tag}`, start: "09:00", end: "17:00", timeZone: zone } })).status).toBe(201);
    expect((await s().api("PUT", `/shifts/${late}`, { as: sup, body: { name: `晚班${tag}`, start: "14:00", end: "22:00", timeZone: zone } })).status).toBe(201);
    const day1 = addDays(today(zone), 7);
    const day2 = addDays(day1, 1);
    const required = [
      ...Array.from({ length: 24 }, (_, h) => (h >= 10 && h <= 15 ? 2 : h >= 18 && h <= 20 ? 1 : 0)),
      ...Array.from({ length: 24 }, (_, h) => (h === 10 ? 3 : 0)),
    ];

    const zh = await openConsole(browser(), s().consoleUrl ?? "");
    pages.push(zh);
    const page = zh.page;
    const chunks: string[] = [];
    page.on("request", (r) => {
      if (/\/plans-[^/]*\.js$/.test(new URL(r.url()).pathname)) chunks.push(r.url());
    });
    await signIn(page, "supervisor", "sup-plans");
    await page.getByRole("heading", { name: "实时看板", level: 1 }).waitFor();
    expect(chunks, "the plans screen's chunk is not loaded up front").toEqual([]);
    await page.getByRole("navigation").getByRole("link", { name: "排班方案", exact: true }).click();
    await page.getByRole("heading", { name: "排班方案", level: 1 }).waitFor();
    expect(chunks.length, "the plans screen came as its own chunk").toBeGreaterThan(0);

    await page.getByLabel("开始日期").fill(day1);
    await page.getByLabel("结束日期").fill(day2);
    await page.getByLabel(`早班${tag}（09:00–17:00）`).check();
    await page.getByLabel(`晚班${tag}（14:00–22:00）`).check();
    // Every active agent is chosen by default.
    for (const i of [0, 1, 2]) expect(await page.getByLabel(`Planner ${"ABC"[i]} ${tag}`).isChecked()).toBe(true);
    await page.getByLabel("每周最多工时（小时）").fill("56");
    await page.getByText("按方案天数折算：2 天里每人最多 16 小时。").waitFor();
    await page.getByLabel("两班之间最少休息（小时）").fill("12");
    expect(await page.getByLabel("最多连续上班天数").inputValue()).toBe("6");
    expect(await page.getByLabel("每周休息天数").inputValue()).toBe("1");
    await page.getByLabel("直接填写每个时段的需求人数").check();
    await page.getByLabel("时段长度").selectOption("60");
    await page.getByLabel("每个时段需求人数").fill(required.join(","));
    await page.getByRole("button", { name: "生成方案" }).click();

    const draft = page.locator("section.plan-draft");
    await draft.getByRole("status").getByText("共 5 个班次，付薪 40 小时；1 个时段人手不足（共缺 1 人次·时段）。").waitFor();
    const planId = (await draft.getAttribute("data-plan")) ?? "";
    const read = await s().api("GET", `/rota/plans/${planId}`, { as: sup });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: "draft", coverage: { paidHours: 40, shifts: 5, shortIntervals: 1, shortAgentIntervals: 1 } });
    const planned = read.body.assignments as { agentId: string; date: string; shiftId: string }[];
    await draft.getByTestId("paid-hours").getByText("40", { exact: true }).waitFor();
    await draft.getByTestId("solver-status").getByText(read.body.solver.status, { exact: true }).waitFor();
    expect(read.body.solver.status).toMatch(/Optimal|Time limit/);
    // The best possible plan's score (the LP bound) and how far above it this one is, as the API says.
    await draft.getByTestId("lower-bound").waitFor();
    expect(Number(((await draft.getByTestId("lower-bound").textContent()) ?? "").replace(/[^\d.]/g, ""))).toBeCloseTo(read.body.solver.lowerBound, 2);
    expect(read.body.solver.gap).toBeGreaterThanOrEqual(0);
    await draft.getByTestId("gap").getByText("%").waitFor();

    // The grid: each agent's shift (or 休息) per day, as the API has it.
    const cell = (agentId: string, date: string) => draft.locator(`tr[data-agent="${agentId}"] td[data-date="${date}"]`);
    for (const agentId of agents) {
      for (const date of [day1, day2]) {
        const shiftId = planned.find((a) => a.agentId === agentId && a.date === date)?.shiftId ?? "off";
        expect(await cell(agentId, date).getAttribute("data-shift-id"), `${agentId} ${date}`).toBe(shiftId);
      }
    }
    // The coverage table: 48 hours, day 2 10:00 highlighted one short, day 1 20:00 met.
    const coverage = page.getByRole("table", { name: "每个时段的需求与已排人数（1 个时段人手不足）" });
    expect(await coverage.locator("tbody tr").count()).toBe(48);
    const shortRow = coverage.getByRole("row", { name: new RegExp(`^${day2} 10:00 3 2 缺 1 人$`) });
    await shortRow.waitFor();
    expect(await shortRow.getAttribute("class")).toContain("understaffed-row");
    expect(await coverage.locator("tr.understaffed-row").count()).toBe(1);
    await coverage.getByRole("row", { name: new RegExp(`^${day1} 20:00 1 1 —$`) }).waitFor();
    await expectAccessible(page, "the plans screen with a draft");

    // Whoever works the late on day 1 cannot take day 2's early (12 hours' rest): refused, named, nothing changed.
    const lateAgent = planned.find((a) => a.date === day1 && a.shiftId === late)?.agentId ?? "";
    expect(planned.some((a) => a.agentId === lateAgent && a.date === day2)).toBe(false);
    const lateName = `Planner ${"ABC"[agents.indexOf(lateAgent)]} ${tag}`;
    await draft.getByLabel(`${lateName} ${day2}`).selectOption(early);
    await draft.getByText("有 1 处修改未保存。").waitFor();
    await draft.getByRole("button", { name: "保存修改" }).click();
    const refused = draft.getByRole("alert");
    await refused.getByText(/^422 /).waitFor();
    await refused.getByRole("listitem").filter({ hasText: /^assignments: / }).first().waitFor();
    expect((await s().api("GET", `/rota/plans/${planId}`, { as: sup })).body).toMatchObject({ version: 1, assignments: read.body.assignments });
    await draft.getByRole("button", { name: "放弃修改" }).click();
    expect(await cell(lateAgent, day2).getAttribute("data-shift-id")).toBe("off");

    // An edit within the rules: one of day 2's earlies off. Saved as version 2, the table recomputed (two short at 10:00).
    const offAgent = planned.find((a) => a.date === day2)?.agentId ?? "";
    await draft.getByLabel(`Planner ${"ABC"[agents.indexOf(offAgent)]} ${tag} ${day2}`).selectOption("off");
    await draft.getByRole("button", { name: "保存修改" }).click();
    await draft.getByRole("status").getByText("已保存（版本 2）。").waitFor();
    await draft.getByRole("status").getByText("共 4 个班次，付薪 32 小时；1 个时段人手不足（共缺 2 人次·时段）。").waitFor();
    await coverage.getByRole("row", { name: new RegExp(`^${day2} 10:00 3 1 缺 2 人$`) }).waitFor();
    const edited = (await s().api("GET", `/rota/plans/${planId}`, { as: sup })).body as { version: number; assignments: typeof planned };
    expect(edited.version).toBe(2);
    expect(edited.assignments.map((a) => `${a.agentId} ${a.date} ${a.shiftId}`).sort()).toEqual(planned.filter((a) => !(a.agentId === offAgent && a.date === day2)).map((a) => `${a.agentId} ${a.date} ${a.shiftId}`).sort());

    await draft.getByRole("button", { name: "发布到排班" }).click();
    await draft.getByRole("status").getByText(/^已发布：写入 \d+ 条排班，涉及 3 位客服。$/).waitFor();
    await draft.locator(".badge.plan-published").getByText("已发布").waitFor();
    // The rota now works exactly the plan's shifts on those two days.
    const rota = await s().api("GET", `/rota?from=${day1}&to=${day2}`, { as: sup });
    expect(rota.status).toBe(200);
    const worked = (rota.body.occurrences as { agentId: string; date: string; shiftId: string }[]).filter((o) => agents.includes(o.agentId)).map((o) => `${o.agentId} ${o.date} ${o.shiftId}`);
    expect(worked.sort()).toEqual(edited.assignments.map((a) => `${a.agentId} ${a.date} ${a.shiftId}`).sort());
    expect((await s().api("GET", `/rota/plans/${planId}`, { as: sup })).body.status).toBe("published");
    await expectAccessible(page, "the plans screen after publishing");

    // The demand as forecast chats (the coverage screen's input): one number per interval of the range.
    await page.getByLabel("按预测会话量（排班时按接待模型换算人数）").check();
    await page.getByLabel("时段长度").selectOption("30");
    await page.getByText("逗号分隔，共 96 个数：2 天，每天 48 个（每 30 分钟一个，从每天 00:00 起，一天接一天）。").waitFor();
    await page.getByLabel("结束日期").fill(day1);
    await page.getByText("逗号分隔，共 48 个数（每 30 分钟一个，从 00:00 起；夏令时日数量不同）。").waitFor();
    expect((await page.getByLabel("每个时段的预测会话数").inputValue()).split(",")).toHaveLength(48);
    // 20 chats per half hour 10:00–11:00 (intervals 20 and 21), none otherwise; AHT 300 s, each agent's own 3 slots.
    await page.getByLabel("每个时段的预测会话数").fill(Array.from({ length: 48 }, (_, i) => (i === 20 || i === 21 ? 20 : 0)).join(","));
    await page.getByRole("button", { name: "生成方案" }).click();
    const second = page.locator(`section.plan-draft:not([data-plan="${planId}"])`);
    await second.getByText("预测会话量", { exact: true }).waitFor();
    const forecastPlan = (await s().api("GET", `/rota/plans/${(await second.getAttribute("data-plan")) ?? ""}`, { as: sup })).body;
    expect(forecastPlan).toMatchObject({ requiredFrom: "forecast", from: day1, to: day1, intervalMinutes: 30 });
    expect((forecastPlan.required as number[]).map((n, i) => (n > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([20, 21]);
    const need = forecastPlan.required[20] as number;
    const forecastTable = second.getByRole("table", { name: /^每个时段的需求与已排人数/ });
    expect(await forecastTable.locator("tbody tr").count()).toBe(48);
    await forecastTable.getByRole("row", { name: new RegExp(`^10:00 ${need} `) }).waitFor();
  }, 240_000);

  it("shows a publish the rota refuses (409: the plan's shift overlaps a night already in the rota) with its detail and errors; nothing is published", async () => {
    const sup = await s().supervisor();
    const agentId = s().uid("plan.d");
    const name = `Planner D ${agentId.slice(-4)}`;
    expect((await s().api("PUT", `/agents/${agentId}`, { as: sup, body: { name, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    const night = s().uid("night");
    const day = s().uid("day");
    const tag = night.slice(-4);
    expect((await s().api("PUT", `/shifts/${night}`, { as: sup, body: { name: `长夜${tag}`, start: "22:00", end: "10:00", timeZone: zone } })).status).toBe(201);
    expect((await s().api("PUT", `/shifts/${day}`, { as: sup, body: { name: `日班${tag}`, start: "09:00", end: "17:00", timeZone: zone } })).status).toBe(201);
    const before = addDays(today(zone), 10);
    const date = addDays(before, 1);
    // The night of the day before runs to 10:00 on the plan's day; the solver plans that day only.
    expect((await s().api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId, date: before, shiftId: night }] } })).status).toBe(200);

    const zh = await openConsole(browser(), `${s().consoleUrl ?? ""}#plans`);
    pages.push(zh);
    const page = zh.page;
    await signIn(page, "supervisor", "sup-plans-409");
    await page.getByRole("heading", { name: "排班方案", level: 1 }).waitFor();
    await page.getByLabel("开始日期").fill(date);
    await page.getByLabel(`日班${tag}（09:00–17:00）`).check();
    await page.getByLabel(name).waitFor();
    await page.getByLabel("全选").uncheck();
    await page.getByLabel(name).check();
    // A one-day plan may hold 40 · 1/7 hours per agent by default: 56 a week allows one 8-hour shift.
    await page.getByText("按方案天数折算：1 天里每人最多 5.71 小时。").waitFor();
    await page.getByLabel("每周最多工时（小时）").fill("56");
    await page.getByText("按方案天数折算：1 天里每人最多 8 小时。").waitFor();
    await page.getByLabel("直接填写每个时段的需求人数").check();
    await page.getByLabel("时段长度").selectOption("60");
    await page.getByLabel("每个时段需求人数").fill(Array.from({ length: 24 }, (_, h) => (h === 12 ? 1 : 0)).join(","));
    await page.getByRole("button", { name: "生成方案" }).click();
    const draft = page.locator("section.plan-draft");
    await draft.getByRole("status").getByText("共 1 个班次，付薪 8 小时；每个时段都满足需求。").waitFor();
    expect(await draft.locator(`tr[data-agent="${agentId}"] td[data-date="${date}"]`).getAttribute("data-shift-id")).toBe(day);

    await draft.getByRole("button", { name: "发布到排班" }).click();
    const refused = draft.getByRole("alert");
    await refused.getByText(/^409 .*overlaps.*by 60 min/).waitFor();
    await refused.getByRole("listitem").first().waitFor();
    await expectAccessible(page, "the plans screen with a refused publish");
    const planId = (await draft.getAttribute("data-plan")) ?? "";
    expect((await s().api("GET", `/rota/plans/${planId}`, { as: sup })).body.status).toBe("draft");
    const rota = await s().api("GET", `/rota?from=${before}&to=${date}&agentId=${agentId}`, { as: sup });
    expect((rota.body.occurrences as { date: string; shiftId: string }[]).map((o) => `${o.date} ${o.shiftId}`)).toEqual([`${before} ${night}`]);
    await draft.locator(".badge.plan-draft").getByText("草稿").waitFor();
  }, 240_000);
});

describe("the wall's adherence alerts", () => {
  it("lists on-duty agents not online past the setting, dismissed or cleared when the agent comes online (en)", async () => {
    const sup = await s().supervisor();
    const shiftId = s().uid("allday");
    expect((await s().api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "All day", start: "00:00", end: "00:00", timeZone: zone } })).status).toBe(201);
    // On duty whatever the hour: 24-hour shifts yesterday, today and tomorrow.
    const days = [-1, 0, 1].map((d) => addDays(today(zone), d));
    const people = ["x", "y"].map((x) => {
      const agentId = s().uid(`adh.${x}`);
      return { agentId, name: `Alert ${x.toUpperCase()} ${agentId.slice(-4)}` };
    });
    for (const p of people) {
      expect((await s().api("PUT", `/agents/${p.agentId}`, { as: sup, body: { name: p.name, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    }
    expect((await s().api("PUT", "/rota", { as: sup, body: { assignments: people.flatMap((p) => days.map((date) => ({ agentId: p.agentId, date, shiftId }))) } })).status).toBe(200);

    const { page, errors } = await openConsole(browser(), "about:blank");
    pages.push({ page, errors });
    await withoutPolling(page);
    await page.goto(`${s().consoleUrl ?? ""}?lang=en`);
    await signIn(page, "supervisor", "sup-alerts", en);
    await page.getByText("Live", { exact: true }).waitFor();
    const alerts = page.getByRole("region", { name: "Adherence alerts" });
    await alerts.getByText("No adherence alerts.").waitFor();
    for (const p of people) await page.getByRole("row", { name: new RegExp(p.name) }).waitFor();

    for (const p of people) {
      const token = await s().agentToken(p.agentId);
      expect((await s().api("PUT", `/agents/${p.agentId}/presence`, { as: token, body: { status: "online" } })).status).toBe(200);
      expect((await s().api("PUT", `/agents/${p.agentId}/presence`, { as: token, body: { status: "away" } })).status).toBe(200);
    }
    // Ten minutes on, both have been away past ADHERENCE_ALERT_MINUTES (5): one alert each.
    const tick = (await s().runSchedule("RotaDutyClock", new Date(Date.now() + 10 * 60_000))) as { adherenceAlerts: string[] };
    expect([...tick.adherenceAlerts].sort()).toEqual(people.map((p) => p.agentId).sort());
    const [x, y] = people as [(typeof people)[number], (typeof people)[number]];
    const itemOf = (p: (typeof people)[number]) => alerts.getByRole("alert").getByRole("listitem").filter({ hasText: p.name });
    for (const p of people) await itemOf(p).getByText(new RegExp(`^${p.name} is on duty but away for (9|10|11) min \\(since .+, threshold 5 min\\)$`)).waitFor();
    await expectAccessible(page, "the wall with adherence alerts");

    await itemOf(x).getByRole("button", { name: `Dismiss the alert for ${x.name}` }).click();
    await itemOf(x).waitFor({ state: "detached" });
    await itemOf(y).waitFor();

    // y comes online: the router's push makes the wall re-read the queue, which shows y online.
    expect((await s().api("PUT", `/agents/${y.agentId}/presence`, { as: await s().agentToken(y.agentId), body: { status: "online" } })).status).toBe(200);
    await itemOf(y).waitFor({ state: "detached" });
    await alerts.getByText("No adherence alerts.").waitFor();
    await page.getByRole("row", { name: new RegExp(y.name) }).getByText("Online", { exact: true }).waitFor();
  }, 240_000);
});
