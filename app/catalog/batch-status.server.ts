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
/** A batch Meta is still working on is asked about again after 0.4 s, 0.8 s... then every 30 s. */
const POLL: Backoff = { baseDelayMs: 200, maxDelayMs: MAX_POLL_DELAY_MS, jitter: "none" };
const nextPoll = (pollCount: number, now: Date) => new Date(now.getTime() + backoffDelay(pollCount, POLL));

type PollDeps = { db: Db; client: MetaGraphClient; log: Logger; leaseMs?: number; reviewFirstCheckMs?: number };
export type DueBatch = Awaited<ReturnType<typeof dueBatches>>[number];

/** Sent batches due for a status check, the longest waiting first (the worker runs one per shop at a time). */
export function batchesToPoll(deps: PollDeps, now: Date, limit = 20) {
  // RECORDING: still being recorded (store/outbox.server.ts finishRows), or left so by a killed worker.
  return dueBatches(deps.db, now, new Date(now.getTime() - (deps.leaseMs ?? LEASE_MS)), limit);
}

/**
 * Asks Meta about one batch and settles it when Meta is done. True when it
 * settled. The worker never runs this beside a flush of the same shop: a
 * settlement and a claim of the same shop's rows deadlocked on PostgreSQL
 * (found by the chaos run).
 */
export async function pollBatch(deps: PollDeps, batch: DueBatch, now: Date): Promise<boolean> {
  const { db, client, log } = deps;
  const connection = await db.catalogConnection.findUnique({ where: { shop: batch.shop } });
  if (!connection?.tokenCiphertext || connection.state !== "CONNECTED") {
    // Resumes after a reconnect; until then check again now and then.
    await pollAgain(db, batch.id, new Date(now.getTime() + MAX_POLL_DELAY_MS), false);
    return false;
  }
  try {
    const token = openSecret(batch.shop, "catalog.token", connection.tokenCiphertext);
    const status = await client.checkBatchStatus(token, batch.catalogId, batch.handle!);
    if (connection.unreachableSince) await recordMetaAnswered(db, batch.shop);
    if (!status.done) {
      await pollAgain(db, batch.id, nextPoll(batch.pollCount + 1, now), true);
      return false;
    }
    // Meta's review of what it accepted is read back from then on (review-readback.server.ts).
    await settleBatch(db, batch, outcomeOf(batch.items, status), now, new Date(now.getTime() + (deps.reviewFirstCheckMs ?? 60_000)));
    return true;
  } catch (error) {
    if (error instanceof VaultError) {
      // Checked again later (the key may come back); the other shops' batches go on meanwhile.
      await recordUnreadableToken(db, log, batch.shop, connection.tokenCiphertext, error);
      await pollAgain(db, batch.id, new Date(now.getTime() + MAX_POLL_DELAY_MS), false);
      return false;
    }
    if (!(error instanceof MetaGraphError)) throw error;
    await applyCatalogFailure(db, batch.shop, error, now, connection.tokenCiphertext);
    await pollAgain(db, batch.id, nextPoll(batch.pollCount + 1, now), true);
    log.warn({ shop: batch.shop, batch: batch.id, kind: error.kind, err: error }, "batch status check failed");
    return false;
  }
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
