import type { Db } from "../db.server";
import type { AdminClient } from "./admin-products.server";
import type { ProductSnapshot, VariantSnapshot } from "./product-payload";
import { saveTracking, trackingOf, trackingRow, type TrackingRow } from "./store/inventory.server";
import { markProductDirty } from "./store/products.server";

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
  const itemIds = [...new Set(wanted.map((w) => w.v.inventory_item_id).filter((id): id is string => Boolean(id)))];
  const variantIds = [...new Set(wanted.filter((w) => !w.v.inventory_item_id).map((w) => w.v.id))];
  // By inventory item id, and by "v:" + variant id.
  const known = new Map<string, boolean>(await trackingOf(db, shop, "inventoryItemId", itemIds));
  for (const [id, tracked] of await trackingOf(db, shop, "variantId", variantIds)) known.set(`v:${id}`, tracked);
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
  const before = await trackingRow(db, shop, item.inventoryItemId);
  if (before && before.shopifyUpdatedAt > item.updatedAt) return "stale" as const;
  await saveTracking(db, shop, [item]);
  if (!before || before.tracked === item.tracked || !before.productId) return "stored" as const;
  await markProductDirty(db, shop, before.productId);
  return "resynced" as const;
}
