import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../helpers/app-process";
import { OUTPUT } from "../helpers/global-setup";
import { productPayload } from "../fixtures/products";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { createShopifySimulator, type ShopifySimulator } from "../shopify-sim/server";

/**
 * The sandbox as a harness (the README's Sandbox section): with
 * SHOPIFY_ADMIN_API_URL set it starts no Admin API stand-in of its own, the
 * app reads products from {url}/{shop}/admin/api/{version}/graphql.json and
 * the first full sync runs from it at boot; SANDBOX_PRODUCTS=0 seeds no demo
 * products. Outside tools rely on this.
 */
describe("sandbox with an outside Admin API", () => {
  let outside: ShopifySimulator;
  let sandbox: Sandbox;
  const log: string[] = [];
  const shop = "harness-shop.myshopify.com";
  const products = [productPayload({ id: 70_000 }, 3), productPayload({ id: 70_001 }, 150), productPayload({ id: 70_002 }, 1)];

  beforeAll(async () => {
    outside = await createShopifySimulator();
    outside.setProducts(shop, products);
    sandbox = await startSandbox({
      build: false,
      output: (line) => void log.push(line),
      env: {
        SHOPIFY_ADMIN_API_URL: outside.url,
        SANDBOX_PRODUCTS: "0",
        SANDBOX_SHOP: shop,
        PORT: String(await freePort()),
        SANDBOX_ADMIN_PORT: String(await freePort()),
        SANDBOX_ADMIN_API_PORT: String(await freePort()),
        SANDBOX_GRAPH_PORT: String(await freePort()),
        CATALOG_FLUSH_INTERVAL_MS: "100",
        DATABASE_URL: `file:${OUTPUT}/sandbox-harness-${inject("runId")}.sqlite`,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
    await outside?.close();
  });

  it("starts no stand-in of its own and fills the catalog from the outside Admin API at boot", async () => {
    expect(sandbox.shopifyAdmin).toBeUndefined();
    expect(sandbox.adminApiUrl).toBe(outside.url);
    expect(sandbox.env.SHOPIFY_ADMIN_API_URL).toBe(outside.url);
    const expected = products.reduce((n, p) => n + p.variants.length, 0);
    const deadline = Date.now() + 60_000;
    while (sandbox.simulator!.control.catalogItemCount(sandbox.meta.catalogId) < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(sandbox.simulator!.control.catalogItemCount(sandbox.meta.catalogId), log.join("").slice(-2000)).toBe(expected);
    for (const p of products) for (const v of p.variants) expect(sandbox.simulator!.control.catalogItem(sandbox.meta.catalogId, `shopify_${p.id}_${v.id}`)).toBeDefined();
    // Every read went to the outside API, for this shop, within Shopify's cost limit.
    const queries = outside.answered();
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((q) => q.shop === shop && !q.error)).toBe(true);
  }, 90_000);
});
