import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, capture, E2E_TEST_TIMEOUT, launchBrowser, newPage, openApp, UI_TIMEOUT } from "../helpers/browser";
import { freePort } from "../helpers/app-process";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { OUTPUT } from "../helpers/global-setup";
import { createDb } from "../../app/db.server";

describe("the embedded app in the sandbox's admin stand-in", { timeout: E2E_TEST_TIMEOUT }, () => {
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
    await openApp(page, sandbox.adminUrl);
    const app = appFrame(page);
    await expect.poll(() => app.getByRole("heading", { name: "Overview", level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    // The sandbox seeds a connected WABA (two numbers, the first active) and a connected catalog.
    expect(await app.getByTestId("whatsapp-state").innerText()).toMatch(/Connected$/);
    expect(await app.getByTestId("catalog-state").innerText()).toMatch(/Connected$/);
    expect(await app.getByText(/sending from \+1 555-010-0001/).count()).toBe(1);
    expect(await page.frame({ name: "app-iframe" })!.title()).toBe("Overview · WhatsApp & Meta Catalog");
    const { desktop, phone } = await capture(page, "overview");
    expect(fs.statSync(desktop).size).toBeGreaterThan(10_000);
    expect(fs.statSync(phone).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });

  it("follows the shop's state: a disconnected catalog shows as not connected", async () => {
    const db = createDb(sandbox.databaseUrl);
    try {
      await db.catalogConnection.update({ where: { shop: sandbox.shop }, data: { state: "DISCONNECTED", catalogId: null } });
      await openApp(page, sandbox.adminUrl);
      const app = appFrame(page);
      await expect.poll(() => app.getByTestId("catalog-state").count(), { timeout: UI_TIMEOUT }).toBe(1);
      expect(await app.getByTestId("catalog-state").innerText()).toBe("Not connected");
      expect(await app.getByRole("link", { name: "Connect a catalog" }).count() + (await app.getByRole("button", { name: "Connect a catalog" }).count())).toBe(1);
      await capture(page, "overview-catalog-not-connected");
    } finally {
      await db.$disconnect();
    }
  });

  it("says Meta is not answering on the WhatsApp card during an outage, not Connected nor Needs reconnect", async () => {
    const db = createDb(sandbox.databaseUrl);
    try {
      const health = {
        checkedAt: new Date().toISOString(),
        token: { valid: true, scopes: [], expiresAt: null, reason: null },
        wabaName: "Sandbox WABA",
        numbers: [],
        grantWarnings: [],
        checkError: "Meta did not answer while checking the account's health. Nothing was changed; try again in a minute.",
        metaUnavailable: true,
        lastOkAt: new Date(Date.now() - 20 * 60_000).toISOString(),
        events: [],
      };
      await db.whatsAppConnection.update({ where: { shop: sandbox.shop }, data: { health, healthCheckedAt: new Date(), lastError: health.checkError } });
      await openApp(page, sandbox.adminUrl);
      const app = appFrame(page);
      await expect.poll(() => app.getByTestId("whatsapp-state").innerText(), { timeout: UI_TIMEOUT }).toMatch(/Meta not answering$/);
      expect(await app.getByTestId("whatsapp-outage").innerText()).toBe("Meta is not answering; the app retries by itself, nothing is lost.");
      expect(await app.getByText(/^Sandbox WABA: sending from/).count()).toBe(1);
      await capture(page, "overview-whatsapp-meta-not-answering");
    } finally {
      await db.$disconnect();
    }
  });

  it("navigates to the WhatsApp and Catalog pages from the admin's nav menu", async () => {
    // A merchant may click the admin's menu before the app's scripts have run (the menu is there as
    // soon as App Bridge is): hold them back until that click, which must still take the merchant there.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const appScripts = /\/assets\/.*\.js$/;
    await page.route(appScripts, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(sandbox.adminUrl, { waitUntil: "domcontentloaded" }); // "load" would wait for the held scripts
    const app = appFrame(page);
    await expect.poll(() => page.locator("#nav-items a").count(), { timeout: UI_TIMEOUT }).toBe(3);
    await page.locator("#nav-items a", { hasText: "Catalog" }).click();
    release(); // the route stays: it lets every later script through at once
    // The page's title (h1): the Overview has cards named "Meta Catalog" and "WhatsApp" too.
    await expect.poll(() => app.getByRole("heading", { name: "Meta Catalog", exact: true, level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    // Each page has its own document title, and the admin's menu highlights where the merchant is.
    const current = () => page.locator('#nav-items a[aria-current="page"]').innerText();
    await expect.poll(() => page.frame({ name: "app-iframe" })!.title(), { timeout: UI_TIMEOUT }).toBe("Catalog · WhatsApp & Meta Catalog");
    expect(await current()).toBe("Catalog");
    await capture(page, "catalog-not-connected");
    await page.locator("#nav-items a", { hasText: "WhatsApp" }).click();
    await expect.poll(() => app.getByRole("heading", { name: "WhatsApp", exact: true, level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    await expect.poll(() => page.frame({ name: "app-iframe" })!.title(), { timeout: UI_TIMEOUT }).toBe("WhatsApp · WhatsApp & Meta Catalog");
    expect(await current()).toBe("WhatsApp");
  });

  it("refuses the app outside the admin without a session token", async () => {
    const res = await fetch(`${sandbox.appUrl}/app`, { redirect: "manual" });
    expect([302, 401, 410]).toContain(res.status);
  });
});
