import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { providers } from "../helpers/databases";
import { snapshotRows, useApp } from "../helpers/app-suite";
import { adminFetch, sendWebhook } from "../helpers/shopify";
import { drain } from "../helpers/catalog";
import { freePort, TEST_API_KEY, TEST_API_SECRET } from "../helpers/app-process";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import { clientFor } from "../meta-sim/testing";
import { createShopifySimulator, type ShopifySimulator } from "../shopify-sim/server";
import { SANDBOX_OFFLINE_TOKEN, seedExpiringOfflineSession, seedInstalledShop } from "../sandbox/seed";
import { createCatalogWorker } from "../../app/catalog/worker.server";
import { resetEnvForTests } from "../../app/env.server";

/**
 * Secrets never reach logs, error messages, HTML or JSON: every catalog step
 * that handles a token (paste, check, catalog list, choose, full sync, batch
 * sends, a 190 and the reconnect, the status endpoint) runs at debug level,
 * and every log line, response body and header is searched for the tokens.
 * The shop's Shopify tokens too (issue 14): the full sync renews an expired
 * offline token, and neither the old nor the new pair may show anywhere,
 * the database included (the Session table holds ciphertext only).
 */
const META_PORT = await freePort();
const SHOPIFY_PORT = await freePort();
const APP_SECRET = "sim-app-secret-0123456789abcdef";

describe.each(providers())("no catalog secret leaks on %s", (provider) => {
  const t = useApp(provider, { META_GRAPH_URL: `http://127.0.0.1:${META_PORT}`, META_APP_ID: "1234567890123456", META_APP_SECRET: APP_SECRET });
  const shop = `leak-${provider}.myshopify.com`;
  let meta: MetaSimulator;
  let shopify: ShopifySimulator;
  let scenario: Scenario;
  const seen: string[] = [];
  const workerLines: string[] = [];

  async function record(res: Response) {
    seen.push(`${res.status} ${JSON.stringify([...res.headers])}\n${await res.text()}`);
    return res;
  }
  const form = (body: Record<string, string>) =>
    adminFetch(t.url, "/app/catalog?index", shop, { method: "POST", body: new URLSearchParams(body) }).then(record);

  beforeAll(async () => {
    meta = await createMetaSimulator({ port: META_PORT, appSecret: APP_SECRET });
    meta.control.configure({ batchDelayMs: 5 });
    shopify = await createShopifySimulator({ port: SHOPIFY_PORT });
    shopify.oauth.setClient(TEST_API_KEY, TEST_API_SECRET);
    // The worker runs in this process, with the app's configuration.
    Object.assign(process.env, { SHOPIFY_ADMIN_API_URL: shopify.url, SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_API_SECRET, SHOPIFY_APP_URL: t.url });
    resetEnvForTests();
    shopify.setProducts(shop, Array.from({ length: 5 }, (_, i) => productPayload({ id: 700 + i }, 2)));
    await seedInstalledShop(t.db, shop);
    scenario = meta.control.seedScenario();
  });
  afterAll(async () => {
    await meta?.close();
    await shopify?.close();
  });

  it("keeps every token out of logs, pages, JSON and headers", async () => {
    const logger = pino({ level: "debug" }, { write: (line: string) => void workerLines.push(line) });
    const { client, logs: clientLogs } = clientFor(meta);
    const worker = createCatalogWorker({ db: t.db, client, log: logger, flushIntervalMs: 0 });

    // A bad token first: the error page must not echo it.
    const wrong = "EAAWrongTokenValue000000000000000000000000";
    await form({ intent: "connect-token", token: wrong });
    await form({ intent: "connect-token", token: scenario.catalogToken });
    await record(await adminFetch(t.url, "/app/catalog", shop));
    await form({ intent: "choose-catalog", catalogId: scenario.catalogId });
    // The shop's offline token has expired: the full sync renews it with its refresh token.
    await seedExpiringOfflineSession(t.db, shop, shopify.oauth.issue(shop, { expiresInSec: 0 }));
    await drain(worker, t.db);
    expect(shopify.oauth.tokenRequests()).toBe(1);
    await sendWebhook(t.url, "/webhooks/products", "products/update", productPayload({ id: 700, updated_at: new Date().toISOString() }, 2), { shop }).then(record);

    // Meta invalidates the token mid-run; the merchant reconnects with a new one.
    meta.faults.invalidateToken(scenario.catalogToken, 460);
    await sendWebhook(t.url, "/webhooks/products", "products/update", productPayload({ id: 701, updated_at: new Date().toISOString() }, 2), { shop }).then(record);
    await worker.tick();
    const fresh = meta.control.seedToken({ scopes: ["catalog_management"], granular: { catalog_management: [scenario.catalogId] } });
    await record(await adminFetch(t.url, "/app/catalog", shop));
    await form({ intent: "connect-token", token: fresh });
    await drain(worker, t.db);
    await record(await adminFetch(t.url, "/app/catalog/700", shop));
    await record(await adminFetch(t.url, "/api/products/700/sync-status", shop));

    const connection = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(connection.state).toBe("CONNECTED");
    expect(meta.control.catalogItemCount(scenario.catalogId)).toBe(10);

    const database = await snapshotRows(t.db);
    const everything = [seen.join("\n"), t.app.logs(), workerLines.join(""), clientLogs(), database].join("\n");
    expect(everything.length).toBeGreaterThan(1000);
    expect(database).toContain(`offline_${shop}`);
    const shopifyTokens = [SANDBOX_OFFLINE_TOKEN, ...shopify.oauth.issuedTokens()];
    expect(shopifyTokens).toHaveLength(5); // seeded, expired pair, renewed pair
    for (const secret of [scenario.catalogToken, fresh, wrong, APP_SECRET, TEST_API_SECRET, ...shopifyTokens]) {
      expect(everything.includes(secret), `secret found: ${secret.slice(0, 8)}…`).toBe(false);
    }
    // The database holds ciphertext only.
    expect(connection.tokenCiphertext).not.toContain(fresh);
  });
});
