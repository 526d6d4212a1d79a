import { randomUUID } from "node:crypto";
import type { Db } from "../db.server";
import { dailySchedule } from "./daily-sync";
import { ACTIVE_FULL_SYNC, FULL_SYNC_GIVE_UP_MS } from "./full-sync.server";
import { countUnseen } from "./store/products.server";

/**
 * A full sync's progress lives on the CatalogConnection row (run id, cursor,
 * counts), so it shows on the page and survives a worker restart.
 * States: IDLE, QUEUED (asked for, no worker has picked it up), RUNNING, DONE, FAILED.
 */
export type FullSyncTrigger = "merchant" | "connect" | "daily";

/**
 * Queues a full sync. A merchant's "Resync all" and a new connection start
 * over whatever runs; the daily reconciliation only starts when none runs
 * (compare-and-set on the state). Returns whether it queued one.
 */
export async function startFullSync(db: Db, shop: string, trigger: FullSyncTrigger = "merchant", now = new Date()) {
  const { count } = await db.catalogConnection.updateMany({
    where: { shop, catalogId: { not: null }, ...(trigger === "daily" ? { state: "CONNECTED", fullSyncState: { notIn: ACTIVE_FULL_SYNC } } : {}) },
    data: {
      fullSyncState: "QUEUED",
      fullSyncTrigger: trigger,
      fullSyncFailures: 0,
      fullSyncRetryAt: null,
      fullSyncFailingSince: null,
      fullSyncRunId: randomUUID(),
      fullSyncCursor: null,
      fullSyncProcessed: 0,
      fullSyncTotal: null,
      fullSyncStartedAt: now,
      fullSyncEndedAt: null,
      fullSyncError: null,
      fullSyncRemoved: null,
      fullSyncStrays: null,
    },
  });
  return count > 0;
}

export interface FullSyncProgress {
  state: string;
  processed: number;
  total: number | null;
  startedAt: Date | null;
  endedAt: Date | null;
  error: string | null;
  trigger: string | null;
  /** While a step keeps failing: how often, when it is tried next, and when the run gives up. */
  failures: number;
  retryAt: Date | null;
  giveUpAt: Date | null;
  /** The daily reconciliation: when the next one starts (null while the catalog is not connected). */
  nextDailyAt: Date | null;
  /** Items in the catalog this shop did not push, as the last reconciliation counted them. */
  foreignItems: { count: number; example: string | null } | null;
  /** Done: products removed because Shopify no longer has them, and items of variants they no longer have. */
  removed: number | null;
  strays: number | null;
  /** Running, every product read: products the app had that this run did not find in Shopify (removed when it ends). */
  notInShopify: number | null;
}

export async function fullSyncProgress(db: Db, shop: string, now = new Date()): Promise<FullSyncProgress | null> {
  const row = await db.catalogConnection.findUnique({ where: { shop } });
  if (!row) return null;
  const active = ACTIVE_FULL_SYNC.includes(row.fullSyncState);
  const failing = active && row.fullSyncFailures > 0;
  return {
    state: row.fullSyncState,
    processed: row.fullSyncProcessed,
    total: row.fullSyncTotal,
    startedAt: row.fullSyncStartedAt,
    endedAt: row.fullSyncEndedAt,
    error: row.fullSyncError,
    trigger: row.fullSyncTrigger,
    failures: failing ? row.fullSyncFailures : 0,
    retryAt: failing ? row.fullSyncRetryAt : null,
    giveUpAt: failing && row.fullSyncFailingSince ? new Date(row.fullSyncFailingSince.getTime() + FULL_SYNC_GIVE_UP_MS) : null,
    nextDailyAt:
      row.state === "CONNECTED" && row.catalogId ? (active ? null : dailySchedule(shop, row.fullSyncStartedAt ?? row.createdAt, now).next) : null,
    foreignItems: row.foreignItemCount ? { count: row.foreignItemCount, example: row.foreignItemExample } : null,
    removed: row.fullSyncRemoved,
    strays: row.fullSyncStrays,
    notInShopify:
      row.fullSyncState === "RUNNING" && row.fullSyncRunId && row.fullSyncCursor === "END" && row.fullSyncStartedAt
        ? await countUnseen(db, shop, row.fullSyncRunId, row.fullSyncStartedAt)
        : null,
  };
}
