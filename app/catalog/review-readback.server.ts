import type { Db, Prisma } from "../db.server";
import type { Logger } from "../logger.server";
import { MAX_REVIEW_IDS_PER_CALL, MetaGraphError, type MetaGraphClient } from "../meta/index.server";
import { VaultError } from "../vault/errors";
import { openSecret } from "../vault/secrets.server";
import { applyCatalogFailure, recordUnreadableToken } from "./connection-state.server";
import {
  catalogsDueForDiagnostics,
  deferReviews,
  dueReviews,
  markDiagnosticsTried,
  recordReviews,
  saveDiagnostics,
  shopsWithDueReviews,
  type ReviewUpdate,
} from "./store/reviews.server";
import { itemVerdict, nextReviewCheck, productReview, type ItemVerdict } from "./verdict";

/**
 * Reads back what Meta shows for the items the app sent (issue 17): after
 * Meta accepted a batch (batch-status.server.ts schedules the first check),
 * then while the review is pending and, once judged, now and then again.
 * Up to MAX_REVIEW_IDS_PER_CALL retailer ids per Graph call (one call per
 * 1,000 items per check, measured by `npm run bench`), a shop at a time, and
 * nothing while Meta's usage headers for the app or the shop's business
 * are at 75 % or more. The catalog's diagnostics are read on their own
 * interval. One shop's failure never holds up the others.
 */

/** Usage (percent of Meta's budget) at which the read-back waits: it is the least urgent Graph traffic. */
export const READBACK_USAGE_CEILING = 75;
/** Products per shop per round: a few calls' worth, so one big shop does not starve the rest. */
export const REVIEW_PRODUCTS_PER_ROUND = 2000;

export interface ReviewDeps {
  db: Db;
  client: MetaGraphClient;
  log: Logger;
  /** First read-back after Meta accepted an item, doubling while its review is pending. */
  firstCheckMs: number;
  /** How often a Live product is read again. */
  recheckMs: number;
  /** How often each catalog's diagnostics are read. */
  diagnosticsIntervalMs: number;
  now?: () => Date;
}

export interface ReviewRound {
  /** Graph calls made for items, and items read. */
  calls: number;
  items: number;
  products: number;
  diagnostics: number;
}

/** Shops with products due for a read-back, or whose catalog's diagnostics are due again. */
export async function shopsToReview(deps: ReviewDeps, now: Date): Promise<string[]> {
  const shops = await shopsWithDueReviews(deps.db, now);
  const diagnostics = await catalogsDueForDiagnostics(deps.db, new Date(now.getTime() - deps.diagnosticsIntervalMs));
  // A catalog's first diagnostics come with its first review read-back (before that it holds nothing of ours).
  return [...new Set([...shops, ...diagnostics.filter((c) => c.diagnosticsAt !== null).map((c) => c.shop)])];
}

/**
 * One shop's read-back: its due products (at most REVIEW_PRODUCTS_PER_ROUND),
 * then its catalog's diagnostics when due: first with the first read-back,
 * then every diagnosticsIntervalMs. The worker runs it apart from the
 * shop's flushes and polls, and one shop's failure is that shop's alone.
 */
export async function reviewShop(deps: ReviewDeps, shop: string, now = deps.now?.() ?? new Date()): Promise<ReviewRound> {
  const round: ReviewRound = { calls: 0, items: 0, products: 0, diagnostics: 0 };
  await readShop(deps, shop, now, round);
  const [connection] = await catalogsDueForDiagnostics(deps.db, new Date(now.getTime() - deps.diagnosticsIntervalMs), shop);
  if (connection && (connection.diagnosticsAt !== null || round.calls > 0)) {
    try {
      if (await readDiagnostics(deps, connection, now)) round.diagnostics += 1;
    } catch (error) {
      deps.log.error({ shop, err: error }, "catalog diagnostics read failed; retrying later");
    }
  }
  return round;
}

const schedule = (deps: ReviewDeps) => ({ firstMs: deps.firstCheckMs, recheckMs: deps.recheckMs });

type Connection = { shop: string; businessId: string | null; catalogId: string | null; tokenCiphertext: string | null; pausedUntil: Date | null };


/** A Graph call may go out for this shop: not paused for throttling, and Meta's usage under the ceiling. */
function mayCall(deps: ReviewDeps, connection: Connection, now: Date) {
  if (connection.pausedUntil && connection.pausedUntil > now) return false;
  return !deps.client.shouldSlowDown({ threshold: READBACK_USAGE_CEILING, business: connection.businessId ?? undefined });
}

async function readShop(deps: ReviewDeps, shop: string, now: Date, round: ReviewRound) {
  const { db, client, log } = deps;
  const connection = await db.catalogConnection.findUnique({
    where: { shop },
    select: { shop: true, state: true, businessId: true, catalogId: true, tokenCiphertext: true, pausedUntil: true },
  });
  const rows = await dueReviews(db, shop, now, REVIEW_PRODUCTS_PER_ROUND);
  const later = (ms: number) => new Date(now.getTime() + ms);
  if (!connection?.catalogId || !connection.tokenCiphertext || connection.state !== "CONNECTED") {
    // Nothing to ask until the catalog is back (a reconnect keeps the catalog): look again in a quarter of an hour.
    await deferReviews(db, rows.map((r) => r.id), later(Math.min(deps.recheckMs, 15 * 60_000)));
    return;
  }
  if (!mayCall(deps, connection, now)) {
    await deferReviews(db, rows.map((r) => r.id), later(Math.max(deps.firstCheckMs, 60_000)));
    log.info({ shop, products: rows.length }, "Meta's usage is high: review read-back waits");
    return;
  }

  // Every pushed item of the due products, in calls of at most MAX_REVIEW_IDS_PER_CALL ids.
  const itemsOf = new Map<string, string[]>();
  const empty: string[] = [];
  for (const row of rows) {
    const ids = Array.isArray(row.pushedRetailerIds) ? row.pushedRetailerIds.filter((id): id is string => typeof id === "string") : [];
    if (ids.length === 0) empty.push(row.id);
    else itemsOf.set(row.id, ids);
  }
  if (empty.length) await deferReviews(db, empty, later(deps.recheckMs));
  const allIds = [...itemsOf.values()].flat();

  let token;
  try {
    token = openSecret(shop, "catalog.token", connection.tokenCiphertext);
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    await recordUnreadableToken(db, log, shop, connection.tokenCiphertext, error);
    await deferReviews(db, [...itemsOf.keys()], later(deps.recheckMs));
    return;
  }

  const seen = new Map<string, ItemVerdict>();
  for (let i = 0; i < allIds.length; i += MAX_REVIEW_IDS_PER_CALL) {
    if (i > 0 && !mayCall(deps, connection, new Date())) {
      log.info({ shop }, "Meta's usage is high: review read-back stops for now");
      break;
    }
    const chunk = allIds.slice(i, i + MAX_REVIEW_IDS_PER_CALL);
    try {
      const reviews = await client.readItemReviews(token, connection.catalogId, chunk);
      round.calls += 1;
      round.items += reviews.length;
      for (const review of reviews) seen.set(review.retailerId, itemVerdict(review));
    } catch (error) {
      if (!(error instanceof MetaGraphError)) throw error;
      // Throttling pauses the shop's Graph calls (pausedUntil), a lost token asks for a reconnect.
      await applyCatalogFailure(db, shop, error, now, connection.tokenCiphertext);
      log.warn({ shop, kind: error.kind, code: error.code, err: error }, "review read-back call failed");
      break;
    }
  }

  const updates: ReviewUpdate[] = [];
  const unread: string[] = [];
  for (const row of rows) {
    const ids = itemsOf.get(row.id);
    if (!ids) continue;
    if (!ids.every((id) => seen.has(id)) && !ids.some((id) => seen.has(id))) {
      // Not read this round (a failed or skipped call), or Meta does not list the items yet.
      unread.push(row.id);
      continue;
    }
    // An item Meta does not list yet is still being processed: Sent.
    const items = ids.map((r) => seen.get(r) ?? { r, verdict: "SENT" as const, cause: null, reason: null, fix: null, image: null });
    const review = productReview(items);
    const checks = review === "SENT" ? row.reviewChecks + 1 : 0;
    updates.push({
      id: row.id,
      sentAt: row.sentAt,
      review,
      itemReviews: items as unknown as Prisma.InputJsonValue,
      confirmedAt: review === "SENT" ? null : now,
      reviewCheckAt: nextReviewCheck(review, row.reviewChecks, now, schedule(deps)),
      reviewChecks: checks,
    });
  }
  await recordReviews(db, updates);
  round.products += updates.length;
  if (unread.length) {
    const rowsById = new Map(rows.map((r) => [r.id, r]));
    // Each keeps its own backoff, so a product Meta never lists is not asked about every round.
    for (const id of unread) {
      const row = rowsById.get(id)!;
      await db.productSync.updateMany({
        where: { id, status: "SYNCED", sentAt: row.sentAt },
        data: { reviewCheckAt: nextReviewCheck("SENT", row.reviewChecks, now, schedule(deps)), reviewChecks: row.reviewChecks + 1 },
      });
    }
  }
}

async function readDiagnostics(deps: ReviewDeps, connection: Connection, now: Date): Promise<boolean> {
  const { db, client, log } = deps;
  if (!connection.catalogId || !connection.tokenCiphertext || !mayCall(deps, connection, now)) return false;
  try {
    const token = openSecret(connection.shop, "catalog.token", connection.tokenCiphertext);
    const groups = await client.catalogDiagnostics(token, connection.catalogId);
    await saveDiagnostics(db, connection.shop, connection.catalogId, groups as unknown as Prisma.InputJsonValue, now);
    return true;
  } catch (error) {
    if (error instanceof VaultError) {
      await recordUnreadableToken(db, log, connection.shop, connection.tokenCiphertext, error);
      return false;
    }
    if (!(error instanceof MetaGraphError)) throw error;
    await applyCatalogFailure(db, connection.shop, error, now, connection.tokenCiphertext);
    await markDiagnosticsTried(db, connection.shop, now);
    log.warn({ shop: connection.shop, kind: error.kind, code: error.code, err: error }, "catalog diagnostics call failed");
    return false;
  }
}
