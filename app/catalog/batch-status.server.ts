import { eachAtMost } from "../worker-loop.server";
import type { Db } from "../db.server";
import type { Logger } from "../logger.server";
import { backoffDelay, type Backoff } from "../meta/backoff";
import { MetaGraphError, type MetaGraphClient } from "../meta/index.server";
import { VaultError } from "../vault/errors";
import { openSecret } from "../vault/secrets.server";
import { applyCatalogFailure, recordMetaAnswered, recordUnreadableToken } from "./connection-state.server";
import { dueBatches, pollAgain, settleBatch, type BatchItem, type BatchOutcome } from "./store/batches.server";
import { LEASE_MS } from "./store/outbox.server";

/**
 * Follows sent batches with check_batch_request_status until Meta finishes
 * them: items Meta refused make their product FAILED with Meta's message,
 * the rest of the batch's products become SYNCED. A product that went out
 * again in a newer batch is left to that batch.
 */

const MAX_POLL_DELAY_MS = 30_000;
/** Batches asked about at once (one: two settlements of batches sharing a product could deadlock). */
const POLL_CONCURRENCY = 1;
/** A batch Meta is still working on is asked about again after 0.4 s, 0.8 s... then every 30 s. */
const POLL: Backoff = { baseDelayMs: 200, maxDelayMs: MAX_POLL_DELAY_MS, jitter: "none" };
const nextPoll = (pollCount: number, now: Date) => new Date(now.getTime() + backoffDelay(pollCount, POLL));

export async function pollBatches(
  deps: { db: Db; client: MetaGraphClient; log: Logger; now?: () => Date; leaseMs?: number; reviewFirstCheckMs?: number },
  limit = 20,
) {
  const { db, client, log } = deps;
  const now = deps.now?.() ?? new Date();
  // RECORDING: still being recorded (store/outbox.server.ts finishRows), or left so by a killed worker.
  const due = await dueBatches(db, now, new Date(now.getTime() - (deps.leaseMs ?? LEASE_MS)), limit);
  let finished = 0;
  // A few at a time: their Graph calls overlap, and one shop's slow answer does not hold the others.
  await eachAtMost(POLL_CONCURRENCY, due, async (batch) => {
    const connection = await db.catalogConnection.findUnique({ where: { shop: batch.shop } });
    if (!connection?.tokenCiphertext || connection.state !== "CONNECTED") {
      // Resumes after a reconnect; until then check again now and then.
      await pollAgain(db, batch.id, new Date(now.getTime() + MAX_POLL_DELAY_MS), false);
      return;
    }
    try {
      const token = openSecret(batch.shop, "catalog.token", connection.tokenCiphertext);
      const status = await client.checkBatchStatus(token, batch.catalogId, batch.handle!);
      if (connection.unreachableSince) await recordMetaAnswered(db, batch.shop);
      if (!status.done) {
        await pollAgain(db, batch.id, nextPoll(batch.pollCount + 1, now), true);
        return;
      }
      // Meta's review of what it accepted is read back from then on (review-readback.server.ts).
      await settleBatch(db, batch, outcomeOf(batch.items, status), now, new Date(now.getTime() + (deps.reviewFirstCheckMs ?? 60_000)));
      finished += 1;
    } catch (error) {
      if (error instanceof VaultError) {
        // Checked again later (the key may come back); the other shops' batches go on meanwhile.
        await recordUnreadableToken(db, log, batch.shop, connection.tokenCiphertext, error);
        await pollAgain(db, batch.id, new Date(now.getTime() + MAX_POLL_DELAY_MS), false);
        return;
      }
      if (!(error instanceof MetaGraphError)) throw error;
      await applyCatalogFailure(db, batch.shop, error, now, connection.tokenCiphertext);
      await pollAgain(db, batch.id, nextPoll(batch.pollCount + 1, now), true);
      log.warn({ shop: batch.shop, batch: batch.id, kind: error.kind, err: error }, "batch status check failed");
    }
  });
  return finished;
}

/** Meta's answer, per product: which items it refused and why. */
export function outcomeOf(items: BatchItem[], status: Awaited<ReturnType<MetaGraphClient["checkBatchStatus"]>>): BatchOutcome {
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
  return {
    finished: status.status === "finished",
    failures,
    errors: status.errors.map((e) => ({ retailerId: e.retailerId, message: e.message })),
  };
}
