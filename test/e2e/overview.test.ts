import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, launchBrowser, newPage, screenshot } from "../helpers/browser";
import { freePort } from "../helpers/app-process";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { OUTPUT } from "../helpers/global-setup";

describe("the embedded app in the sandbox's admin stand-in", () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const port = await freePort();
    sandbox = await startSandbox({
      env: { PORT: String(port), SANDBOX_ADMIN_PORT: String(await freePort()), DATABASE_URL: `file:${OUTPUT}/e2e-overview-${inject("runId")}.sqlite` },
      output: () => undefined,
      build: false,
    });
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it("renders the Overview page with the shop's real state", async () => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(sandbox.adminUrl);
    const app = appFrame(page);
    await expect.poll(() => app.getByRole("heading", { name: "Overview" }).count(), { timeout: 15_000 }).toBe(1);
    expect(await app.getByTestId("whatsapp-state").innerText()).toBe("Not connected");
    expect(await app.getByTestId("catalog-state").innerText()).toBe("Not connected");
    const file = await screenshot(page, "overview");
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });

  it("navigates to the WhatsApp and Catalog pages from the admin's nav menu", async () => {
    await page.goto(sandbox.adminUrl);
    const app = appFrame(page);
    await expect.poll(() => page.locator("#nav-items a").count(), { timeout: 15_000 }).toBe(3);
    await page.locator("#nav-items a", { hasText: "Catalog" }).click();
    await expect.poll(() => app.getByRole("heading", { name: "Meta Catalog", exact: true }).count(), { timeout: 10_000 }).toBe(1);
    await page.locator("#nav-items a", { hasText: "WhatsApp" }).click();
    await expect.poll(() => app.getByRole("heading", { name: "WhatsApp", exact: true }).count(), { timeout: 10_000 }).toBe(1);
  });

  it("refuses the app outside the admin without a session token", async () => {
    const res = await fetch(`${sandbox.appUrl}/app`, { redirect: "manual" });
    expect([302, 401, 410]).toContain(res.status);
  });
});
