import type { Db, Prisma } from "../../db.server";
import type { Review } from "../verdict";

/**
 * Meta's review of what the app sent (issue 17), on ProductSync and
 * CatalogConnection: which products are due for a read-back, what Meta
 * showed per item and per product, the catalog's diagnostics, and the page's
 * reads (counts per verdict, problems, freshness). The read-back itself is
 * app/catalog/review-readback.server.ts.
 */

const DUE = (now: Date) => ({ deleted: false, status: "SYNCED", reviewCheckAt: { lte: now } }) as const;

/** Shops with products whose review is due, oldest due first. */
export async function shopsWithDueReviews(db: Db, now: Date): Promise<string[]> {
  const groups = await db.productSync.groupBy({ by: ["shop"], where: DUE(now), _min: { reviewCheckAt: true } });
  return groups.sort((a, b) => (a._min.reviewCheckAt?.getTime() ?? 0) - (b._min.reviewCheckAt?.getTime() ?? 0)).map((g) => g.shop);
}

/** A shop's products whose review is due, at most `limit`, the longest waiting first. */
export async function dueReviews(db: Db, shop: string, now: Date, limit: number) {
  return db.productSync.findMany({
    where: { shop, ...DUE(now) },
    orderBy: [{ reviewCheckAt: "asc" }, { id: "asc" }],
    take: limit,
    select: { id: true, productId: true, pushedRetailerIds: true, reviewChecks: true, review: true, sentAt: true },
  });
}

export interface ReviewUpdate {
  id: string;
  /** The send this read-back judged: a product sent again meanwhile is left to its next read-back. */
  sentAt: Date | null;
  review: Review;
  itemReviews: Prisma.InputJsonValue;
  /** Meta gave a verdict (approved or refused): when it was read. */
  confirmedAt: Date | null;
  reviewCheckAt: Date;
  reviewChecks: number;
}

/** Records what Meta showed, 50 products per transaction. */
export async function recordReviews(db: Db, updates: ReviewUpdate[]) {
  for (let i = 0; i < updates.length; i += 50) {
    await db.$transaction(
      updates.slice(i, i + 50).map((u) =>
        db.productSync.updateMany({
          where: { id: u.id, status: "SYNCED", sentAt: u.sentAt },
          data: {
            review: u.review,
            itemReviews: u.itemReviews,
            reviewCheckAt: u.reviewCheckAt,
            reviewChecks: u.reviewChecks,
            ...(u.confirmedAt ? { confirmedAt: u.confirmedAt } : {}),
          },
        }),
      ),
    );
  }
}

/** Leaves these products' read-back for later (Meta's usage is high, or the call failed). */
export async function deferReviews(db: Db, ids: string[], at: Date) {
  for (let i = 0; i < ids.length; i += 500) {
    await db.productSync.updateMany({ where: { id: { in: ids.slice(i, i + 500) } }, data: { reviewCheckAt: at } });
  }
}

/** Connected catalogs (of `shop`, if given) whose diagnostics were never read or were read before `before`. */
export async function catalogsDueForDiagnostics(db: Db, before: Date, shop?: string) {
  return db.catalogConnection.findMany({
    where: { ...(shop ? { shop } : {}), state: "CONNECTED", catalogId: { not: null }, OR: [{ diagnosticsAt: null }, { diagnosticsAt: { lt: before } }] },
    select: { shop: true, businessId: true, catalogId: true, tokenCiphertext: true, pausedUntil: true, diagnosticsAt: true },
  });
}

export async function saveDiagnostics(db: Db, shop: string, catalogId: string, diagnostics: Prisma.InputJsonValue, at: Date) {
  await db.catalogConnection.updateMany({ where: { shop, catalogId }, data: { diagnostics, diagnosticsAt: at } });
}

/** A diagnostics read that failed: tried again after the interval, not every round. */
export async function markDiagnosticsTried(db: Db, shop: string, at: Date) {
  await db.catalogConnection.updateMany({ where: { shop }, data: { diagnosticsAt: at } });
}

/** The products of the shop, by retailer id: to name the products a diagnostic affects. */
export async function productsByRetailerIds(db: Db, shop: string, retailerIds: string[]) {
  if (retailerIds.length === 0) return [];
  const products = retailerIds.map((r) => /^shopify_(\d+)_/.exec(r)?.[1]).filter((p): p is string => !!p);
  return db.productSync.findMany({
    where: { shop, deleted: false, productId: { in: [...new Set(products)] } },
    select: { productId: true, title: true },
  });
}

// --- the catalog page -----------------------------------------------------------------

/** Products Meta holds back (Rejected or Needs fixing), for grouping by cause; at most `limit`. */
export async function reviewProblems(db: Db, shop: string, limit = 2000) {
  return db.productSync.findMany({
    where: { shop, deleted: false, status: "SYNCED", review: { in: ["REJECTED", "NEEDS_FIXING"] } },
    select: { productId: true, title: true, review: true, itemReviews: true },
    orderBy: [{ confirmedAt: "desc" }, { id: "asc" }],
    take: limit,
  });
}

/** Products Meta accepted since `since`: when the app learned of each change and when Meta accepted it. */
export async function recentSends(db: Db, shop: string, since: Date, limit = 20_000) {
  return db.productSync.findMany({
    where: { shop, sentAt: { gte: since }, changedAt: { not: null } },
    select: { changedAt: true, sentAt: true },
    orderBy: { sentAt: "desc" },
    take: limit,
  });
}
