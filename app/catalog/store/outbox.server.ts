import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "../../db.server";
import { insertBatch, markBatchSent, type NewBatch } from "./batches.server";
import { asJson, asTime, boolColumn, chunkedTransactions, join, jsonColumn, sql, sqlOf, typed, type Sql } from "../../sql.server";

/**
 * The worker's side of the outbox (docs/decisions/003-outbox.md): a dirty
 * ProductSync row is a change waiting to reach Meta. Workers claim rows with
 * a lease (several workers on PostgreSQL never take the same row: the
 * claiming UPDATE re-checks the lease condition row by row), and clear
 * `dirty` only where the row's version is still the one they pushed. Plain
 * SQL (sql.server.ts): as Prisma queries, a flush's pushed items kept the
 * worker's memory at 600 MB for good.
 */

/** How long claimed rows stay leased unless the worker says otherwise (CATALOG_LEASE_MS). */
export const LEASE_MS = 2 * 60_000;

export interface DirtyShop {
  shop: string;
  count: number;
  oldest: Date;
  /** The oldest webhook change (not a full sync's), when there is one. */
  oldestIncremental: Date | null;
}

/** Shops with claimable changes: how many, how long the oldest has waited, and the oldest webhook change. */
export async function dirtyShops(db: Db, now = new Date()): Promise<DirtyShop[]> {
  const groups = await db.productSync.groupBy({
    by: ["shop", "bulk"],
    where: {
      dirty: true,
      AND: [{ OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] }, { OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] }],
    },
    _count: { _all: true },
    _min: { dirtySince: true },
  });
  const byShop = new Map<string, DirtyShop>();
  for (const g of groups) {
    const oldest = g._min.dirtySince ?? now;
    const entry = byShop.get(g.shop) ?? { shop: g.shop, count: 0, oldest, oldestIncremental: null };
    entry.count += g._count._all;
    if (oldest < entry.oldest) entry.oldest = oldest;
    if (!g.bulk) entry.oldestIncremental = oldest;
    byShop.set(g.shop, entry);
  }
  return [...byShop.values()];
}

const claimable = (now: Date) =>
  sql`"dirty" = true AND ("leaseUntil" IS NULL OR "leaseUntil" < ${asTime(now)}) AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= ${asTime(now)})`;

// Ids per statement: SQLite bound at most 999 values per statement in the versions Prisma supports.
const IDS_PER_STATEMENT = 500;
function inGroups<T>(items: T[], size = IDS_PER_STATEMENT): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

/** A claimed product, as the worker plans it. */
export interface ClaimedRow {
  id: string;
  productId: string;
  snapshot: Prisma.JsonValue | null;
  deleted: boolean;
  excluded: boolean;
  pushedRetailerIds: Prisma.JsonValue | null;
  version: number;
  attempts: number;
  /** A full sync's change rather than a webhook's. */
  bulk: boolean;
}

/**
 * Leases up to `limit` of the shop's oldest claimable rows to `claimId`
 * (several calls may add to one claim). `leaseMs` must outlast a whole
 * flush (every items_batch attempt with its timeouts and retries), or
 * another worker may push the same rows meanwhile.
 */
export async function claimRows(
  db: Db,
  shop: string,
  limit: number,
  now = new Date(),
  leaseMs = LEASE_MS,
  claimId: string = randomUUID(),
  opts: { incrementalOnly?: boolean } = {},
) {
  const database = sqlOf(db);
  // No transaction around the read and the claim: on SQLite a transaction that reads before it
  // writes fails at once (SQLITE_BUSY_SNAPSHOT) when another connection wrote in between, as
  // webhooks do all the time. The claiming UPDATE's own condition is what keeps workers apart.
  // Webhook changes first, oldest first: a full sync's backlog (bulk) never delays them (issue 14).
  const which = opts.incrementalOnly ? sql` AND "bulk" = false` : sql``;
  const candidates = await database.query(
    sql`SELECT "id" FROM "ProductSync" WHERE "shop" = ${shop} AND ${claimable(now)}${which} ORDER BY "bulk", "dirtySince" LIMIT ${limit}`,
  );
  const rows: ClaimedRow[] = [];
  for (const ids of inGroups(candidates.map((c) => String(c[0])))) {
    await database.run(
      sql`UPDATE "ProductSync" SET "leaseOwner" = ${claimId}, "leaseUntil" = ${asTime(new Date(now.getTime() + leaseMs))}
          WHERE ${claimable(now)} AND "id" IN (${join(ids)})`,
    );
    const found = await database.query(
      sql`SELECT "id", "productId", "snapshot", "deleted", "excluded", "pushedRetailerIds", "version", "attempts", "bulk"
          FROM "ProductSync" WHERE "leaseOwner" = ${claimId} AND "id" IN (${join(ids)})`,
    );
    const byId = new Map(found.map((r) => [String(r[0]), r]));
    for (const id of ids) {
      const r = byId.get(id);
      if (!r) continue;
      rows.push({
        id,
        productId: String(r[1]),
        snapshot: jsonColumn(r[2]),
        deleted: boolColumn(r[3]),
        excluded: boolColumn(r[4]),
        pushedRetailerIds: jsonColumn(r[5]),
        version: Number(r[6]),
        attempts: Number(r[7]),
        bulk: boolColumn(r[8]),
      });
    }
  }
  return { claimId, rows };
}

/** Gives rows back untouched (still dirty), optionally not before `retryAt`. */
export async function releaseRows(db: Db, claimId: string, ids: string[], opts: { retryAt?: Date; countAttempt?: boolean } = {}) {
  if (ids.length === 0) return;
  const attempts = opts.countAttempt ? sql`, "attempts" = "attempts" + 1` : sql``;
  await sqlOf(db).transaction(async (tx) => {
    for (const group of inGroups(ids)) {
      await tx.run(
        sql`UPDATE "ProductSync" SET "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = ${asTime(opts.retryAt ?? null)}${attempts}
            WHERE "leaseOwner" = ${claimId} AND "id" IN (${join(group)})`,
      );
    }
  });
}

export interface PushedRow {
  id: string;
  version: number;
  pushedRetailerIds: string[];
  /** null keeps the items the row had. */
  pushedItems: Prisma.InputJsonValue | null;
  status: "PENDING" | "SYNCED" | "FAILED" | "EXCLUDED";
  lastError: string | null;
  itemErrors: Prisma.InputJsonValue | null;
  lastBatchId: string | null;
}

/** `(v.column1, ...)` rows of a VALUES list; PostgreSQL needs each value's type. */
const valuesList = (rows: (string | number | null)[][], types: string[]): Sql =>
  join(rows.map((row) => sql(["(", ...row.slice(1).map(() => ", "), ")"], ...row.map((value, i) => typed(value, types[i])))));

/**
 * Records what reached Meta. `dirty` clears only where the version is still
 * the claimed one; a row changed meanwhile keeps `dirty` (and goes out in the
 * next batch) but still records what was pushed, which is what Meta now holds.
 *
 * The rows commit a few dozen at a time. The CatalogBatch row they point at
 * is inserted RECORDING with the first ones and turns SENT with the last:
 * only SENT batches are polled, so no worker settles a batch before all its
 * rows name it (they stayed PENDING for good: issue 8, found by the chaos
 * run with two workers on PostgreSQL). A worker killed midway leaves it
 * RECORDING; the poller takes those up once the claim's lease has run out,
 * when whatever was not recorded has gone out again.
 */
export async function finishRows(db: Db, claimId: string, rows: PushedRow[], now = new Date(), batch?: NewBatch) {
  const json = (value: unknown) => (value == null ? null : JSON.stringify(value));
  await chunkedTransactions(sqlOf(db), rows, async (tx, chunk, index, last) => {
    if (batch && index === 0) await tx.run(insertBatch(batch));
    if (chunk.length) {
      // One UPDATE per chunk, the rows' values in a VALUES list: a statement per row cost SQLite's
      // lock a third of a millisecond each. RETURNING names the rows whose version still matched.
      const values = valuesList(
        chunk.map((r) => [r.id, r.version, JSON.stringify(r.pushedRetailerIds), json(r.pushedItems), r.lastBatchId, r.status, r.lastError, json(r.itemErrors)]),
        ["text", "int", "jsonb", "jsonb", "text", "text", "text", "jsonb"],
      );
      const cleared = await tx.query(
        sql`UPDATE "ProductSync" AS p SET
              "pushedRetailerIds" = v.column3, "pushedItems" = COALESCE(v.column4, p."pushedItems"), "lastBatchId" = v.column5,
              "changedAt" = COALESCE(p."dirtySince", p."changedAt"),
              "leaseOwner" = NULL, "leaseUntil" = NULL, "dirty" = false, "dirtySince" = NULL, "attempts" = 0, "nextAttemptAt" = NULL,
              "status" = v.column6, "lastError" = v.column7, "itemErrors" = v.column8,
              "lastSyncedAt" = CASE WHEN v.column6 IN ('SYNCED', 'EXCLUDED') THEN ${asTime(now)} ELSE p."lastSyncedAt" END,
              "updatedAt" = ${asTime(now)}
            FROM (VALUES ${values}) AS v
            WHERE p."id" = v.column1 AND p."leaseOwner" = ${claimId} AND p."version" = v.column2
            RETURNING "id"`,
      );
      const done = new Set(cleared.map((r) => String(r[0])));
      // Changed meanwhile: stays dirty for the next batch, but records what Meta now holds.
      for (const row of chunk.filter((r) => !done.has(r.id))) {
        await tx.run(
          sql`UPDATE "ProductSync" SET "pushedRetailerIds" = ${asJson(row.pushedRetailerIds)}, "pushedItems" = COALESCE(${asJson(row.pushedItems)}, "pushedItems"),
                "lastBatchId" = ${row.lastBatchId}, "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = ${asTime(now)}
              WHERE "id" = ${row.id} AND "leaseOwner" = ${claimId}`,
        );
      }
    }
    if (batch && last) await tx.run(markBatchSent(batch.id));
  });
}

/** Adds retailer ids to rows' pushed ids before Meta hears of them (sync.server.ts rememberBeforeSending). */
export async function addPushedIds(db: Db, claimId: string, rows: { id: string; pushedRetailerIds: string[] }[]) {
  if (rows.length === 0) return;
  await chunkedTransactions(sqlOf(db), rows, async (tx, chunk) => {
    const values = valuesList(chunk.map((r) => [r.id, JSON.stringify(r.pushedRetailerIds)]), ["text", "jsonb"]);
    await tx.run(
      sql`UPDATE "ProductSync" AS p SET "pushedRetailerIds" = v.column2
          FROM (VALUES ${values}) AS v
          WHERE p."id" = v.column1 AND p."leaseOwner" = ${claimId}`,
    );
  });
}
