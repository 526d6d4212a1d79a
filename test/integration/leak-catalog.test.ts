import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { adminFetch, sendWebhook } from "../helpers/shopify";
import { drain } from "../helpers/catalog";
import { freePort } from "../helpers/app-process";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import { clientFor } from "../meta-sim/testing";
import { createShopifySimulator, type ShopifySimulator } from "../shopify-sim/server";
import { seedInstalledShop } from "../sandbox/seed";
import { createCatalogWorker } from "../../app/catalog/worker.server";

/**
 * Secrets never reach logs, error messages, HTML or JSON: every catalog step
 * that handles a token (paste, check, catalog list, choose, full sync, batch
 * sends, a 190 and the reconnect, the status endpoint) runs at debug level,
 * and every log line, response body and header is searched for the tokens.
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
    process.env.SHOPIFY_ADMIN_API_URL = shopify.url;
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
    await drain(worker, t.db);
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

    const everything = [seen.join("\n"), t.app.logs(), workerLines.join(""), clientLogs()].join("\n");
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of [scenario.catalogToken, fresh, wrong, APP_SECRET]) {
      expect(everything.includes(secret), `secret found: ${secret.slice(0, 8)}…`).toBe(false);
    }
    // The database holds ciphertext only.
    expect(connection.tokenCiphertext).not.toContain(fresh);
  });
});
