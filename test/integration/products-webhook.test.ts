import { describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { snapshotRows, useApp } from "../helpers/app-suite";
import { sendWebhook } from "../helpers/shopify";
import { seedInstalledShop } from "../sandbox/seed";
import { productPayload } from "../fixtures/products";
import deleteFixture from "../fixtures/shopify/products-delete.json";

describe.each(providers())("POST /webhooks/products on %s", (provider) => {
  // Not UTC, so a timestamp written in the process's local time would show (PostgreSQL's ingest sends its own dates).
  const t = useApp(provider, { TZ: "America/New_York" });
  const shop = `products-${provider}.myshopify.com`;

  it("stores the product as a dirty ProductSync row and answers 200", async () => {
    await seedInstalledShop(t.db, shop);
    const product = productPayload({ id: 101, updated_at: "2026-11-01T10:00:00Z" });
    const res = await sendWebhook(t.url, "/webhooks/products", "products/create", product, { shop });
    expect(res.status).toBe(200);
    const row = await t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId: "101" } } });
    expect(row.dirty).toBe(true);
    expect(row.status).toBe("PENDING");
    expect(row.shopifyUpdatedAt.toISOString()).toBe("2026-11-01T10:00:00.000Z");
    expect(Math.abs(row.dirtySince!.getTime() - Date.now())).toBeLessThan(60_000);
    expect((row.snapshot as { variants: unknown[] }).variants).toHaveLength(product.variants.length);
  });

  it("ignores a duplicate delivery (same webhook id) and an older updated_at", async () => {
    const newer = productPayload({ id: 102, title: "Newer", updated_at: "2026-11-01T12:00:00Z" });
    const older = productPayload({ id: 102, title: "Older", updated_at: "2026-11-01T11:00:00Z" });
    expect((await sendWebhook(t.url, "/webhooks/products", "products/update", newer, { shop, webhookId: "w-102" })).status).toBe(200);
    const dup = await sendWebhook(t.url, "/webhooks/products", "products/update", newer, { shop, webhookId: "w-102" });
    expect(await dup.json()).toEqual({ result: "duplicate" });
    const stale = await sendWebhook(t.url, "/webhooks/products", "products/update", older, { shop });
    expect(await stale.json()).toEqual({ result: "stale" });
    const row = await t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId: "102" } } });
    expect(row.title).toBe("Newer");
    expect(row.version).toBe(1);
  });

  it("marks a deleted product for removal", async () => {
    const res = await sendWebhook(t.url, "/webhooks/products", "products/delete", { id: 101 }, { shop });
    expect(res.status).toBe(200);
    const row = await t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId: "101" } } });
    expect(row.deleted).toBe(true);
    expect(row.dirty).toBe(true);
  });

  it("answers 200 and stores nothing for an unknown or uninstalled shop", async () => {
    const before = await snapshotRows(t.db);
    const res = await sendWebhook(t.url, "/webhooks/products", "products/update", productPayload({ id: 5 }), { shop: "stranger.myshopify.com" });
    expect(res.status).toBe(200);
    expect(await snapshotRows(t.db)).toBe(before);
  });

  it("rejects a malformed payload with 400 and a clear error, storing nothing", async () => {
    const before = await snapshotRows(t.db);
    const bad = { ...productPayload({ id: 7 }), updated_at: "yesterday" };
    const res = await sendWebhook(t.url, "/webhooks/products", "products/update", bad, { shop });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/updated_at/);
    const notJson = await sendWebhook(t.url, "/webhooks/products", "products/update", "{not json", { shop });
    expect(notJson.status).toBe(400);
    expect(await snapshotRows(t.db)).toBe(before);
  });

  it("takes the documented products/delete body (the fixture) as a delete", async () => {
    const id = String(deleteFixture.body.id);
    await sendWebhook(t.url, "/webhooks/products", "products/create", productPayload({ id: deleteFixture.body.id, updated_at: "2026-11-01T10:00:00Z" }), { shop });
    const res = await sendWebhook(t.url, "/webhooks/products", deleteFixture.topic, deleteFixture.body, { shop });
    expect(res.status).toBe(200);
    expect((await t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId: id } } })).deleted).toBe(true);
  });

  it("refuses a signed product body re-sent under topic products/delete, and deletes nothing", async () => {
    // The topic header is not signed: a captured products/update delivery replayed as a delete.
    const product = productPayload({ id: 131, updated_at: "2026-11-01T10:00:00Z" });
    expect((await sendWebhook(t.url, "/webhooks/products", "products/update", product, { shop })).status).toBe(200);
    const before = await snapshotRows(t.db);
    for (const body of [product, { id: 131, title: "x" }, { id: 131, variants: [] }]) {
      const res = await sendWebhook(t.url, "/webhooks/products", "products/delete", body, { shop });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/does not match its topic/);
    }
    expect(await snapshotRows(t.db)).toBe(before);
    expect((await t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId: "131" } } })).deleted).toBe(false);
  });

  it("refuses bodies over 2 MB with 413 before parsing", async () => {
    const before = await snapshotRows(t.db);
    const huge = { ...productPayload({ id: 8 }), body_html: "x".repeat(2 * 1024 * 1024 + 10) };
    const res = await sendWebhook(t.url, "/webhooks/products", "products/update", huge, { shop });
    expect(res.status).toBe(413);
    expect(await snapshotRows(t.db)).toBe(before);
  });
});
