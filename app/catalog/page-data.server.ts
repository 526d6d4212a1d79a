import type { Db } from "../db.server";
import { env } from "../env.server";
import { metaLoginSettings, type MetaLoginSettings } from "../meta/login-settings.server";
import type { MetaGraphClient } from "../meta/index.server";
import { CatalogConnectError, listChoosableCatalogs } from "./connect.server";
import { fullSyncProgress } from "./full-sync-state.server";
import { catalogReview, type ReviewView } from "./review-data.server";
import { catalogSummary, productDetail, productTable, type ErrorGroup, type SyncStatus } from "./status.server";

/**
 * Everything the catalog page shows, as plain data (dates as ISO text).
 * Built from columns the page may see: never a ciphertext or token.
 */

export interface CatalogPageData {
  /** Facebook Login for Business with the catalog configuration (catalog_management). */
  meta: MetaLoginSettings;
  connection: {
    state: string;
    reason: string | null;
    catalogId: string | null;
    catalogName: string | null;
    lastError: string | null;
    lastSuccessAt: string | null;
    pausedUntil: string | null;
    /** Since when Meta has not answered; null when it does. */
    unreachableSince: string | null;
  } | null;
  /** A token is stored but no catalog chosen yet. */
  awaitingChoice: boolean;
  catalogs: { id: string; name: string | null }[];
  choiceError: string | null;
  summary: { counts: Record<SyncStatus, number>; total: number; successRate: number | null; errorGroups: ErrorGroup[] };
  table: { rows: ProductRowView[]; total: number; page: number; pages: number };
  progress: {
    state: string;
    processed: number;
    total: number | null;
    startedAt: string | null;
    endedAt: string | null;
    error: string | null;
    trigger: string | null;
    failures: number;
    retryAt: string | null;
    giveUpAt: string | null;
    nextDailyAt: string | null;
    foreignItems: { count: number; example: string | null } | null;
    removed: number | null;
    strays: number | null;
    notInShopify: number | null;
  } | null;
  /** What Meta shows (issue 17): verdicts, problems by cause, diagnostics, freshness. */
  review: ReviewView;
}

export interface ProductRowView {
  productId: string;
  title: string;
  status: SyncStatus;
  lastError: string | null;
  lastSyncedAt: string | null;
  dirty: boolean;
  excluded: boolean;
  updatedAt: string;
}

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

/** The page for `shop`; `search` carries the table's query, status filter and page. */
export async function catalogPageData(db: Db, client: MetaGraphClient, shop: string, search: URLSearchParams): Promise<CatalogPageData> {
  const connection = await db.catalogConnection.findUnique({ where: { shop } });
  const awaitingChoice = Boolean(connection?.tokenCiphertext && !connection.catalogId);
  let catalogs: CatalogPageData["catalogs"] = [];
  let choiceError: string | null = null;
  if (awaitingChoice) {
    try {
      catalogs = (await listChoosableCatalogs(db, client, shop)).map((c) => ({ id: c.id, name: c.name }));
    } catch (error) {
      choiceError = error instanceof CatalogConnectError ? error.message : "Could not list the catalogs this token can manage. Connect again.";
    }
  }
  const filter = { query: search.get("q") ?? undefined, status: search.get("status") ?? undefined, page: Number(search.get("page") ?? 1) || 1 };
  const [summary, table, progress, review] = await Promise.all([
    catalogSummary(db, shop),
    productTable(db, shop, filter),
    fullSyncProgress(db, shop),
    catalogReview(db, shop, connection),
  ]);
  return {
    meta: metaLoginSettings(env().META_CATALOG_CONFIG_ID),
    connection: connection && {
      state: connection.state,
      reason: connection.stateReason,
      catalogId: connection.catalogId,
      catalogName: connection.catalogName,
      lastError: connection.lastError,
      lastSuccessAt: iso(connection.lastSuccessAt),
      pausedUntil: iso(connection.pausedUntil),
      unreachableSince: iso(connection.unreachableSince),
    },
    awaitingChoice,
    catalogs,
    choiceError,
    summary,
    table: { ...table, rows: table.rows.map((r) => ({ ...r, lastSyncedAt: iso(r.lastSyncedAt), updatedAt: r.updatedAt.toISOString() })) },
    progress: progress && {
      ...progress,
      startedAt: iso(progress.startedAt),
      endedAt: iso(progress.endedAt),
      retryAt: iso(progress.retryAt),
      giveUpAt: iso(progress.giveUpAt),
      nextDailyAt: iso(progress.nextDailyAt),
    },
    review,
  };
}

/**
 * The product page: the product (null when unknown, deleted or another shop's), and whether Meta is
 * answering, so a pending product during an outage says so instead of "on its way".
 */
export async function productPageData(db: Db, shop: string, productId: string) {
  const [detail, connection] = await Promise.all([
    productDetail(db, shop, productId),
    db.catalogConnection.findUnique({ where: { shop }, select: { state: true, unreachableSince: true, lastSuccessAt: true } }),
  ]);
  if (!detail) return null;
  return {
    ...detail,
    lastSyncedAt: iso(detail.lastSyncedAt),
    shopifyUpdatedAt: detail.shopifyUpdatedAt.toISOString(),
    changedAt: iso(detail.changedAt),
    sentAt: iso(detail.sentAt),
    confirmedAt: iso(detail.confirmedAt),
    batch: detail.batch && { ...detail.batch, createdAt: detail.batch.createdAt.toISOString(), finishedAt: iso(detail.batch.finishedAt) },
    metaUnreachable: connection?.state === "CONNECTED" && connection.unreachableSince ? { lastSuccessAt: iso(connection.lastSuccessAt) } : null,
  };
}
