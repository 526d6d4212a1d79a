import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "../db.server";

/**
 * The catalog outbox is the ProductSync table itself: a dirty row is a change
 * waiting to reach Meta. Workers claim rows with a lease (several workers on
 * PostgreSQL never take the same row: the claiming UPDATE re-checks the lease
 * condition row by row), and clear `dirty` only where the row's version is
 * still the one they pushed.
 */

export const LEASE_MS = 2 * 60_000;

function claimable(now: Date): Prisma.ProductSyncWhereInput {
  return {
    dirty: true,
    AND: [
      { OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      { OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
    ],
  };
}

export interface DirtyShop {
  shop: string;
  count: number;
  oldest: Date;
}

/** Shops with claimable changes: how many, and how long the oldest has waited. */
export async function dirtyShops(db: Db, now = new Date()): Promise<DirtyShop[]> {
  const groups = await db.productSync.groupBy({
    by: ["shop"],
    where: claimable(now),
    _count: { _all: true },
    _min: { dirtySince: true },
  });
  return groups.map((g) => ({ shop: g.shop, count: g._count._all, oldest: g._min.dirtySince ?? now }));
}

/**
 * Prisma refuses an UPDATE with more than 999 bound values on SQLite (P2029,
 * "The query parameter limit supported by your database is exceeded"), and a
 * claim of up to 5,000 products binds one per id: so once more than ~990
 * products were dirty at once, every claim failed and the worker stopped
 * pushing (found by the benchmark, issue 7). Each UPDATE takes at most this
 * many ids; every chunk re-checks the claim condition row by row, as before.
 */
const IN_CHUNK = 500;
function inChunks(ids: string[]): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) chunks.push(ids.slice(i, i + IN_CHUNK));
  return chunks;
}

export type ClaimedRow = Awaited<ReturnType<typeof claimRows>>["rows"][number];

/**
 * Leases up to `limit` of the shop's oldest claimable rows to this claim.
 * `leaseMs` must outlast a whole flush (every items_batch attempt with its
 * timeouts and retries), or another worker may push the same rows meanwhile.
 */
export async function claimRows(db: Db, shop: string, limit: number, now = new Date(), leaseMs = LEASE_MS) {
  const claimId = randomUUID();
  const candidates = await db.productSync.findMany({
    where: { shop, ...claimable(now) },
    orderBy: { dirtySince: "asc" },
    take: limit,
    select: { id: true },
  });
  if (candidates.length === 0) return { claimId, rows: [] };
  for (const ids of inChunks(candidates.map((c) => c.id))) {
    await db.productSync.updateMany({
      where: { id: { in: ids }, ...claimable(now) },
      data: { leaseOwner: claimId, leaseUntil: new Date(now.getTime() + leaseMs) },
    });
  }
  const rows = await db.productSync.findMany({
    where: { leaseOwner: claimId },
    orderBy: { dirtySince: "asc" },
    select: {
      id: true,
      productId: true,
      snapshot: true,
      deleted: true,
      excluded: true,
      pushedRetailerIds: true,
      version: true,
      attempts: true,
    },
  });
  return { claimId, rows };
}

/** Gives rows back untouched (still dirty), optionally not before `retryAt`. */
export async function releaseRows(db: Db, claimId: string, ids: string[], opts: { retryAt?: Date; countAttempt?: boolean } = {}) {
  for (const chunk of inChunks(ids)) {
    await db.productSync.updateMany({
      where: { id: { in: chunk }, leaseOwner: claimId },
      data: {
        leaseOwner: null,
        leaseUntil: null,
        nextAttemptAt: opts.retryAt ?? null,
        ...(opts.countAttempt ? { attempts: { increment: 1 } } : {}),
      },
    });
  }
}

export interface PushedRow {
  id: string;
  version: number;
  pushedRetailerIds: string[];
  pushedItems: Prisma.InputJsonValue | null;
  status: "PENDING" | "SYNCED" | "FAILED" | "EXCLUDED";
  lastError: string | null;
  itemErrors: Prisma.InputJsonValue | null;
  lastBatchId: string | null;
}

/**
 * Records what reached Meta. `dirty` clears only where the version is still
 * the claimed one; a row changed meanwhile keeps `dirty` (and goes out in the
 * next batch) but still records what was pushed, which is what Meta now holds.
 * `alongWith` (the CatalogBatch row) commits in the same transaction as the
 * rows that point at it: otherwise another worker could poll and settle the
 * batch before these rows named it, and they stayed PENDING for good (issue 8,
 * found by the chaos run with two workers on PostgreSQL).
 */
export async function finishRows(db: Db, claimId: string, rows: PushedRow[], now = new Date(), alongWith?: Prisma.PrismaPromise<unknown>) {
  if (rows.length === 0) {
    if (alongWith) await alongWith;
    return;
  }
  const pushed = (row: PushedRow) => ({
    pushedRetailerIds: row.pushedRetailerIds,
    pushedItems: row.pushedItems ?? undefined,
    lastBatchId: row.lastBatchId,
    leaseOwner: null,
    leaseUntil: null,
  });
  const results = await db.$transaction([
    ...(alongWith ? [alongWith] : []),
    ...rows.map((row) =>
      db.productSync.updateMany({
        where: { id: row.id, version: row.version, leaseOwner: claimId },
        data: {
          ...pushed(row),
          dirty: false,
          dirtySince: null,
          attempts: 0,
          nextAttemptAt: null,
          status: row.status,
          lastError: row.lastError,
          itemErrors: row.itemErrors ?? undefined,
          ...(row.status === "SYNCED" || row.status === "EXCLUDED" ? { lastSyncedAt: now } : {}),
        },
      }),
    ),
  ]);
  const cleared = results.slice(alongWith ? 1 : 0) as { count: number }[];
  const changedMeanwhile = rows.filter((_, i) => cleared[i].count === 0);
  if (changedMeanwhile.length) {
    await db.$transaction(
      changedMeanwhile.map((row) => db.productSync.updateMany({ where: { id: row.id, leaseOwner: claimId }, data: pushed(row) })),
    );
  }
}
