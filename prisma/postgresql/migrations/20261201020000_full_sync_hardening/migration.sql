-- Issue 14: a failing full-sync step backs off and ends FAILED after a bounded time, the daily
-- reconciliation says why a run started, the reconciliation counts items other shops or tools put
-- in the catalog, and webhook changes go before a full sync's during it (ProductSync.bulk).

-- AlterTable
ALTER TABLE "CatalogConnection" ADD COLUMN     "fullSyncFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "fullSyncRetryAt" TIMESTAMP(3),
ADD COLUMN     "fullSyncFailingSince" TIMESTAMP(3),
ADD COLUMN     "fullSyncTrigger" TEXT,
ADD COLUMN     "foreignItemCount" INTEGER,
ADD COLUMN     "foreignItemExample" TEXT;

-- AlterTable
ALTER TABLE "ProductSync" ADD COLUMN     "bulk" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "ProductSync_dirty_shop_bulk_dirtySince_idx" ON "ProductSync"("dirty", "shop", "bulk", "dirtySince");
