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
// WhatsApp (issue 5): the scheduled health refresh runs in the same process.
import { createWhatsAppHealthWorker } from "./whatsapp/health-worker.server";
import { backgroundClient } from "./whatsapp/graph.server";

const config = env();

/**
 * Worker-only knobs (issue 8), unset in production: META_TIMEOUT_MS is the
 * Graph client's per-attempt timeout (default 15 s), CATALOG_LEASE_MS how
 * long a claimed product stays leased (default 2 min; it must outlast a
 * flush). The fault-injection tests shorten both so a hung call or a killed
 * worker costs seconds, not minutes.
 */
function optionalMs(name: string, min: number, max: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Configuration error:\n  ${name}: invalid: must be a whole number of milliseconds from ${min} to ${max}; got "${raw}"`);
  }
  return value;
}
const metaTimeoutMs = optionalMs("META_TIMEOUT_MS", 100, 600_000);
const leaseMs = optionalMs("CATALOG_LEASE_MS", 1_000, 3_600_000);

await dbReady;
const worker = createCatalogWorker({
  db,
  client: new MetaGraphClient({ timeoutMs: metaTimeoutMs }),
  log: logger.child({ module: "worker" }),
  flushIntervalMs: config.CATALOG_FLUSH_INTERVAL_MS,
  leaseMs,
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
