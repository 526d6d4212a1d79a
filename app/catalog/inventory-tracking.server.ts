import { dialect, placeholders, providerOfDb, sqlExecute, sqlQuery, sqlTransaction, type Db } from "../db.server";
import type { AdminClient } from "./admin-products.server";
import type { ProductSnapshot, VariantSnapshot } from "./product-payload";

/**
 * Whether Shopify tracks a variant's stock. Product webhooks carried it as
 * `inventory_management` until API 2024-07 ("Product Variant Field Cleanup",
 * https://shopify.dev/changelog/product-variant-field-cleanup: replaced by
 * the inventory item's `tracked`). A sold-out variant that sells only from
 * stock is "out of stock" when tracked and "in stock" when not, so the answer
 * matters exactly there, and is kept per inventory item (InventoryItemState):
 * the full sync writes what it read (`inventoryItem.tracked`), the
 * inventory_items/create|update webhooks write theirs (their body is the
 * inventory item alone, no variant id; product webhook variants name their
 * `inventory_item_id`), and what is still unknown when the worker needs it is
 * looked up through the Admin API. A later product webhook, which never says,
 * loses nothing.
 */

export interface TrackingRow {
  inventoryItemId: string;
  productId?: string | null;
  variantId?: string | null;
  tracked: boolean;
  updatedAt: Date;
}

/**
 * Whether this variant's availability depends on tracking the payload does
 * not state (a `tracked` the full sync put in the snapshot may be older than
 * what an inventory_items webhook saved since, so the stored state wins).
 */
export function needsTracking(v: VariantSnapshot): boolean {
  if (v.inventory_management !== undefined) return false;
  if (v.inventory_policy === "continue") return false;
  return (v.inventory_quantity ?? 0) <= 0;
}

const ROWS_PER_STATEMENT = 150; // 6 values each: under SQLite's 999 bound values

/**
 * Saves tracking states, keeping the newer one per inventory item, and fills
 * in the variant an item belongs to once it is known.
 */
export async function saveTracking(db: Db, shop: string, rows: TrackingRow[]) {
  if (rows.length === 0) return;
  const provider = providerOfDb(db);
  const stamp = provider === "postgresql" ? "::timestamp(3)" : "";
  const bool = provider === "postgresql" ? "::boolean" : "";
  const sql = (count: number) =>
    dialect(
      provider,
      `INSERT INTO "InventoryItemState" ("shop", "inventoryItemId", "productId", "variantId", "tracked", "shopifyUpdatedAt")
       VALUES ${Array.from({ length: count }, (_, i) => {
         const n = 1 + i * 6;
         return `($${n}, $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}${bool}, $${n + 5}${stamp})`;
       }).join(", ")}
       ON CONFLICT ("shop", "inventoryItemId") DO UPDATE SET
         "tracked" = CASE WHEN excluded."shopifyUpdatedAt" >= "InventoryItemState"."shopifyUpdatedAt" THEN excluded."tracked" ELSE "InventoryItemState"."tracked" END,
         "shopifyUpdatedAt" = CASE WHEN excluded."shopifyUpdatedAt" >= "InventoryItemState"."shopifyUpdatedAt" THEN excluded."shopifyUpdatedAt" ELSE "InventoryItemState"."shopifyUpdatedAt" END,
         "productId" = COALESCE(excluded."productId", "InventoryItemState"."productId"),
         "variantId" = COALESCE(excluded."variantId", "InventoryItemState"."variantId")`,
    );
  // One row per item in a statement (PostgreSQL refuses to update a row twice in one INSERT ... ON CONFLICT).
  const unique = [...new Map(rows.map((r) => [r.inventoryItemId, r])).values()];
  await sqlTransaction(db, async (tx) => {
    for (let i = 0; i < unique.length; i += ROWS_PER_STATEMENT) {
      const chunk = unique.slice(i, i + ROWS_PER_STATEMENT);
      await tx.execute({
        sql: sql(chunk.length),
        args: chunk.flatMap((r) => [shop, r.inventoryItemId, r.productId ?? null, r.variantId ?? null, r.tracked, r.updatedAt]),
      });
    }
  });
}

/** What the full sync read: every variant's tracking, so later webhooks can do without it. */
export async function rememberTracking(db: Db, shop: string, products: ProductSnapshot[], readAt: Date) {
  const rows: TrackingRow[] = [];
  for (const p of products) {
    for (const v of p.variants) {
      if (v.inventory_item_id && v.tracked != null) rows.push({ inventoryItemId: v.inventory_item_id, productId: p.id, variantId: v.id, tracked: v.tracked, updatedAt: readAt });
    }
  }
  await saveTracking(db, shop, rows);
}

/**
 * Fills in `tracked` on every variant of `products` whose availability needs
 * it: from InventoryItemState, else from the Admin API (saved for next time).
 * Throws when the Admin API cannot answer; the caller retries those products later.
 */
export async function resolveTracking(db: Db, shop: string, products: ProductSnapshot[], admin: () => Promise<AdminClient>) {
  const wanted = products.flatMap((p) => p.variants.filter(needsTracking).map((v) => ({ productId: p.id, v })));
  if (wanted.length === 0) return;
  const provider = providerOfDb(db);
  const known = new Map<string, boolean>(); // by inventory item id, and by "v:" + variant id
  const itemIds = [...new Set(wanted.map((w) => w.v.inventory_item_id).filter((id): id is string => Boolean(id)))];
  const variantIds = [...new Set(wanted.filter((w) => !w.v.inventory_item_id).map((w) => w.v.id))];
  for (const [column, ids, prefix] of [["inventoryItemId", itemIds, ""], ["variantId", variantIds, "v:"]] as const) {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await sqlQuery(db, {
        sql: dialect(provider, `SELECT "${column}", "tracked" FROM "InventoryItemState" WHERE "shop" = $1 AND "${column}" IN (${placeholders(2, chunk.length)})`),
        args: [shop, ...chunk],
      });
      for (const [id, tracked] of rows) known.set(prefix + String(id), tracked === true || tracked === 1 || tracked === 1n);
    }
  }
  const lookup = (w: (typeof wanted)[number]) =>
    (w.v.inventory_item_id ? known.get(w.v.inventory_item_id) : known.get(`v:${w.v.id}`)) ?? w.v.tracked ?? undefined;
  const missing = wanted.filter((w) => lookup(w) === undefined);
  if (missing.length) {
    const client = await admin();
    const found = await client.variantInventory([...new Set(missing.map((w) => w.v.id))]);
    const productOf = new Map(missing.map((w) => [w.v.id, w.productId]));
    await saveTracking(
      db,
      shop,
      found.map((f) => ({ inventoryItemId: f.inventoryItemId, productId: productOf.get(f.variantId), variantId: f.variantId, tracked: f.tracked, updatedAt: new Date(f.updatedAt) })),
    );
    for (const f of found) {
      known.set(f.inventoryItemId, f.tracked);
      known.set(`v:${f.variantId}`, f.tracked);
    }
  }
  for (const w of wanted) {
    const tracked = lookup(w) ?? known.get(`v:${w.v.id}`);
    if (tracked !== undefined) w.v.tracked = tracked;
  }
}

/**
 * inventory_items/create and inventory_items/update: saves the item's
 * `tracked` unless a newer state is stored; when it changed and the variant
 * it belongs to is known, that product goes out again.
 */
export async function receiveInventoryItem(db: Db, shop: string, item: { inventoryItemId: string; tracked: boolean; updatedAt: Date }) {
  // Like product webhooks: nothing is kept for a shop that is not installed.
  if (!(await db.shop.findFirst({ where: { domain: shop, uninstalledAt: null }, select: { domain: true } }))) return "unknown-shop" as const;
  const before = await db.inventoryItemState.findUnique({ where: { shop_inventoryItemId: { shop, inventoryItemId: item.inventoryItemId } } });
  if (before && before.shopifyUpdatedAt > item.updatedAt) return "stale" as const;
  await saveTracking(db, shop, [item]);
  if (!before || before.tracked === item.tracked || !before.productId) return "stored" as const;
  const provider = providerOfDb(db);
  const stamp = provider === "postgresql" ? "::timestamp(3)" : "";
  await sqlExecute(db, {
    sql: dialect(
      provider,
      `UPDATE "ProductSync" SET "dirty" = true, "dirtySince" = CASE WHEN "dirty" THEN "dirtySince" ELSE $3${stamp} END,
         "version" = "version" + 1, "attempts" = 0, "nextAttemptAt" = NULL, "updatedAt" = $3${stamp}
       WHERE "shop" = $1 AND "productId" = $2 AND "deleted" = false`,
    ),
    args: [shop, before.productId, new Date()],
  });
  return "resynced" as const;
}
