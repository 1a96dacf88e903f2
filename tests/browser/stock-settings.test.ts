/**
 * The supervisor's stock and settings screens in Debian's chromium: a SKU's warehouse and page
 * stock, its campaign lock and the drift report (zh-CN); the live settings, a change saved and
 * bad values named under their own fields with nothing changed (en). axe finds no serious or
 * critical violation on either screen.
 */
import { describe, expect, it } from "vitest";
import { consoleDist } from "../../local/console-build.js";
import { warehouse } from "../support/stock.js";
import { useLocalStack } from "../support/stack.js";
import { en, expectAccessible, openConsole, signIn, useBrowser } from "./support.js";

const s = useLocalStack({ consoleDir: consoleDist });
const browser = useBrowser();

describe("the stock screen", () => {
  it("shows a SKU's warehouse vs page stock, its lock and the drift report (zh-CN)", async () => {
    const sku = s().uid("SKU-TEE").replace(/[^A-Za-z0-9._-]/g, "-");
    await warehouse(s(), sku, 120, 1);
    const sup = await s().supervisor();
    const policy = await s().api("PUT", `/stock/${sku}/policy`, {
      as: sup,
      body: { safetyStock: 10, syncRatio: 0.5, lock: { campaignId: "double-11", qty: 20, expiresAt: new Date(Date.now() + 86_400_000).toISOString() } },
    });
    expect(policy.status).toBe(200);
    // What EventBridge does every 5 minutes: the reconciliation behind the drift report.
    await s().runSchedule("StockReconciler");

    const { page, errors } = await openConsole(browser(), s().consoleUrl ?? "");
    await signIn(page, "supervisor", "sup-stock");
    await page.getByRole("link", { name: "库存" }).click();
    await page.getByRole("heading", { name: "库存", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "漂移报告（最近一次核对）" }).waitFor();
    await page.getByText(/核对 \d+ 个 SKU/).waitFor();

    await page.getByLabel("SKU 编码").fill(sku);
    await page.getByRole("button", { name: "查看" }).click();
    const row = page.locator(`tr[data-sku="${sku}"]`);
    await row.locator('[data-testid="stock-onhand"]', { hasText: /^120$/ }).waitFor();
    // available = 120 - 0 reserved - 10 safety - 20 locked = 90; page = floor(90 × 0.5) = 45
    await row.locator('[data-testid="stock-available"]', { hasText: /^90$/ }).waitFor();
    await row.locator('[data-testid="stock-page"]', { hasText: /^45$/ }).waitFor();
    await row.locator('[data-testid="stock-lock"]', { hasText: /double-11：20 件/ }).waitFor();
    await row.locator('[data-testid="stock-drift"]').waitFor();
    await expectAccessible(page, "the stock screen");

    // Remembered in this browser: the screen shows it again after a reload and sign-in.
    await page.reload();
    await signIn(page, "supervisor", "sup-stock");
    await page.getByRole("heading", { name: "库存", level: 1 }).waitFor();
    await row.locator('[data-testid="stock-onhand"]', { hasText: /^120$/ }).waitFor();
    await page.getByRole("button", { name: `移除 ${sku}` }).click();
    await row.waitFor({ state: "detached" });
    expect(errors).toEqual([]);
  });
});

describe("the settings screen", () => {
  it("shows the live settings, saves a change, and names each bad value under its field (en)", async () => {
    const { page, errors } = await openConsole(browser(), s().consoleUrl ?? "", "?lang=en");
    await signIn(page, "supervisor", "sup-settings", en);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    const grace = page.getByLabel(/HANDOVER_GRACE_MINUTES/);
    await grace.waitFor();
    await expectAccessible(page, "the settings screen");

    // Two bad values at once: each is named under its own field, and nothing changes.
    const before = (await s().api("GET", "/settings", { as: await s().supervisor() })).body as { version: number };
    await grace.fill("999");
    await page.getByLabel(/SHOP_TIME_ZONE/).fill("Mars/Olympus");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("alert").getByText("Some values are invalid; nothing was changed.").waitFor();
    const graceError = page.locator('[data-setting="HANDOVER_GRACE_MINUTES"] .error');
    await graceError.getByText(/must be a whole number of minutes from 0 to 240/).waitFor();
    await page.locator('[data-setting="SHOP_TIME_ZONE"] .error').getByText(/IANA time zone/).waitFor();
    expect(await grace.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator('[data-setting="ESCALATE_AFTER_SECONDS"] .error').count()).toBe(0);
    expect(((await s().api("GET", "/settings", { as: await s().supervisor() })).body as { version: number }).version).toBe(before.version);
    await expectAccessible(page, "the settings screen with errors");

    // A good value: saved, in force, and the field says it was changed live.
    await grace.fill("7");
    await page.getByLabel(/SHOP_TIME_ZONE/).fill("Asia/Shanghai");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").getByText(/Saved \(version \d+\): HANDOVER_GRACE_MINUTES/).waitFor();
    await page.locator('[data-setting="HANDOVER_GRACE_MINUTES"] .badge', { hasText: "Changed live" }).waitFor();
    const after = (await s().api("GET", "/settings", { as: await s().supervisor() })).body as { settings: Record<string, { value: unknown; source: string }> };
    expect(after.settings.HANDOVER_GRACE_MINUTES).toMatchObject({ value: 7, source: "live" });

    // Back to default: null is sent, and the built-in value is in force again.
    await page.locator('[data-setting="HANDOVER_GRACE_MINUTES"]').getByRole("button", { name: "Back to default" }).click();
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator('[data-setting="HANDOVER_GRACE_MINUTES"] .badge', { hasText: "Built-in default" }).waitFor();
    const reset = (await s().api("GET", "/settings", { as: await s().supervisor() })).body as { settings: Record<string, { value: unknown; source: string }> };
    expect(reset.settings.HANDOVER_GRACE_MINUTES).toMatchObject({ value: 5, source: "default" });
    expect(errors).toEqual([]);
  });
});
