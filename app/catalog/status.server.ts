import type { Db } from "../db.server";
import { classifyError } from "./failure-kinds";
import { variantLabel, type VariantLabel } from "./variant-label";
import { CAUSES, readItemVerdicts, type Verdict } from "./verdict";
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
  // Of the products whose outcome is known (Meta's verdict, or the app could not send them), how many are Live.
  const settled = counts.LIVE + counts.REJECTED + counts.NEEDS_FIXING + counts.FAILED;
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
    successRate: settled ? counts.LIVE / settled : null,
    errorGroups: [...groups.values()].sort((a, b) => b.count - a.count),
  };
}

export async function productTable(db: Db, shop: string, opts: { query?: string; status?: string; page?: number }) {
  const page = Math.max(1, opts.page ?? 1);
  const { rows, total } = await productPage(db, shop, { query: opts.query, status: opts.status, skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE });
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

/** How far the app got with an item, before Meta's review: Meta accepted it (SYNCED), or the product's own status. */
export type ItemSync = "PENDING" | "SYNCED" | "FAILED" | "EXCLUDED";

const syncOf = (product: SyncStatus): ItemSync => (product === "PENDING" || product === "FAILED" || product === "EXCLUDED" ? product : "SYNCED");

export interface PushedItemView {
  retailerId: string;
  /** The Shopify variant the item comes from, in the merchant's words. */
  variant: VariantLabel;
  title: string;
  price: string;
  availability: string;
  status: ItemSync;
  error: string | null;
  /** What Meta shows for this variant (issue 17): the sync status, then Meta's review. */
  verdict: Verdict;
  /** Meta's reason and what to change in Shopify, when Meta holds it back. */
  reason: string | null;
  fix: string | null;
  /** The image Meta could not download. */
  image: string | null;
  /** Why Meta holds it back, in a few words (the cause's label). */
  cause: string | null;
}

/**
 * A variant's status within its product's. Of a failed product whose failure names variants, those
 * failed and the others went out (issue 16: "2 of 2 variants were not accepted" when Meta took one);
 * a failure of the whole product (too large to send) fails every variant. Otherwise each variant has
 * the product's status.
 */
function itemStatus(product: ItemSync, refused: boolean, someRefused: boolean): ItemSync {
  if (product !== "FAILED" || !someRefused) return product;
  return refused ? "FAILED" : "SYNCED";
}

/** One product: what was last pushed, per-item status and errors, its last batch. */
export async function productDetail(db: Db, shop: string, productId: string) {
  const found = await productWithBatch(db, shop, productId);
  if (!found) return null;
  const { row, batch } = found;
  // The product's one status (Meta's verdict); its items first follow how far the app got with it.
  const status = statusOf(row);
  const sync = syncOf(status);
  const problems = new Map(
    (Array.isArray(row.itemErrors) ? (row.itemErrors as { retailerId?: string; reason?: string }[]) : []).map((p) => [p.retailerId ?? "", p.reason ?? ""]),
  );
  const pushed = (Array.isArray(row.pushedItems) ? row.pushedItems : []) as Record<string, unknown>[];
  const reviews = new Map(readItemVerdicts(row.itemReviews).map((v) => [v.r, v]));
  const none = { reason: null, fix: null, image: null, cause: null };
  const items: PushedItemView[] = pushed.map((item) => {
    const retailerId = String(item.id);
    const itemState = itemStatus(sync, problems.has(retailerId), problems.size > 0);
    // What Meta shows for the variant: its sync status until Meta accepted it, then Meta's review (Sent until read).
    const review = reviews.get(retailerId);
    const verdict: Verdict = itemState === "SYNCED" ? (review?.verdict ?? "SENT") : itemState;
    const judged = verdict === "REJECTED" || verdict === "NEEDS_FIXING";
    return {
      retailerId,
      variant: variantLabel(row.snapshot, retailerId),
      title: String(item.title ?? ""),
      price: String(item.sale_price ?? item.price ?? ""),
      availability: String(item.availability ?? ""),
      status: itemState,
      error: problems.get(retailerId) ?? null,
      verdict,
      ...(judged && review ? { reason: review.reason, fix: review.fix, image: review.image, cause: review.cause ? CAUSES[review.cause].label : null } : none),
    };
  });
  // Variants never sent (no image, no price) appear with their reason.
  for (const [retailerId, reason] of problems) {
    if (!items.some((i) => i.retailerId === retailerId)) {
      const itemState = itemStatus(sync, true, true);
      items.push({
        retailerId,
        variant: variantLabel(row.snapshot, retailerId),
        title: row.title,
        price: "",
        availability: "",
        status: itemState,
        error: reason,
        verdict: itemState === "SYNCED" ? "SENT" : itemState,
        ...none,
      });
    }
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
    verdict: status,
    // Freshness: Shopify changed it, the app learned of it, Meta accepted it, Meta last gave a verdict.
    changedAt: row.changedAt,
    sentAt: row.sentAt,
    confirmedAt: row.confirmedAt,
    lagMs: row.sentAt && row.changedAt ? Math.max(0, row.sentAt.getTime() - row.changedAt.getTime()) : null,
    items,
    batch: batch ? { id: batch.id, handle: batch.handle, status: batch.status, itemCount: batch.itemCount, createdAt: batch.createdAt, finishedAt: batch.finishedAt } : null,
  };
}

/** "Sync now", "Exclude", "Include again": each marks the product dirty for the worker. */
export function setProductSync(db: Db, shop: string, productId: string, change: "sync" | "exclude" | "include") {
  return markProductDirty(db, shop, productId, change === "sync" ? {} : { excluded: change === "exclude" });
}
