import { startFullSync } from "../../../app/catalog/full-sync-state.server";
import { sealSecret } from "../../../app/vault/secrets.server";
import { seedInstalledShop } from "../../sandbox/seed";
import { BASE_TIME, type Delivery } from "../payloads";
import { runLoad, sleep, startShopifyStandin, startWeb, startWorker, until } from "../stack";
import { fmt, percentile, settled, setup, SHOP, type FigureContext, type FigureResult } from "./common";
import { store } from "./full-sync";

/**
 * Figure 6, fairness between shops (issue 14): ten shops each send 20
 * product updates a second (200/s in all, 100 products each) while shop A
 * runs a full sync of 20,000 products / 100,000 variants (a bulk export from
 * the strict Admin API stand-in, as figure 4, in a process of its own) and a bulk edit of 10,000 of
 * its products (10,000 products/update webhooks as fast as the app takes
 * them). The ten shops' freshness (their webhook's 200 → the item in their
 * catalog, as figure 3 measures it) is compared with the same load while
 * shop A is idle, in the same run. Targets: p99 under 3 s and within 1.5×
 * of idle. The fairness is the worker's (webhook changes before a full
 * sync's, one batch per shop per round, full sync steps beside the
 * flushes); the benchmark only drives and measures.
 */

const OTHERS = 10;
const RATE_PER_SHOP = 20;
const PRODUCTS_PER_SHOP = 100;
const BULK_EDIT = 10_000;
const otherShop = (i: number) => `fair-${i}.myshopify.com`;
const firstProduct = (i: number) => 3_000_000 + i * 10_000;

/** The ten shops' updates, interleaved so each shop gets RATE_PER_SHOP a second. */
function othersPlan(seconds: number, tag: string, startMs: number, firstVersion: number): Delivery[] {
  const plan: Delivery[] = [];
  const perShop = RATE_PER_SHOP * seconds;
  for (let n = 0; n < perShop; n++) {
    for (let shop = 0; shop < OTHERS; shop++) {
      const product = firstProduct(shop) + (n % PRODUCTS_PER_SHOP);
      const version = firstVersion + Math.floor(n / PRODUCTS_PER_SHOP);
      plan.push([product, startMs + version * 1000, `${tag}-${shop}-${n}`, version, shop]);
    }
  }
  return plan;
}

export async function fairnessFigure(ctx: FigureContext): Promise<FigureResult> {
  const seconds = ctx.quick ? 15 : 60;
  const products = ctx.quick ? 2_000 : 20_000;
  const bulkEdit = ctx.quick ? 2_000 : BULK_EDIT;
  const s = await setup(ctx, "fairness");
  const shops = Array.from({ length: OTHERS }, (_, i) => otherShop(i));
  for (const shop of shops) {
    const scenario = s.meta.scenario();
    await seedInstalledShop(s.db.db, shop);
    await s.db.db.catalogConnection.create({
      data: {
        shop,
        businessId: scenario.businessId,
        catalogId: scenario.catalogId,
        catalogName: `Catalog of ${shop}`,
        tokenCiphertext: sealSecret(shop, "catalog.token", scenario.catalogToken),
        scopes: ["catalog_management"],
        state: "CONNECTED",
      },
    });
  }
  // In a process of its own: generating the export in this one held the Meta simulator that times the items.
  const shopify = await startShopifyStandin(SHOP, products);
  const catalogA = store(products, products * 5);

  // product id -> [version, saved at], as figure 3 (the first variant stands for its product).
  const saved = new Map<number, [number, number][]>();
  s.meta.onItemSaved = ({ atMs, retailerId, title }) => {
    const match = /^shopify_(\d+)_(\d+)$/.exec(retailerId);
    if (!match || Number(match[1]) < firstProduct(0) || Number(match[2]) !== Number(match[1]) * 100 + 1) return;
    const version = Number(/ v(\d+)$/.exec(title)?.[1] ?? NaN);
    const list = saved.get(Number(match[1])) ?? [];
    list.push([version, atMs]);
    saved.set(Number(match[1]), list);
  };
  const web = await startWeb(s.db.url);
  const worker = startWorker(s.db.url, { url: s.meta.sim.url, appId: s.meta.sim.appId, appSecret: s.meta.sim.appSecret }, shopify.url);
  // No bulk_operations/finish webhook here (the stand-in runs apart): the worker's 3 s poll finds the export done.

  /** The ten shops' freshness for one run of their load (seconds per delivery). */
  const measure = async (tag: string, firstVersion: number, during?: () => Promise<unknown>) => {
    // Versions (and updated_at) of each round above the last round's: a state counts only once it is saved.
    const deliveries = othersPlan(seconds, tag, BASE_TIME + firstVersion * 1000, firstVersion);
    const [load] = await Promise.all([
      runLoad({ urls: [web.url], connections: 64, overallRate: RATE_PER_SHOP * OTHERS, shop: shops[0], shops, deliveries, recordCompletions: true }),
      during?.(),
    ]);
    const completions = load.completions ?? [];
    const presentAt = (i: number) => {
      const [productId, , , version] = deliveries[i];
      return saved.get(productId)?.find(([v]) => v >= version)?.[1];
    };
    await until(() => deliveries.every((_, i) => !completions[i] || presentAt(i) !== undefined), 120_000, "the ten shops' updates to reach their catalogs", 200).catch(
      (error: unknown) => ctx.log(String(error)),
    );
    const lags: number[] = [];
    // The worst lag per 5 s of the run, by when the webhook was answered: where the tail comes from.
    const worstBy5s = new Map<number, number>();
    let missing = 0;
    deliveries.forEach((_, i) => {
      if (!completions[i]) return;
      const at = presentAt(i);
      if (at === undefined) {
        missing += 1;
        return;
      }
      const lag = Math.max(0, at - completions[i]) / 1000;
      lags.push(lag);
      const window = Math.floor((completions[i] - phaseStart) / 5000) * 5;
      worstBy5s.set(window, Math.max(worstBy5s.get(window) ?? 0, lag));
    });
    const timeline = [...worstBy5s.entries()].sort((a, b) => a[0] - b[0]).map(([t, lag]) => `${t}s:${lag.toFixed(1)}`);
    return { p50: percentile(lags, 50), p99: percentile(lags, 99), max: Math.max(...lags), measured: lags.length, missing, perSecond: load.perSecond, statuses: load.statuses, timeline };
  };
  let phaseStart = Date.now();
  /** Shop A's full sync as it goes, seconds from the busy round's start (cursor changes). */
  const milestones: string[] = [];

  try {
    await until(() => worker.tail().includes("catalog worker started"), 30_000, "the worker to start", 100);
    ctx.log(`fairness: ${OTHERS} shops × ${RATE_PER_SHOP}/s for ${seconds} s, shop A idle`);
    phaseStart = performance.timeOrigin + performance.now();
    const idle = await measure("idle", 1);
    await until(() => settled(s), 60_000, "the idle round to settle", 200);

    ctx.log(`fairness: the same while shop A syncs ${fmt(products)} products / ${fmt(products * 5)} variants and bulk-edits ${fmt(bulkEdit)} products`);
    const started = Date.now();
    phaseStart = performance.timeOrigin + performance.now();
    let watching = true;
    const watcher = (async () => {
      let last = "";
      while (watching) {
        const conn = await s.db.db.catalogConnection.findUnique({ where: { shop: SHOP } });
        const state = `${conn?.fullSyncState} ${(conn?.fullSyncCursor ?? "").replace(/:[^:]*gid:\/\/shopify\/BulkOperation\/\d+/, "").replace(/^(bulk-\w+):.*$/, "$1")}`;
        if (state !== last) milestones.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${state}`);
        last = state;
        await sleep(250);
      }
    })();
    let bulkEditLoad: Awaited<ReturnType<typeof runLoad>> | undefined;
    const busy = await measure("busy", 10_000, async () => {
      await startFullSync(s.db.db, SHOP);
      // The bulk edit: newer than the store's snapshots (updated 2026-11-01T10:00), as fast as the app takes them.
      const edits: Delivery[] = catalogA.slice(0, bulkEdit).map((p, i) => [p.id, Date.parse("2026-11-02T00:00:00Z") + i, `edit-${i}`, 1]);
      bulkEditLoad = await runLoad({ urls: [web.url], connections: 8, shop: SHOP, deliveries: edits });
    });
    await until(
      async () => {
        const conn = await s.db.db.catalogConnection.findUniqueOrThrow({ where: { shop: SHOP } });
        if (conn.fullSyncState === "FAILED") throw new Error(`shop A's full sync failed: ${conn.fullSyncError}`);
        return conn.fullSyncState === "DONE" && (await settled(s));
      },
      600_000,
      "shop A's full sync to finish",
      500,
    );
    const aSeconds = (Date.now() - started) / 1000;
    watching = false;
    await watcher;
    ctx.log(`fairness: worst lag per 5 s while A is busy: ${busy.timeline.join(" ")}`);
    ctx.log(`fairness: shop A's full sync: ${milestones.join(", ")}`);
    const ratio = busy.p99 / idle.p99;
    const holdsP99 = busy.p99 < 3 && busy.missing === 0;
    const holdsRatio = ratio <= 1.5 && busy.missing === 0;
    return {
      rows: [
        {
          figure: "6 fairness",
          measure: `10 shops × 20/s, shop A idle: freshness p50 / p99 (max)`,
          value: `${fmt(idle.p50, 2)} / ${fmt(idle.p99, 2)} s (${fmt(idle.max, 2)} s)`,
          target: "-",
          holds: null,
        },
        {
          figure: "6 fairness",
          measure: `the same while A syncs ${fmt(products * 5)} variants + bulk-edits ${fmt(bulkEdit)}: p50 / p99 (max)`,
          value: `${fmt(busy.p50, 2)} / ${fmt(busy.p99, 2)} s (${fmt(busy.max, 2)} s)`,
          target: "p99 < 3 s",
          holds: holdsP99,
        },
        { figure: "6 fairness", measure: "busy p99 / idle p99", value: `×${fmt(ratio, 2)}`, target: "≤ ×1.5", holds: holdsRatio },
        { figure: "6 fairness", measure: "shop A: full sync + bulk edit done in", value: `${fmt(aSeconds, 1)} s`, target: "-", holds: null },
      ],
      data: { shops: OTHERS, ratePerShop: RATE_PER_SHOP, seconds, products, bulkEdit, idle, busy, ratio, shopASeconds: aSeconds, shopAMilestones: milestones, bulkEditLoad, itemsBatchCalls: s.meta.itemsBatchCalls() },
    };
  } finally {
    await web.stop();
    await worker.stop();
    await shopify.stop();
    await s.close();
  }
}
