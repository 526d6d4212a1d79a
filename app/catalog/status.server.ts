import type { Db, Prisma } from "../db.server";

/** What the catalog pages show: counts, grouped errors, the product table, one product's items. */

export const PAGE_SIZE = 25;
export const STATUSES = ["PENDING", "SYNCED", "FAILED", "EXCLUDED"] as const;
export type SyncStatus = (typeof STATUSES)[number];

export interface ErrorGroup {
  kind: string;
  action: string;
  count: number;
  example: string;
}

// Meta's and our own messages, grouped by what the merchant has to do.
const ERROR_KINDS: { kind: string; match: RegExp; action: string }[] = [
  { kind: "Store setting Meta cannot use", match: /store currency|primary domain/i, action: "Fix the store setting the message names in Shopify Settings." },
  { kind: "Option value Meta does not accept", match: /Meta does not accept for/i, action: "Change the option value in Shopify as the message says; the product syncs again on save." },
  { kind: "Missing image", match: /image/i, action: "Add a product image (JPEG or PNG, at least 500×500) in Shopify." },
  { kind: "Missing or invalid price", match: /price/i, action: "Set a price on every variant in Shopify." },
  { kind: "Missing attribute Meta requires", match: /missing|required/i, action: "Fill in the field Meta names (for example color or size as a product option)." },
  { kind: "Invalid value", match: /invalid|not a valid|must be/i, action: "Correct the value Meta names in Shopify; the product syncs again on save." },
];

export function classifyError(message: string) {
  return ERROR_KINDS.find((k) => k.match.test(message)) ?? { kind: "Other", action: "Read Meta's message; fix the product in Shopify or contact support with it." };
}

export async function catalogSummary(db: Db, shop: string) {
  const [counts, failed] = await Promise.all([
    db.productSync.groupBy({ by: ["status"], where: { shop, deleted: false }, _count: { _all: true } }),
    db.productSync.findMany({ where: { shop, deleted: false, status: "FAILED" }, select: { lastError: true }, take: 1000 }),
  ]);
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, counts.find((c) => c.status === s)?._count._all ?? 0])) as Record<SyncStatus, number>;
  const settled = byStatus.SYNCED + byStatus.FAILED;
  const groups = new Map<string, ErrorGroup>();
  for (const { lastError } of failed) {
    const message = lastError ?? "Unknown error";
    const { kind, action } = classifyError(message);
    const group = groups.get(kind) ?? { kind, action, count: 0, example: message };
    group.count += 1;
    groups.set(kind, group);
  }
  return {
    counts: byStatus,
    total: STATUSES.reduce((n, s) => n + byStatus[s], 0),
    successRate: settled ? byStatus.SYNCED / settled : null,
    errorGroups: [...groups.values()].sort((a, b) => b.count - a.count),
  };
}

export async function productTable(db: Db, shop: string, opts: { query?: string; status?: string; page?: number }) {
  const page = Math.max(1, opts.page ?? 1);
  const where: Prisma.ProductSyncWhereInput = {
    shop,
    deleted: false,
    ...(opts.query ? { title: { contains: opts.query } } : {}),
    ...(opts.status && (STATUSES as readonly string[]).includes(opts.status) ? { status: opts.status } : {}),
  };
  const [rows, total] = await Promise.all([
    db.productSync.findMany({
      where,
      orderBy: [{ updatedAt: "desc" }, { id: "asc" }],
      skip: (page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      select: { productId: true, title: true, status: true, lastError: true, lastSyncedAt: true, dirty: true, excluded: true, updatedAt: true },
    }),
    db.productSync.count({ where }),
  ]);
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

export interface PushedItemView {
  retailerId: string;
  title: string;
  price: string;
  availability: string;
  status: SyncStatus;
  error: string | null;
}

/** One product: what was last pushed, per-item status and errors, its last batch. */
export async function productDetail(db: Db, shop: string, productId: string) {
  const row = await db.productSync.findUnique({ where: { shop_productId: { shop, productId } } });
  if (!row || row.deleted) return null;
  const batch = row.lastBatchId ? await db.catalogBatch.findUnique({ where: { id: row.lastBatchId } }) : null;
  const problems = new Map(
    (Array.isArray(row.itemErrors) ? (row.itemErrors as { retailerId?: string; reason?: string }[]) : []).map((p) => [p.retailerId ?? "", p.reason ?? ""]),
  );
  const pushed = (Array.isArray(row.pushedItems) ? row.pushedItems : []) as Record<string, unknown>[];
  const items: PushedItemView[] = pushed.map((item) => ({
    retailerId: String(item.id),
    title: String(item.title ?? ""),
    price: String(item.sale_price ?? item.price ?? ""),
    availability: String(item.availability ?? ""),
    status: problems.has(String(item.id)) ? "FAILED" : (row.status as SyncStatus),
    error: problems.get(String(item.id)) ?? null,
  }));
  // Variants never sent (no image, no price) appear with their reason.
  for (const [retailerId, reason] of problems) {
    if (!items.some((i) => i.retailerId === retailerId)) items.push({ retailerId, title: row.title, price: "", availability: "", status: "FAILED", error: reason });
  }
  return {
    productId: row.productId,
    title: row.title,
    status: row.status as SyncStatus,
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
export async function setProductSync(db: Db, shop: string, productId: string, change: "sync" | "exclude" | "include") {
  const data: Prisma.ProductSyncUpdateManyMutationInput = {
    dirty: true,
    dirtySince: new Date(),
    version: { increment: 1 },
    attempts: 0,
    nextAttemptAt: null,
    status: "PENDING",
    ...(change === "exclude" ? { excluded: true } : change === "include" ? { excluded: false } : {}),
  };
  const { count } = await db.productSync.updateMany({ where: { shop, productId, deleted: false }, data });
  return count > 0;
}
