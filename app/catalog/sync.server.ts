import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "../db.server";
import type { Logger } from "../logger.server";
import { backoffDelay, type Backoff } from "../meta/backoff";
import { explainGraphError } from "../meta/explain";
import { MAX_BATCH_REQUESTS, MetaGraphError, Rejected, Transient, type MetaGraphClient } from "../meta/index.server";
import { VaultError } from "../vault/errors";
import { openSecret } from "../vault/secrets.server";
import { adminClientFor, type AdminClient } from "./admin-products.server";
import { applyCatalogFailure, recordMetaAnswered, recordUnreadableToken, stopReason } from "./connection-state.server";
import { ACTIVE_FULL_SYNC } from "./full-sync.server";
import { needsTracking, resolveTracking } from "./inventory-tracking.server";
import type { ShopContext } from "./items.server";
import { asIds, BATCH_BYTES, chunkByRequests, failedPlan, planRow, type PlannedRow } from "./batch-plan";
import { variantsLeftOut, type ProductSnapshot } from "./product-payload";
import { addPushedIds, claimRows, finishRows, releaseRows, type ClaimedRow } from "./store/outbox.server";

/**
 * One flush of one shop: claim dirty products, turn them into item requests,
 * send them in as few items_batch calls as Meta allows (5,000 requests each),
 * and record what reached Meta. Batch status polling (batch-status.server.ts)
 * later turns PENDING into SYNCED or FAILED.
 */

export interface SyncDeps {
  db: Db;
  client: MetaGraphClient;
  log: Logger;
  now?: () => Date;
  /** How long claimed rows stay leased (default the outbox's LEASE_MS). */
  leaseMs?: number;
}

export interface FlushResult {
  products: number;
  requests: number;
  calls: number;
  stopped: boolean;
  /** items_batch calls spent on sending refused batches apart (sendIsolating). */
  isolationCalls: number;
}

/** A product whose push failed waits 1 s, 2 s, 4 s... up to 15 min, at least half of it. */
const PRODUCT_RETRY: Backoff = { baseDelayMs: 1000, maxDelayMs: 15 * 60_000, jitter: "equal" };
const retryDelay = (attempts: number) => backoffDelay(attempts, PRODUCT_RETRY);

/**
 * Write-ahead for crash safety (issue 8, found by the chaos run): before Meta
 * hears of a new retailer id, the row lists it among the ids it pushed. A
 * worker killed after Meta applied a batch but before finishRows otherwise
 * left no record of those items, and when the variant then disappeared no
 * DELETE was ever sent: the item stayed in the catalog for good. Deleting
 * an id Meta never saved is harmless (a warning in the batch status).
 */
async function rememberBeforeSending(db: Db, claimId: string, chunk: PlannedRow[]) {
  const rows: { id: string; pushedRetailerIds: string[] }[] = [];
  for (const { row, requests } of chunk) {
    const pushed = asIds(row.pushedRetailerIds);
    const known = new Set(pushed);
    const added = requests.filter((r) => r.method !== "DELETE" && !known.has(r.data.id)).map((r) => r.data.id);
    if (added.length) rows.push({ id: row.id, pushedRetailerIds: [...pushed, ...added] });
  }
  await addPushedIds(db, claimId, rows);
}

const MAX_BATCHES_PER_FLUSH = 10;

/** Products claimed per statement while filling a batch: small claims keep the worker's memory to about one batch. */
const CLAIM_STEP = 500;

interface ClaimedBatch {
  claimId: string;
  /** At most MAX_BATCH_REQUESTS requests (or one product bigger than that). */
  plans: PlannedRow[];
  /** True when nothing else was claimable: the batch is all there is for now. */
  exhausted: boolean;
}

/**
 * Claims the shop's oldest changes until they make one full items_batch
 * call (5,000 requests or 28 MB), a few hundred products at a time, and gives back
 * the products that overflow it. A batch is sized by requests (one per
 * variant), not products: claiming 5,000 products of 5 variants held 25,000
 * items in memory to send them as five calls (issue 7).
 */
async function claimBatch(
  deps: SyncDeps,
  shop: string,
  context: ShopContext,
  now: Date,
  incrementalOnly: boolean,
  maxRequests = MAX_BATCH_REQUESTS,
): Promise<ClaimedBatch> {
  const claimId = randomUUID();
  const plans: PlannedRow[] = [];
  let requests = 0;
  let bytes = 0;
  let exhausted = false;
  // A product is about five requests: a smaller budget claims fewer at a time.
  const step = Math.min(CLAIM_STEP, Math.max(20, Math.ceil(maxRequests / 4)));
  while (requests < maxRequests && bytes < BATCH_BYTES) {
    const { rows: claimed } = await claimRows(deps.db, shop, step, now, deps.leaseMs, claimId, { incrementalOnly });
    const rows = await prepareRows(deps, shop, claimId, claimed, now);
    for (const row of rows) {
      const plan = planSafely(deps, shop, row, context);
      plans.push(plan);
      requests += plan.requests.length;
      bytes += plan.bytes + 1;
    }
    if (claimed.length < step) {
      exhausted = true;
      break;
    }
  }
  const [batch, ...overflow] = chunkByRequests(plans, maxRequests);
  if (overflow.length) {
    await releaseRows(deps.db, claimId, overflow.flat().map((p) => p.row.id));
    exhausted = false;
  }
  return { claimId, plans: batch ?? [], exhausted };
}

/** The product's status when the app itself could not prepare or record it, in the merchant's words. */
const UNPREPARABLE =
  "The app could not prepare this product for the catalog. Edit the product in Shopify (its description, variants or options) to send it again; " +
  "the catalog keeps its previous version until then. If this comes back, contact the app's support.";

/**
 * planRow, but a product it cannot plan (a snapshot an older version stored,
 * a mapping bug) fails alone: FAILED with the reason, nothing sent for it,
 * its neighbours planned as usual. Before issue 14 one description with
 * `&#99999999;` threw here and the shop's whole claim stayed leased, retried
 * every lease for ever.
 */
function planSafely(deps: SyncDeps, shop: string, row: ClaimedRow, context: ShopContext): PlannedRow {
  try {
    return planRow(row, context);
  } catch (error) {
    deps.log.error({ shop, productId: row.productId, err: error }, "could not plan a product's catalog items; marking it failed");
    return failedPlan(row, UNPREPARABLE);
  }
}

/**
 * What Shopify's webhooks no longer say, read before planning: a product
 * whose payload left variants out (more than 100) is read whole through the
 * Admin API, and variants whose availability depends on whether their stock
 * is tracked get it (inventory-tracking.server.ts). Products whose reads fail
 * go back with a backoff; the others go on.
 */
async function prepareRows(deps: SyncDeps, shop: string, claimId: string, rows: ClaimedRow[], now: Date): Promise<ClaimedRow[]> {
  const snapshotOf = (r: ClaimedRow) => r.snapshot as unknown as ProductSnapshot;
  // A snapshot this cannot read goes on unprepared: planning fails that product alone (planSafely).
  const readable = (r: ClaimedRow) => {
    try {
      variantsLeftOut(snapshotOf(r));
      return snapshotOf(r).variants.every((v) => typeof v === "object" && v !== null);
    } catch {
      return false;
    }
  };
  const live = rows.filter((r) => !r.deleted && !r.excluded && r.snapshot && readable(r));
  const partial = live.filter((r) => variantsLeftOut(snapshotOf(r)).length > 0);
  if (partial.length === 0 && !live.some((r) => snapshotOf(r).variants.some(needsTracking))) return rows;

  let client: AdminClient | undefined;
  const admin = async () => (client ??= await adminClientFor(deps.db, shop));
  const failed = new Map<string, unknown>();
  for (const row of partial) {
    try {
      const whole = await (await admin()).product(row.productId);
      // Read now, so at least as new as the payload; null: deleted meanwhile (its products/delete follows).
      if (whole) row.snapshot = whole as unknown as Prisma.JsonValue;
    } catch (error) {
      failed.set(row.id, error);
    }
  }
  const rest = live.filter((r) => !failed.has(r.id));
  try {
    await resolveTracking(deps.db, shop, rest.map(snapshotOf), admin);
  } catch (error) {
    for (const r of rest) if (snapshotOf(r).variants.some((v) => needsTracking(v) && v.tracked == null)) failed.set(r.id, error);
  }
  if (failed.size === 0) return rows;
  const attempts = Math.max(...rows.filter((r) => failed.has(r.id)).map((r) => r.attempts));
  await releaseRows(deps.db, claimId, [...failed.keys()], { retryAt: new Date(now.getTime() + retryDelay(attempts)), countAttempt: true });
  deps.log.warn({ shop, products: failed.size, err: [...failed.values()][0] }, "could not read products from Shopify; retrying them later");
  return rows.filter((r) => !failed.has(r.id));
}

export async function shopContext(db: Db, shop: string): Promise<ShopContext> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, primaryDomain: true } });
  return { currency: row?.currency ?? "USD", domain: row?.primaryDomain ?? shop };
}

/**
 * Flushes one shop: its webhook changes first, in batches of their own (so a
 * full sync's backlog never delays them), then a full sync's changes in full
 * batches. `maxBatches` and `maxRequests` are the shop's share of a worker
 * round: with other shops waiting the worker gives each one smaller batch
 * per round (worker.server.ts).
 */
export async function flushShop(deps: SyncDeps, shop: string, opts: { maxBatches?: number; maxRequests?: number } = {}): Promise<FlushResult> {
  const { db } = deps;
  const now = deps.now?.() ?? new Date();
  const result: FlushResult = { products: 0, requests: 0, calls: 0, stopped: false, isolationCalls: 0 };
  const connection = await db.catalogConnection.findUnique({ where: { shop } });
  if (!connection || connection.state !== "CONNECTED" || !connection.catalogId || !connection.tokenCiphertext) return result;
  if (connection.pausedUntil && connection.pausedUntil > now) return result;
  const target = { catalogId: connection.catalogId, tokenCiphertext: connection.tokenCiphertext };
  const fullSyncRunning = ACTIVE_FULL_SYNC.includes(connection.fullSyncState);

  const context = await shopContext(db, shop);
  // One full batch at a time, until what is left is a partial one (sent, unless a full sync will add to it).
  // A cap, so that changes arriving as fast as they go out still leave the worker time for its other work.
  let incremental = true;
  for (let round = 0; round < (opts.maxBatches ?? MAX_BATCHES_PER_FLUSH); round++) {
    let batch = incremental ? await claimBatch(deps, shop, context, now, true, opts.maxRequests) : null;
    if (!batch?.plans.length) {
      incremental = false;
      batch = await claimBatch(deps, shop, context, now, false, opts.maxRequests);
    }
    const { claimId, plans } = batch;
    // An incremental batch that was not full leaves the full sync's rows behind it: more may follow.
    const exhausted = batch.exhausted && !incremental;
    if (plans.length === 0) return result;
    const requests = plans.reduce((n, p) => n + p.requests.length, 0);
    const bulkOnly = plans.every((p) => p.row.bulk);
    if (fullSyncRunning && bulkOnly && exhausted && requests > 0 && requests < MAX_BATCH_REQUESTS && result.calls > 0) {
      await releaseRows(db, claimId, plans.map((p) => p.row.id));
      return result;
    }
    const sent = await sendIsolating(deps, shop, target, claimId, plans, now, result);
    if (!sent || exhausted) return result;
    if (incremental && batch.exhausted) incremental = false;
  }
  return result;
}

type Target = { catalogId: string; tokenCiphertext: string };

/**
 * Sends a claimed batch so that no product can hold up the others: when
 * Meta refuses the whole call (not a token, permission, throttling or
 * outage answer, which concern every product alike), the batch is split in
 * halves and each half sent on its own, down to the single product at
 * fault, which ends FAILED with Meta's words (a refusal repeats on every
 * retry). Meta applied nothing of a refused call, so sending a half again
 * is safe. False when the flush must stop (the sync is paused or stopped,
 * or the batch waits for a retry).
 */
async function sendIsolating(
  deps: SyncDeps,
  shop: string,
  target: Target,
  claimId: string,
  chunk: PlannedRow[],
  now: Date,
  result: FlushResult,
): Promise<boolean> {
  const outcome = await sendBatch(deps, shop, target, claimId, chunk, now, result);
  if (outcome === "sent") return true;
  if (outcome === "stopped") return false;
  const attempts = Math.max(...chunk.map((p) => p.row.attempts));
  const retryLater = async (plans: PlannedRow[]) => {
    await releaseRows(deps.db, claimId, plans.map((p) => p.row.id), { retryAt: new Date(now.getTime() + retryDelay(attempts)), countAttempt: true });
    result.stopped = true;
    return false;
  };
  if (chunk.length > 1) {
    // Bounded: many bad products (or a refusal that is not about products) cost a few calls per flush, not two per product.
    if (result.isolationCalls >= MAX_ISOLATION_CALLS) return retryLater(chunk);
    const half = Math.ceil(chunk.length / 2);
    result.isolationCalls += 2;
    const first = await sendIsolating(deps, shop, target, claimId, chunk.slice(0, half), now, result);
    if (!first) {
      await releaseRows(deps.db, claimId, chunk.slice(half).map((p) => p.row.id));
      return false;
    }
    return sendIsolating(deps, shop, target, claimId, chunk.slice(half), now, result);
  }
  const [plan] = chunk;
  const reason = `${explainGraphError(outcome.error, { doing: "this product's update", access: "the catalog token", reconnect: "Reconnect the catalog" })} Change the product in Shopify to send it again; the catalog keeps its previous version until then.`;
  deps.log.warn({ shop, productId: plan.row.productId, code: outcome.error.code, err: outcome.error }, "Meta refused one product's update; marking it failed");
  await finishAsFailed(deps.db, claimId, plan, reason, now);
  return true;
}

/** Calls a flush may spend finding the products at fault in refused batches (enough for one in a batch of 5,000 and more). */
const MAX_ISOLATION_CALLS = 32;

/** Records a product as FAILED with `reason` (no longer dirty; its next change sends it again). */
async function finishAsFailed(db: Db, claimId: string, plan: PlannedRow, reason: string, now: Date) {
  const failed = failedPlan(plan.row, reason);
  // What the write-ahead added stays listed: Meta may hold those items.
  failed.result.pushedRetailerIds = [...new Set([...failed.result.pushedRetailerIds, ...plan.requests.filter((r) => r.method !== "DELETE").map((r) => r.data.id)])];
  await finishRows(db, claimId, [{ ...failed.result, lastBatchId: null }], now);
}

type SendOutcome = "sent" | "stopped" | { isolate: true; error: MetaGraphError };

/** Sends one claimed batch and records it. */
async function sendBatch(
  deps: SyncDeps,
  shop: string,
  target: Target,
  claimId: string,
  chunk: PlannedRow[],
  now: Date,
  result: FlushResult,
): Promise<SendOutcome> {
  const { db, client, log } = deps;
  const requests = chunk.flatMap((p) => p.requests);
  try {
    if (requests.length === 0) {
      // Nothing to tell Meta (e.g. a product deleted before it was ever pushed).
      await finishRows(db, claimId, chunk.map((p) => ({ ...p.result, lastBatchId: null, status: p.result.status === "PENDING" ? "SYNCED" : p.result.status })));
      result.products += chunk.length;
      return "sent";
    }
    const token = openSecret(shop, "catalog.token", target.tokenCiphertext);
    await rememberBeforeSending(db, claimId, chunk);
    const sent = await client.itemsBatch(token, target.catalogId, requests);
    result.calls += 1;
    result.requests += requests.length;
    result.products += chunk.length;
    const batchId = randomUUID();
    const sentAt = deps.now?.() ?? new Date();
    const rejected = new Map<string, string>();
    for (const v of sent.validationStatus) if (v.retailerId && v.errors.length) rejected.set(v.retailerId, v.errors.join("; "));
    // The batch row commits in finishRows' transaction, with the rows that point at it (see there).
    await finishRows(
      db,
      claimId,
      chunk.map((p) => {
        const problems = p.requests.filter((r) => rejected.has(r.data.id)).map((r) => ({ retailerId: r.data.id, reason: rejected.get(r.data.id)! }));
        // A product with nothing to send (e.g. no image) was not part of this batch.
        const lastBatchId = p.requests.length ? batchId : null;
        if (problems.length === 0) return { ...p.result, lastBatchId };
        return {
          ...p.result,
          lastBatchId,
          status: "FAILED" as const,
          lastError: problems.map((x) => x.reason).join(" "),
          itemErrors: problems as unknown as Prisma.InputJsonValue,
        };
      }),
      now,
      {
        id: batchId,
        shop,
        catalogId: target.catalogId,
        handle: sent.handles[0] ?? null,
        items: chunk.flatMap((p) => p.requests.map((r) => ({ r: r.data.id, p: p.row.productId, m: r.method }))),
        status: sent.handles.length ? "RECORDING" : "FINISHED",
        nextPollAt: new Date(sentAt.getTime() + 200),
        errors: sent.validationStatus.length ? sent.validationStatus : null,
        createdAt: sentAt,
      },
    );
    await recordMetaAnswered(db, shop);
    log.debug({ shop, products: chunk.length, requests: requests.length, handle: sent.handles[0] }, "catalog batch sent");
    return "sent";
  } catch (error) {
    const ids = chunk.map((p) => p.row.id);
    const attempts = Math.max(...chunk.map((p) => p.row.attempts));
    if (error instanceof VaultError) {
      // Retried with backoff like an outage: restoring the key resumes the sync.
      await recordUnreadableToken(db, log, shop, target.tokenCiphertext, error);
      await releaseRows(db, claimId, ids, { retryAt: new Date(now.getTime() + retryDelay(attempts)), countAttempt: true });
      result.stopped = true;
      return "stopped";
    }
    // Meta refusing the call as a whole, before it applied anything: find the product at fault.
    if (error instanceof Rejected && stopReason(error) === null) {
      log.warn({ shop, products: chunk.length, err: error }, "Meta refused a catalog batch as a whole; sending its products apart");
      return { isolate: true, error };
    }
    // The app's own failure (a deadlock while recording, a database outage): Meta may have applied the
    // batch and some rows may be recorded already (no longer leased), so nothing is sent again from these
    // plans; what is still leased waits for a retry, which plans it afresh (found by the chaos run).
    if (!(error instanceof MetaGraphError)) {
      await releaseRows(db, claimId, ids, { retryAt: new Date(now.getTime() + retryDelay(attempts)), countAttempt: true });
      throw error;
    }
    const stopped = await applyCatalogFailure(db, shop, error, now, target.tokenCiphertext);
    await releaseRows(db, claimId, ids, stopped ? {} : { retryAt: new Date(now.getTime() + retryDelay(attempts)), countAttempt: true });
    log.warn({ shop, kind: error.kind, code: error.code, transient: error instanceof Transient, err: error }, "catalog batch failed");
    result.stopped = true;
    return "stopped";
  }
}
