import type { Db } from "../../db.server";
import { asTime, join, raw, sql, sqlOf, typed } from "../../sql.server";

/**
 * InventoryItemState: whether Shopify tracks each inventory item's stock
 * (inventory-tracking.server.ts says why the worker needs it), the newest
 * state kept per item.
 */

export interface TrackingRow {
  inventoryItemId: string;
  productId?: string | null;
  variantId?: string | null;
  tracked: boolean;
  updatedAt: Date;
}

const ROWS_PER_STATEMENT = 150;

/** Saves tracking states, keeping the newer one per inventory item, and fills in the variant an item belongs to once it is known. */
export async function saveTracking(db: Db, shop: string, rows: TrackingRow[]) {
  // One row per item in a statement (PostgreSQL refuses to update a row twice in one INSERT ... ON CONFLICT).
  const unique = [...new Map(rows.map((r) => [r.inventoryItemId, r])).values()];
  if (unique.length === 0) return;
  const newer = `excluded."shopifyUpdatedAt" >= "InventoryItemState"."shopifyUpdatedAt"`;
  await sqlOf(db).transaction(async (tx) => {
    for (let i = 0; i < unique.length; i += ROWS_PER_STATEMENT) {
      const values = unique
        .slice(i, i + ROWS_PER_STATEMENT)
        .map((r) => sql`(${shop}, ${r.inventoryItemId}, ${r.productId ?? null}, ${r.variantId ?? null}, ${typed(r.tracked, "boolean")}, ${asTime(r.updatedAt)})`);
      await tx.run(
        sql`INSERT INTO "InventoryItemState" ("shop", "inventoryItemId", "productId", "variantId", "tracked", "shopifyUpdatedAt")
            VALUES ${join(values)}
            ON CONFLICT ("shop", "inventoryItemId") DO UPDATE SET
              "tracked" = CASE WHEN ${raw(newer)} THEN excluded."tracked" ELSE "InventoryItemState"."tracked" END,
              "shopifyUpdatedAt" = CASE WHEN ${raw(newer)} THEN excluded."shopifyUpdatedAt" ELSE "InventoryItemState"."shopifyUpdatedAt" END,
              "productId" = COALESCE(excluded."productId", "InventoryItemState"."productId"),
              "variantId" = COALESCE(excluded."variantId", "InventoryItemState"."variantId")`,
      );
    }
  });
}

/** Stored tracking by inventory item id or by variant id (`by`), for the ids asked. */
export async function trackingOf(db: Db, shop: string, by: "inventoryItemId" | "variantId", ids: string[]): Promise<Map<string, boolean>> {
  const found = new Map<string, boolean>();
  for (let i = 0; i < ids.length; i += 500) {
    const column = raw(`"${by}"`);
    const rows = await sqlOf(db).query(
      sql`SELECT ${column}, "tracked" FROM "InventoryItemState" WHERE "shop" = ${shop} AND ${column} IN (${join(ids.slice(i, i + 500))})`,
    );
    for (const [id, tracked] of rows) found.set(String(id), tracked === true || tracked === 1);
  }
  return found;
}

/** One item's stored state, or null. */
export function trackingRow(db: Db, shop: string, inventoryItemId: string) {
  return db.inventoryItemState.findUnique({ where: { shop_inventoryItemId: { shop, inventoryItemId } } });
}
