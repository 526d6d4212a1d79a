import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { adminFetch, sendWebhook } from "../helpers/shopify";
import { connectCatalog, drain, testWorker } from "../helpers/catalog";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator } from "../meta-sim";
import { createShopifySimulator, PLANS, type ShopifySimulator } from "../shopify-sim/server";
import { freePort } from "../helpers/app-process";
import { startFullSync } from "../../app/catalog/full-sync-state.server";
import { sealSecret } from "../../app/vault/secrets.server";
import type { CatalogWorker } from "../../app/catalog/worker.server";

/**
 * Issue 14, findings 3 and 4 and the daily reconciliation, through the
 * worker against the Meta simulator (with failure injection) and the Admin
 * API stand-in, and the catalog page over HTTP.
 */
const META_PORT = await freePort();
const SHOPIFY_PORT = await freePort();
const LISTING = "GET /{catalog-id}/products";

describe.each(providers())("full sync hardening on %s", (provider) => {
  const t = useApp(provider, { META_GRAPH_URL: `http://127.0.0.1:${META_PORT}` });
  let meta: MetaSimulator;
  let shopify: ShopifySimulator;
  let worker: CatalogWorker;
  let clock = Date.parse("2026-11-20T00:00:00Z");
  const at = () => new Date((clock += 1000)).toISOString();

  const conn = (shop: string) => t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
  // React separates adjacent text with <!-- --> in server HTML.
  const page = async (shop: string) => (await (await adminFetch(t.url, "/app/catalog", shop)).text()).replaceAll("<!-- -->", "");
  const listings = () => meta.control.callCounts()[LISTING] ?? 0;
  /** Ticks until `done` holds (the worker's loop would run these rounds by itself). */
  const tickUntil = async (done: () => Promise<boolean>, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error("condition not reached in time");
      await worker.tick();
    }
  };

  beforeAll(async () => {
    meta = await createMetaSimulator({ port: META_PORT });
    meta.control.configure({ batchDelayMs: 10 });
    shopify = await createShopifySimulator({ port: SHOPIFY_PORT, plan: PLANS.plus });
    process.env.SHOPIFY_ADMIN_API_URL = shopify.url;
    worker = testWorker(t.db, meta);
  });
  afterAll(async () => {
    await meta?.close();
    await shopify?.close();
  });

  it("backs off a failing reconciliation, says so on the page, keeps webhook changes fresh, and ends FAILED after a bounded time", async () => {
    const shop = `failing-${provider}.myshopify.com`;
    const scenario = await connectCatalog(t.db, meta, shop);
    shopify.setShop(shop, { currencyCode: "USD", primaryDomain: shop });
    shopify.setProducts(shop, Array.from({ length: 30 }, (_, i) => productPayload({ id: 60_000 + i }, 2)));
    meta.faults.set({ rules: [{ kind: "error", endpoint: LISTING, status: 500, code: 2, message: "An unknown error occurred" }] });
    try {
      await startFullSync(t.db, shop);
      await tickUntil(async () => (await conn(shop)).fullSyncFailures > 0);
      const failing = await conn(shop);
      expect(failing.fullSyncState).toBe("RUNNING");
      expect(failing.fullSyncCursor).toBe("END");
      expect(failing.fullSyncError).toBe("Meta did not answer while listing the items in your Meta catalog.");
      expect(failing.fullSyncRetryAt!.getTime()).toBeGreaterThan(Date.now() + 1000);

      // Backing off: rounds before the retry time do not ask Meta again.
      const asked = listings();
      for (let i = 0; i < 5; i++) await worker.tick();
      expect(listings()).toBe(asked);

      // The merchant reads what is wrong and what happens next.
      expect(await page(shop)).toMatch(/The full sync is having trouble.*Meta did not answer while listing the items in your Meta catalog\. The app tries again at/s);

      // A webhook change reaches the catalog while the full sync is stuck (it waited for the run before).
      const sent = Date.now();
      expect((await sendWebhook(t.url, "/webhooks/products", "products/update", productPayload({ id: 61_000, updated_at: at(), title: "Fresh" }, 1), { shop })).status).toBe(200);
      await tickUntil(async () => meta.control.catalogItem(scenario.catalogId, "shopify_61000_6100001")?.title === "Fresh", 5000);
      expect(Date.now() - sent).toBeLessThan(3000);
      expect((await conn(shop)).fullSyncState).toBe("RUNNING");

      // Later tries fail too; once the steps have failed for 30 minutes the run ends FAILED.
      await t.db.catalogConnection.update({
        where: { shop },
        data: { fullSyncRetryAt: new Date(Date.now() - 1), fullSyncFailures: 4, fullSyncFailingSince: new Date(Date.now() - 31 * 60_000) },
      });
      await worker.tick();
      const failed = await conn(shop);
      expect(failed.fullSyncState).toBe("FAILED");
      expect(failed.fullSyncEndedAt).not.toBeNull();
      expect(await page(shop)).toMatch(/The last full sync did not finish.*Meta did not answer while listing the items in your Meta catalog\. Use Resync all to try again/s);
      expect((await conn(shop)).state).toBe("CONNECTED");
    } finally {
      meta.faults.clear();
    }
    // What the run read still reaches the catalog.
    await drain(worker, t.db);
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_60029_6002901")).toBeDefined();
  });

  it("recovers when the failing step succeeds on a later try, and clears the trouble", async () => {
    const shop = `recovering-${provider}.myshopify.com`;
    const scenario = await connectCatalog(t.db, meta, shop);
    shopify.setShop(shop, { currencyCode: "USD", primaryDomain: shop });
    shopify.setProducts(shop, Array.from({ length: 5 }, (_, i) => productPayload({ id: 62_000 + i }, 1)));
    // The test worker's client tries each call 3 times: 6 failures fail two steps.
    meta.faults.set({ rules: [{ kind: "error", endpoint: LISTING, status: 500, code: 2, times: 6 }] });
    let failedSteps = 0;
    try {
      await startFullSync(t.db, shop);
      await tickUntil(async () => {
        const c = await conn(shop);
        failedSteps = Math.max(failedSteps, c.fullSyncFailures);
        // Skip the wait: the test's clock does not move minutes.
        if (c.fullSyncRetryAt) await t.db.catalogConnection.update({ where: { shop }, data: { fullSyncRetryAt: new Date(Date.now() - 1) } });
        return c.fullSyncState === "DONE";
      });
    } finally {
      meta.faults.clear();
    }
    expect(failedSteps).toBe(2);
    expect(await conn(shop)).toMatchObject({ fullSyncState: "DONE", fullSyncFailures: 0, fullSyncError: null, fullSyncRetryAt: null });
    await drain(worker, t.db);
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_62004_6200401")).toBeDefined();
    expect(await page(shop)).not.toContain("having trouble");
  });

  it("two shops on one catalog: a shop's resync never deletes the other's items, and it is told the catalog is shared", async () => {
    const shopA = `shared-a-${provider}.myshopify.com`;
    const shopB = `shared-b-${provider}.myshopify.com`;
    const scenario = await connectCatalog(t.db, meta, shopA);
    await connectCatalog(t.db, meta, shopB);
    // B connects the very catalog A uses.
    await t.db.catalogConnection.update({
      where: { shop: shopB },
      data: { catalogId: scenario.catalogId, tokenCiphertext: sealSecret(shopB, "catalog.token", scenario.catalogToken) },
    });
    for (const [shop, id] of [[shopA, 63_000], [shopA, 63_001], [shopB, 64_000]] as const) {
      expect((await sendWebhook(t.url, "/webhooks/products", "products/update", productPayload({ id, updated_at: at() }, 2), { shop })).status).toBe(200);
    }
    await drain(worker, t.db);
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_63000_6300001")).toBeDefined();

    // B's store in Shopify: 64,000 gone, 64,001 new. Its resync reconciles against the shared catalog.
    shopify.setShop(shopB, { currencyCode: "USD", primaryDomain: shopB });
    shopify.setProducts(shopB, [productPayload({ id: 64_001 }, 2)]);
    await startFullSync(t.db, shopB);
    await tickUntil(async () => (await conn(shopB)).fullSyncState === "DONE");
    await drain(worker, t.db);

    // A's items stay (before: deleted, while A's rows still said SYNCED); B's deleted product left.
    for (const id of ["shopify_63000_6300001", "shopify_63000_6300002", "shopify_63001_6300101"]) {
      expect(meta.control.catalogItem(scenario.catalogId, id), id).toBeDefined();
    }
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_64000_6400001")).toBeUndefined();
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_64001_6400101")).toBeDefined();
    expect(await conn(shopB)).toMatchObject({ foreignItemCount: 4 });
    expect(await page(shopB)).toMatch(/This catalog is shared.*This catalog also holds 4 items that this store did not add \(for example “shopify_6300/s);

    // A's own resync leaves B's items alone too.
    shopify.setShop(shopA, { currencyCode: "USD", primaryDomain: shopA });
    shopify.setProducts(shopA, [productPayload({ id: 63_000 }, 2), productPayload({ id: 63_001 }, 2)]);
    await startFullSync(t.db, shopA);
    await tickUntil(async () => (await conn(shopA)).fullSyncState === "DONE");
    await drain(worker, t.db);
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_64001_6400101")).toBeDefined();
    expect(await conn(shopA)).toMatchObject({ foreignItemCount: 2 });
  });

  it("runs the daily reconciliation for a shop whose last full sync is over a day old, skips one that ran recently, and shows both times", async () => {
    const due = `daily-due-${provider}.myshopify.com`;
    const recent = `daily-recent-${provider}.myshopify.com`;
    for (const shop of [due, recent]) {
      await connectCatalog(t.db, meta, shop);
      shopify.setShop(shop, { currencyCode: "USD", primaryDomain: shop });
      shopify.setProducts(shop, [productPayload({ id: shop === due ? 65_000 : 66_000 }, 1)]);
    }
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    const hourAgo = new Date(Date.now() - 3600_000);
    await t.db.catalogConnection.update({ where: { shop: due }, data: { fullSyncState: "DONE", fullSyncStartedAt: twoDaysAgo, fullSyncEndedAt: twoDaysAgo } });
    await t.db.catalogConnection.update({ where: { shop: recent }, data: { fullSyncState: "DONE", fullSyncStartedAt: hourAgo, fullSyncEndedAt: hourAgo } });
    expect(await page(recent)).toMatch(/Whole catalog last checked: .* · Next daily check: [A-Z][a-z]{2} \d+, 20\d\d/);

    // A fresh worker looks for due shops on its first round.
    const fresh = testWorker(t.db, meta);
    await fresh.tick();
    const started = await conn(due);
    expect(started.fullSyncTrigger).toBe("daily");
    expect(["QUEUED", "RUNNING"]).toContain(started.fullSyncState);
    expect((await conn(recent)).fullSyncState).toBe("DONE");
    await tickUntil(async () => (await conn(due)).fullSyncState === "DONE");
    expect(await page(due)).toMatch(/Next daily check: [A-Z][a-z]{2} \d+, 20\d\d/);
  });
});
