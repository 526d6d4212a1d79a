import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { sendWebhook } from "../helpers/shopify";
import pino from "pino";
import { connectCatalog } from "../helpers/catalog";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator } from "../meta-sim";
import { clientFor } from "../meta-sim/testing";
import { freePort } from "../helpers/app-process";
import { createCatalogWorker, type CatalogWorker } from "../../app/catalog/worker.server";

/**
 * Issue 14, fairness between shops: one shop's slow work (a batch call Meta
 * takes seconds to answer, a slow batch status check) never holds another
 * shop's changes. The worker runs as `npm run worker` runs it (its loop, not
 * test-driven rounds), against the Meta simulator delaying shop A's calls.
 * Before per-shop lanes a worker round waited for its slowest flush and then
 * polled every batch one after the other, so B's change waited for A's call.
 */
const META_PORT = await freePort();
const SLOW_MS = 4000;

describe.each(providers())("fairness between shops on %s", (provider) => {
  const t = useApp(provider, { META_GRAPH_URL: `http://127.0.0.1:${META_PORT}` });
  let meta: MetaSimulator;
  let worker: CatalogWorker | undefined;
  let clock = Date.parse("2026-11-25T00:00:00Z");
  const at = () => new Date((clock += 1000)).toISOString();
  const shopA = `slow-${provider}.myshopify.com`;
  const shopB = `quick-${provider}.myshopify.com`;
  const catalogs: Record<string, string> = {};
  const item = (shop: string, id: number) => meta.control.catalogItem(catalogs[shop], `shopify_${id}_${id * 100 + 1}`);
  const post = async (shop: string, id: number, title: string) => {
    const response = await sendWebhook(t.url, "/webhooks/products", "products/update", productPayload({ id, updated_at: at(), title }, 1), { shop });
    expect(response.status).toBe(200);
  };
  const waitFor = async (what: string, done: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  /** The worker as `npm run worker` builds it; its client waits for slow answers (the test client gives up after 2 s). */
  const startWorker = () => {
    const { client } = clientFor(meta, { timeoutMs: 15_000 });
    worker = createCatalogWorker({ db: t.db, client, log: pino({ level: "silent" }), flushIntervalMs: 0 });
    void worker.run();
  };

  beforeAll(async () => {
    meta = await createMetaSimulator({ port: META_PORT });
    meta.control.configure({ batchDelayMs: 10 });
    for (const shop of [shopA, shopB]) catalogs[shop] = (await connectCatalog(t.db, meta, shop)).catalogId;
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    meta.faults.clear();
  });
  afterAll(async () => {
    await meta?.close();
  });

  it("sends another shop's change while one shop's items_batch call is still unanswered", async () => {
    meta.faults.set({ rules: [{ kind: "latency", endpoint: "POST /{catalog-id}/items_batch", ms: SLOW_MS, paramsContain: "Slow shop" }] });
    startWorker();
    await post(shopA, 81_001, "Slow shop product");
    // A's call is out (its product is leased) before B's change arrives.
    await waitFor("shop A's batch call to go out", async () => (await t.db.productSync.count({ where: { shop: shopA, leaseUntil: { not: null } } })) > 0);
    const sent = Date.now();
    await post(shopB, 82_001, "Quick shop product");
    await waitFor("shop B's item in its catalog", () => item(shopB, 82_001)?.title === "Quick shop product");
    const lag = Date.now() - sent;
    expect(lag).toBeLessThan(SLOW_MS / 2);
    // A's call was still unanswered: B did not wait for it.
    expect(item(shopA, 81_001)).toBeUndefined();
    await waitFor("shop A's item in its catalog", () => item(shopA, 81_001)?.title === "Slow shop product");
    await waitFor("every batch to settle", async () => (await t.db.catalogBatch.count({ where: { status: { in: ["SENT", "RECORDING"] } } })) === 0);
  });

  it("sends another shop's change while one shop's batch status check is slow", async () => {
    const STATUS = "GET /{catalog-id}/check_batch_request_status";
    const checks = () => meta.control.callCounts()[STATUS] ?? 0;
    // The next status check (shop A's, the only batch) takes seconds to answer.
    meta.faults.set({ rules: [{ kind: "latency", endpoint: STATUS, ms: SLOW_MS, times: 1 }] });
    const before = checks();
    startWorker();
    await post(shopA, 81_002, "Slow poll product");
    await waitFor("shop A's batch status check", () => checks() > before);
    const checked = Date.now();
    const batch = await t.db.catalogBatch.findFirstOrThrow({ where: { shop: shopA }, orderBy: { createdAt: "desc" } });
    const sent = Date.now();
    await post(shopB, 82_002, "Quick poll product");
    await waitFor("shop B's item in its catalog", () => item(shopB, 82_002)?.title === "Quick poll product");
    expect(Date.now() - sent).toBeLessThan(SLOW_MS / 2);
    // A's check was still unanswered meanwhile; it settles once Meta answers.
    expect((await t.db.catalogBatch.findUniqueOrThrow({ where: { id: batch.id } })).status).toBe("SENT");
    await waitFor("shop A's batch to settle", async () => (await t.db.catalogBatch.findUniqueOrThrow({ where: { id: batch.id } })).status === "FINISHED", 20_000);
    expect(Date.now() - checked).toBeGreaterThanOrEqual(SLOW_MS - 500);
  });
});
