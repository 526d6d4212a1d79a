import { randomUUID } from "node:crypto";
import type { Db } from "../db.server";

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
}

export async function fullSyncProgress(db: Db, shop: string): Promise<FullSyncProgress | null> {
  const row = await db.catalogConnection.findUnique({ where: { shop } });
  if (!row) return null;
  return {
    state: row.fullSyncState,
    processed: row.fullSyncProcessed,
    total: row.fullSyncTotal,
    startedAt: row.fullSyncStartedAt,
    endedAt: row.fullSyncEndedAt,
    error: row.fullSyncError,
  };
}
