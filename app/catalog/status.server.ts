import type { Db } from "../db.server";
import { classifyError } from "./failure-kinds";
import { variantLabel, type VariantLabel } from "./variant-label";
import { failureMessages, markProductDirty, productPage, productWithBatch, shopCounts, statusOf, STATUSES, type SyncStatus } from "./store/products.server";

export { STATUSES, type SyncStatus };

/** What the catalog pages show: counts, grouped errors, the product table, one product's items. */

export const PAGE_SIZE = 25;

export interface ErrorGroup {
  kind: string;
  action: string;
  count: number;
  example: string;
}

export async function catalogSummary(db: Db, shop: string) {
  const [{ byStatus: counts, total }, failures] = await Promise.all([shopCounts(db, shop), failureMessages(db, shop)]);
  const settled = counts.SYNCED + counts.FAILED;
  const groups = new Map<string, ErrorGroup>();
  for (const message of failures) {
    const { kind, action } = classifyError(message);
    const group = groups.get(kind) ?? { kind, action, count: 0, example: message };
    group.count += 1;
    groups.set(kind, group);
  }
  return {
    counts,
    total,
    successRate: settled ? counts.SYNCED / settled : null,
    errorGroups: [...groups.values()].sort((a, b) => b.count - a.count),
  };
}

export async function productTable(db: Db, shop: string, opts: { query?: string; status?: string; page?: number }) {
  const page = Math.max(1, opts.page ?? 1);
  const { rows, total } = await productPage(db, shop, { query: opts.query, status: opts.status, skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE });
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

export interface PushedItemView {
  retailerId: string;
  /** The Shopify variant the item comes from, in the merchant's words. */
  variant: VariantLabel;
  title: string;
  price: string;
  availability: string;
  status: SyncStatus;
  error: string | null;
}

/**
 * A variant's status within its product's. Of a failed product whose failure names variants, those
 * failed and the others went out (issue 16: "2 of 2 variants were not accepted" when Meta took one);
 * a failure of the whole product (too large to send) fails every variant. Otherwise each variant has
 * the product's status.
 */
function itemStatus(product: SyncStatus, refused: boolean, someRefused: boolean): SyncStatus {
  if (product !== "FAILED" || !someRefused) return product;
  return refused ? "FAILED" : "SYNCED";
}

/** One product: what was last pushed, per-item status and errors, its last batch. */
export async function productDetail(db: Db, shop: string, productId: string) {
  const found = await productWithBatch(db, shop, productId);
  if (!found) return null;
  const { row, batch } = found;
  const status = statusOf(row);
  const problems = new Map(
    (Array.isArray(row.itemErrors) ? (row.itemErrors as { retailerId?: string; reason?: string }[]) : []).map((p) => [p.retailerId ?? "", p.reason ?? ""]),
  );
  const pushed = (Array.isArray(row.pushedItems) ? row.pushedItems : []) as Record<string, unknown>[];
  const items: PushedItemView[] = pushed.map((item) => ({
    retailerId: String(item.id),
    variant: variantLabel(row.snapshot, String(item.id)),
    title: String(item.title ?? ""),
    price: String(item.sale_price ?? item.price ?? ""),
    availability: String(item.availability ?? ""),
    status: itemStatus(status, problems.has(String(item.id)), problems.size > 0),
    error: problems.get(String(item.id)) ?? null,
  }));
  // Variants never sent (no image, no price) appear with their reason.
  for (const [retailerId, reason] of problems) {
    if (!items.some((i) => i.retailerId === retailerId)) items.push({ retailerId, variant: variantLabel(row.snapshot, retailerId), title: row.title, price: "", availability: "", status: itemStatus(status, true, true), error: reason });
  }
  return {
    productId: row.productId,
    title: row.title,
    status,
    dirty: row.dirty,
    excluded: row.excluded,
    lastError: row.lastError,
    lastSyncedAt: row.lastSyncedAt,
    shopifyUpdatedAt: row.shopifyUpdatedAt,
    items,
    batch: batch ? { id: batch.id, handle: batch.handle, status: batch.status, itemCount: batch.itemCount, createdAt: batch.createdAt, finishedAt: batch.finishedAt } : null,
  };
}

/** "Sync now", "Exclude", "Include again": each marks the product dirty for the worker. */
export function setProductSync(db: Db, shop: string, productId: string, change: "sync" | "exclude" | "include") {
  return markProductDirty(db, shop, productId, change === "sync" ? {} : { excluded: change === "exclude" });
}
