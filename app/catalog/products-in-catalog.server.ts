import type { Db } from "../db.server";
import { inCatalogCount, inCatalogRows } from "./store/products.server";

/**
 * Which of the shop's products the Meta catalog holds, for WhatsApp commerce
 * (issue 18): the readiness checklist counts them and the product picker
 * lists them. Read-only, from the outbox's rows; the outbox itself is not
 * touched here.
 *
 * "In the catalog" means Meta shows it: the app's last push succeeded
 * (SYNCED) and Meta's review approved it (Live, issue 17; app/catalog/verdict.ts).
 * A product Meta accepted but has not reviewed yet, or rejected, cannot be
 * sent in a product message. The rows are read in store/products.server.ts.
 */

export interface CatalogProductChoice {
  productId: string;
  title: string;
  /** The retailer id a product message names: the product's first variant as pushed. */
  retailerId: string;
  /** Every variant's retailer id as pushed. */
  retailerIds: string[];
  price: string | null;
  imageUrl: string | null;
  /** Where a multi-product message files it: the product type, else the vendor. */
  group: string | null;
}

/** How many of the shop's products count as in the catalog. */
export async function productsInCatalogCount(db: Db, shop: string): Promise<number> {
  return inCatalogCount(db, shop);
}

const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

/**
 * The shop's products in the catalog, by title, at most `limit`; only those
 * named in `productIds` when given (another shop's ids find nothing).
 */
export async function productsInCatalog(db: Db, shop: string, opts: { limit?: number; productIds?: string[] } = {}): Promise<CatalogProductChoice[]> {
  const rows = await inCatalogRows(db, shop, { take: opts.limit ?? 100, productIds: opts.productIds });
  const choices: CatalogProductChoice[] = [];
  for (const row of rows) {
    const items = (Array.isArray(row.pushedItems) ? row.pushedItems : []) as Record<string, unknown>[];
    const ids = Array.isArray(row.pushedRetailerIds) ? row.pushedRetailerIds.filter((id): id is string => typeof id === "string") : [];
    const first = items[0];
    const retailerId = text(first?.id) ?? ids[0];
    if (!retailerId) continue; // nothing of it is in the catalog
    const snapshot = (row.snapshot ?? {}) as Record<string, unknown>;
    choices.push({
      productId: row.productId,
      title: row.title || text(first?.title) || row.productId,
      retailerId,
      retailerIds: ids.length ? ids : [retailerId],
      price: text(first?.sale_price) ?? text(first?.price),
      imageUrl: text(first?.image_link),
      group: text(snapshot.product_type) ?? text(snapshot.vendor),
    });
  }
  return choices;
}
