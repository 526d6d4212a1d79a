import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "../db.server";
import type { Logger } from "../logger.server";
import { MAX_BATCH_REQUESTS, MetaGraphError, Transient, type CatalogItemRequest, type MetaGraphClient } from "../meta/index.server";
import { openSecret } from "../vault/secrets.server";
import { applyCatalogFailure } from "./connection-state.server";
import { ACTIVE_FULL_SYNC } from "./full-sync.server";
import { itemRequests, productItems, type ShopContext } from "./items.server";
import { claimRows, finishRows, releaseRows, type ClaimedRow, type PushedRow } from "./outbox.server";
import type { ProductSnapshot } from "./product-payload";

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
}

const BASE_RETRY_MS = 1000;
const MAX_RETRY_MS = 15 * 60_000;

/** Exponential backoff with full jitter for a product whose push failed transiently. */
export function retryDelay(attempts: number, random = Math.random) {
  const cap = Math.min(MAX_RETRY_MS, BASE_RETRY_MS * 2 ** Math.min(attempts, 20));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

interface PlannedRow {
  row: ClaimedRow;
  requests: CatalogItemRequest[];
  result: Omit<PushedRow, "lastBatchId">;
}

function asIds(value: Prisma.JsonValue | null): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** What one claimed product should send, and the status it will have once sent. */
export function planRow(row: ClaimedRow, shop: ShopContext): PlannedRow {
  const pushed = asIds(row.pushedRetailerIds);
  const base = { id: row.id, version: row.version };
  if (row.deleted || row.excluded || !row.snapshot) {
    return {
      row,
      requests: itemRequests([], pushed),
      result: {
        ...base,
        pushedRetailerIds: [],
        pushedItems: [],
        status: row.excluded ? "EXCLUDED" : "SYNCED",
        lastError: null,
        itemErrors: null,
      },
    };
  }
  const { items, problems, excludedBecause } = productItems(row.snapshot as unknown as ProductSnapshot, shop);
  const failed = problems.length > 0;
  return {
    row,
    requests: itemRequests(items, pushed),
    result: {
      ...base,
      pushedRetailerIds: items.map((i) => i.id),
      pushedItems: items as unknown as Prisma.InputJsonValue,
      // Excluded by its Shopify status (draft, archived...): removed from the catalog, shown as such.
      status: excludedBecause ? "EXCLUDED" : failed ? "FAILED" : "PENDING",
      lastError: excludedBecause ?? (failed ? problems.map((p) => p.reason).filter((r, i, all) => all.indexOf(r) === i).join(" ") : null),
      itemErrors: failed ? (problems as unknown as Prisma.InputJsonValue) : null,
    },
  };
}

/** Splits planned rows into chunks of at most `max` requests, keeping each product whole. */
export function chunkByRequests(plans: PlannedRow[], max = MAX_BATCH_REQUESTS): PlannedRow[][] {
  const chunks: PlannedRow[][] = [];
  let current: PlannedRow[] = [];
  let size = 0;
  for (const plan of plans) {
    if (size + plan.requests.length > max && current.length) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(plan);
    size += plan.requests.length;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/**
 * Write-ahead for crash safety (issue 8, found by the chaos run): before Meta
 * hears of a new retailer id, the row lists it among the ids it pushed. A
 * worker killed after Meta applied a batch but before finishRows otherwise
 * left no record of those items, and when the variant then disappeared no
 * DELETE was ever sent: the item stayed in the catalog for good. Deleting
 * an id Meta never saved is harmless (a warning in the batch status).
 */
async function rememberBeforeSending(db: Db, claimId: string, chunk: PlannedRow[]) {
  const writes: Prisma.PrismaPromise<unknown>[] = [];
  for (const { row, requests } of chunk) {
    const pushed = asIds(row.pushedRetailerIds);
    const known = new Set(pushed);
    const added = requests.filter((r) => r.method !== "DELETE" && !known.has(r.data.id)).map((r) => r.data.id);
    if (added.length === 0) continue;
    writes.push(db.productSync.updateMany({ where: { id: row.id, leaseOwner: claimId }, data: { pushedRetailerIds: [...pushed, ...added] } }));
  }
  if (writes.length) await db.$transaction(writes);
}

export async function shopContext(db: Db, shop: string): Promise<ShopContext> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, primaryDomain: true } });
  return { currency: row?.currency ?? "USD", domain: row?.primaryDomain ?? shop };
}

export async function flushShop(deps: SyncDeps, shop: string): Promise<FlushResult> {
  const { db, client, log } = deps;
  const now = deps.now?.() ?? new Date();
  const result: FlushResult = { products: 0, requests: 0, calls: 0, stopped: false };
  const connection = await db.catalogConnection.findUnique({ where: { shop } });
  if (!connection || connection.state !== "CONNECTED" || !connection.catalogId || !connection.tokenCiphertext) return result;
  if (connection.pausedUntil && connection.pausedUntil > now) return result;

  const context = await shopContext(db, shop);
  const { claimId, rows } = await claimRows(db, shop, MAX_BATCH_REQUESTS, now, deps.leaseMs);
  if (rows.length === 0) return result;
  const chunks = chunkByRequests(rows.map((row) => planRow(row, context)));
  // While a full sync still reads products, a partial last batch waits for more.
  const last = chunks.at(-1)!;
  if (ACTIVE_FULL_SYNC.includes(connection.fullSyncState) && chunks.length > 1 && last.flatMap((p) => p.requests).length < MAX_BATCH_REQUESTS) {
    chunks.pop();
    await releaseRows(db, claimId, last.map((p) => p.row.id));
  }

  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    const requests = chunk.flatMap((p) => p.requests);
    if (requests.length === 0) {
      // Nothing to tell Meta (e.g. a product deleted before it was ever pushed).
      await finishRows(db, claimId, chunk.map((p) => ({ ...p.result, lastBatchId: null, status: p.result.status === "PENDING" ? "SYNCED" : p.result.status })));
      result.products += chunk.length;
      continue;
    }
    try {
      await rememberBeforeSending(db, claimId, chunk);
      const token = openSecret(shop, "catalog.token", connection.tokenCiphertext);
      const sent = await client.itemsBatch(token, connection.catalogId, requests);
      result.calls += 1;
      result.requests += requests.length;
      result.products += chunk.length;
      // Created in finishRows' transaction, with the rows that point at it (see there).
      const batch = { id: randomUUID() };
      const createBatch = db.catalogBatch.create({
        data: {
          id: batch.id,
          shop,
          catalogId: connection.catalogId,
          handle: sent.handles[0] ?? null,
          itemCount: requests.length,
          items: chunk.flatMap((p) => p.requests.map((r) => ({ r: r.data.id, p: p.row.productId, m: r.method }))),
          status: sent.handles.length ? "SENT" : "FINISHED",
          nextPollAt: new Date((deps.now?.() ?? new Date()).getTime() + 200),
          errors: sent.validationStatus.length ? (sent.validationStatus as unknown as Prisma.InputJsonValue) : undefined,
        },
      });
      const rejected = new Map<string, string>();
      for (const v of sent.validationStatus) if (v.retailerId && v.errors.length) rejected.set(v.retailerId, v.errors.join("; "));
      await finishRows(
        db,
        claimId,
        chunk.map((p) => {
          const problems = p.requests.filter((r) => rejected.has(r.data.id)).map((r) => ({ retailerId: r.data.id, reason: rejected.get(r.data.id)! }));
          // A product with nothing to send (e.g. no image) was not part of this batch.
          const lastBatchId = p.requests.length ? batch.id : null;
          if (problems.length === 0) return { ...p.result, lastBatchId };
          return {
            ...p.result,
            lastBatchId,
            status: "FAILED" as const,
            lastError: problems.map((x) => x.reason).join(" "),
            itemErrors: problems as unknown as Prisma.InputJsonValue,
          };
        }),
        undefined,
        createBatch,
      );
      await db.catalogConnection.updateMany({ where: { shop }, data: { lastError: null } });
      log.debug({ shop, products: chunk.length, requests: requests.length, handle: sent.handles[0] }, "catalog batch sent");
    } catch (error) {
      const rest = chunks.slice(i).flatMap((c) => c.map((p) => p.row.id));
      if (!(error instanceof MetaGraphError)) {
        await releaseRows(db, claimId, rest, { retryAt: new Date(now.getTime() + retryDelay(0)), countAttempt: true });
        throw error;
      }
      const stopped = await applyCatalogFailure(db, shop, error, now, connection.tokenCiphertext);
      const attempts = Math.max(...chunks[i].map((p) => p.row.attempts));
      await releaseRows(db, claimId, rest, stopped ? {} : { retryAt: new Date(now.getTime() + retryDelay(attempts)), countAttempt: true });
      log.warn({ shop, kind: error.kind, code: error.code, transient: error instanceof Transient, err: error }, "catalog batch failed");
      result.stopped = true;
      return result;
    }
  }
  return result;
}
