import pino from "pino";
import type { Db } from "../../app/db.server";
import { createCatalogWorker, type CatalogWorker, type WorkerOptions } from "../../app/catalog/worker.server";
import { sealSecret } from "../../app/vault/secrets.server";
import type { MetaSimulator, Scenario } from "../meta-sim";
import { clientFor } from "../meta-sim/testing";
import { seedInstalledShop } from "../sandbox/seed";
import { TEST_ENCRYPTION_KEYS } from "./app-process";

/** Catalog test plumbing: a shop with a connected catalog, and a worker to drive. */

// The test process seals tokens with the same keys as the app it starts.
process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;

export async function connectCatalog(db: Db, sim: MetaSimulator, shop: string): Promise<Scenario> {
  await seedInstalledShop(db, shop);
  const scenario = sim.control.seedScenario();
  await db.catalogConnection.upsert({
    where: { shop },
    create: {
      shop,
      businessId: scenario.businessId,
      catalogId: scenario.catalogId,
      catalogName: "Test catalog",
      tokenCiphertext: sealSecret(shop, "catalog.token", scenario.catalogToken),
      scopes: ["catalog_management", "business_management"],
      state: "CONNECTED",
    },
    update: {
      catalogId: scenario.catalogId,
      tokenCiphertext: sealSecret(shop, "catalog.token", scenario.catalogToken),
      state: "CONNECTED",
      stateReason: null,
      pausedUntil: null,
    },
  });
  return scenario;
}

/** `review`: Meta's review read-back timings (issue 17); by default the worker's own (a first check after 60 s). */
export function testWorker(db: Db, sim: MetaSimulator, flushIntervalMs = 0, review?: WorkerOptions["review"]): CatalogWorker {
  const { client } = clientFor(sim, { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
  return createCatalogWorker({ db, client, log: pino({ level: "silent" }), flushIntervalMs, review });
}

/** A worker that reads Meta's review back at once (issue 17). */
export const reviewingWorker = (db: Db, sim: MetaSimulator) => testWorker(db, sim, 0, { firstCheckMs: 100, pollMs: 0 });

/** Runs worker rounds until Meta's review of every product of the shop that Meta accepted is read (none left Sent). */
export async function settleReviews(worker: CatalogWorker, db: Db, shop: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await worker.tick();
    if ((await db.productSync.count({ where: { shop, status: "SYNCED", review: "SENT" } })) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("Meta's review was not read back in time");
}

/** Runs worker rounds until nothing is dirty and every sent batch is settled. */
export async function drain(worker: CatalogWorker, db: Db, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const worked = await worker.tick();
    if (!worked) {
      const [dirty, open] = await Promise.all([
        db.productSync.count({ where: { dirty: true } }),
        // RECORDING too: a batch left half recorded is settled by the poller once its lease is over,
        // and Meta may still be working on it when the poller first asks.
        db.catalogBatch.count({ where: { status: { in: ["SENT", "RECORDING"] } } }),
      ]);
      if (dirty === 0 && open === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error("the catalog pipeline did not settle in time");
}
