/**
 * Browser-test harness: Debian's chromium driven by playwright-core (no browser download is
 * possible here), one browser per test file, a fresh context per page. Waits are on conditions
 * (locators auto-wait up to the default timeout), never on time.
 */
import { existsSync } from "node:fs";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Generous: a loaded 2-core machine runs several stacks and browsers at once. */
export const waitMs = 45_000;

export interface Labels {
  role: string;
  userId: string;
  signIn: string;
}
export const zh: Labels = { role: "角色", userId: "用户 ID", signIn: "登录" };
export const en: Labels = { role: "Role", userId: "User ID", signIn: "Sign in" };

export interface ConsolePage {
  page: Page;
  /** Uncaught errors the page threw (a test ends by expecting none). */
  errors: string[];
}

export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`No chromium at ${chromiumPath}: install it with \`apt-get install -y chromium fonts-noto-cjk\` (.ci/run does), or set CHROMIUM_PATH.`);
    }
    // --no-sandbox: tests run as root in CI; the autoplay flag lets the alert chime without a real gesture.
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required"] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("browser not started (use inside tests, after beforeAll)");
    return browser;
  };
}

/** Opens the console in a fresh context (its own storage: locale and sound choices start blank). */
export async function openConsole(browser: Browser, consoleUrl: string, query = ""): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(waitMs);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${consoleUrl}${query}`);
  return { page, errors };
}

export async function signIn(page: Page, role: "supervisor" | "agent", userId: string, labels: Labels = zh): Promise<void> {
  await page.getByLabel(labels.role).selectOption(role);
  await page.getByLabel(labels.userId).fill(userId);
  await page.getByRole("button", { name: labels.signIn }).click();
}

/** axe-core's WCAG 2.1 A/AA rules: no serious or critical violation on the page as it stands. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(serious, `accessibility of ${screen}`).toEqual([]);
}

/** Today's date in the shop's zone (the rota's dates are local dates). */
export function today(timeZone = "Asia/Shanghai"): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}
