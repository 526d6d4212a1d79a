import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, appWindow, capture, E2E_TEST_TIMEOUT, launchBrowser, newPage, openApp, UI_TIMEOUT, waitForApp } from "../helpers/browser";
import { sendWebhook } from "../helpers/shopify";
import type { Sandbox } from "../sandbox/sandbox";
import { startTestSandbox } from "../helpers/test-sandbox";
import { productPayload } from "../fixtures/products";
import { createDb, type Db } from "../../app/db.server";

/** The catalog pages in the sandbox: products Meta shows (Live), reviews (Sent) or rejected, failed and excluded ones, and one product's detail. */
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
    sandbox = await startTestSandbox("catalog", { SANDBOX_PRODUCTS: "0", CATALOG_FLUSH_INTERVAL_MS: "200" });
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
    // Meta accepted both: Sent while its review is pending, then Live.
    const accepted = async () => Number(await app.getByTestId("sent-count").textContent()) + Number(await app.getByTestId("live-count").textContent());
    await expect.poll(accepted, { timeout: UI_TIMEOUT }).toBe(2);
    expect(await app.getByTestId("failed-count").textContent()).toBe("1");
    expect(await app.getByTestId("excluded-count").textContent()).toBe("1");
    expect(await app.getByText("Missing image: 1 product").count()).toBe(1);
    expect(await app.getByRole("link", { name: "Linen Shirt", exact: true }).count()).toBe(1);
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

  it("shows a synced product's variants by title and options, and follows Sync now and a webhook without a reload", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog/11`);
    const app = appFrame(page);
    await expect.poll(() => app.getByText("Size: M").count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await app.getByText("shopify_11_1101").count()).toBe(0); // no retailer ids for the merchant
    // Accepted by Meta: what Meta shows now, Sent (review pending) or Live (approved) (issue 17).
    expect(await app.getByTestId("product-status").innerText()).toMatch(/(Sent|Live)$/);
    expect(await app.getByText("19.99 USD").count()).toBeGreaterThan(0);
    expect(await app.getByText(/Last changed in Shopify:/).count()).toBe(1);
    expect(await app.getByText(/Last sent to Meta .*, in an update of \d+ item change/).count()).toBe(1);
    await capture(page, "catalog-product-synced");

    // Sync now: the page turns Pending, then back to what Meta shows (Sent, then Live), by itself.
    // A mark on the frame's window: a document load (a reload) would lose it.
    await appWindow(page).evaluate(() => ((window as unknown as { stillThisDocument: boolean }).stillThisDocument = true));
    await app.getByRole("button", { name: "Sync now" }).click();
    await expect.poll(() => app.getByText("Product queued for sync.").count(), { timeout: UI_TIMEOUT }).toBe(1);
    await waitForStatuses({ "11": "SYNCED" });
    await expect.poll(() => app.getByTestId("product-status").innerText(), { timeout: UI_TIMEOUT }).toMatch(/(Sent|Live)$/);

    // A webhook renames the product: the open page shows it without a reload.
    await post("products/update", productPayload({ id: 11, title: "Linen Shirt (new season)", updated_at: new Date().toISOString() }, 3));
    await expect.poll(() => app.getByRole("heading", { name: "Linen Shirt (new season)", level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await appWindow(page).evaluate(() => (window as unknown as { stillThisDocument?: boolean }).stillThisDocument)).toBe(true);
    await expect.poll(() => app.getByTestId("product-status").innerText(), { timeout: UI_TIMEOUT }).toMatch(/(Sent|Live)$/);
  });

  /** The product's review in the app's database, once nothing waits for it. */
  async function waitForReview(productId: string, review: string) {
    await expect
      .poll(async () => (await db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop: sandbox.shop, productId } } })).review, { timeout: UI_TIMEOUT })
      .toBe(review);
  }

  it("shows Meta's verdict in the table and its tabs: Live, Sent, Rejected", async () => {
    const sim = sandbox.simulator!;
    // The sandbox's review rejects a "replica" (DEFAULT_REVIEW_RULES): Sent, then Rejected.
    await post("products/create", productPayload({ id: 15, title: "Replica Leather Watch", updated_at: new Date().toISOString() }, 1));
    await waitForReview("15", "REJECTED");
    await waitForReview("11", "LIVE");
    // Meta keeps the next product under review while the page is looked at.
    sim.control.configure({ reviewDelayMs: 3_600_000 });
    try {
      await post("products/create", productPayload({ id: 16, title: "Canvas Tote", updated_at: new Date().toISOString() }, 1));
      await waitForStatuses({ "16": "SYNCED" });
      await openApp(page, `${sandbox.adminUrl}/catalog`);
      const app = appFrame(page);
      const tabs = app.getByRole("tab");
      const tabTexts = async () => (await tabs.allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
      // Problems first, then what is on its way, then Live, then Excluded; each count is the table's.
      await expect
        .poll(tabTexts, { timeout: UI_TIMEOUT })
        .toEqual(["All", "Failed (1)", "Rejected (1)", "Needs fixing (0)", "Pending (0)", "Sent (1)", "Live (1)", "Excluded (2)"]);
      const badge = (title: string) => app.getByRole("row", { name: new RegExp(title) }).locator(".Polaris-Badge").innerText();
      expect(await badge("Linen Shirt")).toMatch(/Live$/);
      expect(await badge("Canvas Tote")).toMatch(/Sent$/);
      expect(await badge("Replica Leather Watch")).toMatch(/Rejected$/);
      expect(await badge("Gift Card")).toMatch(/Failed$/);
      expect(await app.getByTestId("rejected-count").textContent()).toBe("1");
      await capture(page, "catalog-verdicts");

      // The Rejected tab lists exactly the rejected product, and the URL keeps the tab.
      await app.getByRole("tab", { name: /Rejected/ }).click();
      // (Meta's review card above the table names the rejected product too: count the table's rows.)
      await expect.poll(() => app.getByRole("row", { name: /Canvas Tote/ }).count(), { timeout: UI_TIMEOUT }).toBe(0);
      expect(await app.getByRole("row", { name: /Replica Leather Watch/ }).count()).toBe(1);
      expect(new URL(appWindow(page).url()).searchParams.get("status")).toBe("REJECTED");
      expect(await app.getByRole("row", { name: /Linen Shirt/ }).count()).toBe(0);
    } finally {
      sim.control.configure({ reviewDelayMs: 3000 });
    }
    // Meta decides: the Sent product turns Live.
    await waitForReview("16", "LIVE");
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    await expect.poll(() => appFrame(page).getByRole("row", { name: /Canvas Tote/ }).locator(".Polaris-Badge").innerText(), { timeout: UI_TIMEOUT }).toMatch(/Live$/);
  });

  it("opens a product's page in the Shopify admin", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    await app.getByRole("link", { name: "Open in Shopify: Wool Scarf" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/store/${sandbox.shop.replace(".myshopify.com", "")}/products/12`);
    expect(await page.getByRole("heading", { name: "Shopify admin: products/12" }).count()).toBe(1);
  });

  it("filters the table by status, Failed first, with the page's counts", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    const tabs = app.getByRole("tab");
    const tabTexts = async () => (await tabs.allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
    await expect
      .poll(tabTexts, { timeout: UI_TIMEOUT })
      .toEqual(["All", "Failed (1)", "Rejected (1)", "Needs fixing (0)", "Pending (0)", "Sent (0)", "Live (2)", "Excluded (2)"]);
    await app.getByRole("tab", { name: /Failed/ }).click();
    await expect.poll(() => app.getByRole("link", { name: "Linen Shirt (new season)", exact: true }).count(), { timeout: UI_TIMEOUT }).toBe(0);
    expect(await app.getByRole("link", { name: "Gift Card (no image)", exact: true }).count()).toBe(1);
    expect(new URL(appWindow(page).url()).searchParams.get("status")).toBe("FAILED");
    await capture(page, "catalog-filter-failed");
  });

  it("searches once typing pauses, keeps the search in the URL, and says when nothing matches", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    const loads: string[] = [];
    page.on("request", (r) => /\/app\/catalog\.data/.test(r.url()) && r.method() === "GET" && loads.push(r.url()));
    await app.getByRole("button", { name: "Search products" }).click();
    const field = app.getByRole("textbox", { name: /Search products/ });
    await field.pressSequentially("Scarf", { delay: 40 });
    await expect.poll(() => new URL(appWindow(page).url()).searchParams.get("q"), { timeout: UI_TIMEOUT }).toBe("Scarf");
    await expect.poll(() => app.getByRole("link", { name: "Linen Shirt (new season)", exact: true }).count(), { timeout: UI_TIMEOUT }).toBe(0);
    expect(await app.getByRole("link", { name: "Wool Scarf", exact: true }).count()).toBe(1);
    expect(loads.filter((u) => /[?&]q=/.test(u)).length).toBe(1); // one request for five keystrokes

    await field.fill("Tuxedo");
    await expect.poll(() => app.getByText("No products match").count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await app.getByText("No products yet").count()).toBe(0);
    await capture(page, "catalog-search-no-match");
    await app.getByRole("button", { name: "Clear search and filters" }).click();
    await expect.poll(() => app.getByRole("link", { name: "Wool Scarf", exact: true }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(new URL(appWindow(page).url()).searchParams.get("q")).toBeNull();
  });

  it("says Meta is not answering during an outage, with the last success, and no Reconnect", async () => {
    const sim = sandbox.simulator!;
    sim.faults.set({ rules: [{ kind: "error", endpoint: "POST /{catalog-id}/items_batch", status: 503, code: 2 }] });
    try {
      await post("products/update", productPayload({ id: 11, title: "Linen Shirt (new season)", updated_at: new Date().toISOString() }, 2));
      // The merchant opens the page during the outage (the worker has met it).
      await expect
        .poll(async () => (await db.catalogConnection.findUniqueOrThrow({ where: { shop: sandbox.shop } })).unreachableSince, { timeout: UI_TIMEOUT })
        .not.toBeNull();
      await openApp(page, `${sandbox.adminUrl}/catalog`);
      const app = appFrame(page);
      await expect.poll(() => app.getByTestId("catalog-state").innerText(), { timeout: UI_TIMEOUT }).toMatch(/Meta not answering$/);
      expect(await app.getByText("Meta is not answering; the app retries by itself, nothing is lost.", { exact: false }).count()).toBe(1);
      expect(await app.getByText(/Last successful sync: \w{3} \d+, \d{4}/).count()).toBeGreaterThan(0);
      expect(await app.getByRole("button", { name: /Reconnect/ }).count()).toBe(0);
      await capture(page, "catalog-meta-not-answering");
      // The waiting product's page says the same, not "on its way".
      await openApp(page, `${sandbox.adminUrl}/catalog/11`);
      await expect.poll(() => appFrame(page).getByTestId("product-status-words").innerText(), { timeout: UI_TIMEOUT }).toMatch(/^Meta is not answering; the app retries by itself, nothing is lost\./);
      expect(await appFrame(page).getByTestId("product-status").innerText()).toMatch(/Pending$/);
      await capture(page, "catalog-product-meta-not-answering");
    } finally {
      sim.faults.clear();
    }
    // Meta answers again: the badge turns back by itself.
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    await expect.poll(() => app.getByTestId("catalog-state").innerText(), { timeout: 60_000 }).toMatch(/Connected$/);
    expect(await app.getByText("Meta is not answering", { exact: false }).count()).toBe(0);
  });

  it("asks before disconnecting the catalog", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    await app.getByRole("button", { name: "Disconnect" }).click();
    await expect.poll(() => app.getByText("Disconnect the catalog?").count(), { timeout: UI_TIMEOUT }).toBe(1);
    await capture(page, "catalog-disconnect-confirm");
    await app.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => app.getByText("Disconnect the catalog?").count(), { timeout: UI_TIMEOUT }).toBe(0);
    expect(await app.getByTestId("catalog-state").innerText()).toMatch(/Connected$/);
    expect((await db.catalogConnection.findUniqueOrThrow({ where: { shop: sandbox.shop } })).state).toBe("CONNECTED");
  });

  // Last: the sandbox's Shopify has none of the products the webhooks sent, so Resync all removes them all.
  it("says what Resync all removed and why", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    await app.getByRole("button", { name: "Resync all" }).click();
    await expect.poll(() => app.getByText("Full sync started.").count(), { timeout: UI_TIMEOUT }).toBe(1);
    await expect
      .poll(() => app.getByTestId("full-sync-status").innerText(), { timeout: 60_000 })
      .toMatch(/^Last Resync all \(.+\): found no products in Shopify; removed 6 products that Shopify no longer has\.$/);
    await expect.poll(() => app.getByText("No products yet").count(), { timeout: UI_TIMEOUT }).toBe(1);
    // The state as a merchant finds it later (the live update above moved the page as its table emptied).
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    await expect.poll(() => appFrame(page).getByTestId("full-sync-status").innerText(), { timeout: UI_TIMEOUT }).toMatch(/removed 6 products that Shopify no longer has/);
    await capture(page, "catalog-resync-summary");
  });

  it("disconnects after asking, and connects again by choosing the catalog by its name", async () => {
    const app = appFrame(page);
    await app.getByRole("button", { name: "Disconnect" }).click();
    await app.getByRole("button", { name: "Disconnect now" }).click();
    await expect.poll(() => app.getByTestId("catalog-state").innerText(), { timeout: UI_TIMEOUT }).toMatch(/Not connected$/);
    expect(await app.getByText("Catalog disconnected.", { exact: false }).count()).toBe(1);

    await app.getByLabel("Access token").fill(sandbox.meta.catalogToken);
    await app.getByRole("button", { name: "Connect", exact: true }).click();
    await expect.poll(() => app.getByRole("heading", { name: "Choose the catalog to keep in sync" }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    const options = await app.getByLabel("Catalog").locator("option").allInnerTexts();
    // Its Meta name (the simulator's), not its id.
    expect(options).toEqual(["Simulated Catalog"]);
    expect(options.some((o) => o.includes(sandbox.meta.catalogId))).toBe(false);
    await capture(page, "catalog-choose");
    await app.getByRole("button", { name: "Connect and sync all products" }).click();
    await expect.poll(() => app.getByTestId("catalog-state").innerText(), { timeout: UI_TIMEOUT }).toMatch(/Connected$/);
    expect(await app.getByText("Connected to Simulated Catalog. A full sync has started.").count()).toBe(1);
    expect(await app.getByRole("heading", { name: "Simulated Catalog", level: 2 }).count()).toBe(1);
  });
});
