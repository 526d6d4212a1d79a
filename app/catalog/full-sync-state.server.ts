import { randomUUID } from "node:crypto";
import type { Db } from "../db.server";
import { countUnseen } from "./store/products.server";

/**
 * A full sync's progress lives on the CatalogConnection row (run id, cursor,
 * counts), so it shows on the page and survives a worker restart.
 * States: IDLE, QUEUED (asked for, no worker has picked it up), RUNNING, DONE, FAILED.
 */
export async function startFullSync(db: Db, shop: string) {
  await db.catalogConnection.updateMany({
    where: { shop, catalogId: { not: null } },
    data: {
      fullSyncState: "QUEUED",
      fullSyncRunId: randomUUID(),
      fullSyncCursor: null,
      fullSyncProcessed: 0,
      fullSyncTotal: null,
      fullSyncStartedAt: new Date(),
      fullSyncEndedAt: null,
      fullSyncError: null,
      fullSyncRemoved: null,
      fullSyncStrays: null,
    },
  });
}

export interface FullSyncProgress {
  state: string;
  processed: number;
  total: number | null;
  startedAt: Date | null;
  endedAt: Date | null;
  error: string | null;
  /** Done: products removed because Shopify no longer has them, and catalog items no product accounted for. */
  removed: number | null;
  strays: number | null;
  /** Running, every product read: products the app knew that this run did not find in Shopify (removed when it ends). */
  notInShopify: number | null;
}

export async function fullSyncProgress(db: Db, shop: string): Promise<FullSyncProgress | null> {
  const row = await db.catalogConnection.findUnique({ where: { shop } });
  if (!row) return null;
  const readAll = row.fullSyncState === "RUNNING" && row.fullSyncRunId && row.fullSyncCursor === "END" && row.fullSyncStartedAt;
  return {
    state: row.fullSyncState,
    processed: row.fullSyncProcessed,
    total: row.fullSyncTotal,
    startedAt: row.fullSyncStartedAt,
    endedAt: row.fullSyncEndedAt,
    error: row.fullSyncError,
    removed: row.fullSyncRemoved,
    strays: row.fullSyncStrays,
    notInShopify: readAll ? await countUnseen(db, shop, row.fullSyncRunId!, row.fullSyncStartedAt!) : null,
  };
}
