/**
 * `npx tsx scripts/console-screenshots.ts`: screenshots of the console's main screens for the docs
 * (docs/images/console-*.png), taken in Debian's chromium against a throw-away local stack seeded
 * with a small floor: agents on a 24-hour shift, conversations, notices, a week of rota patterns.
 * `SHOTS=rota,coverage npx tsx scripts/console-screenshots.ts` takes only the named ones.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Locator, type Page } from "playwright-core";
import { signBody } from "../functions/shared/auth.js";
import { ensureConsoleBuilt } from "../local/console-build.js";
import { startLocalStack } from "../local/stack.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const out = resolve(import.meta.dirname, "..", "docs", "images");
mkdirSync(out, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), "sqr-shots-"));
const consoleDir = await ensureConsoleBuilt({ log: console.error });
const stack = await startLocalStack({ port: 0, dataDir, prefix: "shots", schedules: "manual", consoleDir, env: { POWERTOOLS_LOG_LEVEL: "SILENT" } });

async function call(method: string, path: string, token: string | undefined, body?: unknown) {
  const raw = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  else if (raw) {
    const ts = String(Math.floor(Date.now() / 1000));
    headers["x-signature-timestamp"] = ts;
    headers["x-signature"] = signBody(stack.webhookSecret, ts, raw);
  }
  const response = await fetch(`${stack.url}${path}`, { method, headers, ...(raw ? { body: raw } : {}) });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<unknown>;
}

async function until(probe: () => Promise<boolean>) {
  const deadline = Date.now() + 30_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error("the seeded floor did not settle");
    await new Promise((r) => setTimeout(r, 200));
  }
}

try {
  const sup = await stack.token("supervisor", "wang.lei");
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  await call("PUT", "/shifts/all-day", sup, { name: "全天", start: "00:00", end: "00:00", timeZone: "Asia/Shanghai" });
  const floor = [
    { id: "li.na", name: "李娜", skills: ["presale", "vip"], max: 5 },
    { id: "zhang.wei", name: "张伟", skills: ["presale"], max: 4 },
    { id: "chen.jing", name: "陈静", skills: ["aftersale", "logistics"], max: 5 },
    { id: "liu.yang", name: "刘洋", skills: ["complaint", "aftersale"], max: 3 },
    { id: "zhao.min", name: "赵敏", skills: ["presale", "aftersale"], max: 6 },
  ];
  for (const a of floor) await call("PUT", `/agents/${a.id}`, sup, { name: a.name, skills: a.skills, maxConcurrent: a.max });
  await call("PUT", "/rota", sup, { assignments: floor.map((a) => ({ agentId: a.id, date: today, shiftId: "all-day" })) });
  for (const a of floor.slice(0, 4)) await call("PUT", `/agents/${a.id}/presence`, sup, { status: "online" });
  await call("PUT", "/agents/zhao.min/presence", sup, { status: "paused" });
  const skillsOf = ["presale", "presale", "presale", "aftersale", "presale", "logistics", "presale", "vip", "presale", "presale", "presale", "presale", "complaint"];
  for (const [i, skill] of skillsOf.entries()) {
    await call("POST", "/webhooks/conversations", undefined, { conversationId: `tm-${20261111 + i}`, customerId: `buyer-${i}`, channel: i % 3 === 0 ? "jd" : "tmall", skill });
  }
  await until(async () => ((await call("GET", "/queue", sup)) as { agents: { load: number }[] }).agents.reduce((n, a) => n + a.load, 0) >= 10);
  await call("POST", "/notices", sup, { title: "满 300 减 50 今晚 20:00 起改为满 300 减 60", body: "请按新规则答复顾客；20:00 前下单的仍按旧规则。", urgency: "important", expiresAt: new Date(Date.now() + 8 * 3_600_000).toISOString() });

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  const only = process.env.SHOTS?.split(",");
  const shoot = async (page: Page, name: string, part?: Locator) => {
    if (only && !only.includes(name)) return;
    await (part ?? page).screenshot({ path: join(out, `console-${name}.png`) });
    console.log(`docs/images/console-${name}.png`);
  };
  const open = async (query = "") => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
    await page.goto(`${stack.consoleUrl}${query}`);
    return page;
  };
  const signIn = async (page: Page, role: string, user: string, labels = { role: "角色", user: "用户 ID", submit: "登录" }) => {
    await page.getByLabel(labels.role).selectOption(role);
    await page.getByLabel(labels.user).fill(user);
    await page.getByRole("button", { name: labels.submit }).click();
  };

  const signInPage = await open();
  await signInPage.getByLabel("用户 ID").fill("wang.lei");
  await shoot(signInPage, "sign-in");

  const wall = await open();
  await signIn(wall, "supervisor", "wang.lei");
  await wall.getByRole("row", { name: /李娜/ }).waitFor();
  await wall.locator('[data-tile="rate3m"] .tile-hint').waitFor();
  await shoot(wall, "wall");

  const agent = await open("?lang=en");
  await signIn(agent, "agent", "li.na", { role: "Role", user: "User ID", submit: "Sign in" });
  await agent.locator("li[data-conversation-id]").first().waitFor();
  await agent.getByRole("radio", { name: "Online", checked: true }).waitFor();
  await shoot(agent, "workspace");

  await call("POST", "/notices", sup, { title: "Coupon A paused now", body: "Stop quoting coupon A; offer coupon B instead.", urgency: "urgent", targetSkills: ["presale"], expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  await agent.getByRole("dialog").waitFor();
  await shoot(agent, "urgent");

  // The rota editor: a week of patterns (overlaps accepted: today's 24-hour shift meets some nights), leave, a refused overlap.
  const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const monday = addDays(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
  for (const [id, name, start, end] of [["early", "早班", "08:00", "16:00"], ["late", "晚班", "14:00", "22:00"], ["night", "夜班", "22:00", "06:00"], ["dawn", "凌晨班", "04:00", "12:00"]] as const) {
    await call("PUT", `/shifts/${id}`, sup, { name, start, end, timeZone: "Asia/Shanghai" });
  }
  const weeks: Record<string, string[]> = {
    "li.na": ["early", "early", "late", "late", "off", "off", "early"],
    "zhang.wei": ["late", "late", "off", "early", "early", "late", "off"],
    "chen.jing": ["off", "night", "night", "off", "off", "night", "night"],
    "liu.yang": ["early", "off", "early", "early", "late", "late", "off"],
    "zhao.min": ["off", "early", "early", "late", "late", "off", "early"],
  };
  await call("PUT", "/rota", sup, { patterns: Object.entries(weeks).map(([agentId, pattern]) => ({ agentId, pattern, startDate: monday })), allowOverlap: true });
  await call("POST", "/rota/exceptions", sup, { kind: "leave", agentId: "liu.yang", from: `${addDays(monday, 3)}T10:00:00+08:00`, to: `${addDays(monday, 3)}T12:00:00+08:00`, reason: "体检" });
  const rota = await open();
  await rota.setViewportSize({ width: 1280, height: 1100 });
  await signIn(rota, "supervisor", "wang.lei");
  await rota.getByRole("navigation").getByRole("link", { name: "排班" }).click();
  await rota.getByRole("row", { name: /陈静/ }).waitFor();
  await rota.locator('tr[data-agent-id="chen.jing"] td').nth(6).getByRole("button").click();
  await rota.getByRole("dialog").getByLabel("班次", { exact: true }).selectOption("dawn");
  await rota.getByRole("dialog").getByRole("button", { name: "保存当天安排" }).click();
  await rota.getByRole("dialog").getByRole("alert").waitFor();
  await rota.getByRole("dialog").getByRole("button", { name: "关闭" }).click();
  await shoot(rota, "rota");

  const coverage = await open("?lang=en");
  await signIn(coverage, "supervisor", "wang.lei", { role: "Role", user: "User ID", submit: "Sign in" });
  await coverage.getByRole("navigation").getByRole("link", { name: "Coverage" }).click();
  await coverage.getByLabel("Date", { exact: true }).fill(addDays(today, 1));
  await coverage.getByLabel("Chats per agent at once (optional)").fill("3");
  await coverage.getByRole("button", { name: "Compute coverage" }).click();
  await coverage.getByRole("img").locator("canvas").waitFor();
  await shoot(coverage, "coverage", coverage.locator("section", { has: coverage.getByRole("heading", { name: /Scheduled vs required/ }) }));
  await browser.close();
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
