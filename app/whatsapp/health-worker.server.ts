import type { Db } from "../db.server";
import type { Logger } from "../logger.server";
import type { MetaGraphClient } from "../meta/index.server";
import { workerLoop } from "../worker-loop.server";
import { checkHealth } from "./health.server";

/**
 * The scheduled health refresh, run by `npm run worker` beside the catalog
 * worker: every connected WhatsApp account whose snapshot is older than the
 * interval is checked again. Several workers may run; the compare-and-set in
 * checkHealth keeps a slower duplicate check from overwriting a newer one.
 */

export interface HealthWorkerOptions {
  db: Db;
  client: MetaGraphClient;
  log: Logger;
  intervalMs: number;
  /** How often to look for due accounts. */
  pollMs?: number;
  /** At most this many checks per round, so a large install base spreads out. */
  batchSize?: number;
}

export interface HealthWorker {
  tick(): Promise<number>;
  run(): Promise<void>;
  stop(): Promise<void>;
}

export function createWhatsAppHealthWorker(options: HealthWorkerOptions): HealthWorker {
  const { db, client, log, intervalMs } = options;
  const pollMs = options.pollMs ?? Math.min(30_000, intervalMs);

  async function tick(): Promise<number> {
    const due = await db.whatsAppConnection.findMany({
      where: { state: "CONNECTED", OR: [{ healthCheckedAt: null }, { healthCheckedAt: { lt: new Date(Date.now() - intervalMs) } }] },
      select: { shop: true },
      orderBy: { healthCheckedAt: "asc" },
      take: options.batchSize ?? 50,
    });
    let checked = 0;
    for (const { shop } of due) {
      if (loop.stopping) break;
      try {
        await checkHealth(shop, { client, db });
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
