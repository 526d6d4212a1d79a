import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "../../db.server";
import type { ProductSnapshot } from "../product-payload";
import { isVerdict, REVIEWS, VERDICTS, verdictOf, type Verdict } from "../verdict";
import { asTime, chunkedTransactions, jsonColumn, raw, sql, sqlOf, typed, type Sql } from "../../sql.server";

/**
 * ProductSync, the catalog outbox (docs/decisions/003-outbox.md): one row
 * per shop and product with its newest Shopify snapshot, what was last
 * pushed to Meta, and `dirty` while a change waits for the worker.
 * Webhooks (deliveries.server.ts) and the full sync upsert it, the worker
 * claims and finishes rows (outbox.server.ts), the pages read it (here).
 */

/**
 * A product's status, as every page shows and counts it: the Catalog page's
 * tiles, tabs and table (its filter too), the product page, the Overview, the
 * product-page block's JSON (issue 16: the pages disagreed when each read the
 * columns its own way). It is Meta's verdict (issue 17), defined once in
 * app/catalog/verdict.ts verdictOf: Failed, Rejected, Needs fixing, Pending,
 * Sent, Live, Excluded, in the order the table's tabs offer them (what needs
 * the merchant first). A deleted product is no longer the shop's: never
 * listed, never counted.
 *
 * The definition is written twice, as a filter for the database (STATUS_WHERE) and for
 * one row (verdictOf); test/integration/catalog-counts.test.ts holds the two together on
 * every combination of the columns. Adding a status means adding it to both.
 */
export const STATUSES = VERDICTS;
export type SyncStatus = Verdict;

/** The columns a status is read from. */
export interface StatusColumns {
  status: string;
  dirty: boolean;
  review: string | null;
}

/** One row's status (the definition above). */
export const statusOf = (row: StatusColumns): SyncStatus => verdictOf(row);

/** Meta accepted its last change (nothing waiting): its review decides. */
const accepted = { status: "SYNCED", dirty: false } as const;
const JUDGED = REVIEWS.filter((r) => r !== "SENT");

/** The rows of each status (the definition above), for the database. */
const STATUS_WHERE: Record<SyncStatus, Prisma.ProductSyncWhereInput> = {
  FAILED: { status: "FAILED", dirty: false },
  REJECTED: { ...accepted, review: "REJECTED" },
  NEEDS_FIXING: { ...accepted, review: "NEEDS_FIXING" },
  PENDING: { status: { not: "EXCLUDED" }, OR: [{ dirty: true }, { status: { notIn: ["SYNCED", "FAILED"] } }] },
  // Not read yet (null), Sent, or anything unknown: still under review.
  SENT: { ...accepted, OR: [{ review: null }, { review: { notIn: JUDGED } }] },
  LIVE: { ...accepted, review: "LIVE" },
  EXCLUDED: { status: "EXCLUDED" },
};

export const isSyncStatus = isVerdict;

/** The shop's products (deleted ones are not), optionally of one status. */
const shopProducts = (shop: string, status?: SyncStatus): Prisma.ProductSyncWhereInput => ({
  shop,
  deleted: false,
  ...(status ? STATUS_WHERE[status] : {}),
});

/** A product's state as Shopify sent it (a webhook) or as a full sync read it (`seenInFullSync`: the run). */
export interface ProductState {
  shop: string;
  productId: string;
  title: string;
  /** The snapshot as JSON text. */
  snapshot: string;
  shopifyUpdatedAt: Date;
  seenInFullSync: string | null;
}

export function productState(shop: string, product: ProductSnapshot, seenInFullSync: string | null = null): ProductState {
  return {
    shop,
    productId: product.id,
    title: product.title.slice(0, 500),
    snapshot: JSON.stringify(product),
    shopifyUpdatedAt: new Date(product.updated_at),
    seenInFullSync,
  };
}

/**
 * A change waits to be sent: dirty, a new version, its backoff reset, waiting since its first unsent change.
 * `bulk`: a full sync's (or a new catalog's) change, which waits behind the shop's webhook changes
 * (outbox.server.ts claimRows); a row already waiting as a webhook change keeps its place.
 */
const markDirty = (now: Date, bulk: boolean) =>
  sql`"dirty" = true,
    "dirtySince" = CASE WHEN "ProductSync"."dirty" THEN "ProductSync"."dirtySince" ELSE ${asTime(now)} END,
    "bulk" = ${bulk ? sql`CASE WHEN "ProductSync"."dirty" AND NOT "ProductSync"."bulk" THEN false ELSE true END` : sql`false`},
    "version" = "ProductSync"."version" + 1, "attempts" = 0, "nextAttemptAt" = NULL, "updatedAt" = ${asTime(now)}`;

/**
 * Stores a product's state, the one upsert of webhooks and full syncs: a
 * newer snapshot replaces the stored one (an older or equal one never does:
 * an equal `updated_at` is the same state delivered again); a full sync's
 * run marks the row seen and dirty whatever its age; a deleted product stays
 * deleted (Shopify never reuses ids). Changes no row when the state is stale.
 * The conflict is re-checked under the row lock, so of two concurrent
 * deliveries for one product the older cannot win. `from` (PostgreSQL's
 * single-statement ingest) names the row this insert depends on.
 */
export function upsertProduct(state: ProductState, now: Date, from = sql``): Sql {
  const newer = `excluded."shopifyUpdatedAt" > "ProductSync"."shopifyUpdatedAt"`;
  const ifNewer = (column: string) => raw(`"${column}" = CASE WHEN ${newer} THEN excluded."${column}" ELSE "ProductSync"."${column}" END`);
  const bulk = state.seenInFullSync !== null;
  return sql`INSERT INTO "ProductSync" ("id", "shop", "productId", "title", "snapshot", "shopifyUpdatedAt", "seenInFullSync", "dirty", "dirtySince", "bulk", "status", "createdAt", "updatedAt")
    SELECT ${randomUUID()}, ${state.shop}, ${state.productId}, ${state.title}, ${typed(state.snapshot, "jsonb")}, ${asTime(state.shopifyUpdatedAt)},
      ${state.seenInFullSync}, true, ${asTime(now)}, ${bulk ? sql`true` : sql`false`}, 'PENDING', ${asTime(now)}, ${asTime(now)} ${from} WHERE true
    ON CONFLICT ("shop", "productId") DO UPDATE SET
      ${ifNewer("title")}, ${ifNewer("snapshot")}, ${ifNewer("shopifyUpdatedAt")},
      "seenInFullSync" = COALESCE(excluded."seenInFullSync", "ProductSync"."seenInFullSync"),
      ${markDirty(now, bulk)}
    WHERE "ProductSync"."deleted" = false AND (${raw(newer)} OR excluded."seenInFullSync" IS NOT NULL)`;
}

/** products/delete: the row is marked deleted (once), and the worker removes every retailer id it pushed. */
export function upsertDeletion(shop: string, productId: string, at: Date, now: Date, from = sql``): Sql {
  return sql`INSERT INTO "ProductSync" ("id", "shop", "productId", "shopifyUpdatedAt", "deleted", "dirty", "dirtySince", "status", "createdAt", "updatedAt")
    SELECT ${randomUUID()}, ${shop}, ${productId}, ${asTime(at)}, true, true, ${asTime(now)}, 'PENDING', ${asTime(now)}, ${asTime(now)} ${from} WHERE true
    ON CONFLICT ("shop", "productId") DO UPDATE SET "deleted" = true, ${markDirty(now, false)}
    WHERE "ProductSync"."deleted" = false`;
}

/** A full sync's page of products, every one marked dirty and seen by the run. */
export async function storeProducts(db: Db, shop: string, runId: string, products: ProductSnapshot[], now = new Date()) {
  await chunkedTransactions(sqlOf(db), products, async (tx, chunk) => {
    for (const product of chunk) await tx.run(upsertProduct(productState(shop, product, runId), now));
  });
}

/** "Sync now", "Exclude", "Include again", or a stock-tracking change: the product goes out again. False when unknown or deleted. */
export async function markProductDirty(db: Db, shop: string, productId: string, change: { excluded?: boolean } = {}, now = new Date()) {
  const excluded = change.excluded === undefined ? sql`` : sql`, "excluded" = ${change.excluded}`;
  const changed = await sqlOf(db).run(
    sql`UPDATE "ProductSync" SET ${markDirty(now, false)}, "status" = 'PENDING'${excluded}
        WHERE "shop" = ${shop} AND "productId" = ${productId} AND "deleted" = false`,
  );
  return changed > 0;
}

/** A new catalog: every product goes there in full, whatever was pushed to the previous one. */
export async function markAllForNewCatalog(db: Db, shop: string, now = new Date()) {
  await sqlOf(db).run(
    sql`UPDATE "ProductSync" SET "pushedRetailerIds" = '[]', "pushedItems" = '[]', "status" = 'PENDING', ${markDirty(now, true)}
        WHERE "shop" = ${shop} AND "deleted" = false`,
  );
}

/** A batch Meta canceled or failed as a whole: its products go out again. */
export async function markBatchForResend(db: Db, shop: string, batchId: string, now: Date) {
  await sqlOf(db).run(
    sql`UPDATE "ProductSync" SET "status" = 'PENDING', ${markDirty(now, true)}
        WHERE "shop" = ${shop} AND "lastBatchId" = ${batchId} AND "dirty" = false`,
  );
}

/** Products a full sync did not see, that no webhook created or changed since the run began: gone from Shopify. */
const unseenByRun = (shop: string, runId: string, startedAt: Date) =>
  sql`"shop" = ${shop} AND "deleted" = false AND "createdAt" < ${asTime(startedAt)} AND "shopifyUpdatedAt" < ${asTime(startedAt)}
      AND ("seenInFullSync" IS NULL OR "seenInFullSync" <> ${runId})`;

/** A full sync's reconciliation: the products it did not see are deleted. */
export async function markUnseenDeleted(db: Db, shop: string, runId: string, startedAt: Date, now = new Date()) {
  return sqlOf(db).run(sql`UPDATE "ProductSync" SET "deleted" = true, ${markDirty(now, true)} WHERE ${unseenByRun(shop, runId, startedAt)}`);
}

/** How many products the reconciliation will delete, once the run has read every product (the page says so meanwhile). */
export async function countUnseen(db: Db, shop: string, runId: string, startedAt: Date): Promise<number> {
  const rows = await sqlOf(db).query(sql`SELECT COUNT(*) FROM "ProductSync" WHERE ${unseenByRun(shop, runId, startedAt)}`);
  return Number(rows[0]?.[0] ?? 0);
}

/** The retailer ids each of the shop's products (deleted ones included) last pushed, by product id. */
export async function pushedIdsByProduct(db: Db, shop: string): Promise<Map<string, Set<string>>> {
  const rows = await sqlOf(db).query(sql`SELECT "productId", "pushedRetailerIds" FROM "ProductSync" WHERE "shop" = ${shop}`);
  const result = new Map<string, Set<string>>();
  for (const [productId, ids] of rows) {
    const list = jsonColumn(ids);
    result.set(String(productId), new Set(Array.isArray(list) ? list.filter((v): v is string => typeof v === "string") : []));
  }
  return result;
}

export interface ShopCounts {
  /** How many of the shop's products have each status. */
  byStatus: Record<SyncStatus, number>;
  /** The shop's products: the sum of byStatus. */
  total: number;
}

/** The one count of the shop's products by status, for every page that shows one. */
export async function shopCounts(db: Db, shop: string): Promise<ShopCounts> {
  const groups = await db.productSync.groupBy({ by: ["status", "dirty", "review"], where: shopProducts(shop), _count: { _all: true } });
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<SyncStatus, number>;
  for (const group of groups) byStatus[statusOf(group)] += group._count._all;
  return { byStatus, total: STATUSES.reduce((n, s) => n + byStatus[s], 0) };
}

/** Why products failed, for grouping on the catalog page (at most `limit`). */
export async function failureMessages(db: Db, shop: string, limit = 1000): Promise<string[]> {
  const rows = await db.productSync.findMany({ where: shopProducts(shop, "FAILED"), select: { lastError: true }, take: limit });
  return rows.map((r) => r.lastError ?? "Unknown error");
}

/** One page of the shop's products, newest change first, optionally by title and status. */
export async function productPage(db: Db, shop: string, filter: { query?: string; status?: string; skip: number; take: number }) {
  const where: Prisma.ProductSyncWhereInput = {
    ...shopProducts(shop, isSyncStatus(filter.status) ? filter.status : undefined),
    ...(filter.query ? { title: { contains: filter.query } } : {}),
  };
  const [rows, total] = await Promise.all([
    db.productSync.findMany({
      where,
      orderBy: [{ updatedAt: "desc" }, { id: "asc" }],
      skip: filter.skip,
      take: filter.take,
      select: { productId: true, title: true, status: true, review: true, lastError: true, lastSyncedAt: true, dirty: true, excluded: true, updatedAt: true },
    }),
    db.productSync.count({ where }),
  ]);
  return { rows: rows.map((row) => ({ ...row, status: statusOf(row) })), total };
}

/** One product's row with the batch it last went out in; null when unknown or deleted. */
export async function productWithBatch(db: Db, shop: string, productId: string) {
  const row = await db.productSync.findUnique({ where: { shop_productId: { shop, productId } } });
  if (!row || row.deleted) return null;
  const batch = row.lastBatchId ? await db.catalogBatch.findUnique({ where: { id: row.lastBatchId } }) : null;
  return { row, batch };
}

// In the catalog for WhatsApp commerce (products-in-catalog.server.ts says what that means): Meta shows it (Live).
const IN_CATALOG = { status: "SYNCED", review: "LIVE", deleted: false, excluded: false } as const;

/** How many of the shop's products are in the catalog. */
export async function inCatalogCount(db: Db, shop: string): Promise<number> {
  return db.productSync.count({ where: { shop, ...IN_CATALOG } });
}

/** The shop's products in the catalog, by title, at most `take`; only `productIds` when given. */
export async function inCatalogRows(db: Db, shop: string, opts: { take: number; productIds?: string[] }) {
  return db.productSync.findMany({
    where: { shop, ...IN_CATALOG, ...(opts.productIds ? { productId: { in: opts.productIds } } : {}) },
    select: { productId: true, title: true, pushedItems: true, pushedRetailerIds: true, snapshot: true },
    orderBy: [{ title: "asc" }, { productId: "asc" }],
    take: opts.take,
  });
}

/** shop/redact: the sync's rows of the shop, as writes for the caller's transaction. */
export function forgetShopSync(db: Db, shop: string) {
  const where = { shop };
  return [
    db.productSync.deleteMany({ where }),
    db.catalogBatch.deleteMany({ where }),
    db.webhookDelivery.deleteMany({ where }),
    db.inventoryItemState.deleteMany({ where }),
    db.bulkExportLine.deleteMany({ where }),
  ];
}
