import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/db.server";
import { freePort, TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { useApp } from "../helpers/app-suite";
import { providers } from "../helpers/databases";
import { adminFetch, sendWebhook } from "../helpers/shopify";
import { postMetaWebhook } from "../helpers/whatsapp";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import { seedInstalledShop, seedMetaConnections } from "../sandbox/seed";

/**
 * Tenant isolation (issue 8): with a session of shop A, every route is tried
 * with shop B's ids (products, catalog, WABA, phone number, messages), in
 * the path, the query, the form and the JSON body. Nothing of B shows up in
 * any answer, and no row of B changes.
 */

// Seeded tokens are sealed here with the keys of the app under test.
process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const META_PORT = await freePort();

async function rowsOf(db: Db, shop: string) {
  const where = { shop };
  const data = await Promise.all([
    db.shop.findMany({ where: { domain: shop } }),
    db.session.findMany({ where, orderBy: { id: "asc" } }),
    db.productSync.findMany({ where, orderBy: { id: "asc" } }),
    db.catalogConnection.findMany({ where }),
    db.catalogBatch.findMany({ where, orderBy: { id: "asc" } }),
    db.whatsAppConnection.findMany({ where }),
    db.phoneNumber.findMany({ where, orderBy: { id: "asc" } }),
    db.messageLog.findMany({ where, orderBy: { id: "asc" } }),
    db.webhookDelivery.findMany({ where, orderBy: { webhookId: "asc" } }),
    db.whatsAppCommerce.findMany({ where }),
    db.customerWindow.findMany({ where }),
  ]);
  return JSON.stringify(data);
}

describe.each(providers())("tenant isolation on %s", (provider) => {
  const t = useApp(provider, {
    META_GRAPH_URL: `http://127.0.0.1:${META_PORT}`,
    META_APP_ID: "1234567890123456",
    META_APP_SECRET: "sim-app-secret-0123456789abcdef",
    WHATSAPP_HEALTH_TTL_MS: "86400000",
  });
  const shopA = `tenant-a-${provider}.myshopify.com`;
  const shopB = `tenant-b-${provider}.myshopify.com`;
  let sim: MetaSimulator;
  let a: Scenario;
  let b: Scenario;
  /** Strings only shop B's data contains. */
  let secretsOfB: string[];

  const asA = (path: string, init: RequestInit = {}) => adminFetch(t.url, path, shopA, init);
  const asB = async (path: string) => (await adminFetch(t.url, path, shopB)).status;
  const form = (path: string, fields: Record<string, string>) => asA(path, { method: "POST", body: new URLSearchParams(fields) });
  const json = (path: string, body: unknown) => asA(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

  /** `asked`: what A itself sent (a search box shows its own query back). */
  function expectNothingOfB(text: string, where: string, asked = where) {
    for (const secret of secretsOfB) {
      if (asked.includes(secret)) continue;
      expect(text.includes(secret), `${where} shows "${secret}" of shop B`).toBe(false);
    }
  }

  beforeAll(async () => {
    sim = await createMetaSimulator({ port: META_PORT });
    a = sim.control.seedScenario({ displayPhoneNumber: "+1 555-010-1111", verifiedName: "Shop A Sender", wabaTokenManagesCatalog: true });
    b = sim.control.seedScenario({ displayPhoneNumber: "+1 555-010-7777", verifiedName: "Bravo Secret Sender", wabaTokenManagesCatalog: true });
    // WhatsApp commerce (issue 18): both catalogs are linked to their WABAs.
    sim.control.setLinkedCatalog(a.wabaId, a.catalogId);
    sim.control.setLinkedCatalog(b.wabaId, b.catalogId);
    for (const [shop, s, display, name] of [
      [shopA, a, "+1 555-010-1111", "Shop A Sender"],
      [shopB, b, "+1 555-010-7777", "Bravo Secret Sender"],
    ] as const) {
      await seedInstalledShop(t.db, shop);
      await seedMetaConnections(t.db, shop, {
        businessId: s.businessId,
        wabaId: s.wabaId,
        wabaToken: s.wabaToken,
        phoneNumbers: [{ id: s.phoneNumberId, display, verifiedName: name }],
        catalogId: s.catalogId,
        catalogToken: s.catalogToken,
      });
    }
    await t.db.catalogConnection.update({ where: { shop: shopB }, data: { catalogName: "Bravo secret catalog" } });
    // Product 500 exists in both shops; 900 and 901 only in B.
    for (const id of [1, 2, 500]) await sendWebhook(t.url, "/webhooks/products", "products/create", productPayload({ id, title: `Alpha product ${id}` }, 1), { shop: shopA });
    for (const id of [500, 900, 901]) await sendWebhook(t.url, "/webhooks/products", "products/create", productPayload({ id, title: `Bravo secret product ${id}` }, 1), { shop: shopB });
    await t.db.productSync.update({ where: { shop_productId: { shop: shopB, productId: "900" } }, data: { status: "FAILED", lastError: "Bravo secret failure reason" } });
    const phoneB = b.phoneNumberId;
    await t.db.messageLog.create({
      data: { shop: shopB, phoneNumberId: phoneB, to: "+15550009999", wamid: "wamid.BRAVOSECRET", status: "DELIVERED", direction: "OUT", timeline: [{ status: "sent", at: new Date().toISOString() }] },
    });
    await t.db.messageLog.create({ data: { shop: shopA, phoneNumberId: a.phoneNumberId, to: "+15550001111", wamid: "wamid.ALPHA", status: "SENT", direction: "OUT" } });
    // B's customer service window (its last customer, sealed) and A's own, opened by a signed Meta webhook.
    const customerOfB = sim.control.receiveMessage({ phoneNumberId: b.phoneNumberId, from: "+15550009999" });
    const customerOfA = sim.control.receiveMessage({ phoneNumberId: a.phoneNumberId, from: "+15550001111" });
    for (const { body } of [customerOfB, customerOfA]) expect((await postMetaWebhook(t.url, body, "sim-app-secret-0123456789abcdef")).status).toBe(200);
    expect(await t.db.customerWindow.count({ where: { shop: shopB } })).toBe(1);
    secretsOfB = [shopB, b.catalogId, b.wabaId, b.phoneNumberId, b.businessId, "555-010-7777", "Bravo", "+15550009999", "wamid.BRAVOSECRET", b.catalogToken, b.wabaToken];
    // Opening the pages once settles what a page view writes (shop row, health snapshot).
    for (const path of ["/app", "/app/catalog", "/app/whatsapp"]) expect((await asA(path)).status).toBe(200);
    expect(await asB("/app/whatsapp.data")).toBeDefined(); // B's own commerce facts exist too
    expect(await t.db.whatsAppCommerce.count({ where: { shop: shopB } })).toBe(1);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("shows shop A nothing of shop B, whatever ids it asks for", async () => {
    const before = await rowsOf(t.db, shopB);
    const paths = [
      "/app",
      "/app/catalog",
      "/app/catalog?q=Bravo",
      "/app/catalog?status=FAILED",
      "/app/catalog?page=2",
      "/app/catalog/900",
      "/app/catalog/901",
      "/app/catalog/500",
      "/app/whatsapp",
      "/api/products/900/sync-status",
      "/api/products/500/sync-status",
      `/api/products/${encodeURIComponent("gid://shopify/Product/901")}/sync-status`,
      `/app?shop=${shopB}`,
      `/app/catalog?shop=${shopB}`,
      `/app/catalog/900?shop=${shopB}`,
      `/app/whatsapp?shop=${shopB}`,
      `/api/products/900/sync-status?shop=${shopB}`,
      "/app.data",
      "/app/catalog.data",
      "/app/catalog/900.data",
      "/app/whatsapp.data",
    ];
    for (const path of paths) {
      const res = await asA(path);
      const text = await res.text();
      expect(res.status, `${path}: ${text.slice(0, 200)}`).toBeLessThan(500);
      expectNothingOfB(text, path);
    }
    // The pages did answer with A's own data (a blank or refused page would pass the checks above).
    expect(await (await asA("/app/catalog")).text()).toContain("Alpha product 1");
    expect(await (await asA("/app/whatsapp")).text()).toContain("555-010-1111");
    expect(await (await asA("/app")).text()).toContain(a.catalogId);
    // A's own product 500 is A's, not B's.
    const own = (await (await asA("/api/products/500/sync-status")).json()) as { product: { productId: string } | null };
    expect(own.product?.productId).toBe("500");
    const missing = (await (await asA("/api/products/900/sync-status")).json()) as { product: unknown };
    expect(missing.product).toBeNull();
    expect((await asA("/app/catalog/900")).status).toBe(404);
    expect(await rowsOf(t.db, shopB)).toBe(before);
  });

  it("lets shop A change nothing of shop B through any form or JSON action", async () => {
    const before = await rowsOf(t.db, shopB);
    const answers: { what: string; res: Response }[] = [];
    const attempt = async (what: string, res: Promise<Response>) => answers.push({ what, res: await res });

    for (const intent of ["sync", "exclude", "include"]) {
      await attempt(`product page ${intent} of B's 900`, form("/app/catalog/900", { intent }));
      await attempt(`catalog page ${intent} of B's 901`, form("/app/catalog?index", { intent, productId: "901" }));
      await attempt(`sync-status ${intent} of B's 900`, json("/api/products/900/sync-status", { action: intent }));
    }
    await attempt("choose B's catalog", form("/app/catalog?index", { intent: "choose-catalog", catalogId: b.catalogId }));
    await attempt("connect with B's catalog token", form("/app/catalog?index", { intent: "connect-token", token: b.catalogToken }));
    await attempt("choose B's number", json("/app/whatsapp.data", { intent: "choose-number", phoneNumberId: b.phoneNumberId }));
    await attempt("register B's number", json("/app/whatsapp.data", { intent: "register-number", phoneNumberId: b.phoneNumberId }));
    await attempt("disconnect naming B", json("/app/whatsapp.data", { intent: "disconnect", shop: shopB }));
    // WhatsApp commerce (issue 18): B's catalog, link and products through every new action.
    await attempt("replace naming B's catalog", json("/app/whatsapp.data", { intent: "link-catalog", replaceCatalogId: b.catalogId }));
    await attempt("unlink B's catalog", json("/app/whatsapp.data", { intent: "unlink-catalog", catalogId: b.catalogId }));
    await attempt("send B's products", json("/app/whatsapp.data", { intent: "send-product", productIds: ["900", "901"] }));
    await attempt("send B's product with A's", json("/app/whatsapp.data", { intent: "send-product", productIds: ["500", "901"] }));
    for (const intent of ["refresh-commerce", "link-catalog"]) await attempt(`${intent} naming B`, json("/app/whatsapp.data", { intent, shop: shopB }));
    await attempt("commerce settings naming B", json("/app/whatsapp.data", { intent: "set-commerce", cartEnabled: false, catalogVisible: false, shop: shopB }));
    await attempt("send naming B", json("/app/whatsapp.data", { intent: "send-product", productIds: ["900"], shop: shopB }));
    await attempt("sync naming B in the form", form("/app/catalog?index", { intent: "sync", productId: "900", shop: shopB }));

    for (const { what, res } of answers) {
      const text = await res.text();
      expect(res.status, `${what}: ${text.slice(0, 200)}`).toBeLessThan(500);
      // Refused: a 4xx, or the WhatsApp action's { ok: false } answer.
      expect(res.status >= 400 || /"ok",false|ok:false|"ok":false/.test(text), `${what} was not refused: ${res.status} ${text.slice(0, 200)}`).toBe(true);
      expectNothingOfB(text, what);
    }

    // What A may do to itself (its own product 500, resync, disconnect) leaves B's rows alone too.
    expect((await form("/app/catalog/500", { intent: "exclude" })).status).toBe(200);
    expect((await json("/api/products/500/sync-status", { action: "include" })).status).toBe(200);
    expect((await form("/app/catalog?index", { intent: "resync" })).status).toBe(200);
    expect((await form("/app/catalog?index", { intent: "disconnect" })).status).toBe(200);
    expect((await json("/app/whatsapp.data", { intent: "refresh-commerce" })).status).toBe(200);
    expect((await json("/app/whatsapp.data", { intent: "set-commerce", cartEnabled: true, catalogVisible: true })).status).toBe(200);
    expect((await json("/app/whatsapp.data", { intent: "unlink-catalog", catalogId: a.catalogId })).status).toBe(200);
    expect((await json("/app/whatsapp.data", { intent: "link-catalog" })).status).toBe(200);
    expect(sim.control.linkedCatalog(b.wabaId)).toBe(b.catalogId);
    expect(sim.control.commerceSettings(b.phoneNumberId)).toMatchObject({ cartEnabled: true, catalogVisible: false });
    expect((await json("/app/whatsapp.data", { intent: "disconnect" })).status).toBe(200);
    expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop: shopA } })).state).toBe("DISCONNECTED");
    expect(await rowsOf(t.db, shopB)).toBe(before);
  });
});
