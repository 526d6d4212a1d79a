import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, launchBrowser, newPage, screenshot } from "../helpers/browser";
import { freePort } from "../helpers/app-process";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { OUTPUT } from "../helpers/global-setup";
import { createDb } from "../../app/db.server";

describe("the embedded app in the sandbox's admin stand-in", () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const port = await freePort();
    sandbox = await startSandbox({
      env: { PORT: String(port), SANDBOX_ADMIN_PORT: String(await freePort()), SANDBOX_ADMIN_API_PORT: String(await freePort()), SANDBOX_GRAPH_PORT: String(await freePort()), SANDBOX_PRODUCTS: "0", DATABASE_URL: `file:${OUTPUT}/e2e-overview-${inject("runId")}.sqlite` },
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
    // The sandbox seeds a connected WABA (two numbers, the first active) and a connected catalog.
    expect(await app.getByTestId("whatsapp-state").innerText()).toMatch(/Connected$/);
    expect(await app.getByTestId("catalog-state").innerText()).toMatch(/Connected$/);
    expect(await app.getByText("Sending from +1 555-010-0001").count()).toBe(1);
    const file = await screenshot(page, "overview");
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });

  it("follows the shop's state: a disconnected catalog shows as not connected", async () => {
    const db = createDb(sandbox.databaseUrl);
    try {
      await db.catalogConnection.update({ where: { shop: sandbox.shop }, data: { state: "DISCONNECTED", catalogId: null } });
      await page.goto(sandbox.adminUrl);
      const app = appFrame(page);
      await expect.poll(() => app.getByTestId("catalog-state").count(), { timeout: 15_000 }).toBe(1);
      expect(await app.getByTestId("catalog-state").innerText()).toBe("Not connected");
      expect(await app.getByRole("link", { name: "Connect a catalog" }).count() + (await app.getByRole("button", { name: "Connect a catalog" }).count())).toBe(1);
    } finally {
      await db.$disconnect();
    }
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
