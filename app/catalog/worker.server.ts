import { hostname } from "node:os";
import { MAX_BATCH_REQUESTS } from "../meta/index.server";
import { workerLoop, type Worker, type WorkerDeps } from "../worker-loop.server";
import { pollBatches } from "./batch-status.server";
import { ACTIVE_FULL_SYNC, fullSyncStep } from "./full-sync.server";
import { pruneDeliveries } from "./store/deliveries.server";
import { dirtyShops } from "./store/outbox.server";
import { readBackReviews } from "./review-readback.server";
import { flushShop } from "./sync.server";

/**
 * The catalog sync worker: a loop that flushes a shop when its oldest change
 * has waited the flush interval or a full batch is waiting, and follows sent
 * batches. Safe to run several times over (leases keep workers apart).
 */

export interface WorkerOptions extends WorkerDeps {
  flushIntervalMs: number;
  /** Lease on claimed products (default 2 min); a killed worker's products wait this long. */
  leaseMs?: number;
  /** Meta's review read-back (issue 17); defaults: first check 60 s, Live re-checked daily, diagnostics hourly. */
  review?: { firstCheckMs?: number; recheckMs?: number; diagnosticsIntervalMs?: number; pollMs?: number };
}

/** `tick` is true when the round did any work. */
export interface CatalogWorker extends Worker<boolean> {
  readonly id: string;
}

export function createCatalogWorker(options: WorkerOptions): CatalogWorker {
  const { db, client, log, flushIntervalMs } = options;
  const pollMs = options.pollMs ?? 100;
  const id = `${hostname()}:${process.pid}`;
  let lastPrune = 0;
  let lastReview = 0;
  const review = {
    firstCheckMs: options.review?.firstCheckMs ?? 60_000,
    recheckMs: options.review?.recheckMs ?? 86_400_000,
    diagnosticsIntervalMs: options.review?.diagnosticsIntervalMs ?? 3_600_000,
  };
  // The read-back is the least urgent work: looked for once a second, not every round.
  const reviewPollMs = options.review?.pollMs ?? 1000;

  async function readyShops(now: Date) {
    const dirty = await dirtyShops(db, now);
    if (dirty.length === 0) return [];
    const syncing = new Set(
      (await db.catalogConnection.findMany({ where: { fullSyncState: { in: ACTIVE_FULL_SYNC } }, select: { shop: true } })).map((c) => c.shop),
    );
    // While a full sync reads products, only full batches go out: fewest calls.
    const due = dirty.filter(
      (d) => d.count >= MAX_BATCH_REQUESTS || (!syncing.has(d.shop) && now.getTime() - d.oldest.getTime() >= flushIntervalMs),
    );
    if (due.length === 0) return [];
    const connected = await db.catalogConnection.findMany({
      where: {
        shop: { in: due.map((d) => d.shop) },
        state: "CONNECTED",
        OR: [{ pausedUntil: null }, { pausedUntil: { lte: now } }],
      },
      select: { shop: true },
    });
    const paused = new Set(
      (await db.shop.findMany({ where: { domain: { in: connected.map((c) => c.shop) }, syncPausedReason: { not: null } }, select: { domain: true } })).map(
        (s) => s.domain,
      ),
    );
    return connected.map((c) => c.shop).filter((shop) => !paused.has(shop));
  }

  async function tick(): Promise<boolean> {
    const now = new Date();
    let worked = false;
    for (const { shop } of await db.catalogConnection.findMany({
      where: { fullSyncState: { in: ACTIVE_FULL_SYNC }, state: "CONNECTED" },
      select: { shop: true },
    })) {
      if (await fullSyncStep({ db, client, log }, shop)) worked = true;
    }
    for (const shop of await readyShops(now)) {
      // One shop's failure (its rows are released for a retry) must not hold up the shops after it.
      try {
        const result = await flushShop({ db, client, log, leaseMs: options.leaseMs }, shop);
        if (result.products > 0) worked = true;
      } catch (error) {
        log.error({ shop, err: error }, "catalog flush failed; retrying later");
      }
    }
    if ((await pollBatches({ db, client, log, leaseMs: options.leaseMs, reviewFirstCheckMs: review.firstCheckMs })) > 0) worked = true;
    if (Date.now() - lastReview >= reviewPollMs) {
      lastReview = Date.now();
      const read = await readBackReviews({ db, client, log, ...review });
      if (read.calls + read.products + read.diagnostics > 0) worked = true;
    }
    if (Date.now() - lastPrune > 3600_000) {
      lastPrune = Date.now();
      await pruneDeliveries(db);
    }
    return worked;
  }

  const loop = workerLoop({ name: "catalog worker", log, fields: { worker: id, flushIntervalMs }, pollMs, round: tick });
  return { id, tick, run: loop.run, stop: loop.stop };
}
