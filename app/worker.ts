/**
 * `npm run worker`: the catalog sync worker process. Run one beside the web
 * server (or several, on PostgreSQL). Stops cleanly on SIGTERM/SIGINT; a
 * killed worker loses nothing (its leases expire and another picks them up).
 */
import { createCatalogWorker } from "./catalog/worker.server";
import { db, dbReady } from "./db.server";
import { env } from "./env.server";
import { logger } from "./logger.server";
import { MetaGraphClient } from "./meta/index.server";

const config = env();
await dbReady;
const worker = createCatalogWorker({
  db,
  client: new MetaGraphClient(),
  log: logger.child({ module: "worker" }),
  flushIntervalMs: config.CATALOG_FLUSH_INTERVAL_MS,
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void worker.stop().then(() => process.exit(0));
  });
}
await worker.run();
