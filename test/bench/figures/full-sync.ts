import { startFullSync } from "../../../app/catalog/full-sync-state.server";
import { productPayload } from "../../fixtures/products";
import { createShopifySimulator } from "../../shopify-sim/server";
import { sendWebhook } from "../../helpers/shopify";
import { peakRssMb, startWeb, startWorker, until } from "../stack";
import { fmt, setup, SHOP, type FigureContext, type FigureResult } from "./common";

/**
 * Figure 4, full sync scale: 20,000 products / 100,000 variants served by
 * the Admin API stand-in (test/shopify-sim), a full sync started on a
 * connected catalog (startFullSync, as "Resync all" does), the worker
 * alone. Wall time until the catalog holds every item and nothing is left
 * to send or to check, the worker's peak RSS (VmHWM), and the Graph calls.
 * Above 2,000 products the sync uses a bulk export: as Shopify does, the
 * benchmark sends the signed bulk_operations/finish webhook to the app (a
 * web process runs beside the worker) the moment the stand-in's export
 * completes; the worker's 3 s poll is only the fallback for a lost webhook.
 */

const VARIANTS = 5;

export async function fullSyncFigure(ctx: FigureContext): Promise<FigureResult> {
  const products = ctx.quick ? 2_000 : 20_000;
  const items = products * VARIANTS;
  const s = await setup(ctx, "fullsync");
  const shopify = await createShopifySimulator();
  shopify.setProducts(SHOP, Array.from({ length: products }, (_, i) => productPayload({ id: 1_000_000 + i }, VARIANTS)));
  const web = await startWeb(s.db.url);
  const worker = startWorker(s.db.url, { url: s.meta.sim.url, appId: s.meta.sim.appId, appSecret: s.meta.sim.appSecret }, shopify.url);
  const notified = new Set<string>();
  const deliverFinishWebhooks = async () => {
    for (const op of shopify.bulkOperations()) {
      if (op.status !== "COMPLETED" || notified.has(op.id)) continue;
      notified.add(op.id);
      const res = await sendWebhook(web.url, "/webhooks/bulk_operations", "bulk_operations/finish", { admin_graphql_api_id: op.id, status: "completed", error_code: null }, { shop: op.shop });
      if (res.status !== 200) throw new Error(`bulk_operations/finish answered ${res.status}`);
    }
  };
  try {
    // Let the worker boot (module loading is not part of a sync).
    await until(() => worker.tail().includes("catalog worker started"), 30_000, "the worker to start", 100);
    ctx.log(`fullsync: ${fmt(products)} products / ${fmt(items)} variants`);
    s.meta.sim.control.resetCallCounts();
    const started = Date.now();
    await startFullSync(s.db.db, SHOP);
    let rssPeak = 0;
    await until(
      async () => {
        rssPeak = Math.max(rssPeak, peakRssMb(worker.pid) ?? 0);
        await deliverFinishWebhooks();
        const conn = await s.db.db.catalogConnection.findUniqueOrThrow({ where: { shop: SHOP } });
        if (conn.fullSyncState === "FAILED") throw new Error(`the full sync failed: ${conn.fullSyncError}`);
        if (conn.fullSyncState !== "DONE") return false;
        const [dirty, open] = await Promise.all([
          s.db.db.productSync.count({ where: { dirty: true } }),
          s.db.db.catalogBatch.count({ where: { status: "SENT" } }),
        ]);
        return dirty === 0 && open === 0 && s.meta.sim.control.catalogItemCount(s.catalogId) === items;
      },
      ctx.quick ? 120_000 : 300_000,
      "the full sync to finish",
      50,
    );
    const seconds = (Date.now() - started) / 1000;
    rssPeak = Math.max(rssPeak, peakRssMb(worker.pid) ?? 0);
    const calls = s.meta.sim.control.callCounts();
    const itemsBatch = s.meta.itemsBatchCalls();
    const bound = Math.ceil(items / 5000);
    const synced = await s.db.db.productSync.count({ where: { status: "SYNCED" } });
    return {
      rows: [
        { figure: "4 full sync", measure: `${fmt(products)} products / ${fmt(items)} variants: wall time`, value: `${fmt(seconds, 1)} s`, target: "< 60 s", holds: seconds < 60 },
        { figure: "4 full sync", measure: "worker peak RSS (VmHWM)", value: `${fmt(rssPeak)} MB`, target: "< 300 MB", holds: rssPeak > 0 && rssPeak < 300 },
        {
          figure: "4 full sync",
          measure: "items_batch calls (all Graph calls)",
          value: `${itemsBatch} (${Object.values(calls).reduce((a, b) => a + b, 0)})`,
          target: `${bound} ± 1`,
          holds: Math.abs(itemsBatch - bound) <= 1,
        },
        { figure: "4 full sync", measure: "products SYNCED / catalog items", value: `${fmt(synced)} / ${fmt(s.meta.sim.control.catalogItemCount(s.catalogId))}`, target: "all", holds: synced === products },
      ],
      data: {
        products,
        items,
        seconds,
        workerPeakRssMb: rssPeak,
        itemsBatchCalls: itemsBatch,
        graphCalls: calls,
        adminApiRequests: shopify.requests(),
        bulkFinishWebhooks: notified.size,
        productsSynced: synced,
      },
    };
  } finally {
    await web.stop();
    await worker.stop();
    await shopify.close();
    await s.close();
  }
}
