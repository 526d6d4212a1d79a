import { describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { adminFetch } from "../helpers/shopify";
import { routeData } from "../helpers/route-data";
import { seedInstalledShop } from "../sandbox/seed";
import type { CatalogPageData } from "../../app/catalog/page-data.server";
import type { ShopOverview } from "../../app/shop.server";

/**
 * Every count on every page comes from one definition (issue 16, point 4):
 * the Catalog page's tiles, its table and the table's status filter, the
 * product page, the Overview and the product-page block's JSON agree on
 * every product, whatever its columns say. Before: a product with a change
 * waiting showed Pending in the table but counted as Synced in the summary
 * ("Pending 0" beside a Pending row), and the filter read the raw column.
 */

type Shown = "FAILED" | "PENDING" | "SYNCED" | "EXCLUDED";

// The rule restated independently of the app's code: excluded stays excluded; otherwise a waiting
// change (dirty) or a batch Meta has not finished (PENDING) is pending; otherwise Meta's verdict.
const expectedStatus = (row: { status: string; dirty: boolean }): Shown =>
  row.status === "EXCLUDED" ? "EXCLUDED" : row.dirty || row.status === "PENDING" ? "PENDING" : (row.status as Shown);

describe.each(providers())("one count of the products on every page, on %s", (provider) => {
  const t = useApp(provider);
  const shop = `counts-${provider}.myshopify.com`;

  // Every combination of the columns a status is read from, deleted products included.
  const combos = ["PENDING", "SYNCED", "FAILED", "EXCLUDED"].flatMap((status) =>
    [false, true].flatMap((dirty) => [false, true].flatMap((excluded) => [false, true].map((deleted) => ({ status, dirty, excluded, deleted })))),
  );
  const rows = combos.map((c, i) => ({ ...c, productId: String(1000 + i), title: `Product ${i} ${c.status} ${c.dirty ? "dirty" : "clean"}` }));
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
          dirty: r.dirty,
          excluded: r.excluded,
          deleted: r.deleted,
          lastError: r.status === "FAILED" ? "Missing image" : null,
        },
      });
    }
    const expected = Object.fromEntries((["FAILED", "PENDING", "SYNCED", "EXCLUDED"] as const).map((s) => [s, live.filter((r) => expectedStatus(r) === s).length]));

    const catalog = await routeData<CatalogPageData>(t.url, shop, "/app/catalog?index", "routes/app.catalog._index");
    expect(catalog.status).toBe(200);
    expect(catalog.data!.summary.counts).toEqual(expected);
    expect(catalog.data!.summary.total).toBe(live.length);
    expect(catalog.data!.table.total).toBe(live.length);

    // The table, filtered by each status, lists exactly the products the tile counts, each showing that status.
    for (const status of ["FAILED", "PENDING", "SYNCED", "EXCLUDED"] as const) {
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
    expect(overview.data!.products).toEqual({ pending: expected.PENDING, synced: expected.SYNCED, failed: expected.FAILED, excluded: expected.EXCLUDED });
  });
});
