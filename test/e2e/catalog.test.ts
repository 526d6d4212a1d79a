import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, capture, E2E_TEST_TIMEOUT, launchBrowser, newPage, openApp, UI_TIMEOUT, waitForApp } from "../helpers/browser";
import { freePort } from "../helpers/app-process";
import { sendWebhook } from "../helpers/shopify";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { OUTPUT } from "../helpers/global-setup";
import { productPayload } from "../fixtures/products";
import { createDb, type Db } from "../../app/db.server";

/** The catalog pages in the sandbox: synced, failed and excluded products, and one product's detail. */
describe("catalog pages in the admin stand-in", { timeout: E2E_TEST_TIMEOUT }, () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let db: Db;

  const post = (topic: string, body: unknown) =>
    sendWebhook(sandbox.appUrl, "/webhooks/products", topic, body, { shop: sandbox.shop, secret: sandbox.apiSecret });

  async function waitForStatuses(expected: Record<string, string>) {
    const deadline = Date.now() + UI_TIMEOUT;
    for (;;) {
      const rows = await db.productSync.findMany({ where: { shop: sandbox.shop }, select: { productId: true, status: true, dirty: true } });
      const ok = Object.entries(expected).every(([id, status]) => rows.some((r) => r.productId === id && r.status === status && !r.dirty));
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`statuses not reached: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    sandbox = await startSandbox({
      env: {
        PORT: String(await freePort()),
        SANDBOX_ADMIN_PORT: String(await freePort()),
        SANDBOX_ADMIN_API_PORT: String(await freePort()),
        SANDBOX_PRODUCTS: "0",
        SANDBOX_GRAPH_PORT: String(await freePort()),
        CATALOG_FLUSH_INTERVAL_MS: "200",
        DATABASE_URL: `file:${OUTPUT}/e2e-catalog-${inject("runId")}.sqlite`,
      },
      output: () => undefined,
      build: false,
    });
    db = createDb(sandbox.databaseUrl);
    const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, s)).toISOString();
    await post("products/create", productPayload({ id: 11, title: "Linen Shirt", updated_at: at(1) }, 3));
    await post("products/create", productPayload({ id: 12, title: "Wool Scarf", updated_at: at(2) }, 1));
    await post("products/create", productPayload({ id: 13, title: "Gift Card (no image)", updated_at: at(3), images: [], image: null }, 2));
    await post("products/create", productPayload({ id: 14, title: "Winter Boots (draft)", updated_at: at(4), status: "draft" }, 2));
    await waitForStatuses({ "11": "SYNCED", "12": "SYNCED", "13": "FAILED", "14": "EXCLUDED" });
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await db?.$disconnect();
    await sandbox?.stop();
  });

  it("shows counts, grouped errors and the product table", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    await expect.poll(() => app.getByTestId("synced-count").textContent(), { timeout: UI_TIMEOUT }).toBe("2");
    expect(await app.getByTestId("failed-count").textContent()).toBe("1");
    expect(await app.getByTestId("excluded-count").textContent()).toBe("1");
    expect(await app.getByText("Missing image: 1 product").count()).toBe(1);
    expect(await app.getByRole("link", { name: "Linen Shirt" }).count()).toBe(1);
  });

  it("excludes a product from the table and the worker removes its items", async () => {
    const app = appFrame(page);
    const row = app.getByRole("row", { name: /Wool Scarf/ });
    await row.getByRole("button", { name: "Exclude" }).click();
    await expect.poll(() => app.getByText("Product excluded").count(), { timeout: UI_TIMEOUT }).toBe(1);
    await waitForStatuses({ "12": "EXCLUDED" });
    // The DELETE lands when Meta finishes the batch.
    await expect.poll(() => sandbox.simulator!.control.catalogItem(sandbox.meta.catalogId, "shopify_12_1201"), { timeout: UI_TIMEOUT }).toBeUndefined();
    await page.reload();
    await waitForApp(page);
    await expect.poll(() => appFrame(page).getByTestId("excluded-count").textContent(), { timeout: UI_TIMEOUT }).toBe("2");
    await capture(page, "catalog-page");
  });

  it("shows a failed product's items with the reason and the action", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog/13`);
    const app = appFrame(page);
    await expect.poll(() => app.getByRole("heading", { name: "Gift Card (no image)", level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await app.getByTestId("product-status").innerText()).toMatch(/Failed$/);
    expect(await app.getByText(/Add an image in Shopify/).count()).toBeGreaterThan(0);
    await capture(page, "catalog-product-failed");
  });

  it("shows a synced product's items as pushed", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog/11`);
    const app = appFrame(page);
    await expect.poll(() => app.getByText("shopify_11_1101").count(), { timeout: UI_TIMEOUT }).toBe(1);
    // Accepted by Meta: what Meta shows now, Sent (review pending) or Live (approved) (issue 17).
    expect(await app.getByTestId("product-status").innerText()).toMatch(/(Sent|Live)$/);
    expect(await app.getByText("19.99 USD").count()).toBeGreaterThan(0);
    await capture(page, "catalog-product-synced");
  });
});
