import { hostname } from "node:os";
import { MAX_BATCH_REQUESTS } from "../meta/index.server";
import { eachAtMost, workerLoop, type Worker, type WorkerDeps } from "../worker-loop.server";
import { pollBatches } from "./batch-status.server";
import { dailySchedule } from "./daily-sync";
import { ACTIVE_FULL_SYNC, fullSyncStep } from "./full-sync.server";
import { startFullSync } from "./full-sync-state.server";
import { pruneDeliveries } from "./store/deliveries.server";
import { dirtyShops } from "./store/outbox.server";
import { readBackReviews } from "./review-readback.server";
import { flushShop } from "./sync.server";

/**
 * The catalog sync worker: a loop that flushes a shop when its oldest change
 * has waited the flush interval or a full batch is waiting, and follows sent
 * batches. Safe to run several times over (leases keep workers apart).
 */

/** Shops flushed at once: their Graph calls overlap, so one shop's slow call does not hold the others. */
const FLUSH_CONCURRENCY = 8;
/** A shop's batch when other shops are waiting too: one call of this size is its share of a round. */
const CONTENDED_BATCH_REQUESTS = 1000;

/** How often the worker looks for shops whose daily reconciliation is due. */
const DAILY_CHECK_MS = 60_000;

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

  /** Shops to flush this round, those with webhook changes waiting first. */
  async function readyShops(now: Date) {
    const dirty = await dirtyShops(db, now);
    if (dirty.length === 0) return [];
    const syncing = new Set(
      (await db.catalogConnection.findMany({ where: { fullSyncState: { in: ACTIVE_FULL_SYNC } }, select: { shop: true } })).map((c) => c.shop),
    );
    const waited = (since: Date | null) => since !== null && now.getTime() - since.getTime() >= flushIntervalMs;
    // While a full sync reads products, its own changes go out in full batches only (fewest calls);
    // webhook changes keep their usual freshness whatever runs (issue 14).
    const due = dirty
      .filter((d) => d.count >= MAX_BATCH_REQUESTS || waited(d.oldestIncremental) || (!syncing.has(d.shop) && waited(d.oldest)))
      // Webhook changes first, and the shops with the least to send before the busiest: a round's
      // small flushes finish while the big one is still under way.
      .sort((a, b) => Number(waited(b.oldestIncremental)) - Number(waited(a.oldestIncremental)) || a.count - b.count);
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
    const ok = new Set(connected.map((c) => c.shop).filter((shop) => !paused.has(shop)));
    return due.map((d) => d.shop).filter((shop) => ok.has(shop));
  }

  /** The daily reconciliation: each connected shop's full sync at its time of day (daily-sync.ts). */
  let lastDailyCheck = 0;
  async function startDailySyncs(now: Date) {
    if (now.getTime() - lastDailyCheck < DAILY_CHECK_MS) return false;
    lastDailyCheck = now.getTime();
    const candidates = await db.catalogConnection.findMany({
      where: { state: "CONNECTED", catalogId: { not: null }, fullSyncState: { notIn: ACTIVE_FULL_SYNC } },
      select: { shop: true, fullSyncStartedAt: true, createdAt: true },
    });
    const due = candidates.filter((c) => dailySchedule(c.shop, c.fullSyncStartedAt ?? c.createdAt, now).due);
    if (due.length === 0) return false;
    const installed = new Set(
      (await db.shop.findMany({ where: { domain: { in: due.map((c) => c.shop) }, uninstalledAt: null }, select: { domain: true } })).map((s) => s.domain),
    );
    let started = false;
    for (const c of due) {
      if (!installed.has(c.shop)) continue;
      if (await startFullSync(db, c.shop, "daily", now)) {
        log.info({ shop: c.shop }, "daily reconciliation started");
        started = true;
      }
    }
    return started;
  }

  /** Flushes the shops that are due, then follows sent batches. True when it did work. */
  async function flushRound(now: Date): Promise<boolean> {
    let worked = false;
    const ready = await readyShops(now);
    // Per-shop rounds with a batch budget: with several shops waiting each gets one batch of at
    // most CONTENDED_BATCH_REQUESTS per round, and up to eight shops are flushed at once (their calls to
    // Meta overlap), so a shop with 100,000 changes (a full sync, a bulk edit) delays the others by
    // a fraction of one call, not ten full ones (issue 14, npm run bench figure 6).
    const contended = ready.length > 1;
    const share = contended ? { maxBatches: 1, maxRequests: CONTENDED_BATCH_REQUESTS } : {};
    await eachAtMost(FLUSH_CONCURRENCY, ready, async (shop) => {
      // One shop's failure (its rows are released for a retry) must not hold up the others.
      try {
        const result = await flushShop({ db, client, log, leaseMs: options.leaseMs }, shop, share);
        if (result.products > 0) worked = true;
      } catch (error) {
        log.error({ shop, err: error }, "catalog flush failed; retrying later");
      }
    });
    // After the flushes, not beside them: a batch's settlement and a claim of the same shop's rows
    // deadlocked on PostgreSQL when they ran at once (found by the chaos run).
    if ((await pollBatches({ db, client, log, leaseMs: options.leaseMs, reviewFirstCheckMs: review.firstCheckMs })) > 0) worked = true;
    return worked;
  }

  async function tick(): Promise<boolean> {
    const now = new Date();
    let worked = await startDailySyncs(now);
    const syncing = await db.catalogConnection.findMany({ where: { fullSyncState: { in: ACTIVE_FULL_SYNC }, state: "CONNECTED" }, select: { shop: true } });
    // Full sync steps run beside the flushes: a step can take seconds (staging a large bulk export),
    // and awaited before them it held every other shop's changes meanwhile (issue 14, fairness).
    let stepsSettled = false;
    const steps = Promise.all(
      syncing.map(({ shop }) =>
        fullSyncStep({ db, client, log }, shop).catch((error: unknown) => {
          log.error({ shop, err: error }, "full sync step crashed; retrying later");
          return false;
        }),
      ),
    ).then((results) => {
      stepsSettled = true;
      return results.some(Boolean);
    });
    if (await flushRound(now)) worked = true;
    // While a long step runs, the other shops' changes keep going out.
    while (!stepsSettled) {
      await Promise.race([steps, new Promise((r) => setTimeout(r, Math.max(pollMs, 20)))]);
      if (!stepsSettled && (await flushRound(new Date()))) worked = true;
    }
    if (await steps) worked = true;
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
