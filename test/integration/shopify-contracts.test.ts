import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { sendWebhook } from "../helpers/shopify";
import { connectCatalog, drain, testWorker } from "../helpers/catalog";
import { freePort } from "../helpers/app-process";
import { productPayload, type ProductFixture } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import { createShopifySimulator, PLANS, type ShopifySimulator } from "../shopify-sim/server";
import { deliveredBody } from "../shopify-sim/webhooks";
import { startFullSync } from "../../app/catalog/full-sync-state.server";
import type { CatalogWorker } from "../../app/catalog/worker.server";

/**
 * The catalog against Shopify as documented for API 2026-10 (issue 13):
 * the worker reads the strict Admin API stand-in (cost limit, leaky bucket,
 * ungrouped and shuffled bulk output) and the production build receives
 * signed webhooks shaped as 2026-10 sends them (test/shopify-sim/webhooks.ts).
 * Every catalog is compared with the store, variant by variant.
 */
const META_PORT = await freePort();
const SHOPIFY_PORT = await freePort();

/** Every variant of the store is an item with its price and availability, and nothing else is. */
function expectCatalogEqualsStore(meta: MetaSimulator, catalogId: string, products: ProductFixture[]) {
  const items = meta.control.catalogItems(catalogId);
  const expected = products.flatMap((p) => p.variants.map((v) => ({ p, v })));
  expect(items.length).toBe(expected.length);
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const { p, v } of expected) {
    const item = byId.get(`shopify_${p.id}_${v.id}`);
    expect(item, `item of variant ${v.id}`).toBeDefined();
    expect(String(item!.price)).toMatch(new RegExp(`^${v.compare_at_price && Number(v.compare_at_price) > Number(v.price) ? v.compare_at_price : v.price} `));
  }
}

describe.each(providers())("Shopify 2026-10 contracts on %s", (provider) => {
  const t = useApp(provider, {
    META_GRAPH_URL: `http://127.0.0.1:${META_PORT}`,
    META_APP_ID: "1234567890123456",
    META_APP_SECRET: "sim-app-secret-0123456789abcdef",
  });
  let meta: MetaSimulator;
  let shopify: ShopifySimulator;
  let worker: CatalogWorker;

  beforeAll(async () => {
    meta = await createMetaSimulator({ port: META_PORT });
    meta.control.configure({ batchDelayMs: 10 });
    shopify = await createShopifySimulator({ port: SHOPIFY_PORT, plan: PLANS.plus });
    process.env.SHOPIFY_ADMIN_API_URL = shopify.url;
    worker = testWorker(t.db, meta, 0);
  });
  afterAll(async () => {
    delete process.env.FULL_SYNC_BULK_THRESHOLD;
    await meta?.close();
    await shopify?.close();
  });

  async function fullSync(shop: string, scenario: Scenario, products: ProductFixture[]) {
    shopify.setProducts(shop, products);
    await startFullSync(t.db, shop);
    const deadline = Date.now() + 60_000;
    for (;;) {
      // As Shopify does, tell the app when its bulk export is ready.
      for (const op of shopify.bulkOperations().filter((o) => o.shop === shop && o.status === "COMPLETED")) {
        await sendWebhook(t.url, "/webhooks/bulk_operations", "bulk_operations/finish", { admin_graphql_api_id: op.id, status: "completed", error_code: null }, { shop });
      }
      await drain(worker, t.db, 30_000);
      const conn = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
      if (conn.fullSyncState === "FAILED") throw new Error(`full sync failed: ${conn.fullSyncError}`);
      if (conn.fullSyncState === "DONE") break;
      if (Date.now() > deadline) throw new Error(`full sync still ${conn.fullSyncState}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expectCatalogEqualsStore(meta, scenario.catalogId, products);
  }

  const store = (seed: number) => [
    ...Array.from({ length: 24 }, (_, i) => productPayload({ id: seed + i }, 1 + (i % 5))),
    productPayload({ id: seed + 100 }, 150),
    productPayload({ id: seed + 101 }, 2000),
  ];

  it("pages a small shop within Shopify's 1,000-point query limit, products with 150 and 2,000 variants whole", async () => {
    const shop = `paged-${provider}.myshopify.com`;
    const scenario = await connectCatalog(t.db, meta, shop);
    await fullSync(shop, scenario, store(30_000));
    const queries = shopify.answered().filter((q) => q.shop === shop);
    expect(queries.filter((q) => q.error === "MAX_COST_EXCEEDED")).toEqual([]);
    expect(Math.max(...queries.map((q) => q.requestedQueryCost))).toBeLessThanOrEqual(700);
    expect(queries.some((q) => q.operation === "ProductVariants")).toBe(true);
  });

  it("assembles a large shop's bulk export however its children are shuffled", async () => {
    const shop = `bulk-${provider}.myshopify.com`;
    const scenario = await connectCatalog(t.db, meta, shop);
    process.env.FULL_SYNC_BULK_THRESHOLD = "5";
    try {
      await fullSync(shop, scenario, store(40_000));
    } finally {
      delete process.env.FULL_SYNC_BULK_THRESHOLD;
    }
    const ops = shopify.bulkOperations().filter((o) => o.shop === shop);
    expect(ops).toHaveLength(1);
    expect(ops[0].groupObjects).toBe(false);
    expect(await t.db.bulkExportLine.count({ where: { shop } })).toBe(0);
  });

  it("stages a bulk export once when bulk_operations/finish arrives while the worker's poll is downloading it", async () => {
    const shop = `race-${provider}.myshopify.com`;
    const scenario = await connectCatalog(t.db, meta, shop);
    const products = store(45_000).slice(0, 12);
    shopify.setProducts(shop, products);
    process.env.FULL_SYNC_BULK_THRESHOLD = "5";
    shopify.setBulkDownloadDelay(600);
    try {
      await startFullSync(t.db, shop);
      await worker.tick(); // counts the products, starts the export
      const { fullSyncCursor } = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
      const operation = fullSyncCursor!.replace(/^bulk:/, "");
      await new Promise((r) => setTimeout(r, 100)); // the export completes
      const polling = worker.tick(); // polls: COMPLETED, downloads (slowly) and stages
      await new Promise((r) => setTimeout(r, 200));
      const finish = await sendWebhook(t.url, "/webhooks/bulk_operations", "bulk_operations/finish", { admin_graphql_api_id: operation, status: "completed", error_code: null }, { shop });
      expect(finish.status).toBe(200);
      await polling;
      expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } })).fullSyncCursor).toBe(`bulk-staged:${operation}:0`);
      await drain(worker, t.db, 30_000);
    } finally {
      delete process.env.FULL_SYNC_BULK_THRESHOLD;
      shopify.setBulkDownloadDelay(0);
    }
    expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } })).fullSyncState).toBe("DONE");
    expectCatalogEqualsStore(meta, scenario.catalogId, products);
  });

  it("sends sold-out tracked variants as out of stock from 2026-10 webhooks, and keeps tracking per variant", async () => {
    const shop = `stock-${provider}.myshopify.com`;
    const scenario = await connectCatalog(t.db, meta, shop);
    const product = productPayload({ id: 50_000 }, 4);
    const [tracked, untracked, sellsOn, inStock] = product.variants;
    Object.assign(tracked, { inventory_quantity: 0, inventory_policy: "deny", inventory_management: "shopify" });
    Object.assign(untracked, { inventory_quantity: 0, inventory_policy: "deny", inventory_management: null });
    Object.assign(sellsOn, { inventory_quantity: 0, inventory_policy: "continue", inventory_management: "shopify" });
    Object.assign(inStock, { inventory_quantity: 7, inventory_policy: "deny", inventory_management: "shopify" });
    shopify.setProducts(shop, [product]);
    const availability = () =>
      Object.fromEntries(product.variants.map((v) => [v.id, meta.control.catalogItem(scenario.catalogId, `shopify_${product.id}_${v.id}`)?.availability]));
    const lookups = () => shopify.answered().filter((q) => q.shop === shop && q.operation === "VariantInventory").length;

    const created = deliveredBody("products/create", product);
    expect((created.body.variants as object[])[0]).not.toHaveProperty("inventory_management");
    expect((await sendWebhook(t.url, created.uri, "products/create", created.body, { shop })).status).toBe(200);
    await drain(worker, t.db);
    expect(availability()).toEqual({ [tracked.id]: "out of stock", [untracked.id]: "in stock", [sellsOn.id]: "in stock", [inStock.id]: "in stock" });
    expect(lookups()).toBe(1);

    // The merchant starts tracking the second variant: Shopify sends the inventory item alone.
    untracked.inventory_management = "shopify";
    untracked.inventory_updated_at = "2026-11-02T10:00:00Z";
    const item = deliveredBody("inventory_items/update", product, untracked);
    expect(item.body).not.toHaveProperty("variant_id");
    expect((await sendWebhook(t.url, item.uri, "inventory_items/update", item.body, { shop })).status).toBe(200);
    await drain(worker, t.db);
    expect(availability()[untracked.id]).toBe("out of stock");

    // A later product webhook says nothing about tracking: nothing is lost, nothing is looked up again.
    product.updated_at = "2026-11-03T10:00:00Z";
    inStock.price = "42.00";
    const updated = deliveredBody("products/update", product);
    expect((await sendWebhook(t.url, updated.uri, "products/update", updated.body, { shop })).status).toBe(200);
    await drain(worker, t.db);
    expect(meta.control.catalogItem(scenario.catalogId, `shopify_${product.id}_${inStock.id}`)?.price).toBe("42.00 USD");
    expect(availability()).toEqual({ [tracked.id]: "out of stock", [untracked.id]: "out of stock", [sellsOn.id]: "in stock", [inStock.id]: "in stock" });
    expect(lookups()).toBe(1);

    // An older inventory item state arriving late changes nothing.
    const stale = { ...item.body, tracked: false, updated_at: "2026-11-01T09:00:00Z" };
    expect((await sendWebhook(t.url, item.uri, "inventory_items/update", stale, { shop })).status).toBe(200);
    await drain(worker, t.db);
    expect(availability()[untracked.id]).toBe("out of stock");
  });

  it("never deletes the variants a product webhook leaves out (more than 100), and keeps them current", async () => {
    const shop = `many-${provider}.myshopify.com`;
    const scenario = await connectCatalog(t.db, meta, shop);
    const product = productPayload({ id: 60_000 }, 150);
    shopify.setProducts(shop, [product]);
    const created = deliveredBody("products/create", product);
    expect(created.body.variants).toHaveLength(100);
    expect(created.body.variant_gids).toHaveLength(150);
    expect((await sendWebhook(t.url, created.uri, "products/create", created.body, { shop })).status).toBe(200);
    await drain(worker, t.db);
    expectCatalogEqualsStore(meta, scenario.catalogId, [product]);

    // Variant 130 changes: Shopify's payload carries the first 100 variants only, and all 150 gids.
    product.updated_at = "2026-11-04T10:00:00Z";
    product.variants[129].price = "77.00";
    product.variants[129].updated_at = "2026-11-04T10:00:00Z";
    const updated = deliveredBody("products/update", product);
    expect((await sendWebhook(t.url, updated.uri, "products/update", updated.body, { shop })).status).toBe(200);
    await drain(worker, t.db);
    expectCatalogEqualsStore(meta, scenario.catalogId, [product]);
    expect(meta.control.catalogItem(scenario.catalogId, `shopify_${product.id}_${product.variants[129].id}`)?.price).toBe("77.00 USD");
  });
});
