import type { Db } from "../db.server";
import { envVars } from "../env.server";
import type { Logger } from "../logger.server";
import { backoffDelay, type Backoff } from "../meta/backoff";
import { explainGraphError } from "../meta/explain";
import { MAX_BATCH_REQUESTS, MetaGraphError, RateLimited, Transient, type MetaGraphClient } from "../meta/index.server";
import { VaultError } from "../vault/errors";
import { openSecret, UNREADABLE_TOKEN } from "../vault/secrets.server";
import { AdminApiError, adminClientFor } from "./admin-products.server";
import { stageBulkExport, stagedProducts } from "./bulk-export.server";
import { applyCatalogFailure } from "./connection-state.server";
import { rememberTracking } from "./inventory-tracking.server";
import type { ProductSnapshot } from "./product-payload";
import { dropStagedExport } from "./store/export-lines.server";
import { markUnseenDeleted, pushedIdsByProduct, storeProducts } from "./store/products.server";

/**
 * Full sync ("Resync all", and after a catalog connects): read every product
 * from the Admin API one page per step, feed the same ProductSync table the
 * webhooks feed (every product marked dirty, so the worker pushes them all in
 * full batches), then reconcile: products Shopify no longer has are deleted
 * from the catalog, and so are catalog items of products the app never knew.
 * The cursor and counts live on the connection: a restart continues where it was.
 */

export const ACTIVE_FULL_SYNC = ["QUEUED", "RUNNING"];

/**
 * Above this many products a full sync uses a bulk export instead of paging.
 * Pages cost query points (about 28 per product of 5 variants, actual cost)
 * and a Standard plan's bucket refills 100 points a second
 * (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits), so
 * paging 2,000 products took some 10 minutes against the strict stand-in; a
 * bulk export reads the shop without spending them ("To query larger amounts
 * of data with fewer limits, bulk operations should be used instead", Shopify's
 * MAX_COST_EXCEEDED message). Up to 250 products page within a minute.
 */
export function bulkThreshold() {
  return envVars("FULL_SYNC_BULK_THRESHOLD").FULL_SYNC_BULK_THRESHOLD;
}

const BULK_PAGE = 250;
const BULK_POLL_MS = 3000;
/** How long a worker's claim on staging an export lasts (a download of a large shop takes seconds to minutes). */
const STAGING_LEASE_MS = 15 * 60_000;
// The cursor says where a run is: null/page cursor (paging), "bulk:<id>" (export running),
// "bulk-done:<id>" (Shopify's bulk_operations/finish arrived), "bulk-staging:<id>:<since>" (a worker
// is staging its lines), "bulk-staged:<id>:<line>" (the export's lines are in BulkExportLine; products
// up to that line are stored), "END" (reconcile next).
const bulkChecked = new Map<string, number>();

interface Deps {
  db: Db;
  client: MetaGraphClient;
  log: Logger;
}

/** One page of products into ProductSync, every one marked dirty and seen by this run; their stock tracking remembered. */
async function storePage(db: Db, shop: string, runId: string, products: ProductSnapshot[]) {
  if (products.length === 0) return;
  const now = new Date();
  await rememberTracking(db, shop, products, now);
  await storeProducts(db, shop, runId, products, now);
}

/**
 * A failing step waits 5 s, 10 s, 20 s... up to 5 min before it is tried
 * again, and the run ends FAILED once its steps have failed for
 * FULL_SYNC_GIVE_UP_MS (and at least three times): a reconciliation that
 * could never list the catalog kept the run RUNNING for ever (issue 14).
 */
const STEP_RETRY: Backoff = { baseDelayMs: 5_000, maxDelayMs: 5 * 60_000, jitter: "equal" };
export const FULL_SYNC_GIVE_UP_MS = 30 * 60_000;
const MIN_FAILURES_BEFORE_GIVING_UP = 3;


type Conn = NonNullable<Awaited<ReturnType<Db["catalogConnection"]["findUnique"]>>>;

/** What the merchant reads while a step fails or when the run failed: what went wrong, in their words. */
function stepProblem(conn: Conn, error: unknown): string {
  const doing = conn.fullSyncCursor === "END" ? "listing the items in your Meta catalog" : "reading your products from Shopify";
  if (error instanceof Transient) return `Meta did not answer while ${doing}.`;
  if (error instanceof MetaGraphError) return explainGraphError(error, { doing, access: "the catalog token", reconnect: "Reconnect the catalog" });
  if (error instanceof VaultError) return UNREADABLE_TOKEN;
  if (error instanceof AdminApiError) return error.message;
  return `Something went wrong while ${doing}.`;
}

/** Runs one step (one page, or the reconciliation). Returns true when it did something. */
export async function fullSyncStep(deps: Deps, shop: string, now = new Date()): Promise<boolean> {
  const { db } = deps;
  const conn = await db.catalogConnection.findUnique({ where: { shop } });
  if (!conn || !ACTIVE_FULL_SYNC.includes(conn.fullSyncState) || conn.state !== "CONNECTED" || !conn.fullSyncRunId) return false;
  if (conn.fullSyncRetryAt && conn.fullSyncRetryAt > now) return false;
  const runId = conn.fullSyncRunId;
  try {
    const worked = await runStep(deps, conn, runId);
    if (worked && conn.fullSyncFailures > 0) {
      await db.catalogConnection.updateMany({
        where: { shop, fullSyncRunId: runId },
        data: { fullSyncFailures: 0, fullSyncRetryAt: null, fullSyncFailingSince: null, fullSyncError: null },
      });
    }
    return worked;
  } catch (error) {
    return stepFailed(deps, conn, runId, error, now);
  }
}

async function stepFailed(deps: Deps, conn: Conn, runId: string, error: unknown, now: Date): Promise<boolean> {
  const { db, log } = deps;
  const shop = conn.shop;
  if (error instanceof MetaGraphError) {
    // A token or permission problem stops the catalog (Needs reconnect); the run goes on after the reconnect.
    // Throttling pauses it until Meta's regain time. Neither counts against the run.
    const stopped = await applyCatalogFailure(db, shop, error, now, conn.tokenCiphertext ?? undefined);
    if (stopped) {
      if (error instanceof RateLimited) {
        await db.catalogConnection.updateMany({ where: { shop, fullSyncRunId: runId }, data: { fullSyncRetryAt: new Date(now.getTime() + error.retryAfterMs) } });
      }
      return false;
    }
  }
  const problem = stepProblem(conn, error);
  const failures = conn.fullSyncFailures + 1;
  const failingSince = conn.fullSyncFailingSince ?? now;
  const giveUp =
    (error instanceof AdminApiError && error.final) || (failures >= MIN_FAILURES_BEFORE_GIVING_UP && now.getTime() - failingSince.getTime() >= FULL_SYNC_GIVE_UP_MS);
  if (giveUp) {
    log.error({ shop, failures, err: error }, "full sync failed");
    await db.catalogConnection.updateMany({
      where: { shop, fullSyncRunId: runId },
      data: { fullSyncState: "FAILED", fullSyncError: problem, fullSyncEndedAt: now, fullSyncRetryAt: null, fullSyncFailures: failures },
    });
    return false;
  }
  const retryAt = new Date(now.getTime() + backoffDelay(failures - 1, STEP_RETRY));
  log.warn({ shop, failures, retryAt, err: error }, "full sync step failed; retrying later");
  await db.catalogConnection.updateMany({
    where: { shop, fullSyncRunId: runId },
    data: { fullSyncFailures: failures, fullSyncFailingSince: failingSince, fullSyncRetryAt: retryAt, fullSyncError: problem },
  });
  return false;
}

/** One step of the run: start it, a page of products, a bulk export step, or the reconciliation. */
async function runStep(deps: Deps, conn: Conn, runId: string): Promise<boolean> {
  const { db, log } = deps;
  const shop = conn.shop;
  const admin = await adminClientFor(db, shop);
  if (conn.fullSyncState === "QUEUED") {
    const info = await admin.shopInfo();
    await db.shop.updateMany({ where: { domain: shop }, data: { currency: info.currency, primaryDomain: info.primaryDomain } });
    const total = await admin.productCount();
    const cursor = total > bulkThreshold() ? `bulk:${await admin.startBulkProducts()}` : null;
    const started = await db.catalogConnection.updateMany({
      where: { shop, fullSyncRunId: runId, fullSyncState: "QUEUED" },
      data: { fullSyncState: "RUNNING", fullSyncStartedAt: new Date(), fullSyncTotal: total, fullSyncCursor: cursor },
    });
    return started.count > 0;
  }
  if (conn.fullSyncCursor?.startsWith("bulk")) return await bulkStep(deps, conn.shop, runId, conn.fullSyncCursor, admin);
  if (conn.fullSyncCursor === "END") {
    const removed = await reconcile(deps, shop, runId, conn.fullSyncStartedAt ?? new Date(0));
    await db.catalogConnection.updateMany({
      where: { shop, fullSyncRunId: runId },
      data: {
        fullSyncState: "DONE",
        fullSyncEndedAt: new Date(),
        fullSyncTotal: conn.fullSyncProcessed,
        fullSyncRemoved: removed.products,
        fullSyncStrays: removed.strays,
      },
    });
    log.info({ shop, products: conn.fullSyncProcessed }, "full sync done");
    return true;
  }
  const page = await admin.productPage(conn.fullSyncCursor);
  await storePage(db, shop, runId, page.products);
  // Compare-and-set on the cursor: of two workers reading the same page, one advances it.
  await db.catalogConnection.updateMany({
    where: { shop, fullSyncRunId: runId, fullSyncCursor: conn.fullSyncCursor },
    data: { fullSyncCursor: page.nextCursor ?? "END", fullSyncProcessed: { increment: page.products.length } },
  });
  return true;
}

/**
 * A bulk export in progress: wait for it (the bulk_operations/finish webhook
 * marks it done; a poll every few seconds covers a lost webhook), stage its
 * JSONL lines (bulk-export.server.ts: Shopify no longer keeps children next
 * to their parent), then store a page of assembled products per step,
 * counting progress as it goes. Each step moves the cursor by compare-and-set,
 * so a restarted worker continues from the last stored page, and staging is
 * claimed first ("bulk-staging:<id>:<since>"), so two workers never stage one
 * export at once and a finish webhook arriving mid-download changes nothing.
 */
async function bulkStep(
  deps: Deps,
  shop: string,
  runId: string,
  cursor: string,
  admin: Awaited<ReturnType<typeof adminClientFor>>,
): Promise<boolean> {
  const { db } = deps;
  const move = async (from: string | string[], to: string, processed = 0) =>
    (
      await db.catalogConnection.updateMany({
        where: { shop, fullSyncRunId: runId, fullSyncCursor: Array.isArray(from) ? { in: from } : from },
        data: { fullSyncCursor: to, ...(processed ? { fullSyncProcessed: { increment: processed } } : {}) },
      })
    ).count > 0;

  const staged = /^bulk-staged:(.+):(\d+)$/.exec(cursor);
  if (staged) {
    const { products, lastLine } = await stagedProducts(db, shop, runId, Number(staged[2]), BULK_PAGE);
    if (lastLine === null) {
      if (await move(cursor, "END")) await dropStagedExport(db, shop, runId);
      return true;
    }
    await storePage(db, shop, runId, products);
    await move(cursor, `bulk-staged:${staged[1]}:${lastLine}`, products.length);
    return true;
  }

  const staging = /^bulk-staging:(.+):(\d+)$/.exec(cursor);
  // Another worker is staging it; if it died, its claim runs out and this one starts over.
  if (staging && Date.now() - Number(staging[2]) < STAGING_LEASE_MS) return false;
  const id = staging ? staging[1] : cursor.replace(/^bulk(-done)?:/, "");
  const finished = cursor.startsWith("bulk-done:") || Boolean(staging);
  if (!finished && Date.now() - (bulkChecked.get(shop) ?? 0) < BULK_POLL_MS) return false;
  bulkChecked.set(shop, Date.now());
  const op = await admin.bulkOperation(id);
  if (!op || ["FAILED", "CANCELED", "CANCELING", "EXPIRED"].includes(op.status)) {
    throw new AdminApiError(`Shopify's product export ${op ? op.status.toLowerCase() : "disappeared"}${op?.errorCode ? ` (${op.errorCode})` : ""}`, { final: true });
  }
  if (op.status !== "COMPLETED") return false;
  // From whichever waiting state: bulk_operations/finish may turn "bulk:" into "bulk-done:" at any time.
  const claim = `bulk-staging:${id}:${Date.now()}`;
  if (!(await move(staging ? cursor : [`bulk:${id}`, `bulk-done:${id}`], claim))) return false;
  const started = Date.now();
  // No url: the export found no products.
  const products = op.url ? await stageBulkExport(db, shop, runId, op.url) : 0;
  deps.log.info({ shop, products, ms: Date.now() - started }, "bulk export staged");
  await move(claim, `bulk-staged:${id}:0`);
  return true;
}

/** bulk_operations/finish: the export is ready; the worker streams it on its next round. */
export async function markBulkFinished(db: Db, shop: string, operationId: string) {
  const { count } = await db.catalogConnection.updateMany({
    where: { shop, fullSyncCursor: `bulk:${operationId}` },
    data: { fullSyncCursor: `bulk-done:${operationId}` },
  });
  return count > 0;
}

/**
 * Deletes from the catalog what Shopify no longer has, and counts what is not
 * this shop's. Only retailer ids of this shop's own products are ever
 * deleted: a catalog may hold another shop's items, or a person's or another
 * tool's, and deleting those emptied another shop's catalog (issue 14,
 * docs/decisions/006-shared-catalog.md). Shopify's product ids are unique
 * across shops, so `shopify_<product>_<variant>` names the shop whose
 * product it is; an item of one of this shop's products that the product no
 * longer lists (a variant whose DELETE was lost) goes, anything else stays
 * and is counted for the page's warning.
 */
async function reconcile(deps: Deps, shop: string, runId: string, startedAt: Date): Promise<{ products: number; strays: number }> {
  const { db, client } = deps;
  // Rows created or changed after the scan began came from webhooks: they are current, keep them.
  const gone = await markUnseenDeleted(db, shop, runId, startedAt);

  const conn = await db.catalogConnection.findUniqueOrThrow({ where: { shop } });
  if (!conn.catalogId || !conn.tokenCiphertext) return { products: gone, strays: 0 };
  const token = openSecret(shop, "catalog.token", conn.tokenCiphertext);
  // The listing first, then what the rows say: an id the worker adds meanwhile is written ahead of its call.
  const listed = (await client.listCatalogItems(token, conn.catalogId)).map((i) => i.retailerId);
  const pushed = await pushedIdsByProduct(db, shop);
  const strays: string[] = [];
  const foreign: string[] = [];
  for (const id of listed) {
    const productId = /^shopify_(\d+)_\d+$/.exec(id)?.[1];
    const ours = productId === undefined ? undefined : pushed.get(productId);
    if (!ours) foreign.push(id);
    else if (!ours.has(id)) strays.push(id);
  }
  for (let i = 0; i < strays.length; i += MAX_BATCH_REQUESTS) {
    await client.itemsBatch(token, conn.catalogId, strays.slice(i, i + MAX_BATCH_REQUESTS).map((id) => ({ method: "DELETE" as const, data: { id } })));
  }
  await db.catalogConnection.updateMany({
    where: { shop, catalogId: conn.catalogId },
    data: { foreignItemCount: foreign.length, foreignItemExample: foreign[0]?.slice(0, 200) ?? null },
  });
  deps.log.info({ shop, productsGone: gone, strayItemsDeleted: strays.length, foreignItems: foreign.length }, "full sync reconciled");
  // What the page reports as Resync all's outcome (FullSyncStatus).
  return { products: gone, strays: strays.length };
}
