/**
 * The console end to end, in Debian's chromium against a local stack: a supervisor (zh-CN, the
 * default) and an agent (en) sign in; an agent created with a shift through the API appears on
 * the wall; signed webhooks put conversations on the agent's screen and move the wall's counts;
 * a notice composed on the supervisor's screen is acknowledged on the agent's and its receipt
 * turns read; an urgent one is modal until acknowledged. Each screen passes axe's serious and
 * critical rules.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleDist } from "../../local/console-build.js";
import { sendConversation, setDuty } from "../support/routing.js";
import { useLocalStack } from "../support/stack.js";
import { en, expectAccessible, openConsole, signIn, today, useBrowser, waitMs, type ConsolePage } from "./support.js";

const s = useLocalStack({ consoleDir: consoleDist });
const browser = useBrowser();

describe("the console", () => {
  let supervisor: ConsolePage;
  let agent: ConsolePage;
  let agentId = "";
  let name = "";

  beforeAll(async () => {
    agentId = s().uid("li.na");
    name = `Li Na ${agentId.slice(-4)}`;
  });

  afterAll(async () => {
    // The pages threw nothing uncaught over the whole run.
    expect(supervisor?.errors ?? [], "supervisor page errors").toEqual([]);
    expect(agent?.errors ?? [], "agent page errors").toEqual([]);
  });

  const row = (page: Page) => page.getByRole("row", { name: new RegExp(name) });
  const presaleWaiting = (page: Page, count: number) => page.locator('tr[data-skill="presale"] td[data-testid="skill-waiting"]', { hasText: new RegExp(`^${count}$`) });

  it("signs a supervisor in (zh-CN) and shows an agent created with a shift through the API on the wall", async () => {
    supervisor = await openConsole(browser(), s().consoleUrl ?? "");
    const page = supervisor.page;
    await signIn(page, "supervisor", "sup-wall");
    await page.getByRole("heading", { name: "实时看板", level: 1 }).waitFor();
    await page.getByText("实时连接正常").waitFor();

    const sup = await s().supervisor();
    const shiftId = s().uid("all-day");
    expect((await s().api("PUT", `/agents/${agentId}`, { as: sup, body: { name, skills: ["presale"], maxConcurrent: 2 } })).status).toBe(201);
    // end = start: a 24-hour shift (the README's sample shift).
    expect((await s().api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "All day", start: "00:00", end: "00:00", timeZone: "Asia/Shanghai" } })).status).toBeLessThan(300);
    expect((await s().api("PUT", "/rota", { as: sup, body: { assignments: [{ agentId, date: today(), shiftId }] } })).status).toBeLessThan(300);
    // What EventBridge does every minute: the duty clock puts the agent on duty.
    await s().runSchedule("RotaDutyClock");

    await row(page).waitFor({ timeout: waitMs });
    await row(page).getByText("0/2", { exact: true }).waitFor();
    await row(page).getByText("离线", { exact: true }).waitFor();
    await expectAccessible(page, "the live wall");
  });

  it("signs an agent in (en), who goes online and sees it on the wall", async () => {
    agent = await openConsole(browser(), s().consoleUrl ?? "", "?lang=en");
    const page = agent.page;
    await expectAccessible(page, "the sign-in form");
    await signIn(page, "agent", agentId, en);
    await page.getByRole("heading", { name: "My workspace", level: 1 }).waitFor();
    await page.getByText("Live", { exact: true }).waitFor();
    await page.getByRole("radio", { name: "Online" }).check();
    await page.getByRole("radio", { name: "Online", checked: true }).waitFor();

    await row(supervisor.page).getByText("在线", { exact: true }).waitFor();
    await expectAccessible(page, "the agent's workspace");
  });

  it("puts webhook conversations on the agent's screen and moves the wall's counts", async () => {
    const first = await sendConversation(s(), { skill: "presale" });
    expect(first.res.status).toBe(202);
    const card = (id: string) => agent.page.locator(`li[data-conversation-id="${id}"]`);
    await card(first.id).getByText(first.id).waitFor();
    await card(first.id).getByText("Conversation ID").waitFor();
    await card(first.id).getByText("First response").waitFor();
    await row(supervisor.page).getByText("1/2", { exact: true }).waitFor();

    const second = await sendConversation(s(), { skill: "presale" });
    await card(second.id).waitFor();
    await row(supervisor.page).getByText("2/2", { exact: true }).waitFor();

    // Full: the third waits, and the wall says so.
    const third = await sendConversation(s(), { skill: "presale" });
    await presaleWaiting(supervisor.page, 1).waitFor();
    await supervisor.page.locator('[data-tile="waiting"] .tile-value', { hasText: /^1$/ }).waitFor();

    // The agent answers and closes the first: the waiting one comes to the freed slot.
    await card(first.id).getByRole("button", { name: "Mark replied" }).click();
    await card(first.id).getByText("Answered").waitFor();
    await card(first.id).getByRole("button", { name: "Close" }).click();
    await card(first.id).waitFor({ state: "detached" });
    await card(third.id).waitFor();
    await presaleWaiting(supervisor.page, 0).waitFor();
    await row(supervisor.page).getByText("2/2", { exact: true }).waitFor();
  });

  it("pauses the agent and changes its capacity in one click from the wall", async () => {
    const page = supervisor.page;
    await row(page).getByRole("button", { name: `挂起：${name}` }).click();
    // The badge says paused (the pause button's own text is 挂起 too: look at the badge) and the row offers resume.
    await row(page).locator(".badge", { hasText: /^挂起$/ }).waitFor();
    await row(page).getByRole("button", { name: `恢复在线：${name}` }).waitFor();
    await row(page).getByRole("button", { name: `提高 ${name} 的接待上限` }).click();
    await row(page).getByText("2/3", { exact: true }).waitFor();
    await row(page).getByRole("button", { name: `恢复在线：${name}` }).click();
    await row(page).getByText("在线", { exact: true }).waitFor();
  });

  it("reassigns one of the agent's conversations to another on-duty agent from the wall", async () => {
    const sup = await s().supervisor();
    const helper = s().uid("zhang.wei");
    const helperName = `Zhang Wei ${helper.slice(-4)}`;
    expect((await s().api("PUT", `/agents/${helper}`, { as: sup, body: { name: helperName, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
    await setDuty(helper, true);
    expect((await s().api("PUT", `/agents/${helper}/presence`, { as: sup, body: { status: "online" } })).status).toBe(200);
    const page = supervisor.page;
    const helperRow = page.getByRole("row", { name: new RegExp(helperName) });
    await helperRow.getByText("0/3", { exact: true }).waitFor();

    const open = (await s().api("GET", `/agents/${agentId}/conversations`, { as: sup })).body.conversations as { conversationId: string }[];
    const moved = open[0]?.conversationId ?? "";
    expect(moved).not.toBe("");
    await row(page).getByRole("button", { name: `会话：${name}（查看、转派）` }).click();
    const panel = page.getByRole("dialog", { name: `${name} 的会话` });
    const item = panel.getByRole("listitem").filter({ hasText: moved });
    await item.getByLabel("转派给").selectOption(`agent:${helper}`);
    await item.getByRole("button", { name: "转派" }).click();
    await panel.getByText(`已转派 ${moved}`).waitFor();
    await expectAccessible(page, "the reassign panel");
    await panel.getByRole("button", { name: "关闭" }).click();
    await helperRow.getByText("1/3", { exact: true }).waitFor();
    expect((await s().api("GET", `/conversations/${moved}`, { as: sup })).body).toMatchObject({ agentId: helper, status: "assigned" });
  });

  it("publishes a notice from the supervisor's screen, acknowledged on the agent's, its receipt turning read", async () => {
    const page = supervisor.page;
    await page.getByRole("link", { name: "通知" }).click();
    await page.getByRole("heading", { name: "发布通知" }).waitFor();
    const title = `满 300 减 50 改为满 300 减 60 ${s().uid("n")}`;
    await page.getByLabel("标题").fill(title);
    await page.getByLabel("内容").fill("今晚 20:00 起生效，请按新规则答复顾客。");
    await page.getByLabel("紧急程度").selectOption("important");
    await page.getByRole("button", { name: "发布" }).click();
    const receipts = page.getByRole("region", { name: `已读回执：${title}` });
    await receipts.getByRole("row", { name: new RegExp(agentId) }).getByText("未读").waitFor();
    await expectAccessible(page, "notices");

    const notice = agent.page.getByRole("listitem", { name: new RegExp(title) });
    await notice.waitFor();
    await notice.getByRole("button", { name: "Acknowledge" }).click();
    await notice.getByText(/Read at/).waitFor();
    await receipts.getByRole("row", { name: new RegExp(agentId) }).getByText("已读").waitFor();
  });

  it("holds an urgent notice in a modal until the agent acknowledges it, with a sound the agent can mute", async () => {
    const title = `Urgent: coupon paused ${s().uid("u")}`;
    const published = await s().api("POST", "/notices", {
      as: await s().supervisor(),
      body: { title, body: "Stop quoting coupon A now.", urgency: "urgent", targetSkills: ["presale"], expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(published.status).toBe(201);
    const page = agent.page;
    const dialog = page.getByRole("dialog", { name: title });
    await dialog.waitFor();
    await expectAccessible(page, "the urgent notice");
    const sound = dialog.getByRole("button", { name: /Alert sound/ });
    expect(await sound.getAttribute("aria-pressed")).toBe("true");
    await sound.click();
    await dialog.getByRole("button", { name: "Alert sound: off", pressed: false }).waitFor();
    // Escape does not dismiss it.
    await page.keyboard.press("Escape");
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByRole("button", { name: "Acknowledge" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("listitem", { name: new RegExp(title) }).getByText(/Read at/).waitFor();
  });
});

describe("locales", () => {
  it("defaults to zh-CN, switches to en with ?lang=en and remembers it", async () => {
    const { page, errors } = await openConsole(browser(), s().consoleUrl ?? "");
    await page.getByLabel("角色").waitFor();
    await page.getByLabel("用户 ID").waitFor();
    await page.getByRole("button", { name: "登录" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");

    await page.goto(`${s().consoleUrl}?lang=en`);
    await page.getByLabel("Role").waitFor();
    await page.getByLabel("User ID").waitFor();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");

    // Remembered: the same browser without the parameter stays in English.
    await page.goto(s().consoleUrl ?? "");
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.getByRole("button", { name: /中文/ }).click();
    await page.getByRole("button", { name: "登录" }).waitFor();
    await page.goto(s().consoleUrl ?? "");
    await page.getByRole("button", { name: "登录" }).waitFor();
    expect(errors).toEqual([]);
  });

  it("says why a sign-in is refused, in the page's language", async () => {
    const { page } = await openConsole(browser(), s().consoleUrl ?? "", "?lang=en");
    // The form's own pattern stops it first; past it, the endpoint names the field.
    await page.getByLabel("User ID").evaluate((input) => input.removeAttribute("pattern"));
    await signIn(page, "agent", "no spaces allowed", en);
    await page.getByRole("alert").getByText(/Sign-in failed: .*sub: must be 1-64 letters/).waitFor();
  });
});
