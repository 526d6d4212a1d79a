import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, capture, E2E_TEST_TIMEOUT, HYDRATION_ERROR, launchBrowser, newPage, openApp, UI_TIMEOUT } from "../helpers/browser";
import { sendWebhook } from "../helpers/shopify";
import { productPayload } from "../fixtures/products";
import type { Sandbox } from "../sandbox/sandbox";
import { startTestSandbox } from "../helpers/test-sandbox";
import { createDb, type Db } from "../../app/db.server";

/**
 * Dead ends (issue 16, point 5): an unknown or deleted product and an address
 * the app does not have show an error page inside the app's frame, under its
 * menu, with a way back; never a bare "404", and no hydration error.
 */
describe("pages that do not exist, inside the app's frame", { timeout: E2E_TEST_TIMEOUT }, () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let db: Db;
  const logged: string[] = [];
  const app = () => appFrame(page);

  const post = (topic: string, body: unknown) =>
    sendWebhook(sandbox.appUrl, "/webhooks/products", topic, body, { shop: sandbox.shop, secret: sandbox.apiSecret });

  /** Waits for the worker to bring a product's row to a state (hooks cannot use expect.poll). */
  async function waitForRow(productId: string, check: (row: { status: string; deleted: boolean; dirty: boolean }) => boolean) {
    const deadline = Date.now() + UI_TIMEOUT;
    for (;;) {
      const row = await db.productSync.findUnique({ where: { shop_productId: { shop: sandbox.shop, productId } } });
      if (row && check(row)) return;
      if (Date.now() > deadline) throw new Error(`product ${productId} did not reach the expected state: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    sandbox = await startTestSandbox("dead-ends", { SANDBOX_PRODUCTS: "0", CATALOG_FLUSH_INTERVAL_MS: "200" });
    db = createDb(sandbox.databaseUrl);
    const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, s)).toISOString();
    await post("products/create", productPayload({ id: 21, title: "Canvas Tote", updated_at: at(1) }, 1));
    await post("products/create", productPayload({ id: 22, title: "Linen Apron", updated_at: at(2) }, 1));
    await waitForRow("21", (r) => r.status === "SYNCED" && !r.dirty);
    await waitForRow("22", (r) => r.status === "SYNCED" && !r.dirty);
    await post("products/delete", { id: 21 });
    await waitForRow("21", (r) => r.deleted);
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on("console", (m) => logged.push(m.text()));
    page.on("pageerror", (e) => logged.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await db?.$disconnect();
    await sandbox?.stop();
  });

  /** The error page is a Polaris page inside the app's frame, and the admin's menu is there. */
  async function expectErrorPage(title: string, message: RegExp) {
    await expect.poll(() => app().getByRole("heading", { name: title, level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await app().getByText(message).count()).toBe(1);
    expect(await page.locator("#nav-items a").allInnerTexts()).toEqual(["Overview", "WhatsApp", "Catalog"]);
    expect(logged.filter((line) => HYDRATION_ERROR.test(line))).toEqual([]);
  }

  it("an unknown product: the error page with a way back to the catalog", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog/999999`);
    await expectErrorPage("Product not found", /not in the app's catalog/);
    await capture(page, "product-not-found");
    await app().getByRole("link", { name: "Go to Catalog" }).click();
    await expect.poll(() => app().getByRole("heading", { name: "Meta Catalog", exact: true, level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
  });

  it("a product deleted in Shopify: the same page, not its last state", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog/21`);
    await expectErrorPage("Product not found", /deleted in Shopify/);
  });

  it("a product deleted while the catalog page was open: following its link shows the error page in the app", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const link = app().getByRole("link", { name: "Linen Apron", exact: true });
    await expect.poll(() => link.count(), { timeout: UI_TIMEOUT }).toBe(1);
    await post("products/delete", { id: 22 });
    await waitForRow("22", (r) => r.deleted);
    await link.click();
    await expectErrorPage("Product not found", /deleted in Shopify/);
    // The back arrow of the page leads to the catalog, inside the app.
    await app().getByRole("link", { name: "Catalog", exact: true }).click();
    await expect.poll(() => app().getByRole("heading", { name: "Meta Catalog", exact: true, level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
  });

  it("an address the app does not have: the error page with a way back to the Overview", async () => {
    await openApp(page, `${sandbox.adminUrl}/settings/nothing-here`);
    await expectErrorPage("Page not found", /no page at this address/);
    await capture(page, "page-not-found");
    await app().getByRole("link", { name: "Go to Overview" }).click();
    await expect.poll(() => app().getByRole("heading", { name: "Overview", level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
  });

  it("answers the frame's document request with 404", async () => {
    await openApp(page, `${sandbox.adminUrl}/nope`);
    const status = await page.frame({ name: "app-iframe" })!.evaluate(() => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).responseStatus);
    expect(status).toBe(404);
  });
});
