import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { adminFetch } from "../helpers/shopify";
import { routeData } from "../helpers/route-data";
import { connectCatalog } from "../helpers/catalog";
import { freePort } from "../helpers/app-process";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator } from "../meta-sim";
import { clientFor } from "../meta-sim/testing";
import { createShopifySimulator, PLANS, type ShopifySimulator } from "../shopify-sim/server";
import { seedInstalledShop } from "../sandbox/seed";
import { fullSyncStep } from "../../app/catalog/full-sync.server";
import type { CatalogPageData } from "../../app/catalog/page-data.server";
import type { ShopOverview } from "../../app/shop.server";

/**
 * Every count on every page comes from one definition (issue 16, point 4):
 * the Catalog page's tiles, its table and the table's status filter, the
 * product page, the Overview and the product-page block's JSON agree on
 * every product, whatever its columns say. Before: a product with a change
 * waiting showed Pending in the table but counted as Synced in the summary
 * ("Pending 0" beside a Pending row), and the filter read the raw column.
 * The status is Meta's verdict (issue 17): before, the table said "Synced"
 * beside "Rejected" in the product's review card.
 */

const SHOWN = ["FAILED", "REJECTED", "NEEDS_FIXING", "PENDING", "SENT", "LIVE", "EXCLUDED"] as const;
type Shown = (typeof SHOWN)[number];

// The rule restated independently of the app's code: excluded stays excluded; otherwise a waiting
// change (dirty) or a batch Meta has not finished (PENDING) is pending; a refused one failed;
// otherwise Meta accepted it and its review decides (Sent until Meta gives a verdict).
const expectedStatus = (row: { status: string; dirty: boolean; review: string | null }): Shown => {
  if (row.status === "EXCLUDED") return "EXCLUDED";
  if (row.dirty || row.status === "PENDING") return "PENDING";
  if (row.status === "FAILED") return "FAILED";
  return row.review === "LIVE" || row.review === "REJECTED" || row.review === "NEEDS_FIXING" ? row.review : "SENT";
};

describe.each(providers())("one count of the products on every page, on %s", (provider) => {
  const t = useApp(provider);
  const shop = `counts-${provider}.myshopify.com`;

  // Every combination of the columns a status is read from, deleted products included (Exclude's flag alternates).
  const combos = ["PENDING", "SYNCED", "FAILED", "EXCLUDED"].flatMap((status) =>
    [false, true].flatMap((dirty) =>
      [null, "SENT", "LIVE", "REJECTED", "NEEDS_FIXING"].flatMap((review) => [false, true].map((deleted) => ({ status, dirty, review, deleted }))),
    ),
  );
  const rows = combos.map((c, i) => ({
    ...c,
    excluded: i % 3 === 0,
    productId: String(1000 + i),
    title: `Product ${i} ${c.status} ${c.dirty ? "dirty" : "clean"} ${c.review ?? "unread"}`,
  }));
  const live = rows.filter((r) => !r.deleted);

  it("agrees on every product's status and on the counts", async () => {
    await seedInstalledShop(t.db, shop);
    await t.db.catalogConnection.create({ data: { shop, catalogId: "900000000000001", catalogName: "Spring catalog", state: "CONNECTED" } });
    for (const r of rows) {
      await t.db.productSync.create({
        data: {
          shop,
          productId: r.productId,
          title: r.title,
          shopifyUpdatedAt: new Date("2026-11-01T10:00:00Z"),
          status: r.status,
          review: r.review,
          dirty: r.dirty,
          excluded: r.excluded,
          deleted: r.deleted,
          lastError: r.status === "FAILED" ? "Missing image" : null,
        },
      });
    }
    const expected = Object.fromEntries(SHOWN.map((s) => [s, live.filter((r) => expectedStatus(r) === s).length]));
    // Every status is shown by some product here, so no filter passes by listing nothing.
    for (const s of SHOWN) expect(expected[s], s).toBeGreaterThan(0);

    const catalog = await routeData<CatalogPageData>(t.url, shop, "/app/catalog?index", "routes/app.catalog._index");
    expect(catalog.status).toBe(200);
    expect(catalog.data!.summary.counts).toEqual(expected);
    expect(catalog.data!.summary.total).toBe(live.length);
    expect(catalog.data!.table.total).toBe(live.length);

    // The table, filtered by each status, lists exactly the products the tile counts, each showing that status.
    for (const status of SHOWN) {
      const filtered = await routeData<CatalogPageData>(t.url, shop, `/app/catalog?index&status=${status}`, "routes/app.catalog._index");
      expect(filtered.data!.table.total, status).toBe(expected[status]);
      expect(filtered.data!.table.rows.map((r) => r.status).every((s) => s === status), status).toBe(true);
      expect(filtered.data!.table.rows.map((r) => r.productId).sort()).toEqual(live.filter((r) => expectedStatus(r) === status).map((r) => r.productId).sort());
    }

    // Every row of the unfiltered table (two pages) and every product page shows the same status.
    const all = [
      ...catalog.data!.table.rows,
      ...(await routeData<CatalogPageData>(t.url, shop, "/app/catalog?index&page=2", "routes/app.catalog._index")).data!.table.rows,
    ];
    expect(all.map((r) => r.productId).sort()).toEqual(live.map((r) => r.productId).sort());
    for (const r of live) {
      const shown = expectedStatus(r);
      expect(all.find((x) => x.productId === r.productId)?.status, r.title).toBe(shown);
      const product = await routeData<{ status: string }>(t.url, shop, `/app/catalog/${r.productId}`, "routes/app.catalog.$productId");
      expect(product.data?.status, r.title).toBe(shown);
      const block = (await (await adminFetch(t.url, `/api/products/${r.productId}/sync-status`, shop)).json()) as { product: { status: string } };
      expect(block.product.status, r.title).toBe(shown);
    }
    // A deleted product is on no page.
    for (const r of rows.filter((x) => x.deleted)) {
      expect((await adminFetch(t.url, `/app/catalog/${r.productId}.data`, shop)).status, r.title).toBe(404);
    }

    // The Overview says what the Catalog page says.
    const overview = await routeData<ShopOverview>(t.url, shop, "/app", "routes/app._index");
    expect(overview.data!.products).toEqual(expected);
  });
});

/**
 * Resync all in the same units as the counts: while it runs, every product the app has is counted,
 * so the progress names the products Shopify no longer has (before: "Pending 13" beside "12
 * products read of 12"); once done, it says what it removed and why.
 */
const META_PORT = await freePort();
const SHOPIFY_PORT = await freePort();

describe.each(providers())("Resync all's figures agree with the counts, on %s", (provider) => {
  const t = useApp(provider, { META_GRAPH_URL: `http://127.0.0.1:${META_PORT}` });
  const shop = `resync-counts-${provider}.myshopify.com`;
  let meta: MetaSimulator;
  let shopify: ShopifySimulator;

  beforeAll(async () => {
    meta = await createMetaSimulator({ port: META_PORT });
    meta.control.configure({ batchDelayMs: 10 });
    shopify = await createShopifySimulator({ port: SHOPIFY_PORT, plan: PLANS.plus });
    process.env.SHOPIFY_ADMIN_API_URL = shopify.url;
    shopify.setShop(shop, { currencyCode: "EUR", primaryDomain: "shop.example.com" });
    shopify.setProducts(shop, Array.from({ length: 12 }, (_, i) => productPayload({ id: 7100 + i }, 1)));
  });
  afterAll(async () => {
    await meta?.close();
    await shopify?.close();
  });

  it("names the product Shopify no longer has while the resync runs, and says it removed it", async () => {
    await connectCatalog(t.db, meta, shop);
    // A product the app had (a webhook brought it) that Shopify no longer has.
    const before = new Date(Date.now() - 3_600_000);
    await t.db.productSync.create({
      data: { shop, productId: "7001", title: "Sandbox Tee", shopifyUpdatedAt: before, createdAt: before, status: "SYNCED", dirty: false },
    });
    const resync = await adminFetch(t.url, "/app/catalog?index", shop, { method: "POST", body: new URLSearchParams({ intent: "resync" }) });
    expect(resync.status).toBe(200);

    // The worker's steps, one at a time, until every product is read and only the reconciliation is left.
    const deps = { db: t.db, client: clientFor(meta).client, log: pino({ level: "silent" }) };
    for (let i = 0; i < 20; i++) {
      const conn = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
      if (conn.fullSyncState === "RUNNING" && conn.fullSyncCursor === "END") break;
      await fullSyncStep(deps, shop);
    }
    const running = await routeData<CatalogPageData>(t.url, shop, "/app/catalog?index", "routes/app.catalog._index");
    const progress = running.data!.progress!;
    expect(progress).toMatchObject({ state: "RUNNING", processed: 12, total: 12, notInShopify: 1 });
    // 13 products counted = 12 read from Shopify + 1 named as no longer there.
    expect(running.data!.summary.total).toBe(13);
    expect(running.data!.summary.total).toBe(progress.processed + progress.notInShopify!);

    await fullSyncStep(deps, shop);
    const done = await routeData<CatalogPageData>(t.url, shop, "/app/catalog?index", "routes/app.catalog._index");
    expect(done.data!.progress).toMatchObject({ state: "DONE", total: 12, removed: 1, strays: 0, notInShopify: null });
    expect(done.data!.summary.total).toBe(12);
    const html = await (await adminFetch(t.url, "/app/catalog", shop)).text();
    expect(html).toContain("removed 1 product that Shopify no longer has");
  });
});
