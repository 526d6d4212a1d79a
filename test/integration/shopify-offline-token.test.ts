import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { adminFetch } from "../helpers/shopify";
import { connectCatalog, drain, testWorker } from "../helpers/catalog";
import { freePort, ROOT, TEST_API_KEY, TEST_API_SECRET, TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator } from "../meta-sim";
import { createShopifySimulator, type ShopifySimulator } from "../shopify-sim/server";
import { seedExpiringOfflineSession } from "../sandbox/seed";
import { startFullSync } from "../../app/catalog/full-sync-state.server";
import { resetEnvForTests } from "../../app/env.server";
import { openSecret } from "../../app/vault/secrets.server";
import { isSealed } from "../../app/vault/vault.server";

/**
 * The shop's offline token as the worker's full sync uses it (issue 14):
 * sealed in the Session table, renewed with its refresh token when it has
 * expired (the Admin API stand-in refuses an expired or unknown token, as
 * Shopify does), and a session stored as plain text before sealing keeps
 * working until `npm run vault:rotate` seals it.
 */
const META_PORT = await freePort();
const SHOPIFY_PORT = await freePort();

describe.each(providers())("the shop's offline Admin API token on %s", (provider) => {
  const t = useApp(provider, { META_GRAPH_URL: `http://127.0.0.1:${META_PORT}` });
  let meta: MetaSimulator;
  let shopify: ShopifySimulator;
  let n = 0;
  const saved = { ...process.env };

  beforeAll(async () => {
    meta = await createMetaSimulator({ port: META_PORT });
    shopify = await createShopifySimulator({ port: SHOPIFY_PORT });
    shopify.oauth.setClient(TEST_API_KEY, TEST_API_SECRET);
    // The worker runs in this process, with the app's configuration.
    Object.assign(process.env, { SHOPIFY_ADMIN_API_URL: shopify.url, SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_API_SECRET, SHOPIFY_APP_URL: t.url });
    resetEnvForTests();
  });
  afterAll(async () => {
    process.env = { ...saved };
    resetEnvForTests();
    await meta?.close();
    await shopify?.close();
  });

  async function shopWithProducts() {
    const shop = `offline-token-${provider}-${++n}.myshopify.com`;
    const scenario = await connectCatalog(t.db, meta, shop);
    shopify.setProducts(shop, [productPayload({ id: 501 }, 2), productPayload({ id: 502 }, 3)]);
    return { shop, scenario };
  }
  const fullSync = async (shop: string) => {
    await startFullSync(t.db, shop);
    await drain(testWorker(t.db, meta), t.db);
    return t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
  };

  it("renews an expired token with its refresh token, stores the new pair sealed, and reads the products with it", async () => {
    const { shop, scenario } = await shopWithProducts();
    const expired = shopify.oauth.issue(shop, { expiresInSec: 0 });
    await seedExpiringOfflineSession(t.db, shop, expired);

    const conn = await fullSync(shop);
    expect(conn.fullSyncError).toBeNull();
    expect(conn.fullSyncState).toBe("DONE");
    expect(meta.control.catalogItemCount(scenario.catalogId)).toBe(5);
    expect(shopify.oauth.tokenRequests()).toBe(1);

    const row = await t.db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
    expect(isSealed(row.accessToken) && isSealed(row.refreshToken!)).toBe(true);
    const [renewedAccess, renewedRefresh] = shopify.oauth.issuedTokens().slice(-2);
    expect(openSecret(shop, "shopify.token", row.accessToken).reveal()).toBe(renewedAccess);
    expect(openSecret(shop, "shopify.refresh_token", row.refreshToken!).reveal()).toBe(renewedRefresh);
    expect(row.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    const dump = JSON.stringify(await t.db.session.findMany(), (_k, v) => (typeof v === "bigint" ? String(v) : v));
    for (const token of shopify.oauth.issuedTokens()) expect(dump).not.toContain(token);

    // The next run uses the renewed token as it is: no second renewal.
    expect((await fullSync(shop)).fullSyncState).toBe("DONE");
    expect(shopify.oauth.tokenRequests()).toBe(1);
  });

  it("fails the full sync with what to do when Shopify refuses the refresh token", async () => {
    const { shop } = await shopWithProducts();
    const expired = shopify.oauth.issue(shop, { expiresInSec: 0 });
    shopify.oauth.revoke(expired.refreshToken);
    await seedExpiringOfflineSession(t.db, shop, expired);
    const conn = await fullSync(shop);
    expect(conn.fullSyncState).toBe("FAILED");
    expect(conn.fullSyncError).toMatch(/no longer accepts the app's access to this shop: open the app in the Shopify admin/);
  });

  it("keeps a session stored as plain text before sealing working (pages and full sync) until vault:rotate seals it", async () => {
    const { shop } = await shopWithProducts();
    const legacy = "shpat_stored_before_sealing_0123456789";
    shopify.oauth.registerNonExpiring(shop, legacy);
    await t.db.session.update({ where: { id: `offline_${shop}` }, data: { accessToken: legacy } });

    expect((await adminFetch(t.url, "/app/catalog", shop)).status).toBe(200);
    expect((await fullSync(shop)).fullSyncState).toBe("DONE");

    const rotate = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "app/vault/cli.ts"), "rotate"], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, NODE_ENV: "production", LOG_LEVEL: "silent", DATABASE_URL: t.databaseUrl, ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS } as unknown as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (code) => resolve({ code, out }));
    });
    expect(rotate.code, rotate.out).toBe(0);
    expect(rotate.out).toMatch(/sealed from plain text [1-9]/);
    const row = await t.db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
    expect(isSealed(row.accessToken)).toBe(true);
    expect(openSecret(shop, "shopify.token", row.accessToken).reveal()).toBe(legacy);

    expect((await adminFetch(t.url, "/app/catalog", shop)).status).toBe(200);
    expect((await fullSync(shop)).fullSyncState).toBe("DONE");
  });
});
