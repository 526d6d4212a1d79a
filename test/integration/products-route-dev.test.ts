import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TEST_API_KEY, TEST_API_SECRET } from "../helpers/app-process";
import { createTestDatabase, type TestDatabase } from "../helpers/databases";
import { shopifyHmac } from "../helpers/shopify";
import { productPayload } from "../fixtures/products";
import { seedInstalledShop } from "../sandbox/seed";

/**
 * The production server answers /webhooks/products before Remix (app/server.ts;
 * products-webhook.test.ts drives it over HTTP). Under `shopify app dev` the
 * Remix route serves it: this drives that route module's action the way
 * Remix calls it, against a database of its own.
 */
describe("POST /webhooks/products through the Remix route (shopify app dev)", () => {
  const shop = "dev-route.myshopify.com";
  let database: TestDatabase;
  let action: (args: { request: Request; params: object; context: object }) => Promise<Response>;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    await seedInstalledShop(database.db, shop);
    Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_API_SECRET, SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: database.url });
    // The app's modules use the process-wide client (db.server.ts); make it this test's database.
    globalThis.__db = database.db;
    vi.resetModules();
    ({ action } = (await import("../../app/routes/webhooks.products")) as unknown as { action: typeof action });
  });
  afterAll(async () => {
    globalThis.__db = undefined;
    await database?.drop();
  });

  const deliver = (raw: string, opts: { method?: string; hmac?: string } = {}) =>
    action({
      request: new Request("http://localhost/webhooks/products", {
        method: opts.method ?? "POST",
        headers: {
          "content-type": "application/json",
          "x-shopify-topic": "products/update",
          "x-shopify-shop-domain": shop,
          "x-shopify-api-version": "2026-10",
          "x-shopify-webhook-id": `dev-${Math.random()}`,
          "x-shopify-hmac-sha256": opts.hmac ?? shopifyHmac(raw),
        },
        body: raw,
      }),
      params: {},
      context: {},
    }).catch((thrown: unknown) => thrown as Response);

  it("stores a signed product update, as the production server does", async () => {
    const res = await deliver(JSON.stringify(productPayload({ id: 301, updated_at: "2026-11-02T00:00:00Z" })));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: "stored" });
    const row = await database.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId: "301" } } });
    expect(row.dirty).toBe(true);
  });

  it("answers a bad signature 401, another method 405 and an oversized body 413, with clear errors", async () => {
    const raw = JSON.stringify(productPayload({ id: 302 }));
    const forged = await deliver(raw, { hmac: shopifyHmac(raw, "not-the-secret") });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error).toMatch(/signature/);
    const put = await deliver(raw, { method: "PUT" });
    expect(put.status).toBe(405);
    const huge = await deliver(JSON.stringify({ ...productPayload({ id: 303 }), body_html: "x".repeat(3 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(await database.db.productSync.count({ where: { productId: { in: ["302", "303"] } } })).toBe(0);
  });
});
