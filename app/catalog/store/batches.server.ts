import type { Db } from "../../db.server";
import { markBatchForResend } from "./products.server";
import { asJson, asTime, sql, type Sql } from "../../sql.server";

/**
 * CatalogBatch: one row per items_batch call that Meta accepted, polled with
 * check_batch_request_status until Meta finishes it. RECORDING while the
 * worker records the batch's products (outbox.server.ts finishRows), SENT
 * once they all name it, then FINISHED or FAILED; FINISHED at once when Meta
 * returned no handle to poll.
 */

/** One request of the batch: retailer id, product id, method, so Meta's per-item errors map back to products. */
export interface BatchItem {
  r: string;
  p: string;
  m: "CREATE" | "UPDATE" | "DELETE";
}

export interface NewBatch {
  id: string;
  shop: string;
  catalogId: string;
  handle: string | null;
  items: BatchItem[];
  status: "RECORDING" | "FINISHED";
  nextPollAt: Date;
  errors: unknown;
  createdAt: Date;
}

/** The batch row, for finishRows' first transaction. */
export function insertBatch(batch: NewBatch): Sql {
  return sql`INSERT INTO "CatalogBatch" ("id", "shop", "catalogId", "handle", "itemCount", "items", "status", "errors", "pollCount", "nextPollAt", "createdAt")
    VALUES (${batch.id}, ${batch.shop}, ${batch.catalogId}, ${batch.handle}, ${batch.items.length}, ${asJson(batch.items)}, ${batch.status},
      ${asJson(batch.errors)}, 0, ${asTime(batch.nextPollAt)}, ${asTime(batch.createdAt)})`;
}

/** For finishRows' last transaction: every product of the batch names it now. */
export const markBatchSent = (id: string) => sql`UPDATE "CatalogBatch" SET "status" = 'SENT' WHERE "id" = ${id} AND "status" = 'RECORDING'`;

/** Batches to poll now: SENT ones that are due, and RECORDING ones whose worker died before `recordingBefore`. */
export async function dueBatches(db: Db, now: Date, recordingBefore: Date, limit: number) {
  const rows = await db.catalogBatch.findMany({
    where: { OR: [{ status: "SENT", nextPollAt: { lte: now } }, { status: "RECORDING", createdAt: { lt: recordingBefore } }] },
    orderBy: { nextPollAt: "asc" },
    take: limit,
  });
  return rows.map((b) => ({ ...b, items: b.items as unknown as BatchItem[] }));
}

/** Poll again at `at`; `counted` when this poll reached Meta (the next waits longer). */
export async function pollAgain(db: Db, batchId: string, at: Date, counted: boolean) {
  await db.catalogBatch.update({ where: { id: batchId }, data: { nextPollAt: at, ...(counted ? { pollCount: { increment: 1 } } : {}) } });
}

export interface BatchOutcome {
  /** Meta finished the batch; otherwise it canceled or failed it as a whole. */
  finished: boolean;
  /** The products whose items Meta refused, with why. */
  failures: Map<string, { retailerId: string; reason: string }[]>;
  errors: { retailerId: string | null; message: string }[];
}

/**
 * Meta's verdict on a batch: refused products FAILED with Meta's message,
 * the rest SYNCED and Sent (their review is read back from `reviewCheckAt`); a batch canceled or failed as a whole goes out again.
 * A product that went out again in a newer batch is left to that batch.
 */
export async function settleBatch(db: Db, batch: { id: string; shop: string }, outcome: BatchOutcome, now: Date, reviewCheckAt = new Date(now.getTime() + 60_000)) {
  const { id, shop } = batch;
  if (!outcome.finished) {
    await markBatchForResend(db, shop, id, now);
  } else {
    await db.$transaction([
      ...[...outcome.failures].map(([productId, problems]) =>
        db.productSync.updateMany({
          where: { shop, productId, lastBatchId: id },
          data: { status: "FAILED", lastError: problems.map((p) => p.reason).join(" "), itemErrors: problems },
        }),
      ),
      // The failed ones are FAILED by now, so this leaves them be. (A NOT IN list of them could pass SQLite's 999 bound values.)
      db.productSync.updateMany({
        where: { shop, lastBatchId: id, status: "PENDING" },
        // Accepted by Meta: its review of this version is pending (Sent) until the read-back sees a verdict.
        data: {
          status: "SYNCED",
          lastSyncedAt: now,
          lastError: null,
          itemErrors: undefined,
          review: "SENT",
          itemReviews: [],
          sentAt: now,
          reviewCheckAt,
          reviewChecks: 0,
        },
      }),
      db.catalogConnection.updateMany({ where: { shop }, data: { lastSuccessAt: now, unreachableSince: null } }),
    ]);
  }
  await db.catalogBatch.update({
    where: { id },
    data: { status: outcome.finished ? "FINISHED" : "FAILED", finishedAt: now, errors: outcome.errors.length ? outcome.errors : undefined },
  });
}
