import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { adminFetch, sendWebhook } from "../helpers/shopify";
import { drain, testWorker } from "../helpers/catalog";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import { createShopifySimulator, PLANS, type ShopifySimulator } from "../shopify-sim/server";
import { seedInstalledShop } from "../sandbox/seed";
import { freePort } from "../helpers/app-process";
import type { CatalogWorker } from "../../app/catalog/worker.server";

/**
 * Connecting a catalog through the page (paste a token, choose the catalog)
 * starts a full sync that reads every product from the Admin API and pushes
 * them in full batches; a later resync reconciles deleted products and stray
 * catalog items away.
 */
const META_PORT = await freePort();
const SHOPIFY_PORT = await freePort();

describe.each(providers())("catalog connect and full sync on %s", (provider) => {
  const t = useApp(provider, {
    META_GRAPH_URL: `http://127.0.0.1:${META_PORT}`,
    META_APP_ID: "1234567890123456",
    META_APP_SECRET: "sim-app-secret-0123456789abcdef",
  });
  const shop = `fullsync-${provider}.myshopify.com`;
  let meta: MetaSimulator;
  let shopify: ShopifySimulator;
  let scenario: Scenario;
  let worker: CatalogWorker;

  const form = (body: Record<string, string>) =>
    adminFetch(t.url, "/app/catalog?index", shop, { method: "POST", body: new URLSearchParams(body) });

  beforeAll(async () => {
    meta = await createMetaSimulator({ port: META_PORT });
    meta.control.configure({ batchDelayMs: 10 });
    shopify = await createShopifySimulator({ port: SHOPIFY_PORT, plan: PLANS.plus });
    process.env.SHOPIFY_ADMIN_API_URL = shopify.url;
    await seedInstalledShop(t.db, shop);
    scenario = meta.control.seedScenario();
    shopify.setShop(shop, { currencyCode: "EUR", primaryDomain: "shop.example.com" });
    shopify.setProducts(shop, Array.from({ length: 120 }, (_, i) => productPayload({ id: 5000 + i }, 3)));
    worker = testWorker(t.db, meta, 1000);
  });
  afterAll(async () => {
    await meta?.close();
    await shopify?.close();
  });

  it("refuses a token without catalog_management and says which permission is missing", async () => {
    const weak = meta.control.seedToken({ scopes: ["business_management"], granular: { business_management: [scenario.businessId] } });
    const res = await form({ intent: "connect-token", token: weak });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("lacks the catalog_management permission");
    expect(html).not.toContain(weak);
    expect(await t.db.catalogConnection.count({ where: { shop } })).toBe(0);
  });

  it("connects with a pasted token, lists the catalogs and starts a full sync on choice", async () => {
    const res = await form({ intent: "connect-token", token: scenario.catalogToken });
    expect(res.status).toBe(200);
    const pending = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(pending.catalogId).toBeNull();
    expect(pending.tokenCiphertext).not.toContain(scenario.catalogToken);

    const page = await adminFetch(t.url, "/app/catalog", shop);
    expect(await page.text()).toContain(scenario.catalogId);

    const chosen = await form({ intent: "choose-catalog", catalogId: scenario.catalogId });
    expect(chosen.status).toBe(200);
    const conn = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(conn.state).toBe("CONNECTED");
    expect(conn.fullSyncState).toBe("QUEUED");
  });

  it("reads every product from the Admin API and pushes 360 items in one batch call", async () => {
    meta.control.resetCallCounts();
    await drain(worker, t.db, 30_000);
    const conn = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(conn.fullSyncState).toBe("DONE");
    expect(conn.fullSyncProcessed).toBe(120);
    expect(meta.control.catalogItemCount(scenario.catalogId)).toBe(360);
    const calls = Object.entries(meta.control.callCounts()).filter(([k]) => k.includes("items_batch")).reduce((n, [, v]) => n + v, 0);
    expect(calls).toBe(1);
    const item = meta.control.catalogItem(scenario.catalogId, "shopify_5000_500001")!;
    expect(item.price).toBe("29.99 EUR");
    expect(item.link).toBe("https://shop.example.com/products/organic-cotton-t-shirt-5000?variant=500001");
    expect(await t.db.productSync.count({ where: { shop, status: "SYNCED" } })).toBe(120);
  });

  it("shows progress and counts on the catalog page", async () => {
    const html = await (await adminFetch(t.url, "/app/catalog", shop)).text();
    // Meta accepted all 120; its review is still to come (this worker reads it back later).
    expect(html).toContain('data-testid="sent-count">120<');
  });

  it("resync reconciles: deleted products and leftover variants of this shop's products leave, items of others stay and are counted", async () => {
    for (const id of [5000, 5001, 5002]) shopify.deleteProduct(shop, id);
    const { client } = await import("../meta-sim/testing").then((m) => m.clientFor(meta));
    const { SecretValue } = await import("../../app/meta/index.server");
    const stray = (id: string) => ({
      method: "UPDATE" as const,
      data: { id, title: "Stray", description: "x", availability: "in stock", condition: "new", price: "1.00 EUR", link: "https://x.example/p", image_link: "https://x.example/i.jpg", brand: "X" },
    });
    // A variant of this shop's product that the product no longer lists (its DELETE was lost), and
    // an item of a product this shop never had (another shop's, or put there by hand).
    await client.itemsBatch(new SecretValue(scenario.catalogToken), scenario.catalogId, [stray("shopify_5003_500399"), stray("shopify_999_99901")]);
    await new Promise((r) => setTimeout(r, 50));
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_999_99901")).toBeDefined();

    expect((await form({ intent: "resync" })).status).toBe(200);
    await drain(worker, t.db, 30_000);
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_5003_500399")).toBeUndefined();
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_5000_500001")).toBeUndefined();
    // Not this shop's: never deleted (issue 14), counted for the page's warning.
    expect(meta.control.catalogItem(scenario.catalogId, "shopify_999_99901")).toBeDefined();
    expect(meta.control.catalogItemCount(scenario.catalogId)).toBe(117 * 3 + 1);
    const conn = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(conn).toMatchObject({ foreignItemCount: 1, foreignItemExample: "shopify_999_99901" });
    const html = (await (await adminFetch(t.url, "/app/catalog", shop)).text()).replaceAll("<!-- -->", "");
    expect(html).toMatch(/This catalog also holds 1 item that this store did not add/);
  });

  it("uses a bulk export for large shops, streamed when bulk_operations/finish arrives", async () => {
    process.env.FULL_SYNC_BULK_THRESHOLD = "50";
    shopify.setBulkDelay(300);
    try {
      shopify.upsertProduct(shop, productPayload({ id: 9000, title: "Added for the bulk run" }, 2));
      expect((await form({ intent: "resync" })).status).toBe(200);
      await worker.tick(); // QUEUED -> RUNNING: counts products, starts the export
      const running = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
      expect(running.fullSyncCursor).toMatch(/^bulk:gid:\/\/shopify\/BulkOperation\/\d+$/);
      expect(running.fullSyncTotal).toBe(118);
      const operationId = running.fullSyncCursor!.slice("bulk:".length);

      await new Promise((r) => setTimeout(r, 350));
      const finish = await sendWebhook(t.url, "/webhooks/bulk_operations", "bulk_operations/finish",
        { admin_graphql_api_id: operationId, status: "completed", error_code: null, type: "query" }, { shop });
      expect(finish.status).toBe(200);
      expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } })).fullSyncCursor).toBe(`bulk-done:${operationId}`);

      await drain(worker, t.db, 30_000);
      const done = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
      expect(done.fullSyncState).toBe("DONE");
      expect(done.fullSyncProcessed).toBe(118);
      expect(meta.control.catalogItem(scenario.catalogId, "shopify_9000_900001")?.title).toBe("Added for the bulk run");
      expect(meta.control.catalogItemCount(scenario.catalogId)).toBe(117 * 3 + 2 + 1); // + the other shop's item, kept
    } finally {
      delete process.env.FULL_SYNC_BULK_THRESHOLD;
    }
  });
});
