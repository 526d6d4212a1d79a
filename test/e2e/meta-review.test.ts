import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, capture, E2E_TEST_TIMEOUT, launchBrowser, newPage, openApp, UI_TIMEOUT } from "../helpers/browser";
import { sendWebhook } from "../helpers/shopify";
import type { Sandbox } from "../sandbox/sandbox";
import { startTestSandbox } from "../helpers/test-sandbox";
import { productPayload } from "../fixtures/products";
import { createDb, type Db } from "../../app/db.server";

/**
 * What Meta actually shows (issue 17), in the sandbox: the catalog page with
 * Meta's review grouped by cause and Meta's diagnostics, and a product Meta
 * rejected. The sandbox's simulator rejects a title with "Replica" and
 * cannot download images on unreachable.example.
 */
describe("Meta's review in the admin stand-in", { timeout: E2E_TEST_TIMEOUT }, () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let db: Db;

  const post = (body: unknown) => sendWebhook(sandbox.appUrl, "/webhooks/products", "products/create", body, { shop: sandbox.shop, secret: sandbox.apiSecret });

  beforeAll(async () => {
    sandbox = await startTestSandbox("meta-review", { SANDBOX_PRODUCTS: "0", CATALOG_FLUSH_INTERVAL_MS: "200", SANDBOX_REVIEW_DELAY_MS: "300", CATALOG_REVIEW_FIRST_CHECK_MS: "200", CATALOG_DIAGNOSTICS_INTERVAL_MS: "1000" });
    db = createDb(sandbox.databaseUrl);
    const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, s)).toISOString();
    const broken = { id: 331, src: "https://unreachable.example/p/33/front.jpg", position: 1, variant_ids: [] };
    await post(productPayload({ id: 31, title: "Replica Leather Watch", updated_at: at(1) }, 2));
    await post(productPayload({ id: 32, title: "Merino Wool Scarf", updated_at: at(2) }, 3));
    await post(productPayload({ id: 33, title: "Stoneware Mug", updated_at: at(3), images: [broken], image: broken }, 1));
    // Meta accepts the batch, reviews the items, and the worker reads the verdicts and the diagnostics back.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const rows = await db.productSync.findMany({ where: { shop: sandbox.shop }, select: { productId: true, review: true } });
      const connection = await db.catalogConnection.findUnique({ where: { shop: sandbox.shop }, select: { diagnostics: true } });
      const verdicts = Object.fromEntries(rows.map((r) => [r.productId, r.review]));
      const diagnostics = JSON.stringify(connection?.diagnostics ?? null);
      if (verdicts["31"] === "REJECTED" && verdicts["32"] === "LIVE" && verdicts["33"] === "NEEDS_FIXING" && diagnostics.includes("IMAGE_QUALITY") && diagnostics.includes("POLICY_VIOLATION")) break;
      if (Date.now() > deadline) throw new Error(`Meta's review did not come: ${JSON.stringify(verdicts)} ${diagnostics}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await db?.$disconnect();
    await sandbox?.stop();
  });

  it("shows Meta's review by cause and Meta's diagnostics on the catalog page", async () => {
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    await expect.poll(() => app.getByRole("heading", { name: "Meta's review" }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await app.getByTestId("verdict-LIVE").innerText()).toMatch(/Live\s*1/);
    expect(await app.getByTestId("verdict-REJECTED").innerText()).toMatch(/Rejected\s*1/);
    expect(await app.getByTestId("verdict-NEEDS_FIXING").innerText()).toMatch(/Needs fixing\s*1/);
    const policy = app.getByTestId("cause-policy");
    expect(await policy.innerText()).toContain("Rejected under Meta's Commerce Policies: 1 product (2 variants)");
    expect(await policy.getByRole("link", { name: "Replica Leather Watch" }).count()).toBe(1);
    expect(await app.getByTestId("cause-image").innerText()).toContain("https://unreachable.example/p/33/front.jpg");

    await expect.poll(() => app.getByRole("heading", { name: "Meta's diagnostics" }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    const diagnostics = await app.getByTestId("diagnostic").allInnerTexts();
    const images = diagnostics.find((d) => d.includes("Images could not be downloaded"));
    expect(images).toContain("Must fix");
    expect(images).toContain("Affects: Shops, WhatsApp");
    expect(images).toContain("Stoneware Mug");
    expect(diagnostics.some((d) => d.includes("Opportunity") && d.includes("Add product identifiers"))).toBe(true);
    expect(await app.getByRole("heading", { name: "Freshness" }).count()).toBe(1);
    await capture(page, "catalog-meta-review");
  });

  it("shows a rejected product with Meta's reason, the fix and each variant's verdict", async () => {
    const app = appFrame(page);
    await app.getByTestId("cause-policy").getByRole("link", { name: "Replica Leather Watch" }).click();
    await expect.poll(() => app.getByRole("heading", { name: "Replica Leather Watch", level: 1 }).count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await app.getByTestId("product-status").innerText()).toMatch(/Rejected$/);
    expect(await app.getByText("Meta rejected this product").count()).toBe(1);
    expect(await app.getByText(/Meta says: .*counterfeit goods/).count()).toBe(1);
    expect(await app.getByText(/What to do: Remove the words that suggest a replica/).count()).toBeGreaterThan(0);
    for (const id of ["shopify_31_3101", "shopify_31_3102"]) expect(await app.getByTestId(`variant-status-${id}`).innerText()).toMatch(/Rejected$/);
    await capture(page, "catalog-product-rejected");
  });
});
