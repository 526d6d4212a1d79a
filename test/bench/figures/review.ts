import { ingestPlan } from "../payloads";
import { runLoad, sleep, startWeb, startWorker, until } from "../stack";
import { fmt, settled, setup, SHOP, type FigureContext, type FigureResult } from "./common";

/**
 * Figure 7, Meta's review read-back (issue 17): what one check of every item
 * costs in Graph calls. 4,000 products of 5 variants (20,000 items) go to the
 * catalog, the simulator approves them, and the worker (`npm run worker`,
 * first check 1 s after Meta accepted a batch) reads the verdicts back; then
 * every product is made due again and one full check is counted: the
 * simulator's `GET /{catalog-id}/products` calls per 1,000 items (target at
 * most 1) and its duration. Last, the simulator's usage headers report the
 * business at 100 % and the check is asked for again: the worker must stop
 * after the call that showed it (at most 1 call).
 */

const PRODUCTS = 4000;
const VARIANTS = 5;
const READ = "GET /{catalog-id}/products";

export async function reviewFigure(ctx: FigureContext): Promise<FigureResult> {
  const products = ctx.quick ? 400 : PRODUCTS;
  const items = products * VARIANTS;
  const s = await setup(ctx, "review");
  const sim = s.meta.sim;
  sim.control.configure({ reviewDelayMs: 0 });
  const web = await startWeb(s.db.url);
  const worker = startWorker(s.db.url, { url: sim.url, appId: sim.appId, appSecret: sim.appSecret }, undefined, "worker", {
    CATALOG_REVIEW_FIRST_CHECK_MS: "1000",
  });
  const db = s.db.db;
  const reads = () => sim.control.callCounts()[READ] ?? 0;
  const live = () => db.productSync.count({ where: { shop: SHOP, status: "SYNCED", review: "LIVE" } });
  try {
    await sleep(1000);
    ctx.log(`review: ${fmt(products)} products, ${fmt(items)} items`);
    await runLoad({ urls: [web.url], connections: 32, shop: SHOP, deliveries: ingestPlan(products, { products, firstProductId: 1, tag: "review" }) });
    await until(() => settled(s), 300_000, "every product sent and settled", 200);
    await until(async () => (await live()) === products, 300_000, "every product Live", 200);
    const firstReads = reads();

    // One full check: every product due now.
    sim.control.resetCallCounts();
    const since = new Date();
    await db.productSync.updateMany({ where: { shop: SHOP }, data: { reviewCheckAt: since } });
    const t0 = Date.now();
    await until(async () => (await db.productSync.count({ where: { shop: SHOP, confirmedAt: { gte: since } } })) === products, 300_000, "one full check", 100);
    const checkSeconds = (Date.now() - t0) / 1000;
    const calls = reads();
    const perThousand = calls / (items / 1000);

    // Meta's usage headers at 100 %: the read-back stops after the call that said so.
    sim.control.configure({ usageLimitPerWindow: 1 });
    sim.control.resetCallCounts();
    await db.productSync.updateMany({ where: { shop: SHOP }, data: { reviewCheckAt: new Date() } });
    await sleep(5000);
    const throttledCalls = reads();

    return {
      rows: [
        {
          figure: "7 review read-back",
          measure: `Graph calls per 1,000 items per check (${fmt(items)} items: ${fmt(calls)} calls in ${fmt(checkSeconds, 1)} s)`,
          value: fmt(perThousand, 2),
          target: "≤ 1",
          holds: perThousand <= 1,
        },
        { figure: "7 review read-back", measure: "calls while Meta's usage reads ≥ 75 % (5 s)", value: String(throttledCalls), target: "≤ 1", holds: throttledCalls <= 1 },
      ],
      data: { products, items, firstCheckReads: firstReads, checkCalls: calls, callsPerThousandItems: perThousand, checkSeconds, throttledCalls },
    };
  } finally {
    await web.stop();
    await worker.stop();
    await s.close();
  }
}
