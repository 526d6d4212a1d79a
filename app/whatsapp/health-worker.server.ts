import type { Db } from "../db.server";
import { workerLoop, type Worker, type WorkerDeps } from "../worker-loop.server";
import { purgeClosedWindows } from "./customer-window.server";
import { checkHealth } from "./health.server";

/**
 * The scheduled health refresh, run by `npm run worker` beside the catalog
 * worker: every connected WhatsApp account whose snapshot is older than the
 * interval is checked again. Several workers may run; the compare-and-set in
 * checkHealth keeps a slower duplicate check from overwriting a newer one.
 */

export interface HealthWorkerOptions extends WorkerDeps {
  intervalMs: number;
  /** At most this many checks per round, so a large install base spreads out. */
  batchSize?: number;
}

/** `tick` says how many accounts the round checked. */
export type HealthWorker = Worker<number>;

/**
 * Connected accounts not checked since `before`, never-checked first, of
 * shops that have the app installed: after app/uninstalled the worker stops
 * using the shop's token (issue 14); a reinstall (ensureShop) resumes it.
 * A join, so uninstalled shops cannot fill the batch and starve the others.
 */
async function dueShops(db: Db, before: Date, limit: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ shop: string }[]>`
    SELECT c."shop" FROM "WhatsAppConnection" c LEFT JOIN "Shop" s ON s."domain" = c."shop"
    WHERE c."state" = 'CONNECTED' AND s."uninstalledAt" IS NULL AND (c."healthCheckedAt" IS NULL OR c."healthCheckedAt" < ${before})
    ORDER BY CASE WHEN c."healthCheckedAt" IS NULL THEN 0 ELSE 1 END, c."healthCheckedAt" LIMIT ${limit}`;
  return rows.map((row) => row.shop);
}

export function createWhatsAppHealthWorker(options: HealthWorkerOptions): HealthWorker {
  const { db, client, log, intervalMs } = options;
  const pollMs = options.pollMs ?? Math.min(30_000, intervalMs);

  async function tick(): Promise<number> {
    // Nothing of a customer stays once their 24-hour window has closed (issue 18), even when no page or webhook comes.
    await purgeClosedWindows(db);
    const due = await dueShops(db, new Date(Date.now() - intervalMs), options.batchSize ?? 50);
    let checked = 0;
    for (const shop of due) {
      if (loop.stopping) break;
      try {
        await checkHealth({ db, client }, shop);
        checked++;
      } catch (error) {
        log.error({ shop, err: error }, "scheduled whatsapp health check failed");
      }
    }
    return checked;
  }

  // Every poll, whatever a round did: due accounts come due with time, not with work.
  const loop = workerLoop({ name: "whatsapp health worker", log, fields: { intervalMs }, pollMs, round: async () => (await tick(), false) });
  return { tick, run: loop.run, stop: loop.stop };
}
