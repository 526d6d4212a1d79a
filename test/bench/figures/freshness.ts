import { ingestPlan } from "../payloads";
import { runLoad, sleep, startWeb, startWorker, until } from "../stack";
import { fmt, percentile, setup, SHOP, type FigureContext, type FigureResult } from "./common";

/**
 * Figure 3, freshness: a steady 200 updates/s for 60 s (the load
 * generator's paced mode, one delivery every 5 ms) over 2,000 products, with the worker on its default 1 s flush
 * interval. For each delivery: the time from its 200 (seen by the load
 * generator) to the moment the simulator's catalog holds that state of the
 * product or a newer one (a hook on the catalog's item Map, in this process;
 * both clocks are this machine's).
 */

const RATE = 200;
const PRODUCTS = 2000;

export async function freshnessFigure(ctx: FigureContext): Promise<FigureResult> {
  const seconds = ctx.quick ? 15 : 60;
  const s = await setup(ctx, "freshness");
  // product id -> [version, saved at] in the order the catalog saved them.
  const saved = new Map<number, [number, number][]>();
  s.meta.onItemSaved = ({ atMs, retailerId, title }) => {
    const match = /^shopify_(\d+)_(\d+)$/.exec(retailerId);
    if (!match || Number(match[2]) !== Number(match[1]) * 100 + 1) return; // the first variant stands for its product
    const version = Number(/ v(\d+)$/.exec(title)?.[1] ?? NaN);
    const productId = Number(match[1]);
    const list = saved.get(productId) ?? [];
    list.push([version, atMs]);
    saved.set(productId, list);
  };
  const web = await startWeb(s.db.url);
  const worker = startWorker(s.db.url, { url: s.meta.sim.url, appId: s.meta.sim.appId, appSecret: s.meta.sim.appSecret });
  try {
    await sleep(1000);
    const deliveries = ingestPlan(RATE * seconds, { products: PRODUCTS, firstProductId: 1, tag: "fresh" });
    ctx.log(`freshness: ${RATE}/s for ${seconds} s over ${fmt(PRODUCTS)} products`);
    // Up to 64 requests in flight, so 200/s stay offered when a response is slow.
    const load = await runLoad({ urls: [web.url], connections: 64, overallRate: RATE, shop: SHOP, deliveries, recordCompletions: true });
    const completions = load.completions ?? [];
    const presentAt = (i: number) => {
      const [productId, , , version] = deliveries[i];
      return saved.get(productId)?.find(([v]) => v >= version)?.[1];
    };
    await until(() => deliveries.every((_, i) => completions[i] === 0 || presentAt(i) !== undefined), 30_000, "every update to reach the catalog", 200).catch(
      (error: unknown) => ctx.log(String(error)),
    );
    const lags: number[] = [];
    let missing = 0;
    deliveries.forEach((_, i) => {
      const at = presentAt(i);
      if (!completions[i]) return;
      if (at === undefined) missing += 1;
      else lags.push(Math.max(0, at - completions[i]) / 1000);
    });
    const p50 = percentile(lags, 50);
    const p99 = percentile(lags, 99);
    const max = Math.max(...lags);
    const rows = [
      {
        figure: "3 freshness",
        measure: `200 → in catalog, p50 (${RATE}/s for ${seconds} s; got ${fmt(load.perSecond)}/s)`,
        value: `${fmt(p50, 2)} s`,
        target: "< 1.5 s",
        holds: p50 < 1.5 && missing === 0,
      },
      { figure: "3 freshness", measure: "200 → in catalog, p99 (max)", value: `${fmt(p99, 2)} s (${fmt(max, 2)} s)`, target: "< 3 s", holds: p99 < 3 && missing === 0 },
    ];
    if (missing) rows.push({ figure: "3 freshness", measure: "updates never seen in the catalog", value: String(missing), target: "0", holds: false });
    return {
      rows,
      data: {
        rate: RATE,
        seconds,
        products: PRODUCTS,
        deliveries: deliveries.length,
        achievedPerSecond: load.perSecond,
        webhookLatencyMs: load.latencyMs,
        statuses: load.statuses,
        freshnessSeconds: { p50, p90: percentile(lags, 90), p99, max, mean: lags.reduce((a, b) => a + b, 0) / Math.max(1, lags.length) },
        measured: lags.length,
        missing,
        itemsBatchCalls: s.meta.itemsBatchCalls(),
      },
    };
  } finally {
    await web.stop();
    await worker.stop();
    await s.close();
  }
}
