import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProductPayload } from "../../app/catalog/product-payload";
import { sealSecret } from "../../app/vault/secrets.server";
import { connectCatalog, drain, testWorker } from "../helpers/catalog";
import { createTestDatabase, providers, type TestDatabase } from "../helpers/databases";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator } from "../meta-sim";
import { formatSummary, runChaos } from "../chaos/harness";

/**
 * The convergence run of issue 8, small enough for every `npm test`: ~1,500
 * webhook deliveries to 3 shops under injected Graph faults (HTTP 500,
 * timeouts, throttling, per-item rejections, a token invalidation and
 * reconnect per shop) and worker SIGKILLs (once mid-batch; two workers at
 * once on PostgreSQL). `npm run chaos` is the large version. A failure
 * prints the seed: CHAOS_SEED=<seed> npm test -- chaos replays the history.
 */
const SEED = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);

describe.each(providers())("catalog convergence under faults on %s", (provider) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(provider);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it(
    "ends with every catalog equal to the Shopify state, whatever failed on the way",
    async () => {
      const summary = await runChaos({ seed: SEED, size: 1500, shops: 3, database, settleTimeoutMs: 45_000 });
      const report = formatSummary(summary);
      console.log(report);
      expect(summary.findings, report).toEqual([]);
      expect(summary.mismatches, report).toBe(0);
      expect(summary.items).toBe(summary.expectedItems);
      expect(summary.deliveries).toBeGreaterThanOrEqual(1500);
      expect(summary.duplicates).toBeGreaterThan(0);
      expect(summary.kills.total, report).toBeGreaterThanOrEqual(2);
      expect(summary.kills.midBatch, report).toBeGreaterThanOrEqual(1);
      expect(summary.faults.tokenInvalidations).toBe(3);
      expect(summary.faults.reconnects).toBe(3);
      expect(summary.faults.http500, report).toBeGreaterThan(0);
      expect(summary.faults.timeouts, report).toBeGreaterThan(0);
      expect(summary.faults.throttles, report).toBeGreaterThan(0);
      expect(summary.durationMs).toBeLessThan(120_000);
    },
    170_000,
  );
});

/**
 * The race behind one of the chaos run's findings, made deterministic: the
 * merchant reconnects while a worker's call with the old (invalidated) token
 * is still in flight. The late 190 must not mark the fresh connection as
 * needing a reconnect again (the shop's sync would stop for good).
 */
describe.each(providers())("a reconnect during a call with the old token on %s", (provider) => {
  it("keeps the fresh connection, and the change reaches the catalog", async () => {
    const database = await createTestDatabase(provider);
    const sim = await createMetaSimulator({ config: { batchDelayMs: 10 } });
    try {
      const db = database.db;
      const shop = `race-${provider}.myshopify.com`;
      const scenario = await connectCatalog(db, sim, shop);
      const snapshot = ProductPayload.parse(productPayload({ id: 77, updated_at: "2026-11-01T10:00:00Z" }, 1));
      await db.productSync.create({
        data: { shop, productId: "77", title: snapshot.title, snapshot: snapshot as object, shopifyUpdatedAt: new Date(snapshot.updated_at), dirty: true, dirtySince: new Date(0) },
      });
      sim.faults.invalidateToken(scenario.catalogToken, 460);
      sim.faults.set({ rules: [{ kind: "latency", endpoint: "POST /{catalog-id}/items_batch", ms: 500, times: 1 }] });
      const worker = testWorker(db, sim);
      const round = worker.tick(); // its items_batch call, with the old token, takes 500 ms
      await new Promise((r) => setTimeout(r, 200));
      const fresh = sim.control.seedToken({ scopes: ["catalog_management"], granular: { catalog_management: [scenario.catalogId] } });
      await db.catalogConnection.update({ where: { shop }, data: { tokenCiphertext: sealSecret(shop, "catalog.token", fresh), state: "CONNECTED", stateReason: null } });
      await round;
      expect((await db.catalogConnection.findUniqueOrThrow({ where: { shop } })).state).toBe("CONNECTED");
      await drain(worker, db);
      expect(sim.control.catalogItem(scenario.catalogId, "shopify_77_7701")).toBeDefined();
    } finally {
      await sim.close();
      await database.drop();
    }
  });
});
