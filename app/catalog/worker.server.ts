import { hostname } from "node:os";
import { MAX_BATCH_REQUESTS } from "../meta/index.server";
import { workerLoop, type Worker, type WorkerDeps } from "../worker-loop.server";
import { batchesToPoll, pollBatch } from "./batch-status.server";
import { dailySchedule } from "./daily-sync";
import { ACTIVE_FULL_SYNC, fullSyncStep } from "./full-sync.server";
import { startFullSync } from "./full-sync-state.server";
import { pruneDeliveries } from "./store/deliveries.server";
import { dirtyShops } from "./store/outbox.server";
import { reviewShop, shopsToReview } from "./review-readback.server";
import { ShopLanes, type Task } from "./shop-lanes";
import { flushShop } from "./sync.server";

/**
 * The catalog sync worker: flushes a shop when its oldest change has waited
 * the flush interval or a full batch is waiting, follows sent batches, reads
 * back Meta's review and runs full sync steps, each shop in a lane of its own
 * (shop-lanes.ts). Safe to run several times over (leases keep workers apart).
 */

type Kind = "flush" | "poll" | "review";
/** Shops flushed at once: their Graph calls overlap, so one shop's slow call does not hold the others. */
const FLUSH_CONCURRENCY = 8;
/** Batch status checks at once (each of another shop). */
const POLL_CONCURRENCY = 4;
/** Review read-backs at once: the least urgent work. */
const REVIEW_CONCURRENCY = 2;
/** A shop's batch when other shops are waiting too: one call of this size, then its lane is free again. */
const CONTENDED_BATCH_REQUESTS = 1000;
/** At most one look for due work per this many ms, however often tasks end (each look reads the outbox). */
const PASS_GAP_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

  /** Shops to flush now, those with webhook changes waiting first; `contended` when several shops have changes. */
  async function readyShops(now: Date): Promise<{ shops: string[]; contended: boolean }> {
    const dirty = await dirtyShops(db, now);
    const contended = dirty.length > 1;
    if (dirty.length === 0) return { shops: [], contended };
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
    if (due.length === 0) return { shops: [], contended };
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
    return { shops: due.map((d) => d.shop).filter((shop) => ok.has(shop)), contended };
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

  /** Reviews found due, waiting for their shop's lane. */
  const reviewsWaiting = new Set<string>();
  const syncDeps = { db, client, log, leaseMs: options.leaseMs };
  const pollDeps = { ...syncDeps, reviewFirstCheckMs: review.firstCheckMs };
  const reviewDeps = { db, client, log, ...review };

  /** Everything due now, most urgent first: webhook changes' flushes, then batch polls, then review read-backs. */
  async function dueTasks(now: Date): Promise<Task<Kind>[]> {
    const ready = await readyShops(now);
    // A shop's batch budget: with other shops' changes waiting each flush is one batch of at most
    // CONTENDED_BATCH_REQUESTS, so a shop with 100,000 changes (a full sync, a bulk edit) takes its
    // lane for one call at a time and its batches get polled in between (issue 14, figure 6).
    const share = ready.contended ? { maxBatches: 1, maxRequests: CONTENDED_BATCH_REQUESTS } : {};
    const tasks: Task<Kind>[] = ready.shops.map((shop) => ({
      shop,
      kind: "flush",
      run: async () => (await flushShop(syncDeps, shop, share)).products > 0,
    }));
    for (const batch of await batchesToPoll(pollDeps, now)) tasks.push({ shop: batch.shop, kind: "poll", id: batch.id, run: () => pollBatch(pollDeps, batch, new Date()) });
    if (now.getTime() - lastReview >= reviewPollMs) {
      lastReview = now.getTime();
      for (const shop of await shopsToReview(reviewDeps, now)) reviewsWaiting.add(shop);
    }
    for (const shop of reviewsWaiting) {
      tasks.push({
        shop,
        kind: "review",
        run: async () => {
          reviewsWaiting.delete(shop);
          const read = await reviewShop(reviewDeps, shop);
          return read.calls + read.products + read.diagnostics > 0;
        },
      });
    }
    return tasks;
  }

  /** Full sync steps due: they run beside the shop's flushes (a step can take seconds staging a bulk export). */
  async function dueSteps(): Promise<Task<"step">[]> {
    const syncing = await db.catalogConnection.findMany({ where: { fullSyncState: { in: ACTIVE_FULL_SYNC }, state: "CONNECTED" }, select: { shop: true } });
    return syncing.map(({ shop }) => ({ shop, kind: "step", run: () => fullSyncStep({ db, client, log }, shop) }));
  }

  // Each shop's lane (shop-lanes.ts): its flushes, batch polls and review read-backs one at a time,
  // other shops' beside them. Full sync steps have lanes of their own: a shop's webhook changes
  // keep going out while its step stages a bulk export.
  const lanes = new ShopLanes<Kind>({ flush: FLUSH_CONCURRENCY, poll: POLL_CONCURRENCY, review: REVIEW_CONCURRENCY });
  const steps = new ShopLanes<"step">({ step: Number.POSITIVE_INFINITY });
  let worked = false;
  /** Tasks that last found nothing to do rest for pollMs (key → until). */
  const quietUntil = new Map<string, number>();
  const key = (task: { kind: string; shop: string; id?: string }) => `${task.kind} ${task.id ?? task.shop}`;
  const settled = (task: { kind: string; shop: string }, did: boolean, error?: unknown) => {
    if (error) log.error({ shop: task.shop, err: error }, `catalog ${task.kind} failed; retrying later`);
    if (did) worked = true;
    else quietUntil.set(key(task), Date.now() + pollMs);
  };
  const running = () => lanes.size + steps.size > 0;
  const nextEnd = () => Promise.race([lanes.next(), steps.next(), sleep(pollMs)]);

  /** Starts what is due in the free lanes (those `may` allows); returns the tasks started. */
  async function pass(may: (task: Task<string>) => boolean) {
    const now = new Date();
    if (await startDailySyncs(now)) worked = true;
    const started = [...steps.start((await dueSteps()).filter(may), settled), ...lanes.start((await dueTasks(now)).filter(may), settled)];
    if (Date.now() - lastPrune > 3600_000) {
      lastPrune = Date.now();
      await pruneDeliveries(db);
    }
    return started;
  }

  /**
   * The running worker's round: starts what is due, then waits until a task
   * ends (or pollMs), so that a shop's next task starts as soon as its lane
   * is free and no shop waits for another's (issue 14, figure 6).
   */
  async function schedule(): Promise<boolean> {
    const now = Date.now();
    for (const [k, until] of quietUntil) if (until <= now) quietUntil.delete(k);
    await pass((task) => !quietUntil.has(key(task)));
    if (!running()) return takeWorked();
    await nextEnd();
    // Each pass reads the outbox: at most one every PASS_GAP_MS, however often tasks end.
    const gap = Math.min(PASS_GAP_MS, pollMs) - (Date.now() - now);
    if (gap > 0) await sleep(gap);
    return true;
  }

  /**
   * One whole round (tests and tools drive the worker with it): every task
   * due now or becoming due while the round runs, each at most once, all of
   * them finished when it returns. True when it did work.
   */
  async function tick(): Promise<boolean> {
    const done = new Set<string>();
    for (;;) {
      for (const task of await pass((task) => !done.has(key(task)))) done.add(key(task));
      if (!running()) return takeWorked();
      await nextEnd();
    }
  }

  function takeWorked() {
    const did = worked;
    worked = false;
    return did;
  }

  const loop = workerLoop({ name: "catalog worker", log, fields: { worker: id, flushIntervalMs }, pollMs, round: schedule });
  return {
    id,
    tick,
    run: loop.run,
    async stop() {
      await loop.stop();
      // Tasks still running finish (their rows would otherwise stay leased until the lease ends).
      await Promise.all([lanes.idle(), steps.idle()]);
    },
  };
}
