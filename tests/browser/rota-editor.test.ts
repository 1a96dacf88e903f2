/**
 * The rota editor and the coverage chart in Debian's chromium against a local stack: a supervisor
 * (zh-CN) creates a shift from the editor and gives an agent (created through the API) a night
 * on the week grid; an overlapping early the next day is refused and flagged in both cells, then
 * saved anyway and still flagged; a CSV with a bad row is refused with the row's error and changes
 * nothing, the fixed file imports; the coverage chart (its own chunk, fetched only then) shows the
 * understaffed intervals the API computes, listed in the table beside it. The same screens in
 * English. axe finds no serious or critical violation on any of them.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleDist } from "../../local/console-build.js";
import { useLocalStack } from "../support/stack.js";
import { en, expectAccessible, openConsole, signIn, today, useBrowser, type ConsolePage } from "./support.js";

const s = useLocalStack({ consoleDir: consoleDist });
const browser = useBrowser();
const zone = "Asia/Shanghai";

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
/** The Monday of this week in the shop's zone: the grid opens on it. */
const monday = () => {
  const date = today(zone);
  return addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));
};

describe("the rota editor", () => {
  let zh: ConsolePage;
  let agentId = "";
  let name = "";
  let night = "";
  let early = "";
  let mon = "";
  const pages: ConsolePage[] = [];

  beforeAll(async () => {
    agentId = s().uid("wu.fang");
    name = `Wu Fang ${agentId.slice(-4)}`;
    night = s().uid("night");
    early = s().uid("early");
    mon = monday();
    const sup = await s().supervisor();
    expect((await s().api("PUT", `/agents/${agentId}`, { as: sup, body: { name, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
  });

  afterAll(() => {
    for (const p of pages) expect(p.errors, "page errors").toEqual([]);
  });

  const cell = (page: Page, date: string) => page.locator(`tr[data-agent-id="${agentId}"] td[data-date="${date}"]`);
  const rotaOf = async (from: string, to: string) =>
    ((await s().api("GET", `/rota?from=${from}&to=${to}&agentId=${agentId}`, { as: await s().supervisor() })).body.occurrences as { date: string; shiftId: string }[]).map((o) => `${o.date} ${o.shiftId}`);

  it("creates a shift from the editor and puts the agent on it from the week grid (zh-CN)", async () => {
    zh = await openConsole(browser(), s().consoleUrl ?? "");
    pages.push(zh);
    const page = zh.page;
    await signIn(page, "supervisor", "sup-rota");
    await page.getByRole("heading", { name: "实时看板", level: 1 }).waitFor();
    await page.getByRole("navigation").getByRole("link", { name: "排班", exact: true }).click();
    await page.getByRole("heading", { name: "排班", level: 1 }).waitFor();
    await page.getByRole("row", { name: new RegExp(name) }).waitFor();
    await cell(page, mon).getByText("休息").waitFor();

    await page.getByLabel("班次 ID").fill(night);
    await page.getByLabel("班次名称").fill("夜班");
    await page.getByLabel("开始时间").fill("22:00");
    await page.getByLabel("结束时间").fill("06:00");
    await page.getByRole("button", { name: "保存班次" }).click();
    await page.getByRole("status").getByText("已保存班次 夜班").waitFor();
    await page.getByRole("row", { name: /夜班/ }).getByText(/^22:00–06:00 ?（次日）$/).waitFor();

    await cell(page, mon).getByRole("button", { name: `编辑 ${name} ${mon} 的排班` }).click();
    const drawer = page.getByRole("dialog", { name: new RegExp(name) });
    await drawer.getByLabel("班次", { exact: true }).selectOption(night);
    await drawer.getByRole("button", { name: "保存当天安排" }).click();
    await drawer.getByRole("status").getByText(`已保存 ${name} ${mon} 的安排`).waitFor();
    await cell(page, mon).locator(`[data-shift-id="${night}"]`).getByText("22:00–06:00").waitFor();
    expect(await rotaOf(mon, mon)).toEqual([`${mon} ${night}`]);
    await expectAccessible(page, "the rota editor's day panel");
    await drawer.getByRole("button", { name: "关闭" }).click();
    await drawer.waitFor({ state: "detached" });
    // Focus goes back to the cell's button the panel was opened from.
    await cell(page, mon).getByRole("button", { name: `编辑 ${name} ${mon} 的排班` }).and(page.locator(":focus")).waitFor();
  });

  it("flags an overlapping assignment in both cells and in a message, and saves it only when asked", async () => {
    const page = zh.page;
    const tue = addDays(mon, 1);
    const sup = await s().supervisor();
    expect((await s().api("PUT", `/shifts/${early}`, { as: sup, body: { name: "早班", start: "01:00", end: "05:00", timeZone: zone } })).status).toBe(201);
    // The grid re-reads the shifts with the week.
    await page.getByRole("button", { name: "下一周" }).click();
    await page.getByRole("button", { name: "上一周" }).click();
    await page.getByRole("row", { name: /早班/ }).waitFor();

    await cell(page, tue).getByRole("button", { name: `编辑 ${name} ${tue} 的排班` }).click();
    const drawer = page.getByRole("dialog", { name: new RegExp(name) });
    await drawer.getByLabel("班次", { exact: true }).selectOption(early);
    await drawer.getByRole("button", { name: "保存当天安排" }).click();
    // The 409 names both sides: in the message, and on the proposed day's cell and the night's.
    const alert = drawer.getByRole("alert");
    await alert.getByText(`${agentId}：夜班 ${mon.slice(5)} 22:00–06:00 与 早班 ${tue.slice(5)} 01:00–05:00 重叠 240 分钟`).waitFor();
    await cell(page, tue).getByTestId("overlap").getByText(`未保存（重叠）：早班 ${tue.slice(5)} 01:00–05:00 与 夜班 ${mon.slice(5)} 22:00–06:00 重叠 240 分钟`).waitFor();
    await cell(page, mon).getByTestId("overlap").getByText(/未保存（重叠）：夜班/).waitFor();
    // Nothing was written.
    expect(await rotaOf(mon, tue)).toEqual([`${mon} ${night}`]);
    await expectAccessible(page, "the rota editor with a refused overlap");

    await alert.getByRole("button", { name: "仍然保存（允许重叠）" }).click();
    await drawer.getByRole("status").getByText("已保存（允许重叠）").waitFor();
    // Now in the rota: still flagged, from the occurrences themselves.
    await cell(page, tue).getByTestId("overlap").getByText(`重叠：早班 ${tue.slice(5)} 01:00–05:00 与 夜班 ${mon.slice(5)} 22:00–06:00 重叠 240 分钟`).waitFor();
    await cell(page, mon).getByTestId("overlap").getByText(/^重叠：夜班/).waitFor();
    expect(await rotaOf(mon, tue)).toEqual([`${mon} ${night}`, `${tue} ${early}`]);
    await drawer.getByRole("button", { name: "关闭" }).click();
  });

  it("imports a CSV: a bad row is refused with its row and column and nothing changes; the fixed file imports", async () => {
    const page = zh.page;
    const wed = addDays(mon, 2);
    const thu = addDays(mon, 3);
    await page.getByLabel("CSV 内容").fill(`agent,date,shift\n${agentId},${wed},${night}\n${agentId},${thu},no-such-shift\n`);
    await page.getByRole("button", { name: "导入", exact: true }).click();
    const refused = page.locator(".import-refused[role=alert]");
    const row3 = refused.getByRole("table", { name: /有问题的行/ }).locator('tr[data-row="3"]');
    await row3.getByRole("cell", { name: "shift", exact: true }).waitFor();
    await row3.getByText('unknown shift "no-such-shift"').waitFor();
    expect(await refused.locator("tbody tr").count()).toBe(1);
    await expectAccessible(page, "the rota import with a refused row");
    // All or nothing: Wednesday's good row was not written either.
    expect(await rotaOf(wed, thu)).toEqual([]);
    await cell(page, wed).getByText("休息").waitFor();

    await page.getByLabel("CSV 内容").fill(`agent,date,shift\n${agentId},${wed},${night}\n${agentId},${thu},off\n`);
    await page.getByRole("button", { name: "导入", exact: true }).click();
    await page.getByRole("status").getByText(/已导入 2 行（1 位客服/).waitFor();
    await refused.waitFor({ state: "detached" });
    await cell(page, wed).locator(`[data-shift-id="${night}"]`).waitFor();
    expect(await rotaOf(wed, thu)).toEqual([`${wed} ${night}`]);
  });

  it("shows coverage against a forecast as a chart, loaded on demand, with the understaffed intervals listed", async () => {
    const page = zh.page;
    const chunks: string[] = [];
    page.on("request", (r) => {
      if (/coverage-chart/.test(r.url())) chunks.push(r.url());
    });
    await page.getByRole("navigation").getByRole("link", { name: "人力覆盖", exact: true }).click();
    await page.getByRole("heading", { name: "人力覆盖", level: 1 }).waitFor();
    expect(chunks, "the chart's chunk is not loaded before a result").toEqual([]);
    // Tuesday: the night from Monday covers 00:00–06:00 (one agent, three slots), nobody the rest.
    const tue = addDays(mon, 1);
    await page.getByLabel("日期", { exact: true }).fill(tue);
    await page.getByRole("button", { name: "计算覆盖" }).click();

    const volumes = (await page.getByLabel("每个时段的预测会话数").inputValue()).split(",");
    expect(volumes).toHaveLength(48);
    const expected = await s().api("POST", "/rota/coverage", {
      as: await s().supervisor(),
      body: { date: tue, timeZone: zone, intervalMinutes: 30, volumes: volumes.map(Number), ahtSeconds: 300, ahtGrowth: 1, answerSeconds: 180, serviceLevel: 0.8, shrinkage: 0 },
    });
    expect(expected.status).toBe(200);
    const intervals = expected.body.intervals as { localFrom: string; understaffed: boolean; scheduled: number; requiredAgents: number }[];
    const short = intervals.filter((i) => i.understaffed);
    expect(short.length).toBeGreaterThan(0);
    expect(short.length).toBeLessThan(48);
    expect(intervals.filter((i) => i.scheduled > 0).every((i) => i.localFrom.slice(11, 16) < "06:00")).toBe(true);

    await page.getByRole("status").getByText(`${tue}（全部技能）：48 个时段中 ${short.length} 个人手不足`).waitFor();
    const table = page.getByRole("table", { name: `人手不足的时段（${short.length}）` });
    await table.waitFor();
    expect(await table.locator("tbody tr").count()).toBe(short.length);
    const first = short[0] as (typeof short)[number];
    await table.getByRole("row", { name: new RegExp(`^${first.localFrom.slice(11, 16)}`) }).waitFor();
    // The chart: a canvas drawn by uPlot inside an image whose label sums it up.
    const chart = page.getByRole("img", { name: new RegExp(`48 个时段中 ${short.length} 个人手不足`) });
    await chart.locator("canvas").waitFor();
    expect(chunks.length).toBeGreaterThan(0);
    await expectAccessible(page, "the coverage chart");
  });

  it("shows the rota editor and the coverage chart in English", async () => {
    const english = await openConsole(browser(), s().consoleUrl ?? "", "?lang=en");
    pages.push(english);
    const page = english.page;
    await signIn(page, "supervisor", "sup-rota-en", en);
    await page.getByRole("navigation").getByRole("link", { name: "Rota", exact: true }).click();
    await page.getByRole("heading", { name: "Week grid" }).waitFor();
    await cell(page, mon).locator(`[data-shift-id="${night}"]`).waitFor();
    await cell(page, addDays(mon, 1)).getByTestId("overlap").getByText(/^Overlap: 早班 .* overlaps 夜班 .* by 240 min$/).waitFor();
    await cell(page, addDays(mon, 4)).getByText("Off").waitFor();
    await page.getByRole("heading", { name: "Import a rota CSV" }).waitFor();
    await expectAccessible(page, "the rota editor (en)");

    await page.getByRole("navigation").getByRole("link", { name: "Coverage", exact: true }).click();
    await page.getByLabel("Date", { exact: true }).fill(mon);
    await page.getByLabel("Interval", { exact: true }).selectOption("60");
    await page.getByRole("button", { name: "Compute coverage" }).click();
    await page.getByRole("table", { name: /^Understaffed intervals \(\d+\)$/ }).waitFor();
    await page.getByRole("status").getByText(/\(All skills\): \d+ of 24 intervals understaffed/).waitFor();
    await page.getByRole("img", { name: /^Chart of agents scheduled and required/ }).locator("canvas").waitFor();
    await expectAccessible(page, "the coverage chart (en)");
  });
});
