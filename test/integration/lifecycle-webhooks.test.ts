import { describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { snapshotRows, useApp } from "../helpers/app-suite";
import { sendWebhook } from "../helpers/shopify";
import { seedInstalledShop } from "../sandbox/seed";
import uninstalledFixture from "../fixtures/shopify/app-uninstalled.json";

/** Shopify's app/uninstalled body (the shop object) for `shop`. */
const shopObject = (shop: string) => ({ ...uninstalledFixture.body, myshopify_domain: shop });

describe.each(providers())("lifecycle and compliance webhooks on %s", (provider) => {
  const t = useApp(provider);
  const shop = `lifecycle-${provider}.myshopify.com`;

  async function seedConnections() {
    await seedInstalledShop(t.db, shop);
    await t.db.whatsAppConnection.upsert({
      where: { shop },
      create: { shop, wabaId: "waba-1", tokenCiphertext: "v1.k1.sealed", state: "CONNECTED" },
      update: {},
    });
    await t.db.catalogConnection.upsert({
      where: { shop },
      create: { shop, catalogId: "cat-1", tokenCiphertext: "v1.k1.sealed", state: "CONNECTED" },
      update: {},
    });
    await t.db.productSync.upsert({
      where: { shop_productId: { shop, productId: "1" } },
      create: { shop, productId: "1", shopifyUpdatedAt: new Date() },
      update: {},
    });
    // WhatsApp commerce (issue 18): what Meta said of the link, and the last customer who wrote (sealed).
    await t.db.whatsAppCommerce.upsert({ where: { shop }, create: { shop, wabaId: "waba-1", linkedCatalogId: "cat-1" }, update: {} });
    await t.db.customerWindow.upsert({
      where: { shop_phoneNumberId: { shop, phoneNumberId: "pn-1" } },
      create: { shop, phoneNumberId: "pn-1", senderCiphertext: "v1.k1.sealed", senderHint: "0123", lastInboundAt: new Date(), closesAt: new Date(Date.now() + 86_400_000) },
      update: {},
    });
  }

  it("app/uninstalled deletes sessions, marks the shop uninstalled and pauses sync", async () => {
    await seedConnections();
    const res = await sendWebhook(t.url, "/webhooks/app/uninstalled", "app/uninstalled", shopObject(shop), { shop });
    expect(res.status).toBe(200);
    expect(await t.db.session.count({ where: { shop } })).toBe(0);
    const row = await t.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row.uninstalledAt).not.toBeNull();
    expect(row.syncPausedReason).toBe("UNINSTALLED");
    // Data stays until shop/redact, in case the merchant reinstalls.
    expect(await t.db.productSync.count({ where: { shop } })).toBe(1);
  });

  it("app/uninstalled whose body names another shop (or none) gets 400 and uninstalls nothing", async () => {
    const other = `lifecycle-other-${provider}.myshopify.com`;
    await seedInstalledShop(t.db, other);
    const before = await snapshotRows(t.db);
    // A signed delivery of `shop` re-sent with another shop's header (headers are not signed), and bodies naming no shop.
    for (const body of [shopObject(shop), { id: 1 }, { ...shopObject(other), myshopify_domain: other.toUpperCase() }]) {
      const res = await sendWebhook(t.url, "/webhooks/app/uninstalled", "app/uninstalled", body, { shop: other });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/myshopify_domain/);
    }
    expect(await snapshotRows(t.db)).toBe(before);
    expect(await t.db.session.count({ where: { shop: other } })).toBe(1);
  });

  it("a duplicate app/uninstalled is harmless and keeps the first uninstall time", async () => {
    const before = await t.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    const webhookId = "dup-uninstall-1";
    for (let i = 0; i < 2; i++) {
      const res = await sendWebhook(t.url, "/webhooks/app/uninstalled", "app/uninstalled", shopObject(shop), { shop, webhookId });
      expect(res.status).toBe(200);
    }
    const after = await t.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(after.uninstalledAt?.getTime()).toBe(before.uninstalledAt?.getTime());
  });

  it("app/uninstalled for a shop the app never knew answers 200 and writes nothing", async () => {
    const before = await snapshotRows(t.db);
    const res = await sendWebhook(t.url, "/webhooks/app/uninstalled", "app/uninstalled", shopObject("never-installed.myshopify.com"), {
      shop: "never-installed.myshopify.com",
    });
    expect(res.status).toBe(200);
    expect(await snapshotRows(t.db)).toBe(before);
  });

  it("a bad HMAC gets 401 and changes no row", async () => {
    await seedConnections();
    const before = await snapshotRows(t.db);
    for (const [route, topic] of [
      ["/webhooks/app/uninstalled", "app/uninstalled"],
      ["/webhooks/app/scopes_update", "app/scopes_update"],
      ["/webhooks/compliance", "shop/redact"],
      ["/webhooks/compliance", "customers/redact"],
      ["/webhooks/products", "products/delete"],
    ]) {
      const res = await sendWebhook(t.url, route, topic, { id: 1, shop_domain: shop }, { shop, secret: "wrong-secret" });
      expect(res.status, `${route} ${topic}`).toBe(401);
    }
    expect(await snapshotRows(t.db)).toBe(before);
  });

  it("missing Shopify headers get 400; an empty body gets 400; GET gets 405", async () => {
    const before = await snapshotRows(t.db);
    const noTopic = await fetch(`${t.url}/webhooks/app/uninstalled`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(noTopic.status).toBe(400);
    const empty = await sendWebhook(t.url, "/webhooks/compliance", "shop/redact", "", { shop });
    expect(empty.status).toBe(400);
    const get = await fetch(`${t.url}/webhooks/app/uninstalled`);
    expect(get.status).toBe(405);
    expect(await snapshotRows(t.db)).toBe(before);
  });

  it("a malformed scopes_update body gets 400 with a clear error and changes nothing", async () => {
    const before = await snapshotRows(t.db);
    const res = await sendWebhook(t.url, "/webhooks/app/scopes_update", "app/scopes_update", { current: "read_products" }, { shop });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/current/);
    expect(await snapshotRows(t.db)).toBe(before);
  });

  it("app/scopes_update records the granted scopes", async () => {
    await seedInstalledShop(t.db, shop);
    const res = await sendWebhook(t.url, "/webhooks/app/scopes_update", "app/scopes_update", { current: ["read_products"], previous: [] }, { shop });
    expect(res.status).toBe(200);
    expect((await t.db.shop.findUniqueOrThrow({ where: { domain: shop } })).scopes).toBe("read_products");
    expect((await t.db.session.findFirstOrThrow({ where: { shop } })).scope).toBe("read_products");
  });

  it("customers/data_request and customers/redact answer 200 and change nothing", async () => {
    const before = await snapshotRows(t.db);
    for (const topic of ["customers/data_request", "customers/redact"]) {
      const res = await sendWebhook(t.url, "/webhooks/compliance", topic, { shop_domain: shop, customer: { id: 1 } }, { shop });
      expect(res.status, topic).toBe(200);
    }
    expect(await snapshotRows(t.db)).toBe(before);
  });

  it("shop/redact deletes every row of the shop, secrets included, and only that shop", async () => {
    await seedConnections();
    const other = `other-${provider}.myshopify.com`;
    await seedInstalledShop(t.db, other);
    const res = await sendWebhook(t.url, "/webhooks/compliance", "shop/redact", { shop_id: 1, shop_domain: shop }, { shop });
    expect(res.status).toBe(200);
    expect(await t.db.shop.count({ where: { domain: shop } })).toBe(0);
    expect(await t.db.whatsAppConnection.count({ where: { shop } })).toBe(0);
    expect(await t.db.catalogConnection.count({ where: { shop } })).toBe(0);
    expect(await t.db.productSync.count({ where: { shop } })).toBe(0);
    expect(await t.db.webhookDelivery.count({ where: { shop } })).toBe(0);
    expect(await t.db.whatsAppCommerce.count({ where: { shop } })).toBe(0);
    expect(await t.db.customerWindow.count({ where: { shop } })).toBe(0);
    expect(await t.db.shop.count({ where: { domain: other } })).toBe(1);
    // Redacting again (Shopify retries) is harmless.
    const again = await sendWebhook(t.url, "/webhooks/compliance", "shop/redact", { shop_id: 1, shop_domain: shop }, { shop });
    expect(again.status).toBe(200);
  });
});
