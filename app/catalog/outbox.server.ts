import { randomUUID } from "node:crypto";
import { boolColumn, dialect, jsonColumn, placeholders, providerOfDb, sqlExecute, sqlQuery, sqlTransaction, type Db, type DbProvider, type Prisma, type SqlRunner, type SqlStatement } from "../db.server";

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

/** A claimed product, as the worker plans it (plain SQL, see claimRows). */
export interface ClaimedRow {
  id: string;
  productId: string;
  snapshot: Prisma.JsonValue | null;
  deleted: boolean;
  excluded: boolean;
  pushedRetailerIds: Prisma.JsonValue | null;
  version: number;
  attempts: number;
}

/**
 * The worker's bulk reads and writes are plain SQL on Prisma's adapter
 * (db.server.ts sqlTransaction), not Prisma queries: Prisma 6.19 compiles
 * each query, arguments included, in WebAssembly whose memory only grows,
 * and a flush's transaction of a thousand updates carrying the pushed items
 * left the worker at 600 MB for good (issue 7, full sync of 100,000 variants).
 */
const CLAIMABLE = `"dirty" = true AND ("leaseUntil" IS NULL OR "leaseUntil" < $2) AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= $2)`;

/**
 * Leases up to `limit` of the shop's oldest claimable rows to `claimId`
 * (several calls may add to one claim). `leaseMs` must outlast a whole
 * flush (every items_batch attempt with its timeouts and retries), or
 * another worker may push the same rows meanwhile.
 */
export async function claimRows(db: Db, shop: string, limit: number, now = new Date(), leaseMs = LEASE_MS, claimId: string = randomUUID()) {
  const provider = providerOfDb(db);
  // No transaction around the read and the claim: on SQLite a transaction that reads before it
  // writes fails at once (SQLITE_BUSY_SNAPSHOT) when another connection wrote in between, as
  // webhooks do all the time. The claiming UPDATE's own condition is what keeps workers apart.
  const candidates = await sqlQuery(db, {
    sql: dialect(provider, `SELECT "id" FROM "ProductSync" WHERE "shop" = $1 AND ${CLAIMABLE} ORDER BY "dirtySince" LIMIT $3`),
    args: [shop, now, limit],
  });
  const rows: ClaimedRow[] = [];
  for (const ids of inChunks(candidates.map((c) => String(c[0])))) {
    // The claim condition is checked again row by row: of two workers, one gets each row.
    await sqlExecute(db, {
      sql: dialect(provider, `UPDATE "ProductSync" SET "leaseOwner" = $1, "leaseUntil" = $3 WHERE ${CLAIMABLE} AND "id" IN (${placeholders(4, ids.length)})`),
      args: [claimId, now, new Date(now.getTime() + leaseMs), ...ids],
    });
    const found = await sqlQuery(db, {
      sql: dialect(
        provider,
        `SELECT "id", "productId", "snapshot", "deleted", "excluded", "pushedRetailerIds", "version", "attempts"
         FROM "ProductSync" WHERE "leaseOwner" = $1 AND "id" IN (${placeholders(2, ids.length)})`,
      ),
      args: [claimId, ...ids],
    });
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
      });
    }
  }
  return { claimId, rows };
}

/** Gives rows back untouched (still dirty), optionally not before `retryAt`. */
export async function releaseRows(db: Db, claimId: string, ids: string[], opts: { retryAt?: Date; countAttempt?: boolean } = {}) {
  if (ids.length === 0) return;
  const provider = providerOfDb(db);
  const attempts = opts.countAttempt ? `, "attempts" = "attempts" + 1` : "";
  await sqlTransaction(db, async (tx) => {
    for (const chunk of inChunks(ids)) {
      await tx.execute({
        sql: dialect(
          provider,
          `UPDATE "ProductSync" SET "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = $2${attempts}
           WHERE "leaseOwner" = $1 AND "id" IN (${placeholders(3, chunk.length)})`,
        ),
        args: [claimId, opts.retryAt ?? null, ...chunk],
      });
    }
  });
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

const json = (value: unknown) => (value == null ? null : JSON.stringify(value));

/**
 * `(...), (...)`: a VALUES list of `rows` rows, one placeholder per column
 * from `$first` on, read back as v.column1, v.column2... PostgreSQL needs
 * each placeholder's type (`types`, one per column); SQLite takes them bare.
 */
function valuesList(provider: DbProvider, rows: number, first: number, types: string[]): string {
  const cast = (type: string) => (provider === "postgresql" ? `::${type}` : "");
  return Array.from({ length: rows }, (_, row) => `(${types.map((type, col) => `$${first + row * types.length + col}${cast(type)}`).join(", ")})`).join(", ");
}

/**
 * Rows per write transaction. SQLite has one writer at a time, and the web
 * process waits for it on every webhook: a flush's thousand updates in one
 * transaction held the lock for up to a third of a second, and webhooks
 * waited as long (issue 7, p99 at 500 deliveries/s).
 */
const WRITE_CHUNK = 50;

/** Writes `items` a few dozen per transaction (WRITE_CHUNK); `last` marks the final one. */
export async function inChunkedTransactions<T>(db: Db, items: T[], work: (tx: SqlRunner, chunk: T[], index: number, last: boolean) => Promise<void>) {
  const count = Math.max(1, Math.ceil(items.length / WRITE_CHUNK));
  const sqlite = providerOfDb(db) === "sqlite";
  for (let i = 0; i < count; i++) {
    const chunk = items.slice(i * WRITE_CHUNK, (i + 1) * WRITE_CHUNK);
    await sqlTransaction(db, (tx) => work(tx, chunk, i, i === count - 1));
    // Leave the lock free a moment: webhooks waiting for it try every millisecond (db.server.ts DirectSqlite).
    if (sqlite && i < count - 1) await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A batch row for finishRows: inserted RECORDING with the first rows, SENT with the last. */
export interface BatchRecord {
  id: string;
  insert: SqlStatement;
}

/**
 * Records what reached Meta. `dirty` clears only where the version is still
 * the claimed one; a row changed meanwhile keeps `dirty` (and goes out in the
 * next batch) but still records what was pushed, which is what Meta now holds.
 *
 * The rows commit a few dozen at a time (WRITE_CHUNK). The CatalogBatch row
 * they point at is inserted RECORDING with the first ones and turns SENT
 * with the last: only SENT batches are polled, so no worker settles a batch
 * before all its rows name it (they stayed PENDING for good: issue 8, found
 * by the chaos run with two workers on PostgreSQL). A worker killed midway
 * leaves it RECORDING; pollBatches takes those up once the claim's lease has
 * run out, when whatever was not recorded has gone out again.
 */
export async function finishRows(db: Db, claimId: string, rows: PushedRow[], now = new Date(), batch?: BatchRecord) {
  const provider = providerOfDb(db);
  const stamp = provider === "postgresql" ? "::timestamp(3)" : "";
  // One UPDATE per chunk, the rows' values in a VALUES list (v.column1..8: id, version, pushed
  // ids, items, batch, status, error, item errors): a statement per row cost SQLite's lock a
  // third of a millisecond each. RETURNING names the rows whose version still matched.
  const finish = (count: number) =>
    dialect(
      provider,
      `UPDATE "ProductSync" AS p SET
         "pushedRetailerIds" = v.column3, "pushedItems" = COALESCE(v.column4, p."pushedItems"), "lastBatchId" = v.column5,
         "leaseOwner" = NULL, "leaseUntil" = NULL, "dirty" = false, "dirtySince" = NULL, "attempts" = 0, "nextAttemptAt" = NULL,
         "status" = v.column6, "lastError" = v.column7, "itemErrors" = v.column8,
         "lastSyncedAt" = CASE WHEN v.column6 IN ('SYNCED', 'EXCLUDED') THEN $2${stamp} ELSE p."lastSyncedAt" END,
         "updatedAt" = $2${stamp}
       FROM (VALUES ${valuesList(provider, count, 3, ["text", "int", "jsonb", "jsonb", "text", "text", "text", "jsonb"])}) AS v
       WHERE p."id" = v.column1 AND p."leaseOwner" = $1 AND p."version" = v.column2
       RETURNING "id"`,
    );
  // Pushed ids, items and batch of a row changed meanwhile: $1..$5. A null pushedItems keeps what the row had.
  const keepDirty = dialect(
    provider,
    `UPDATE "ProductSync" SET "pushedRetailerIds" = $1, "pushedItems" = COALESCE($2, "pushedItems"), "lastBatchId" = $3,
       "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = $6 WHERE "id" = $4 AND "leaseOwner" = $5`,
    [1, 2],
  );
  const sent = dialect(provider, `UPDATE "CatalogBatch" SET "status" = 'SENT' WHERE "id" = $1 AND "status" = 'RECORDING'`);
  await inChunkedTransactions(db, rows, async (tx, chunk, index, last) => {
    if (batch && index === 0) await tx.execute(batch.insert);
    if (chunk.length) {
      const values = chunk.flatMap((row) => [
        row.id,
        row.version,
        JSON.stringify(row.pushedRetailerIds),
        json(row.pushedItems),
        row.lastBatchId,
        row.status,
        row.lastError,
        json(row.itemErrors),
      ]);
      const cleared = new Set((await tx.query({ sql: finish(chunk.length), args: [claimId, now, ...values] })).map((r) => String(r[0])));
      // Changed meanwhile: stays dirty for the next batch, but records what Meta now holds.
      for (const row of chunk.filter((r) => !cleared.has(r.id))) {
        await tx.execute({ sql: keepDirty, args: [JSON.stringify(row.pushedRetailerIds), json(row.pushedItems), row.lastBatchId, row.id, claimId, now] });
      }
    }
    if (batch && last) await tx.execute({ sql: sent, args: [batch.id] });
  });
}

/** Adds retailer ids to rows' pushed ids before Meta hears of them (see sync.server.ts rememberBeforeSending). */
export async function addPushedIds(db: Db, claimId: string, rows: { id: string; pushedRetailerIds: string[] }[]) {
  if (rows.length === 0) return;
  const provider = providerOfDb(db);
  const sql = (count: number) =>
    dialect(
      provider,
      `UPDATE "ProductSync" AS p SET "pushedRetailerIds" = v.column2
       FROM (VALUES ${valuesList(provider, count, 2, ["text", "jsonb"])}) AS v
       WHERE p."id" = v.column1 AND p."leaseOwner" = $1`,
    );
  await inChunkedTransactions(db, rows, async (tx, chunk) => {
    await tx.execute({ sql: sql(chunk.length), args: [claimId, ...chunk.flatMap((row) => [row.id, JSON.stringify(row.pushedRetailerIds)])] });
  });
}
