/**
 * `npm run worker`: the catalog sync worker process. Run one beside the web
 * server (or several, on PostgreSQL). Stops cleanly on SIGTERM/SIGINT; a
 * killed worker loses nothing (its leases expire and another picks them up).
 */
import { createCatalogWorker } from "./catalog/worker.server";
import { db } from "./db.server";
import { env } from "./env.server";
import { logger } from "./logger.server";
import { MetaGraphClient } from "./meta/index.server";
import { createWhatsAppHealthWorker } from "./whatsapp/health-worker.server";
import { backgroundClient } from "./whatsapp/graph.server";

const config = env();

// META_TIMEOUT_MS and CATALOG_LEASE_MS are unset in production; the fault-injection runs shorten both,
// so that a hung call or a killed worker costs seconds, not minutes.
const worker = createCatalogWorker({
  db,
  client: new MetaGraphClient({ timeoutMs: config.META_TIMEOUT_MS }),
  log: logger.child({ module: "worker" }),
  flushIntervalMs: config.CATALOG_FLUSH_INTERVAL_MS,
  leaseMs: config.CATALOG_LEASE_MS,
  review: {
    firstCheckMs: config.CATALOG_REVIEW_FIRST_CHECK_MS,
    recheckMs: config.CATALOG_REVIEW_RECHECK_MS,
    diagnosticsIntervalMs: config.CATALOG_DIAGNOSTICS_INTERVAL_MS,
  },
});
const whatsappHealth = createWhatsAppHealthWorker({
  db,
  client: backgroundClient(),
  log: logger.child({ module: "whatsapp-health-worker" }),
  intervalMs: config.WHATSAPP_HEALTH_INTERVAL_MS,
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void Promise.all([worker.stop(), whatsappHealth.stop()]).then(() => process.exit(0));
  });
}
await Promise.all([worker.run(), whatsappHealth.run()]);
