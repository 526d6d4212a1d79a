import type { Db } from "../db.server";
import type { Logger } from "../logger.server";
import { MetaGraphError, type MetaGraphClient } from "../meta/index.server";
import { VaultError } from "../vault/errors";
import { openSecret } from "../vault/secrets.server";
import { applyCatalogFailure, recordUnreadableToken } from "./connection-state.server";
import { LEASE_MS } from "./outbox.server";

/**
 * Follows sent batches with check_batch_request_status until Meta finishes
 * them: items Meta refused make their product FAILED with Meta's message,
 * the rest of the batch's products become SYNCED. A product that went out
 * again in a newer batch is left to that batch.
 */

interface BatchItem {
  r: string; // retailer id
  p: string; // product id
  m: "CREATE" | "UPDATE" | "DELETE";
}

const MAX_POLL_DELAY_MS = 30_000;

function nextPoll(pollCount: number, now: Date) {
  return new Date(now.getTime() + Math.min(MAX_POLL_DELAY_MS, 200 * 2 ** Math.min(pollCount, 10)));
}

export async function pollBatches(deps: { db: Db; client: MetaGraphClient; log: Logger; now?: () => Date; leaseMs?: number }, limit = 20) {
  const { db, client, log } = deps;
  const now = deps.now?.() ?? new Date();
  const due = await db.catalogBatch.findMany({
    // RECORDING: still being recorded (outbox.server.ts finishRows), or left so by a killed worker.
    where: {
      OR: [
        { status: "SENT", nextPollAt: { lte: now } },
        { status: "RECORDING", createdAt: { lt: new Date(now.getTime() - (deps.leaseMs ?? LEASE_MS)) } },
      ],
    },
    orderBy: { nextPollAt: "asc" },
    take: limit,
  });
  let finished = 0;
  for (const batch of due) {
    const connection = await db.catalogConnection.findUnique({ where: { shop: batch.shop } });
    if (!connection?.tokenCiphertext || connection.state !== "CONNECTED") {
      // Resumes after a reconnect; until then check again now and then.
      await db.catalogBatch.update({ where: { id: batch.id }, data: { nextPollAt: new Date(now.getTime() + MAX_POLL_DELAY_MS) } });
      continue;
    }
    try {
      const token = openSecret(batch.shop, "catalog.token", connection.tokenCiphertext);
      const status = await client.checkBatchStatus(token, batch.catalogId, batch.handle!);
      if (!status.done) {
        await db.catalogBatch.update({
          where: { id: batch.id },
          data: { pollCount: { increment: 1 }, nextPollAt: nextPoll(batch.pollCount + 1, now) },
        });
        continue;
      }
      await settleBatch(db, batch.id, batch.shop, batch.items as unknown as BatchItem[], status, now);
      finished += 1;
    } catch (error) {
      if (error instanceof VaultError) {
        // Checked again later (the key may come back); the other shops' batches go on meanwhile.
        await recordUnreadableToken(db, log, batch.shop, connection.tokenCiphertext, error);
        await db.catalogBatch.update({ where: { id: batch.id }, data: { nextPollAt: new Date(now.getTime() + MAX_POLL_DELAY_MS) } });
        continue;
      }
      if (!(error instanceof MetaGraphError)) throw error;
      await applyCatalogFailure(db, batch.shop, error, now, connection.tokenCiphertext);
      await db.catalogBatch.update({
        where: { id: batch.id },
        data: { pollCount: { increment: 1 }, nextPollAt: nextPoll(batch.pollCount + 1, now) },
      });
      log.warn({ shop: batch.shop, batch: batch.id, kind: error.kind, err: error }, "batch status check failed");
    }
  }
  return finished;
}

async function settleBatch(
  db: Db,
  batchId: string,
  shop: string,
  items: BatchItem[],
  status: Awaited<ReturnType<MetaGraphClient["checkBatchStatus"]>>,
  now: Date,
) {
  const productOf = new Map(items.map((i) => [i.r, i.p]));
  const failures = new Map<string, { retailerId: string; reason: string }[]>();
  const addFailure = (retailerId: string | null, reason: string) => {
    const productId = retailerId ? productOf.get(retailerId) : undefined;
    if (!productId || !retailerId) return;
    const list = failures.get(productId) ?? [];
    if (!list.some((f) => f.retailerId === retailerId && f.reason === reason)) list.push({ retailerId, reason });
    failures.set(productId, list);
  };
  for (const e of status.errors) addFailure(e.retailerId, e.message);
  for (const id of status.idsOfInvalidRequests) if (!failures.has(productOf.get(id) ?? "")) addFailure(id, "Meta refused this item.");

  if (status.status !== "finished") {
    // Canceled or failed as a whole: send these products again.
    await db.productSync.updateMany({
      where: { shop, lastBatchId: batchId, dirty: false },
      data: { dirty: true, dirtySince: now, status: "PENDING" },
    });
  } else {
    await db.$transaction([
      ...[...failures].map(([productId, problems]) =>
        db.productSync.updateMany({
          where: { shop, productId, lastBatchId: batchId },
          data: { status: "FAILED", lastError: problems.map((p) => p.reason).join(" "), itemErrors: problems },
        }),
      ),
      // The failed ones are FAILED by now, so this leaves them be. (A NOT IN list of them could pass SQLite's 999 bound values.)
      db.productSync.updateMany({
        where: { shop, lastBatchId: batchId, status: "PENDING" },
        data: { status: "SYNCED", lastSyncedAt: now, lastError: null, itemErrors: undefined },
      }),
      db.catalogConnection.updateMany({ where: { shop }, data: { lastSuccessAt: now } }),
    ]);
  }
  await db.catalogBatch.update({
    where: { id: batchId },
    data: {
      status: status.status === "finished" ? "FINISHED" : "FAILED",
      finishedAt: now,
      errors: status.errors.length ? status.errors.map((e) => ({ retailerId: e.retailerId, message: e.message })) : undefined,
    },
  });
}
